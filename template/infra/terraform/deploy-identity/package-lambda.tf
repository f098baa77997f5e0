# Lambda: the deploy uploads the function package, and Lambda reads it with the deploy role's rights.
variable "code_bucket" {
  description = "The artifacts bucket the function package is uploaded to (the service's code_bucket)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.code_bucket))
    error_message = "code_bucket must be an S3 bucket name."
  }
}

locals {
  package_statements = [
    {
      Sid      = "TheFunctionPackages"
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:PutObject"]
      Resource = "arn:${local.partition}:s3:::${var.code_bucket}/lambda/*"
    },
  ]
}
