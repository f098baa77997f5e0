variable "project_name" {
  description = "Prefix of every resource name; also the identifier of the resource server (scope prefix)."
  type        = string
}

variable "environment" {
  description = "dev, staging or prod: drives MFA (required in prod) and deletion protection."
  type        = string
}

variable "non_prod_mfa" {
  description = "MFA outside prod (prod always requires it): OPTIONAL or ON."
  type        = string
}

variable "tenant_claim" {
  description = "The service's AUTH_TENANT_CLAIM; when set, a trigger copies custom:tenant into access tokens under this name. Empty: no trigger."
  type        = string
}

variable "tenant_claim_package" {
  description = "Zip of infra/functions/tenant_claim (built outside Terraform, see infra/terraform/README.md); used only with tenant_claim."
  type        = string
}

variable "threat_protection" {
  description = "Cognito threat protection: OFF, AUDIT or ENFORCED (AUDIT and ENFORCED need the paid Plus plan)."
  type        = string
}

variable "callback_urls" {
  description = "OAuth redirect URLs of the public client (code flow with PKCE); empty: SRP sign-in only."
  type        = list(string)
}

variable "domain_prefix" {
  description = "Prefix of the Cognito domain; empty means <project>-<environment>-<account id>."
  type        = string
}

variable "access_token_minutes" {
  description = "Lifetime of access and ID tokens of the public client."
  type        = number
}

variable "refresh_token_days" {
  description = "Lifetime of refresh tokens of the public client."
  type        = number
}

variable "python_runtime" {
  description = "Lambda runtime of the trigger, e.g. python3.12."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the trigger's log group."
  type        = number
}
