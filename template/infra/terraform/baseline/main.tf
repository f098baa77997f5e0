# Account security baseline (once per account and region): a multi-region CloudTrail trail with
# log file validation into a KMS-encrypted, hardened bucket, GuardDuty, AWS Config (recorder,
# delivery channel, managed rules), Security Hub with the AWS Foundational Security Best
# Practices standard, and EventBridge rules sending findings at or above a severity to an SNS
# topic. Each service can be left to whoever already manages it in the account. The account
# singletons refuse `terraform destroy` (prevent_destroy): take them out of the state with a
# `removed` block (lifecycle { destroy = false }) to leave them running.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  name                  = "${var.project_name}-${var.environment}"
  account_id            = data.aws_caller_identity.current.account_id
  partition             = data.aws_partition.current.partition
  region                = data.aws_region.current.name
  create_cloudtrail     = var.cloudtrail == "create"
  create_guardduty      = var.guardduty == "create"
  create_config         = var.config == "create"
  create_security_hub   = var.security_hub == "create"
  create_findings_topic = var.alarm_topic_arn == ""
  # Separate accounts: the trail and Config deliver to the logging account's bucket and key instead.
  use_log_archive     = var.log_archive_bucket != ""
  create_audit_bucket = !local.use_log_archive && (local.create_cloudtrail || local.create_config)
  audit_bucket_name   = local.use_log_archive ? var.log_archive_bucket : one(aws_s3_bucket.audit[*].id)
  audit_bucket_arn    = local.use_log_archive ? "arn:${local.partition}:s3:::${var.log_archive_bucket}" : one(aws_s3_bucket.audit[*].arn)
  audit_key_arn       = local.use_log_archive ? var.log_archive_kms_key_arn : one(aws_kms_key.baseline[*].arn)
  create_key          = local.create_audit_bucket || local.create_findings_topic
  trail_arn           = "arn:${local.partition}:cloudtrail:${local.region}:${local.account_id}:trail/${local.name}"
  findings_topic_arn  = local.create_findings_topic ? aws_sns_topic.findings[0].arn : var.alarm_topic_arn
  severity = {
    MEDIUM   = { guardduty_at_least = 4, security_hub_labels = ["MEDIUM", "HIGH", "CRITICAL"] }
    HIGH     = { guardduty_at_least = 7, security_hub_labels = ["HIGH", "CRITICAL"] }
    CRITICAL = { guardduty_at_least = 9, security_hub_labels = ["CRITICAL"] }
  }[var.minimum_finding_severity]

  # The environment's permissions boundary (the deploy identity creates it): every role here carries it.
  permissions_boundary = "arn:${local.partition}:iam::${local.account_id}:policy/${local.name}-permissions-boundary"
}

resource "aws_kms_key" "baseline" {
  count               = local.create_key ? 1 : 0
  description         = "${local.name} audit trail, Config files and findings topic"
  enable_key_rotation = true
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
        Sid       = "CloudTrailEncryptsThisAccountsTrailLogs"
        Effect    = "Allow"
        Principal = { Service = "cloudtrail.amazonaws.com" }
        Action    = "kms:GenerateDataKey*"
        Resource  = "*"
        Condition = {
          StringLike   = { "kms:EncryptionContext:aws:cloudtrail:arn" = "arn:${local.partition}:cloudtrail:*:${local.account_id}:trail/*" }
          StringEquals = { "aws:SourceAccount" = local.account_id }
        }
      },
      {
        Sid       = "CloudTrailDescribesTheKey"
        Effect    = "Allow"
        Principal = { Service = "cloudtrail.amazonaws.com" }
        Action    = "kms:DescribeKey"
        Resource  = "*"
        Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
      },
      {
        Sid       = "ReadTrailLogs"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action    = "kms:Decrypt"
        Resource  = "*"
        Condition = {
          StringEquals = { "kms:CallerAccount" = local.account_id }
          StringLike   = { "kms:EncryptionContext:aws:cloudtrail:arn" = "arn:${local.partition}:cloudtrail:*:${local.account_id}:trail/*" }
        }
      },
      {
        Sid       = "BucketObjectsThroughS3Only"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action    = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
        Resource  = "*"
        Condition = {
          StringEquals = {
            "kms:CallerAccount" = local.account_id
            "kms:ViaService"    = "s3.${local.region}.amazonaws.com"
          }
        }
      },
      {
        Sid       = "EventBridgePublishesToTheEncryptedTopic"
        Effect    = "Allow"
        Principal = { Service = "events.amazonaws.com" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource  = "*"
        Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
      },
    ]
  })

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_kms_alias" "baseline" {
  count         = local.create_key ? 1 : 0
  name          = "alias/${local.name}-baseline"
  target_key_id = aws_kms_key.baseline[0].key_id
}

