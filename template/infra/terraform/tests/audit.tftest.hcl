# The audit trail at plan level: an encrypted, long-lived log group with alarms.

mock_provider "aws" {
  override_during = plan
  source          = "./tests/mocks"
}

run "audit_trail" {
  command = plan

  module {
    source = "./modules/audit"
  }

  variables {
    project_name                     = "service"
    environment                      = "prod"
    app_log_group_name               = "/service/prod/app"
    alarm_topic_arn                  = "arn:aws:sns:eu-west-1:123456789012:alarms"
    audit_retention_days             = 2557
    authentication_failure_threshold = 50
    permission_denial_threshold      = 20
    forwarder_package                = "build/functions/audit_forwarder.zip"
  }

  assert {
    condition     = alltrue([for role in [aws_iam_role.forwarder] : role.permissions_boundary == "arn:aws:iam::123456789012:policy/service-prod-permissions-boundary"])
    error_message = "Every role carries the environment's permissions boundary (the deploy role may create no other)."
  }

  assert {
    condition     = aws_cloudwatch_log_group.audit.kms_key_id == module.audit_key.arn && aws_cloudwatch_log_group.audit.retention_in_days >= 365
    error_message = "Audit events are kept encrypted for a year or more."
  }

  assert {
    condition     = aws_cloudwatch_log_subscription_filter.audit.log_group_name == var.app_log_group_name && aws_sqs_queue.dead_letters.kms_master_key_id != null
    error_message = "AUDIT lines of the app log are copied; failures land in an encrypted dead-letter queue."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.authentication_failures.alarm_actions == toset([var.alarm_topic_arn]) && aws_cloudwatch_metric_alarm.permission_denials.alarm_actions == toset([var.alarm_topic_arn])
    error_message = "Authentication failures and permission denials alarm the topic."
  }
}
