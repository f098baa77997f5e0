# The Cognito user pool at plan level: MFA and deletion protection in prod, a strong password
# policy, a public client without secret, and the tenant attribute no app client may write.

mock_provider "aws" {
  override_during = plan
  source          = "./tests/mocks"
}

run "user_pool_in_prod" {
  command = plan

  module {
    source = "./modules/identity-cognito"
  }

  variables {
    project_name         = "service"
    environment          = "prod"
    non_prod_mfa         = "OPTIONAL"
    tenant_claim         = "tenant"
    tenant_claim_package = "build/functions/tenant_claim.zip"
    threat_protection    = "OFF"
    callback_urls        = []
    domain_prefix        = ""
    access_token_minutes = 15
    refresh_token_days   = 7
    python_runtime       = "python3.12"
    log_retention_days   = 365
  }

  assert {
    condition     = alltrue([for role in [aws_iam_role.tenant_claim[0]] : role.permissions_boundary == "arn:aws:iam::123456789012:policy/service-prod-permissions-boundary"])
    error_message = "Every role carries the environment's permissions boundary (the deploy role may create no other)."
  }

  assert {
    condition     = aws_cognito_user_pool.this.mfa_configuration == "ON" && aws_cognito_user_pool.this.deletion_protection == "ACTIVE"
    error_message = "prod requires MFA and protects the pool from deletion."
  }

  assert {
    condition     = aws_cognito_user_pool.this.password_policy[0].minimum_length >= 14
    error_message = "Passwords of at least 14 characters."
  }

  assert {
    condition     = !aws_cognito_user_pool_client.public.generate_secret && aws_cognito_user_pool_client.machine.generate_secret
    error_message = "The public client has no secret; the machine client has one."
  }

  assert {
    condition     = !contains(concat(tolist(aws_cognito_user_pool_client.public.write_attributes), tolist(aws_cognito_user_pool_client.machine.write_attributes)), "custom:tenant")
    error_message = "No app client may write the tenant attribute."
  }

  assert {
    condition     = one(aws_cognito_user_pool.this.lambda_config[0].pre_token_generation_config[*].lambda_version) == "V2_0"
    error_message = "With a tenant claim, a V2 pre-token-generation trigger copies it into access tokens."
  }
}