# --- Audit bucket and its access log bucket ------------------------------------------------------

# Server access logs of the audit bucket. S3 delivers them only to buckets encrypted with SSE-S3,
# so this one cannot use the KMS key.
resource "aws_s3_bucket" "access_logs" {
  # checkov:skip=CKV_AWS_144:Audit files stay in this account and region; cross-region replication belongs to the organization's log archive.
  # checkov:skip=CKV_AWS_145:S3 server access log delivery accepts only SSE-S3 (AES256) destination buckets; a KMS default encryption rejects the log files.
  # checkov:skip=CKV2_AWS_62:Nothing consumes events of this bucket; event notifications would have no receiver.
  count         = local.create_audit_bucket ? 1 : 0
  bucket_prefix = "${local.name}-audit-access-"

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "access_logs" {
  count  = local.create_audit_bucket ? 1 : 0
  bucket = aws_s3_bucket.access_logs[0].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket" "audit" {
  # checkov:skip=CKV_AWS_144:Audit files stay in this account and region; cross-region replication belongs to the organization's log archive.
  # checkov:skip=CKV2_AWS_62:CloudTrail and Config write here; findings reach people through GuardDuty, Security Hub and the EventBridge rules, not bucket events.
  count         = local.create_audit_bucket ? 1 : 0
  bucket_prefix = "${local.name}-audit-"

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "audit" {
  count  = local.create_audit_bucket ? 1 : 0
  bucket = aws_s3_bucket.audit[0].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.baseline[0].arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_logging" "audit" {
  count         = local.create_audit_bucket ? 1 : 0
  bucket        = aws_s3_bucket.audit[0].id
  target_bucket = aws_s3_bucket.access_logs[0].id
  target_prefix = "audit-bucket/"
}

resource "aws_s3_bucket_versioning" "buckets" {
  for_each = local.create_audit_bucket ? { audit = aws_s3_bucket.audit[0].id, access_logs = aws_s3_bucket.access_logs[0].id } : {}
  bucket   = each.value
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_ownership_controls" "buckets" {
  for_each = local.create_audit_bucket ? { audit = aws_s3_bucket.audit[0].id, access_logs = aws_s3_bucket.access_logs[0].id } : {}
  bucket   = each.value
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "audit" {
  count                   = local.create_audit_bucket ? 1 : 0
  bucket                  = aws_s3_bucket.audit[0].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_public_access_block" "access_logs" {
  count                   = local.create_audit_bucket ? 1 : 0
  bucket                  = aws_s3_bucket.access_logs[0].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_lifecycle_configuration" "audit" {
  count  = local.create_audit_bucket ? 1 : 0
  bucket = aws_s3_bucket.audit[0].id
  rule {
    id     = "expire"
    status = "Enabled"
    filter {}
    expiration {
      days = var.audit_log_retention_days
    }
    noncurrent_version_expiration {
      noncurrent_days = 30
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "access_logs" {
  count  = local.create_audit_bucket ? 1 : 0
  bucket = aws_s3_bucket.access_logs[0].id
  rule {
    id     = "expire"
    status = "Enabled"
    filter {}
    expiration {
      days = var.audit_log_retention_days
    }
    noncurrent_version_expiration {
      noncurrent_days = 30
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

resource "aws_s3_bucket_policy" "access_logs" {
  count  = local.create_audit_bucket ? 1 : 0
  bucket = aws_s3_bucket.access_logs[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [aws_s3_bucket.access_logs[0].arn, "${aws_s3_bucket.access_logs[0].arn}/*"]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
      {
        Sid       = "S3ServerAccessLogDelivery"
        Effect    = "Allow"
        Principal = { Service = "logging.s3.amazonaws.com" }
        Action    = "s3:PutObject"
        Resource  = "${aws_s3_bucket.access_logs[0].arn}/*"
        Condition = {
          StringEquals = { "aws:SourceAccount" = local.account_id }
          ArnLike      = { "aws:SourceArn" = aws_s3_bucket.audit[0].arn }
        }
      },
    ]
  })
}

resource "aws_s3_bucket_policy" "audit" {
  count  = local.create_audit_bucket ? 1 : 0
  bucket = aws_s3_bucket.audit[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [{
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [aws_s3_bucket.audit[0].arn, "${aws_s3_bucket.audit[0].arn}/*"]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      }],
      local.create_cloudtrail ? [
        {
          Sid       = "CloudTrailChecksTheBucket"
          Effect    = "Allow"
          Principal = { Service = "cloudtrail.amazonaws.com" }
          Action    = "s3:GetBucketAcl"
          Resource  = aws_s3_bucket.audit[0].arn
          Condition = { StringEquals = { "aws:SourceArn" = local.trail_arn } }
        },
        {
          Sid       = "CloudTrailWritesThisAccountsLogs"
          Effect    = "Allow"
          Principal = { Service = "cloudtrail.amazonaws.com" }
          Action    = "s3:PutObject"
          Resource  = "${aws_s3_bucket.audit[0].arn}/AWSLogs/${local.account_id}/*"
          Condition = { StringEquals = { "aws:SourceArn" = local.trail_arn } }
        },
      ] : [],
    )
  })
}

# --- CloudTrail --------------------------------------------------------------------------------

# No SNS notification per delivered log file (noise): what needs a person arrives as GuardDuty
# and Security Hub findings, which the rules below route to the topic.
resource "aws_cloudtrail" "this" {
  # checkov:skip=CKV_AWS_252:Per-file SNS notifications are noise; findings that need a person reach the topic through the GuardDuty and Security Hub rules.
  # checkov:skip=CKV2_AWS_10:The trail is kept in the KMS-encrypted audit bucket with log file validation; CloudWatch Logs delivery would double its cost, and GuardDuty analyses the management events.
  count                         = local.create_cloudtrail ? 1 : 0
  name                          = local.name
  s3_bucket_name                = local.audit_bucket_name
  is_multi_region_trail         = true
  include_global_service_events = true
  enable_log_file_validation    = true
  enable_logging                = true
  kms_key_id                    = local.audit_key_arn

  depends_on = [aws_s3_bucket_policy.audit]

  lifecycle {
    prevent_destroy = true
  }
}

# --- GuardDuty ---------------------------------------------------------------------------------

resource "aws_guardduty_detector" "this" {
  # checkov:skip=CKV2_AWS_3:This baseline enables GuardDuty in one account and region; in an AWS Organization the delegated administrator enables it for every member (then set guardduty = "managed-elsewhere").
  count                        = local.create_guardduty ? 1 : 0
  enable                       = true
  finding_publishing_frequency = "FIFTEEN_MINUTES"

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_guardduty_detector_feature" "features" {
  for_each    = local.create_guardduty ? toset(["S3_DATA_EVENTS", "RDS_LOGIN_EVENTS", "LAMBDA_NETWORK_LOGS"]) : toset([])
  detector_id = aws_guardduty_detector.this[0].id
  name        = each.key
  status      = "ENABLED"
}

# --- AWS Config --------------------------------------------------------------------------------

resource "aws_iam_role" "config" {
  count                = local.create_config ? 1 : 0
  name_prefix          = "${local.name}-config-"
  description          = "AWS Config recorder and delivery channel"
  permissions_boundary = local.permissions_boundary
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "config.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "config" {
  count      = local.create_config ? 1 : 0
  role       = aws_iam_role.config[0].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AWS_ConfigRole"
}

resource "aws_iam_role_policy" "config" {
  count = local.create_config ? 1 : 0
  name  = "deliver-to-the-audit-bucket"
  role  = aws_iam_role.config[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = "s3:GetBucketAcl"
        Resource = local.audit_bucket_arn
      },
      {
        Effect   = "Allow"
        Action   = "s3:PutObject"
        Resource = "${local.audit_bucket_arn}/AWSLogs/${local.account_id}/Config/*"
      },
      {
        # Through S3 only (the logging account's bucket may live in another region).
        Effect    = "Allow"
        Action    = ["kms:GenerateDataKey", "kms:Decrypt"]
        Resource  = local.audit_key_arn
        Condition = { StringLike = { "kms:ViaService" = "s3.*.amazonaws.com" } }
      },
    ]
  })
}

resource "aws_config_configuration_recorder" "this" {
  count    = local.create_config ? 1 : 0
  name     = local.name
  role_arn = aws_iam_role.config[0].arn

  recording_group {
    all_supported                 = true
    include_global_resource_types = var.record_global_resources
  }

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_config_delivery_channel" "this" {
  count          = local.create_config ? 1 : 0
  name           = local.name
  s3_bucket_name = local.audit_bucket_name
  s3_kms_key_arn = local.audit_key_arn

  snapshot_delivery_properties {
    delivery_frequency = "TwentyFour_Hours"
  }

  depends_on = [aws_config_configuration_recorder.this]
}

resource "aws_config_configuration_recorder_status" "this" {
  count      = local.create_config ? 1 : 0
  name       = aws_config_configuration_recorder.this[0].name
  is_enabled = true
  depends_on = [aws_config_delivery_channel.this]
}

# A few AWS managed rules for what this service relies on.
resource "aws_config_config_rule" "managed" {
  for_each = local.create_config ? {
    cloudtrail-enabled    = { source = "CLOUD_TRAIL_ENABLED", scope = null, periodic = true }
    log-groups-encrypted  = { source = "CLOUDWATCH_LOG_GROUP_ENCRYPTED", scope = null, periodic = true }
    rds-storage-encrypted = { source = "RDS_STORAGE_ENCRYPTED", scope = "AWS::RDS::DBInstance", periodic = false }
    rds-not-public        = { source = "RDS_INSTANCE_PUBLIC_ACCESS_CHECK", scope = "AWS::RDS::DBInstance", periodic = false }
    s3-tls-only           = { source = "S3_BUCKET_SSL_REQUESTS_ONLY", scope = "AWS::S3::Bucket", periodic = false }
    s3-no-public-access   = { source = "S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED", scope = "AWS::S3::Bucket", periodic = false }
    default-sg-closed     = { source = "VPC_DEFAULT_SECURITY_GROUP_CLOSED", scope = "AWS::EC2::SecurityGroup", periodic = false }
    vpc-flow-logs         = { source = "VPC_FLOW_LOGS_ENABLED", scope = null, periodic = true }
    no-root-access-key    = { source = "IAM_ROOT_ACCESS_KEY_CHECK", scope = null, periodic = true }
  } : {}
  name                        = "${local.name}-${each.key}"
  maximum_execution_frequency = each.value.periodic ? "TwentyFour_Hours" : null

  source {
    owner             = "AWS"
    source_identifier = each.value.source
  }

  dynamic "scope" {
    for_each = each.value.scope == null ? [] : [each.value.scope]
    content {
      compliance_resource_types = [scope.value]
    }
  }

  depends_on = [aws_config_configuration_recorder_status.this]
}

# --- Security Hub ------------------------------------------------------------------------------

resource "aws_securityhub_account" "this" {
  count                     = local.create_security_hub ? 1 : 0
  enable_default_standards  = false
  control_finding_generator = "SECURITY_CONTROL"
  auto_enable_controls      = true

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_securityhub_standards_subscription" "foundational" {
  count         = local.create_security_hub ? 1 : 0
  standards_arn = "arn:${local.partition}:securityhub:${local.region}::standards/aws-foundational-security-best-practices/v/1.0.0"
  depends_on    = [aws_securityhub_account.this]
}

# --- Findings to a person ------------------------------------------------------------------------

resource "aws_sns_topic" "findings" {
  count             = local.create_findings_topic ? 1 : 0
  name              = "${local.name}-security-findings"
  kms_master_key_id = aws_kms_key.baseline[0].arn
}

resource "aws_sns_topic_policy" "findings" {
  count = local.create_findings_topic ? 1 : 0
  arn   = aws_sns_topic.findings[0].arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "FindingRulesPublish"
        Effect    = "Allow"
        Principal = { Service = "events.amazonaws.com" }
        Action    = "sns:Publish"
        Resource  = aws_sns_topic.findings[0].arn
        Condition = { ArnEquals = { "aws:SourceArn" = [aws_cloudwatch_event_rule.guardduty.arn, aws_cloudwatch_event_rule.security_hub.arn] } }
      },
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "sns:Publish"
        Resource  = aws_sns_topic.findings[0].arn
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  })
}

