# Token signing keys (self-issued RS256): the private key ring the service signs with and,
# separately, the public JWKS the API Gateway authorizer reads, both in Secrets Manager under their
# own KMS key, rotated on a schedule by Secrets Manager (a first rotation runs at creation).

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  name          = "${var.project_name}-${var.environment}"
  account_id    = data.aws_caller_identity.current.account_id
  partition     = data.aws_partition.current.partition
  region        = data.aws_region.current.name
  function_name = "${local.name}-rotate-signing-keys"

  # The environment's permissions boundary (the deploy identity creates it): every role here carries it.
  permissions_boundary = "arn:${local.partition}:iam::${local.account_id}:policy/${local.name}-permissions-boundary"
}

module "auth_secrets_key" {
  source = "../customer-key"

  description    = "${local.name} token signing key ring, public JWKS and rotation logs"
  alias          = "${local.name}-auth-secrets"
  for_log_groups = true
  statements = [
    {
      Sid       = "SecretsThroughSecretsManagerOnly"
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
    {
      # The rotation function has KMS generate each RSA key pair (the Lambda runtime has no RSA
      # implementation); only 2048-bit pairs, and only for roles allowed by IAM.
      Sid       = "GenerateRsaSigningKeyPairs"
      Effect    = "Allow"
      Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
      Action    = "kms:GenerateDataKeyPair"
      Resource  = "*"
      Condition = {
        StringEquals = {
          "kms:CallerAccount"   = local.account_id
          "kms:DataKeyPairSpec" = "RSA_2048"
        }
      }
    },
  ]
}

moved {
  from = aws_kms_key.auth_secrets
  to   = module.auth_secrets_key.aws_kms_key.this
}

moved {
  from = aws_kms_alias.auth_secrets
  to   = module.auth_secrets_key.aws_kms_alias.this[0]
}

# The public keys of the ring, as a JWKS: the authorizer needs nothing more.
resource "aws_secretsmanager_secret" "public_jwks" {
  # checkov:skip=CKV2_AWS_57:Written by the signing key ring's rotation (setSecret step), never rotated on its own.
  name        = "${var.project_name}/${var.environment}/auth/public-jwks"
  description = "Public JWKS of the token signing keys (written by the signing key rotation)"
  kms_key_id  = module.auth_secrets_key.arn
}

resource "aws_secretsmanager_secret_version" "public_jwks" {
  secret_id     = aws_secretsmanager_secret.public_jwks.id
  secret_string = jsonencode({ keys = [] })

  lifecycle {
    ignore_changes = [secret_string]
  }
}

# {"keys": [{"kid", "alg", "private_key_pem", "created_at"}]}, newest first, the format the
# service's SecretsManagerKeyRing reads.
resource "aws_secretsmanager_secret" "signing_keys" {
  name        = "${var.project_name}/${var.environment}/auth/signing-keys"
  description = "RS256 signing key ring of the service (current and previous key)"
  kms_key_id  = module.auth_secrets_key.arn
  # Tells the rotation function where to publish the public keys.
  tags = { public-jwks-secret = aws_secretsmanager_secret.public_jwks.arn }
}

resource "aws_secretsmanager_secret_version" "signing_keys" {
  secret_id     = aws_secretsmanager_secret.signing_keys.id
  secret_string = jsonencode({ keys = [] })

  lifecycle {
    ignore_changes = [secret_string]
  }
}

resource "aws_cloudwatch_log_group" "rotation" {
  name              = "/aws/lambda/${local.function_name}"
  kms_key_id        = module.auth_secrets_key.arn
  retention_in_days = var.log_retention_days
}

resource "aws_iam_role" "rotation" {
  name_prefix          = "${local.name}-rotate-keys-"
  description          = "Rotates the token signing key ring and publishes its public JWKS"
  permissions_boundary = local.permissions_boundary
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
    }]
  })
}

resource "aws_iam_role_policy" "rotation" {
  name = "rotate-signing-keys"
  role = aws_iam_role.rotation.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"]
        Resource = aws_secretsmanager_secret.signing_keys.arn
      },
      {
        Effect   = "Allow"
        Action   = ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"]
        Resource = aws_secretsmanager_secret.public_jwks.arn
      },
      {
        Effect    = "Allow"
        Action    = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource  = module.auth_secrets_key.arn
        Condition = { StringEquals = { "kms:ViaService" = "secretsmanager.${local.region}.amazonaws.com" } }
      },
      {
        Effect    = "Allow"
        Action    = "kms:GenerateDataKeyPair"
        Resource  = module.auth_secrets_key.arn
        Condition = { StringEquals = { "kms:DataKeyPairSpec" = "RSA_2048" } }
      },
      {
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = ["${aws_cloudwatch_log_group.rotation.arn}:*"]
      },
      {
        # X-Ray offers no resource-level permissions for these: "*" only.
        Effect   = "Allow"
        Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
        Resource = "*"
      },
    ]
  })
}

resource "aws_lambda_function" "rotation" {
  # checkov:skip=CKV_AWS_115:Runs once per rotation; reserving concurrency would take capacity from the account's unreserved pool, which new accounts cannot lower below its minimum.
  # checkov:skip=CKV_AWS_116:Invoked by Secrets Manager step by step; a failed step marks the rotation failed on the secret (and in CloudTrail) and the current keys stay in use, so a dead-letter queue would hold nothing to act on.
  # checkov:skip=CKV_AWS_117:Calls only the Secrets Manager and KMS APIs; outside a VPC it has no network path into the VPC, which is the safer side.
  # checkov:skip=CKV_AWS_272:Code signing needs a signing profile and signed uploads in the delivery pipeline; the package is built from this repository by the same pipeline that applies it.
  function_name    = local.function_name
  description      = "Secrets Manager rotation of the RS256 signing key ring and its public JWKS"
  runtime          = var.python_runtime
  architectures    = ["arm64"]
  handler          = "index.handler"
  memory_size      = 256
  timeout          = 60
  role             = aws_iam_role.rotation.arn
  filename         = var.rotation_package
  source_code_hash = fileexists(var.rotation_package) ? filebase64sha256(var.rotation_package) : null

  tracing_config {
    mode = "Active"
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.rotation.name
  }

  depends_on = [aws_iam_role_policy.rotation]
}

resource "aws_lambda_permission" "rotation" {
  function_name  = aws_lambda_function.rotation.function_name
  action         = "lambda:InvokeFunction"
  principal      = "secretsmanager.amazonaws.com"
  source_account = local.account_id
  source_arn     = aws_secretsmanager_secret.signing_keys.arn
}

# The first rotation runs when the schedule is created, so the ring is never empty when the
# compute module deploys.
resource "aws_secretsmanager_secret_rotation" "signing_keys" {
  secret_id           = aws_secretsmanager_secret.signing_keys.id
  rotation_lambda_arn = aws_lambda_function.rotation.arn
  rotate_immediately  = true

  rotation_rules {
    schedule_expression = "rate(${var.signing_key_rotation_days} days)"
  }

  depends_on = [aws_lambda_permission.rotation, aws_secretsmanager_secret_version.signing_keys, aws_secretsmanager_secret_version.public_jwks]
}
