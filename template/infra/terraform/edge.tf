# AWS WAF in front of the service (waf): the web ACL is associated with the load balancer or the
# REST API stage of the compute module.

variable "waf_requests_per_five_minutes_per_ip" {
  description = "Requests one client IP may send in any five minutes before WAF answers 429."
  type        = number
  default     = 2000

  validation {
    condition     = var.waf_requests_per_five_minutes_per_ip >= 10 && var.waf_requests_per_five_minutes_per_ip <= 2000000000
    error_message = "waf_requests_per_five_minutes_per_ip must be between 10 and 2000000000."
  }
}

variable "waf_blocked_country_codes" {
  description = "ISO 3166 country codes to block (opt-in; which countries a service refuses is a policy decision, so there is no default list)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for code in var.waf_blocked_country_codes : can(regex("^[A-Z]{2}$", code))])
    error_message = "waf_blocked_country_codes must hold two-letter ISO 3166 codes."
  }
}

variable "waf_blocked_requests_alarm_threshold" {
  description = "Blocked requests in five minutes that raise the alarm."
  type        = number
  default     = 100
}

module "edge" {
  source = "./modules/edge"

  project_name                     = var.project_name
  environment                      = var.environment
  protected_resource_arn           = module.compute.protected_resource_arn
  alarm_topic_arn                  = module.compute.alarm_topic_arn
  requests_per_five_minutes_per_ip = var.waf_requests_per_five_minutes_per_ip
  blocked_country_codes            = var.waf_blocked_country_codes
  blocked_requests_alarm_threshold = var.waf_blocked_requests_alarm_threshold
  log_retention_days               = local.log_retention_days
}

output "web_acl_arn" {
  description = "The WAF web ACL."
  value       = module.edge.web_acl_arn
}
