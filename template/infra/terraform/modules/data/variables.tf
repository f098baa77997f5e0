variable "project_name" {
  description = "Prefix of every resource name (kebab-case)."
  type        = string
}

variable "environment" {
  description = "dev, staging or prod: drives Multi-AZ, deletion protection and backup retention."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the database."
  type        = string
}

variable "data_subnet_ids" {
  description = "Isolated subnets (no route out) of the database."
  type        = list(string)
}

variable "app_security_group_id" {
  description = "Security group of the app: the only ingress of the database."
  type        = string
}

variable "database_name" {
  description = "Name of the application database."
  type        = string
}

variable "master_username" {
  description = "Master user; its password is generated and rotated by RDS in Secrets Manager."
  type        = string
}

variable "engine_major_version" {
  description = "PostgreSQL major version (RDS applies minor upgrades in the maintenance window)."
  type        = string
}

variable "instance_class" {
  description = "DB instance class."
  type        = string
}

variable "allocated_storage_gib" {
  description = "Initial storage in GiB."
  type        = number
}

variable "max_allocated_storage_gib" {
  description = "Storage autoscaling ceiling in GiB."
  type        = number
}

variable "log_retention_days" {
  description = "Retention of the exported PostgreSQL logs."
  type        = number
}
