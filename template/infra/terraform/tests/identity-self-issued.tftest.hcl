# The self-issued signing keys at plan level: both secrets under their own key, rotated on a schedule.

mock_provider "aws" {
  override_during = plan
  source          = "./tests/mocks"
}

run "signing_keys" {
  command = plan

  module {
    source = "./modules/identity-self-issued"
  }

  variables {
    project_name              = "service"
    environment               = "prod"
    signing_key_rotation_days = 30
    rotation_package          = "build/functions/rotate_signing_keys.zip"
    python_runtime            = "python3.12"
    log_retention_days        = 365
  }

  assert {
    condition     = alltrue([for role in [aws_iam_role.rotation] : role.permissions_boundary == "arn:aws:iam::123456789012:policy/service-prod-permissions-boundary"])
    error_message = "Every role carries the environment's permissions boundary (the deploy role may create no other)."
  }

  assert {
    condition     = aws_secretsmanager_secret.signing_keys.kms_key_id == module.auth_secrets_key.arn && aws_secretsmanager_secret.public_jwks.kms_key_id == module.auth_secrets_key.arn
    error_message = "Both secrets are encrypted with their own customer-managed key."
  }

  assert {
    condition     = aws_secretsmanager_secret_rotation.signing_keys.rotation_rules[0].schedule_expression == "rate(30 days)"
    error_message = "The signing key ring rotates on its schedule."
  }
}
