variable "project_name" {
  description = "Prefix of every resource name (kebab-case)."
  type        = string
}

variable "environment" {
  description = "dev, staging or prod: drives the replica with automatic failover (prod)."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the cache."
  type        = string
}

variable "data_subnet_ids" {
  description = "Isolated subnets of the cache."
  type        = list(string)
}

variable "app_security_group_id" {
  description = "Security group of the app: the only ingress of the cache."
  type        = string
}

variable "node_type" {
  description = "Node type of the cache."
  type        = string
}

variable "engine_version" {
  description = "Valkey version."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the cache's slow and engine logs."
  type        = number
}
