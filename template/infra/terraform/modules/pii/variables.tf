variable "project_name" {
  description = "Prefix of every resource name (kebab-case)."
  type        = string
}

variable "environment" {
  description = "dev, staging or prod."
  type        = string
}
