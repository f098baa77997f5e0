# Cognito user pool (auth_provider cognito).

variable "cognito_non_prod_mfa" {
  description = "MFA outside prod (prod always requires it)."
  type        = string
  default     = "OPTIONAL"

  validation {
    condition     = contains(["OPTIONAL", "ON"], var.cognito_non_prod_mfa)
    error_message = "cognito_non_prod_mfa must be OPTIONAL or ON."
  }
}

variable "cognito_threat_protection" {
  description = "Cognito threat protection: OFF, AUDIT or ENFORCED (AUDIT and ENFORCED move the pool to the paid Plus plan)."
  type        = string
  default     = "OFF"

  validation {
    condition     = contains(["OFF", "AUDIT", "ENFORCED"], var.cognito_threat_protection)
    error_message = "cognito_threat_protection must be OFF, AUDIT or ENFORCED."
  }
}

variable "cognito_callback_urls" {
  description = "OAuth redirect URLs of the public client (code flow with PKCE); empty: SRP sign-in only."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for url in var.cognito_callback_urls : can(regex("^https://", url))])
    error_message = "Every callback URL must use https://."
  }
}

variable "cognito_domain_prefix" {
  description = "Prefix of the Cognito domain; empty means <project>-<environment>-<account id>."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^([a-z0-9](-?[a-z0-9]){0,62})?$", var.cognito_domain_prefix))
    error_message = "cognito_domain_prefix must be lowercase letters, digits and single hyphens."
  }
}

variable "cognito_access_token_minutes" {
  description = "Lifetime of access and ID tokens of the public client."
  type        = number
  default     = 15

  validation {
    condition     = var.cognito_access_token_minutes >= 5 && var.cognito_access_token_minutes <= 1440
    error_message = "cognito_access_token_minutes must be between 5 and 1440."
  }
}

variable "cognito_refresh_token_days" {
  description = "Lifetime of refresh tokens of the public client."
  type        = number
  default     = 7

  validation {
    condition     = var.cognito_refresh_token_days >= 1 && var.cognito_refresh_token_days <= 3650
    error_message = "cognito_refresh_token_days must be between 1 and 3650."
  }
}

module "identity" {
  source = "./modules/identity-cognito"

  project_name         = var.project_name
  environment          = var.environment
  non_prod_mfa         = var.cognito_non_prod_mfa
  tenant_claim         = var.auth_tenant_claim
  tenant_claim_package = "${local.function_packages}/tenant_claim.zip"
  threat_protection    = var.cognito_threat_protection
  callback_urls        = var.cognito_callback_urls
  domain_prefix        = var.cognito_domain_prefix
  access_token_minutes = var.cognito_access_token_minutes
  refresh_token_days   = var.cognito_refresh_token_days
  python_runtime       = var.python_runtime
  log_retention_days   = local.log_retention_days
}

locals {
  auth_environment = {
    AUTH_ISSUER          = module.identity.issuer
    AUTH_AUDIENCE        = module.identity.public_client_id
    COGNITO_USER_POOL_ID = module.identity.user_pool_id
    COGNITO_CLIENT_IDS   = jsonencode([module.identity.public_client_id, module.identity.machine_client_id])
  }
  auth_readable_secret_arns = []
  auth_secret_key_arns      = []
  jwt_audiences             = [module.identity.public_client_id, module.identity.machine_client_id]
}

output "user_pool_id" {
  description = "Cognito user pool."
  value       = module.identity.user_pool_id
}

output "token_endpoint" {
  description = "OAuth token endpoint of the pool's domain."
  value       = module.identity.token_endpoint
}
