variable "description" {
  description = "What the key encrypts (the key's description)."
  type        = string
}

variable "alias" {
  description = "The key's alias without the alias/ prefix, e.g. <project>-<environment>-cache; empty: no alias."
  type        = string
  default     = ""

  validation {
    condition     = !startswith(var.alias, "alias/") && can(regex("^[A-Za-z0-9/_-]*$", var.alias))
    error_message = "alias is the name after alias/: letters, digits, '/', '_' and '-'."
  }
}

variable "statements" {
  description = "Key policy statements of the key's users (services through which the account may use it, ...)."
  type        = any
  default     = []
}

variable "for_log_groups" {
  description = "Allow CloudWatch Logs of this region to use the key for this account's log groups."
  type        = bool
  default     = false
}
