# The service's audit events (log_type AUDIT) copied from its application log group into a
# dedicated KMS-encrypted log group kept for years, with metric filters and alarms on
# authentication failures and permission denials. CloudWatch Logs subscriptions deliver to Lambda,
# Kinesis or Firehose, never to another log group: the forwarder copies each AUDIT line unchanged.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  name          = "${var.project_name}-${var.environment}"
  function_name = "${local.name}-audit-forwarder"
  namespace     = "${var.project_name}/${var.environment}/audit"
  account_id    = data.aws_caller_identity.current.account_id
  partition     = data.aws_partition.current.partition
  region        = data.aws_region.current.name

  # The environment's permissions boundary (the deploy identity creates it): every role here carries it.
  permissions_boundary = "arn:${local.partition}:iam::${local.account_id}:policy/${local.name}-permissions-boundary"
}

module "audit_key" {
  source = "../customer-key"

  description    = "${local.name} audit log group, forwarder and its dead-letter queue"
  alias          = "${local.name}-audit"
  for_log_groups = true
}

moved {
  from = aws_kms_key.audit
  to   = module.audit_key.aws_kms_key.this
}

moved {
  from = aws_kms_alias.audit
  to   = module.audit_key.aws_kms_alias.this[0]
}

# Audit evidence outlives deployments: `terraform destroy` refuses while this group exists.
resource "aws_cloudwatch_log_group" "audit" {
  name              = "/${var.project_name}/${var.environment}/audit"
  retention_in_days = var.audit_retention_days
  kms_key_id        = module.audit_key.arn

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_sqs_queue" "dead_letters" {
  name                      = "${local.function_name}-dlq"
  kms_master_key_id         = module.audit_key.arn
  message_retention_seconds = 1209600
}

resource "aws_iam_role" "forwarder" {
  name_prefix          = "${local.name}-audit-fwd-"
  description          = "Copies audit events into the audit log group"
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

resource "aws_iam_role_policy" "forwarder" {
  name = "forward"
  role = aws_iam_role.forwarder.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "WriteTheAuditLog"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "${aws_cloudwatch_log_group.audit.arn}:*"
      },
      {
        Sid      = "ItsOwnLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "${aws_cloudwatch_log_group.forwarder.arn}:*"
      },
      {
        Sid      = "DeadLetters"
        Effect   = "Allow"
        Action   = "sqs:SendMessage"
        Resource = aws_sqs_queue.dead_letters.arn
      },
      {
        Sid      = "EncryptedDeadLettersAndEnvironment"
        Effect   = "Allow"
        Action   = ["kms:GenerateDataKey", "kms:Decrypt"]
        Resource = module.audit_key.arn
      },
      {
        # X-Ray offers no resource-level permissions for these: "*" only.
        Sid      = "TraceSegments"
        Effect   = "Allow"
        Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
        Resource = "*"
      },
    ]
  })
}

resource "aws_cloudwatch_log_group" "forwarder" {
  # checkov:skip=CKV_AWS_338:The forwarder's own log holds only its delivery errors (90 days, as the CloudFormation stack); the audit events it copies are kept in the audit log group for audit_retention_days, one year or more.
  name              = "/aws/lambda/${local.function_name}"
  retention_in_days = 90
  kms_key_id        = module.audit_key.arn
}

resource "aws_lambda_function" "forwarder" {
  # checkov:skip=CKV_AWS_117:The forwarder reaches only the CloudWatch Logs API; outside a VPC it needs no NAT gateway or endpoint, and it has no VPC resource to reach.
  # checkov:skip=CKV_AWS_115:Invoked asynchronously by CloudWatch Logs, which queues and retries; reserving concurrency would take capacity from the account's unreserved pool that new accounts do not have.
  # checkov:skip=CKV_AWS_272:Code signing needs a signing profile and signed uploads in the delivery pipeline; the package is built from this repository by the same pipeline that applies it.
  function_name    = local.function_name
  description      = "Copies the service's AUDIT log lines into the audit log group"
  runtime          = "python3.13"
  handler          = "index.handler"
  architectures    = ["arm64"]
  memory_size      = 256
  timeout          = 60
  role             = aws_iam_role.forwarder.arn
  filename         = var.forwarder_package
  source_code_hash = fileexists(var.forwarder_package) ? filebase64sha256(var.forwarder_package) : null
  kms_key_arn      = module.audit_key.arn

  tracing_config {
    mode = "Active"
  }

  dead_letter_config {
    target_arn = aws_sqs_queue.dead_letters.arn
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.forwarder.name
  }

  environment {
    variables = { AUDIT_LOG_GROUP = aws_cloudwatch_log_group.audit.name }
  }

  depends_on = [aws_iam_role_policy.forwarder]
}

resource "aws_lambda_function_event_invoke_config" "forwarder" {
  function_name                = aws_lambda_function.forwarder.function_name
  maximum_retry_attempts       = 2
  maximum_event_age_in_seconds = 21600
}

resource "aws_lambda_permission" "forwarder" {
  function_name  = aws_lambda_function.forwarder.function_name
  action         = "lambda:InvokeFunction"
  principal      = "logs.amazonaws.com"
  source_account = local.account_id
  source_arn     = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${var.app_log_group_name}:*"
}

resource "aws_cloudwatch_log_subscription_filter" "audit" {
  name            = "audit-events"
  log_group_name  = var.app_log_group_name
  filter_pattern  = "{ $.log_type = \"AUDIT\" }"
  destination_arn = aws_lambda_function.forwarder.arn
  depends_on      = [aws_lambda_permission.forwarder]
}

# --- Metric filters and alarms on the audit log ------------------------------------------------

resource "aws_cloudwatch_log_metric_filter" "authentication_failures" {
  name           = "authentication-failures"
  log_group_name = aws_cloudwatch_log_group.audit.name
  pattern        = "{ $.action = \"authenticate\" && $.outcome = \"failure\" }"

  metric_transformation {
    namespace = local.namespace
    name      = "AuthenticationFailures"
    value     = "1"
    unit      = "Count"
  }
}

resource "aws_cloudwatch_log_metric_filter" "permission_denials" {
  name           = "permission-denials"
  log_group_name = aws_cloudwatch_log_group.audit.name
  pattern        = "{ $.outcome = \"denied\" }"

  metric_transformation {
    namespace = local.namespace
    name      = "PermissionDenials"
    value     = "1"
    unit      = "Count"
  }
}

resource "aws_cloudwatch_metric_alarm" "authentication_failures" {
  alarm_name          = "${local.name}-authentication-failures"
  alarm_description   = "Many authentication failures (token guessing, a broken client or a key rotation gone wrong)"
  namespace           = local.namespace
  metric_name         = "AuthenticationFailures"
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = var.authentication_failure_threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [var.alarm_topic_arn]
}

resource "aws_cloudwatch_metric_alarm" "permission_denials" {
  alarm_name          = "${local.name}-permission-denials"
  alarm_description   = "Many permission denials (a principal probing what it may not do)"
  namespace           = local.namespace
  metric_name         = "PermissionDenials"
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = var.permission_denial_threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [var.alarm_topic_arn]
}

resource "aws_cloudwatch_metric_alarm" "forwarder_errors" {
  alarm_name          = "${local.name}-audit-forwarder-dead-letters"
  alarm_description   = "Audit events could not be copied (see the forwarder's dead-letter queue)"
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.dead_letters.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [var.alarm_topic_arn]
}
