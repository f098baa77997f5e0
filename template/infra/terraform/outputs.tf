output "vpc_id" {
  description = "The VPC."
  value       = module.network.vpc_id
}

output "database_endpoint" {
  description = "Host name of the database instance."
  value       = module.data.endpoint
}

output "database_secret_arn" {
  description = "RDS-managed master user secret."
  value       = module.data.secret_arn
}
