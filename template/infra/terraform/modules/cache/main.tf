# Shared rate-limit store: ElastiCache (Valkey) in the isolated subnets with TLS, encryption at
# rest under its own KMS key and an AUTH token kept in Secrets Manager; the app receives its whole
# storage URL as a secret.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  name       = "${var.project_name}-${var.environment}"
  is_prod    = var.environment == "prod"
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name
}

module "cache_key" {
  source = "../customer-key"

  description    = "${local.name} cache at rest, its secrets and its logs"
  alias          = "${local.name}-cache"
  for_log_groups = true
  statements = [
    {
      Sid       = "UseThroughElastiCacheAndSecretsManagerOnly"
      Effect    = "Allow"
      Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
      Action    = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey", "kms:CreateGrant", "kms:ListGrants"]
      Resource  = "*"
      Condition = {
        StringEquals = {
          "kms:CallerAccount" = local.account_id
          "kms:ViaService"    = ["elasticache.${local.region}.amazonaws.com", "secretsmanager.${local.region}.amazonaws.com"]
        }
      }
    },
  ]
}

moved {
  from = aws_kms_key.cache
  to   = module.cache_key.aws_kms_key.this
}

moved {
  from = aws_kms_alias.cache
  to   = module.cache_key.aws_kms_alias.this[0]
}

# Letters and digits only: valid as an ElastiCache AUTH token and inside a URL without escaping.
# Generated once (later plans ignore new values); ElastiCache has no write-only token argument,
# so the token is also in the (encrypted) Terraform state.
data "aws_secretsmanager_random_password" "auth_token" {
  password_length     = 64
  exclude_punctuation = true
}

resource "aws_secretsmanager_secret" "auth_token" {
  # checkov:skip=CKV2_AWS_57:Rotating the AUTH token needs ModifyReplicationGroup with the ROTATE then SET strategies, coordinated with every app instance re-reading the URL secret; it is a documented manual procedure, not a rotation Lambda.
  name        = "${var.project_name}/${var.environment}/cache/auth-token"
  description = "AUTH token of the rate-limit cache"
  kms_key_id  = module.cache_key.arn
}

resource "aws_secretsmanager_secret_version" "auth_token" {
  secret_id     = aws_secretsmanager_secret.auth_token.id
  secret_string = jsonencode({ token = data.aws_secretsmanager_random_password.auth_token.random_password })

  lifecycle {
    ignore_changes = [secret_string]
  }
}

resource "aws_elasticache_subnet_group" "this" {
  name        = local.name
  description = "${local.name} isolated data subnets"
  subnet_ids  = var.data_subnet_ids
}

resource "aws_security_group" "cache" {
  name_prefix = "${local.name}-cache-"
  description = "${local.name} rate-limit cache"
  vpc_id      = var.vpc_id
  tags        = { Name = "${local.name}-cache" }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "cache_from_app" {
  security_group_id            = aws_security_group.cache.id
  description                  = "Valkey (TLS) from the app"
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
  referenced_security_group_id = var.app_security_group_id
}

resource "aws_vpc_security_group_egress_rule" "app_to_cache" {
  security_group_id            = var.app_security_group_id
  description                  = "Valkey (TLS) to the rate-limit cache"
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
  referenced_security_group_id = aws_security_group.cache.id
}

resource "aws_cloudwatch_log_group" "cache" {
  for_each          = toset(["slow-log", "engine-log"])
  name              = "/aws/elasticache/${local.name}/${each.key}"
  kms_key_id        = module.cache_key.arn
  retention_in_days = var.log_retention_days
}

# Counters only (no data worth a backup); a replica with automatic failover in prod.
resource "aws_elasticache_replication_group" "this" {
  replication_group_id       = local.name
  description                = "${local.name} rate-limit counters"
  engine                     = "valkey"
  engine_version             = var.engine_version
  node_type                  = var.node_type
  num_cache_clusters         = local.is_prod ? 2 : 1
  automatic_failover_enabled = local.is_prod
  multi_az_enabled           = local.is_prod
  port                       = 6379
  subnet_group_name          = aws_elasticache_subnet_group.this.name
  security_group_ids         = [aws_security_group.cache.id]
  transit_encryption_enabled = true
  transit_encryption_mode    = "required"
  at_rest_encryption_enabled = true
  kms_key_id                 = module.cache_key.arn
  auth_token                 = data.aws_secretsmanager_random_password.auth_token.random_password
  auto_minor_version_upgrade = true
  snapshot_retention_limit   = 0

  log_delivery_configuration {
    destination      = aws_cloudwatch_log_group.cache["slow-log"].name
    destination_type = "cloudwatch-logs"
    log_format       = "json"
    log_type         = "slow-log"
  }

  log_delivery_configuration {
    destination      = aws_cloudwatch_log_group.cache["engine-log"].name
    destination_type = "cloudwatch-logs"
    log_format       = "json"
    log_type         = "engine-log"
  }

  lifecycle {
    ignore_changes = [auth_token]
  }
}

# The app's RATE_LIMIT_STORAGE_URI, whole: the token never sits in a plain environment variable.
resource "aws_secretsmanager_secret" "url" {
  # checkov:skip=CKV2_AWS_57:Derived from the AUTH token secret (see its skip); it changes only when that token is rotated by the documented procedure.
  name        = "${var.project_name}/${var.environment}/cache/url"
  description = "RATE_LIMIT_STORAGE_URI of the app (TLS, AUTH token included)"
  kms_key_id  = module.cache_key.arn
}

resource "aws_secretsmanager_secret_version" "url" {
  secret_id     = aws_secretsmanager_secret.url.id
  secret_string = "async+rediss://:${jsondecode(aws_secretsmanager_secret_version.auth_token.secret_string).token}@${aws_elasticache_replication_group.this.primary_endpoint_address}:${aws_elasticache_replication_group.this.port}"
}
