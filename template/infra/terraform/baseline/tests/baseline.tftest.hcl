# The account baseline at plan level: everything created by default, nothing created for the
# services another team already runs in the account.

mock_provider "aws" {
  override_during = plan
  source          = "../tests/mocks"
}

run "create_everything" {
  command = plan

  variables {
    environment = "prod"
  }

  assert {
    condition     = alltrue([for role in [aws_iam_role.config[0]] : role.permissions_boundary == "arn:aws:iam::123456789012:policy/${var.project_name}-prod-permissions-boundary"])
    error_message = "Every role carries the environment's permissions boundary (the deploy role may create no other)."
  }

  assert {
    condition     = aws_cloudtrail.this[0].is_multi_region_trail && aws_cloudtrail.this[0].enable_log_file_validation && aws_cloudtrail.this[0].kms_key_id == aws_kms_key.baseline[0].arn
    error_message = "A multi-region, validated trail encrypted with the baseline key."
  }

  assert {
    condition     = alltrue(flatten([for rule in aws_s3_bucket_server_side_encryption_configuration.audit[0].rule : [for default in rule.apply_server_side_encryption_by_default : default.sse_algorithm == "aws:kms"]])) && aws_s3_bucket_public_access_block.audit[0].block_public_policy
    error_message = "The audit bucket is KMS-encrypted and private."
  }

  assert {
    condition     = aws_guardduty_detector.this[0].enable && length(aws_config_config_rule.managed) > 0 && length(aws_securityhub_standards_subscription.foundational) == 1
    error_message = "GuardDuty, AWS Config with managed rules and Security Hub's foundational standard."
  }

  assert {
    condition     = aws_cloudwatch_event_target.guardduty.arn == aws_sns_topic.findings[0].arn && aws_cloudwatch_event_target.security_hub.arn == aws_sns_topic.findings[0].arn && aws_sns_topic.findings[0].kms_master_key_id != null
    error_message = "Findings reach a KMS-encrypted topic."
  }

  assert {
    condition     = aws_kms_key.baseline[0].enable_key_rotation
    error_message = "The baseline key rotates."
  }
}

run "already_managed_elsewhere" {
  command = plan

  variables {
    environment     = "prod"
    cloudtrail      = "managed-elsewhere"
    guardduty       = "managed-elsewhere"
    config          = "managed-elsewhere"
    security_hub    = "managed-elsewhere"
    alarm_topic_arn = "arn:aws:sns:eu-west-1:123456789012:alarms"
  }

  assert {
    condition     = length(aws_cloudtrail.this) + length(aws_guardduty_detector.this) + length(aws_config_configuration_recorder.this) + length(aws_securityhub_account.this) + length(aws_s3_bucket.audit) + length(aws_kms_key.baseline) == 0
    error_message = "No account singleton is created when it is managed elsewhere."
  }

  assert {
    condition     = aws_cloudwatch_event_target.guardduty.arn == var.alarm_topic_arn
    error_message = "Findings still reach the given topic."
  }
}

run "separate_logging_account" {
  command = plan

  variables {
    environment             = "prod"
    log_archive_bucket      = "example-log-archive"
    log_archive_kms_key_arn = "arn:aws:kms:eu-west-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  assert {
    condition     = length(aws_s3_bucket.audit) + length(aws_s3_bucket.access_logs) == 0
    error_message = "No audit bucket in a member account: the logging account holds it."
  }

  assert {
    condition     = aws_cloudtrail.this[0].s3_bucket_name == var.log_archive_bucket && aws_cloudtrail.this[0].kms_key_id == var.log_archive_kms_key_arn && aws_cloudtrail.this[0].is_multi_region_trail
    error_message = "The trail delivers to the logging account's bucket, encrypted with its key."
  }

  assert {
    condition     = aws_config_delivery_channel.this[0].s3_bucket_name == var.log_archive_bucket && aws_config_delivery_channel.this[0].s3_kms_key_arn == var.log_archive_kms_key_arn
    error_message = "AWS Config delivers to the logging account's bucket, encrypted with its key."
  }

  assert {
    condition     = contains([for statement in jsondecode(aws_iam_role_policy.config[0].policy).Statement : statement.Resource], "arn:aws:s3:::example-log-archive/AWSLogs/123456789012/Config/*")
    error_message = "The Config role writes only under this account's prefix of the logging bucket."
  }
}
