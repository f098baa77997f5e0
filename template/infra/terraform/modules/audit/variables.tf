variable "project_name" {
  description = "Prefix of every resource name (kebab-case)."
  type        = string
}

variable "environment" {
  description = "dev, staging or prod."
  type        = string
}

variable "app_log_group_name" {
  description = "Application log group whose AUDIT lines are copied (compute module)."
  type        = string
}

variable "alarm_topic_arn" {
  description = "SNS topic of the service's alarms (compute module)."
  type        = string
}

variable "audit_retention_days" {
  description = "How long audit events are kept (2557 days = 7 years)."
  type        = number
}

variable "authentication_failure_threshold" {
  description = "Alarm when more authentication failures than this happen in 5 minutes."
  type        = number
}

variable "permission_denial_threshold" {
  description = "Alarm when more permission denials than this happen in 5 minutes."
  type        = number
}

variable "forwarder_package" {
  description = "Zip of infra/functions/audit_forwarder (built outside Terraform, see infra/terraform/README.md)."
  type        = string
}
