# WAF at plan level: managed rule groups, rate limit, redacted logging and the association.

mock_provider "aws" {
  override_during = plan
  source          = "./tests/mocks"
}

run "web_acl" {
  command = plan

  module {
    source = "./modules/edge"
  }

  variables {
    project_name                     = "service"
    environment                      = "prod"
    protected_resource_arn           = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/mocked/0123456789abcdef"
    alarm_topic_arn                  = "arn:aws:sns:eu-west-1:123456789012:alarms"
    requests_per_five_minutes_per_ip = 2000
    blocked_country_codes            = []
    blocked_requests_alarm_threshold = 100
    log_retention_days               = 365
  }

  assert {
    condition = toset(flatten([for rule in aws_wafv2_web_acl.this.rule : [for statement in rule.statement : [for group in statement.managed_rule_group_statement : group.name]]])) == toset([
      "AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet",
    ])
    error_message = "The web ACL runs the IP reputation, common and known-bad-inputs rule groups."
  }

  assert {
    condition     = length([for rule in aws_wafv2_web_acl.this.rule : rule if length(rule.statement[0].rate_based_statement) > 0]) == 1
    error_message = "The web ACL has a rate-based rule."
  }

  assert {
    condition     = length([for rule in aws_wafv2_web_acl.this.rule : rule if rule.name == "geo-block"]) == 0
    error_message = "Geo blocking is opt-in: no country is blocked by default."
  }

  assert {
    condition     = aws_wafv2_web_acl_association.this.resource_arn == var.protected_resource_arn
    error_message = "The web ACL must be associated with the protected resource."
  }

  assert {
    condition     = aws_wafv2_web_acl_logging_configuration.this.redacted_fields[0].single_header[0].name == "authorization" && aws_cloudwatch_log_group.waf.kms_key_id != null
    error_message = "WAF logs go to an encrypted log group with the Authorization header redacted."
  }
}
