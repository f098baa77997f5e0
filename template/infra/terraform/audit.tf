# Audit trail (audit_log): the service's AUDIT events copied into their own long-lived log group,
# with alarms on authentication failures and permission denials.

variable "audit_retention_days" {
  description = "How long audit events are kept (2557 days = 7 years)."
  type        = number
  default     = 2557

  validation {
    condition     = contains([365, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.audit_retention_days)
    error_message = "audit_retention_days must be a CloudWatch Logs retention of one year or more (365, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653)."
  }
}

variable "audit_authentication_failure_threshold" {
  description = "Alarm when more authentication failures than this happen in 5 minutes."
  type        = number
  default     = 50
}

variable "audit_permission_denial_threshold" {
  description = "Alarm when more permission denials than this happen in 5 minutes."
  type        = number
  default     = 20
}

module "audit" {
  source = "./modules/audit"

  project_name                     = var.project_name
  environment                      = var.environment
  app_log_group_name               = module.compute.app_log_group_name
  alarm_topic_arn                  = module.compute.alarm_topic_arn
  audit_retention_days             = var.audit_retention_days
  authentication_failure_threshold = var.audit_authentication_failure_threshold
  permission_denial_threshold      = var.audit_permission_denial_threshold
  forwarder_package                = "${local.function_packages}/audit_forwarder.zip"
}

output "audit_log_group_name" {
  description = "The audit log group."
  value       = module.audit.log_group_name
}
