# A customer-managed KMS key, rotated yearly, with an optional alias. Its policy: the account
# administers it, the statements of the key's users, and, for keys of log groups, CloudWatch Logs
# of this account's region (scoped to this account's log groups by the encryption context).

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name
  administration = {
    Sid       = "AccountAdministersTheKey"
    Effect    = "Allow"
    Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
    Action    = "kms:*"
    Resource  = "*"
  }
  cloudwatch_logs = {
    Sid       = "CloudWatchLogsEncryptsThisAccountsLogGroups"
    Effect    = "Allow"
    Principal = { Service = "logs.${local.region}.amazonaws.com" }
    Action    = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
    Resource  = "*"
    Condition = {
      ArnLike = {
        "kms:EncryptionContext:aws:logs:arn" = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:*"
      }
    }
  }
}

resource "aws_kms_key" "this" {
  description         = var.description
  enable_key_rotation = true
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = concat([local.administration], var.statements, var.for_log_groups ? [local.cloudwatch_logs] : [])
  })
}

resource "aws_kms_alias" "this" {
  count         = var.alias == "" ? 0 : 1
  name          = "alias/${var.alias}"
  target_key_id = aws_kms_key.this.key_id
}
