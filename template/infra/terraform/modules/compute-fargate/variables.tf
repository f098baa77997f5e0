variable "project_name" {
  description = "Prefix of every resource name (kebab-case)."
  type        = string
}

variable "environment" {
  description = "dev, staging or prod: drives task count, deletion protection and retention."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the load balancer and tasks."
  type        = string
}

variable "public_subnet_ids" {
  description = "Subnets of the load balancer (the only public ones)."
  type        = list(string)
}

variable "app_subnet_ids" {
  description = "Private subnets of the tasks (no public IPs)."
  type        = list(string)
}

variable "app_security_group_id" {
  description = "Security group of the tasks (network module)."
  type        = string
}

variable "image_tag" {
  description = "Tag of the image in this module's repository (tags are immutable); empty creates no task definition or service yet."
  type        = string
}

variable "certificate_arn" {
  description = "ACM certificate of the service's domain name, for the HTTPS listener."
  type        = string
}

variable "tls_policy" {
  description = "TLS 1.2+ security policy of the HTTPS listener."
  type        = string
}

variable "task_cpu" {
  description = "Task CPU units."
  type        = number
}

variable "task_memory" {
  description = "Task memory in MiB."
  type        = number
}

variable "max_task_count" {
  description = "Auto scaling ceiling."
  type        = number
}

variable "log_retention_days" {
  description = "Retention of the app log group and the access logs."
  type        = number
}

variable "app_environment" {
  description = "Plain environment of the container: names and non-secret values only."
  type        = map(string)
}

variable "app_secrets" {
  description = "Environment names injected by ECS from Secrets Manager: name -> secret ARN."
  type        = map(string)
}

variable "injected_secret_key_arns" {
  description = "KMS keys of the injected secrets (the execution role decrypts them through Secrets Manager)."
  type        = list(string)
}

variable "readable_secret_arns" {
  description = "Secrets the service reads itself at run time (the *_SECRET_ID settings)."
  type        = list(string)
}

variable "readable_secret_key_arns" {
  description = "KMS keys of those secrets (decrypt through Secrets Manager only)."
  type        = list(string)
}

variable "data_key_arns" {
  description = "KMS keys the service generates and unwraps data keys with (PII)."
  type        = list(string)
}

variable "database_instance_id" {
  description = "DB instance identifier, for the database alarms."
  type        = string
}

variable "latency_threshold_seconds" {
  description = "Alarm when the p99 target response time stays above this."
  type        = number
}

variable "free_storage_threshold_bytes" {
  description = "Alarm when the database has less free storage than this."
  type        = number
}
