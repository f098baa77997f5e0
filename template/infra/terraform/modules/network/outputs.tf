output "vpc_id" {
  description = "The VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr" {
  description = "CIDR block of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "public_subnet_ids" {
  description = "Load balancer subnets."
  value       = aws_subnet.public[*].id
}

output "public_subnet_cidrs" {
  description = "CIDRs of the load balancer subnets: the app's trusted proxies."
  value       = local.public_cidrs
}

output "app_subnet_ids" {
  description = "Private subnets of the tasks or functions."
  value       = aws_subnet.app[*].id
}

output "data_subnet_ids" {
  description = "Isolated subnets of the database and cache."
  value       = aws_subnet.data[*].id
}

output "app_security_group_id" {
  description = "Security group of the tasks or functions."
  value       = aws_security_group.app.id
}
