variable "project_name" {
  description = "Prefix of every resource name (kebab-case)."
  type        = string
}

variable "environment" {
  description = "dev, staging or prod: drives NAT redundancy and log retention."
  type        = string
}

variable "vpc_cidr" {
  description = "Private /16 of the VPC; six /24 subnets are carved out of it."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the flow log group."
  type        = number
}
