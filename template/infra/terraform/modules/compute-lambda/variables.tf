variable "project_name" {
  description = "Prefix of every resource name (kebab-case)."
  type        = string
}

variable "environment" {
  description = "dev, staging or prod: drives log retention; also the REST API stage name."
  type        = string
}

variable "app_subnet_ids" {
  description = "Private subnets of the function (it reaches the database through RDS Proxy)."
  type        = list(string)
}

variable "data_subnet_ids" {
  description = "Isolated subnets of the RDS Proxy."
  type        = list(string)
}

variable "app_security_group_id" {
  description = "Security group of the function (network module)."
  type        = string
}

variable "database_security_group_id" {
  description = "Security group of the database; the proxy is placed in it."
  type        = string
}

variable "database_secret_arn" {
  description = "RDS-managed master user secret the proxy logs in with."
  type        = string
}

variable "database_key_arn" {
  description = "KMS key of that secret."
  type        = string
}

variable "database_instance_id" {
  description = "DB instance behind the proxy (also the database alarms' dimension)."
  type        = string
}

variable "database_username" {
  description = "Login of the function through the proxy (IAM authentication)."
  type        = string
}

variable "code_bucket" {
  description = "S3 bucket holding the function package (built and uploaded outside Terraform)."
  type        = string
}

variable "code_key" {
  description = "S3 key of the function package, e.g. lambda/<sha256>.zip."
  type        = string
}

variable "python_runtime" {
  description = "Lambda runtime, e.g. python3.12."
  type        = string
}

variable "handler_module" {
  description = "Python module holding the entrypoints, e.g. <package>.entrypoints."
  type        = string
}

variable "architecture" {
  description = "arm64 or x86_64: must match the platform the package's wheels were built for."
  type        = string
}

variable "memory_size" {
  description = "Memory of the API function in MiB."
  type        = number
}

variable "timeout_seconds" {
  description = "Timeout of the API function (at most API Gateway's 29 s)."
  type        = number
}

variable "tracing_mode" {
  description = "X-Ray tracing of the functions (and the REST stage): Active or PassThrough."
  type        = string
}

variable "reserved_concurrency" {
  description = "Reserved concurrent executions; null leaves it unset."
  type        = number
}

variable "throttling_rate_limit" {
  description = "Steady-state requests per second the stage accepts."
  type        = number
}

variable "throttling_burst_limit" {
  description = "Burst of requests the stage accepts."
  type        = number
}

variable "domain_name" {
  description = "Optional custom domain (TLS 1.2 minimum); when set the default execute-api endpoint is disabled."
  type        = string
}

variable "domain_certificate_arn" {
  description = "ACM certificate of domain_name, in this region."
  type        = string
}

variable "authorizer_type" {
  description = "How the gateway checks tokens before the function does: cognito (REST), jwt (HTTP API) or lambda (the package's authorizer)."
  type        = string
}

variable "jwt_issuer" {
  description = "Issuer the gateway's JWT authorizer accepts (authorizer_type jwt)."
  type        = string
}

variable "jwt_audiences" {
  description = "Audiences (or Cognito client ids) the gateway's JWT authorizer accepts (authorizer_type jwt)."
  type        = list(string)
}

variable "user_pool_arn" {
  description = "Cognito user pool of the REST API's authorizer (authorizer_type cognito)."
  type        = string
}

variable "authorization_scopes" {
  description = "Scopes the REST API's Cognito authorizer accepts (access tokens)."
  type        = list(string)
}

variable "public_routes" {
  description = "Routes that carry no access token (health checks, the token endpoint), as \"METHOD /path\"."
  type        = list(string)
}

variable "app_environment" {
  description = "Environment of the API function: names and non-secret values only."
  type        = map(string)
}

variable "authorizer_environment" {
  description = "Environment of the gateway authorizer (authorizer_type lambda)."
  type        = map(string)
}

variable "readable_secret_arns" {
  description = "Secrets the API function reads itself (the *_SECRET_ID settings)."
  type        = list(string)
}

variable "readable_secret_key_arns" {
  description = "KMS keys of those secrets (decrypt through Secrets Manager only)."
  type        = list(string)
}

variable "authorizer_secret_arns" {
  description = "Secrets the authorizer reads (the public JWKS for self-issued tokens)."
  type        = list(string)
}

variable "authorizer_secret_key_arns" {
  description = "KMS keys of the authorizer's secrets."
  type        = list(string)
}

variable "data_key_arns" {
  description = "KMS keys the function generates and unwraps data keys with (PII)."
  type        = list(string)
}

variable "log_retention_days" {
  description = "Retention of the function and access log groups."
  type        = number
}

variable "latency_threshold_milliseconds" {
  description = "Alarm when the p99 API latency stays above this."
  type        = number
}

variable "free_storage_threshold_bytes" {
  description = "Alarm when the database has less free storage than this."
  type        = number
}
