variable "project_name" {
  description = "Prefix of every resource name (kebab-case)."
  type        = string
}

variable "environment" {
  description = "dev, staging or prod."
  type        = string
}

variable "protected_resource_arn" {
  description = "ARN of the load balancer or REST API stage the web ACL is associated with."
  type        = string
}

variable "alarm_topic_arn" {
  description = "SNS topic of the service's alarms."
  type        = string
}

variable "requests_per_five_minutes_per_ip" {
  description = "Requests one client IP may send in any five minutes before WAF answers 429."
  type        = number
}

variable "blocked_country_codes" {
  description = "ISO 3166 country codes to block; empty blocks no country (a policy decision, so no default list)."
  type        = list(string)
}

variable "blocked_requests_alarm_threshold" {
  description = "Blocked requests in five minutes that raise the alarm."
  type        = number
}

variable "log_retention_days" {
  description = "Retention of the WAF log group."
  type        = number
}
