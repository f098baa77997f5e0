# PII protection at plan level: a rotating data-key KMS key scoped to the PII encryption context.

mock_provider "aws" {
  override_during = plan
  source          = "./tests/mocks"
}

run "pii_keys" {
  command = plan

  module {
    source = "./modules/pii"
  }

  variables {
    project_name = "service"
    environment  = "prod"
  }

  assert {
    condition     = aws_kms_key.pii.enable_key_rotation
    error_message = "The PII key must rotate."
  }

  assert {
    condition     = contains(flatten([for statement in jsondecode(aws_kms_key.pii.policy).Statement : keys(try(statement.Condition.StringEquals, {}))]), "kms:EncryptionContext:purpose")
    error_message = "Data keys may only be made under the customer-pii encryption context."
  }

  assert {
    condition     = aws_secretsmanager_secret.blind_index.kms_key_id == aws_kms_key.pii.arn && can(jsondecode(aws_secretsmanager_secret_version.blind_index.secret_string)["1"])
    error_message = "The blind-index secret holds version 1, encrypted with the PII key."
  }
}
