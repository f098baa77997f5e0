# The KMS key that wraps the app's per-record data keys (PII_KMS_KEY_IDS) and the blind-index HMAC
# key in Secrets Manager (PII_BLIND_INDEX_SECRET_ID). Without them the encrypted data can be neither
# read nor searched: both refuse `terraform destroy` (prevent_destroy).

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  name       = "${var.project_name}-${var.environment}"
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name
}

# Not the customer-key module: prevent_destroy must be a literal, and this key alone must never be
# destroyed (every data key wrapped with it, and so every sealed row, would be lost).
resource "aws_kms_key" "pii" {
  description             = "${local.name} customer PII data keys and the blind-index secret"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministersTheKey"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        # The app generates and unwraps data keys directly, always under the encryption context
        # it binds to customer PII.
        Sid       = "PiiDataKeysOnly"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action    = ["kms:GenerateDataKey", "kms:Decrypt"]
        Resource  = "*"
        Condition = {
          StringEquals = {
            "kms:CallerAccount"             = local.account_id
            "kms:EncryptionContext:purpose" = "customer-pii"
          }
        }
      },
      {
        Sid       = "BlindIndexSecretThroughSecretsManagerOnly"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action    = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey", "kms:DescribeKey"]
        Resource  = "*"
        Condition = {
          StringEquals = {
            "kms:CallerAccount" = local.account_id
            "kms:ViaService"    = "secretsmanager.${local.region}.amazonaws.com"
          }
        }
      },
    ]
  })

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_kms_alias" "pii" {
  name          = "alias/${local.name}-pii"
  target_key_id = aws_kms_key.pii.key_id
}

# {"1": "<64 letters and digits>"}: the app base64-decodes each version to a 48-byte HMAC key.
# Generated once (later plans ignore new values). Not rotated automatically: a new version means
# re-indexing every row, which the app's re-encryption command does.
data "aws_secretsmanager_random_password" "blind_index" {
  password_length     = 64
  exclude_punctuation = true
}

resource "aws_secretsmanager_secret" "blind_index" {
  # checkov:skip=CKV2_AWS_57:A new blind-index key means re-indexing every row (add version 2, re-index, switch the active version) with the app's re-encryption command; a rotation Lambda cannot do that.
  name        = "${var.project_name}/${var.environment}/pii/blind-index-keys"
  description = "HMAC keys of the PII blind index, by version"
  kms_key_id  = aws_kms_key.pii.arn

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_secretsmanager_secret_version" "blind_index" {
  secret_id     = aws_secretsmanager_secret.blind_index.id
  secret_string = jsonencode({ "1" = data.aws_secretsmanager_random_password.blind_index.random_password })

  lifecycle {
    ignore_changes = [secret_string]
  }
}
