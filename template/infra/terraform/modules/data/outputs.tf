output "endpoint" {
  description = "Host name of the instance."
  value       = aws_db_instance.this.address
}

output "port" {
  description = "Port of the instance."
  value       = aws_db_instance.this.port
}

output "database_name" {
  description = "Name of the application database."
  value       = var.database_name
}

output "username" {
  description = "Master user name (the login of the app and, with IAM authentication, of the proxy)."
  value       = var.master_username
}

output "secret_arn" {
  description = "RDS-managed master user secret (username and password), encrypted with key_arn."
  value       = aws_db_instance.this.master_user_secret[0].secret_arn
}

output "resource_id" {
  description = "DbiResourceId, for rds-db:connect policies."
  value       = aws_db_instance.this.resource_id
}

output "instance_id" {
  description = "DB instance identifier (alarms, RDS Proxy target)."
  value       = aws_db_instance.this.identifier
}

output "security_group_id" {
  description = "Security group of the database (an RDS Proxy goes in it)."
  value       = aws_security_group.database.id
}

output "key_arn" {
  description = "KMS key of the database and its master user secret."
  value       = module.database_key.arn
}
