variable "project_name" {
  description = "Prefix of every resource name (kebab-case)."
  type        = string
}

variable "environment" {
  description = "dev, staging or prod."
  type        = string
}

variable "signing_key_rotation_days" {
  description = "Days between signing key rotations; keep this far above the access token lifetime."
  type        = number
}

variable "rotation_package" {
  description = "Zip of infra/functions/rotate_signing_keys (built outside Terraform, see infra/terraform/README.md)."
  type        = string
}

variable "python_runtime" {
  description = "Lambda runtime of the rotation function, e.g. python3.12."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the rotation function's log group."
  type        = number
}