resource "aws_cloudwatch_event_rule" "guardduty" {
  name        = "${local.name}-guardduty-findings"
  description = "GuardDuty findings at or above minimum_finding_severity"
  state       = "ENABLED"
  event_pattern = jsonencode({
    source      = ["aws.guardduty"]
    detail-type = ["GuardDuty Finding"]
    detail      = { severity = [{ numeric = [">=", local.severity.guardduty_at_least] }] }
  })
}

resource "aws_cloudwatch_event_rule" "security_hub" {
  name        = "${local.name}-securityhub-findings"
  description = "New, active Security Hub findings at or above minimum_finding_severity"
  state       = "ENABLED"
  event_pattern = jsonencode({
    source      = ["aws.securityhub"]
    detail-type = ["Security Hub Findings - Imported"]
    detail = {
      findings = {
        Severity    = { Label = local.severity.security_hub_labels }
        Workflow    = { Status = ["NEW"] }
        RecordState = ["ACTIVE"]
      }
    }
  })
}

resource "aws_cloudwatch_event_target" "guardduty" {
  rule      = aws_cloudwatch_event_rule.guardduty.name
  target_id = "findings-topic"
  arn       = local.findings_topic_arn
}

resource "aws_cloudwatch_event_target" "security_hub" {
  rule      = aws_cloudwatch_event_rule.security_hub.name
  target_id = "findings-topic"
  arn       = local.findings_topic_arn
}
