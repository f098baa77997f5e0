# An AWS WAF web ACL (AWS managed IP reputation, common and known-bad-inputs rule groups, a per-IP
# rate limit, optional geo blocking) associated to the load balancer or API stage passed in,
# logging to a KMS-encrypted log group with the Authorization header redacted, and an alarm on
# blocked requests.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  name       = "${var.project_name}-${var.environment}"
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name
  managed_rule_groups = {
    ip-reputation    = { priority = 0, name = "AWSManagedRulesAmazonIpReputationList" }
    common           = { priority = 3, name = "AWSManagedRulesCommonRuleSet" }
    known-bad-inputs = { priority = 4, name = "AWSManagedRulesKnownBadInputsRuleSet" }
  }
}

module "waf_logs_key" {
  source = "../customer-key"

  description    = "${local.name} WAF logs"
  for_log_groups = true
}

moved {
  from = aws_kms_key.waf_logs
  to   = module.waf_logs_key.aws_kms_key.this
}

resource "aws_wafv2_web_acl" "this" {
  name        = local.name
  description = "${local.name} service"
  scope       = "REGIONAL"

  default_action {
    allow {}
  }

  custom_response_body {
    key          = "too-many-requests"
    content_type = "APPLICATION_JSON"
    content      = jsonencode({ detail = "Too many requests" })
  }

  dynamic "rule" {
    for_each = local.managed_rule_groups
    content {
      name     = rule.key
      priority = rule.value.priority

      override_action {
        none {}
      }

      statement {
        managed_rule_group_statement {
          vendor_name = "AWS"
          name        = rule.value.name
        }
      }

      visibility_config {
        cloudwatch_metrics_enabled = true
        sampled_requests_enabled   = true
        metric_name                = "${local.name}-${rule.key}"
      }
    }
  }

  dynamic "rule" {
    for_each = length(var.blocked_country_codes) > 0 ? [var.blocked_country_codes] : []
    content {
      name     = "geo-block"
      priority = 1

      action {
        block {}
      }

      statement {
        geo_match_statement {
          country_codes = rule.value
        }
      }

      visibility_config {
        cloudwatch_metrics_enabled = true
        sampled_requests_enabled   = true
        metric_name                = "${local.name}-geo-block"
      }
    }
  }

  rule {
    name     = "rate-limit-per-ip"
    priority = 2

    action {
      block {
        custom_response {
          response_code            = 429
          custom_response_body_key = "too-many-requests"
        }
      }
    }

    statement {
      rate_based_statement {
        limit                 = var.requests_per_five_minutes_per_ip
        evaluation_window_sec = 300
        aggregate_key_type    = "IP"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      sampled_requests_enabled   = true
      metric_name                = "${local.name}-rate-limit-per-ip"
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    sampled_requests_enabled   = true
    metric_name                = local.name
  }
}

# WAF requires the "aws-waf-logs-" prefix on its log group.
resource "aws_cloudwatch_log_group" "waf" {
  name              = "aws-waf-logs-${local.name}"
  kms_key_id        = module.waf_logs_key.arn
  retention_in_days = var.log_retention_days
}

resource "aws_cloudwatch_log_resource_policy" "waf" {
  policy_name = "${local.name}-waf-log-delivery"
  policy_document = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "WafLogDelivery"
      Effect    = "Allow"
      Principal = { Service = "delivery.logs.amazonaws.com" }
      Action    = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource  = "${aws_cloudwatch_log_group.waf.arn}:*"
      Condition = {
        StringEquals = { "aws:SourceAccount" = local.account_id }
        ArnLike      = { "aws:SourceArn" = "arn:${local.partition}:logs:${local.region}:${local.account_id}:*" }
      }
    }]
  })
}

resource "aws_wafv2_web_acl_logging_configuration" "this" {
  resource_arn            = aws_wafv2_web_acl.this.arn
  log_destination_configs = [aws_cloudwatch_log_group.waf.arn]

  # Bearer tokens must not land in the logs.
  redacted_fields {
    single_header {
      name = "authorization"
    }
  }

  depends_on = [aws_cloudwatch_log_resource_policy.waf]
}

resource "aws_wafv2_web_acl_association" "this" {
  resource_arn = var.protected_resource_arn
  web_acl_arn  = aws_wafv2_web_acl.this.arn
}

resource "aws_cloudwatch_metric_alarm" "blocked_requests" {
  alarm_name          = "${local.name}-waf-blocked-requests"
  alarm_description   = "Many requests blocked by WAF (an attack, or a rule blocking real users)"
  namespace           = "AWS/WAFV2"
  metric_name         = "BlockedRequests"
  dimensions          = { WebACL = local.name, Rule = "ALL", Region = local.region }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = var.blocked_requests_alarm_threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [var.alarm_topic_arn]
  ok_actions          = [var.alarm_topic_arn]
}
