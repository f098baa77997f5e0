"""WAF: AWS managed common, known-bad-inputs and IP-reputation rule groups, a rate-based rule, logging to a
KMS-encrypted log group with the authorization header redacted, associated to the ALB or REST API stage."""

from __future__ import annotations

from aws_cdk import Aws, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct, IConstruct

from stacks.alarms import notify
from stacks.common import Target, acknowledge, customer_key, log_group

REQUESTS_PER_FIVE_MINUTES_PER_IP = 1000
BLOCKED_REQUESTS_ALARM_THRESHOLD = 100


def _visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, sampled_requests_enabled=True, metric_name=name
    )


def _managed(name: str, priority: int, group: str) -> wafv2.CfnWebACL.RuleProperty:
    return wafv2.CfnWebACL.RuleProperty(
        name=name,
        priority=priority,
        override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
        statement=wafv2.CfnWebACL.StatementProperty(
            managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                vendor_name="AWS", name=group
            )
        ),
        visibility_config=_visibility(name),
    )


class EdgeStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        target: Target,
        protected_resource: IConstruct,
        protected_resource_arn: str,
        alarm_topic: sns.ITopic,
        blocked_country_codes: list[str] | None = None,
    ) -> None:
        super().__init__(
            scope, construct_id, description=f"WAF of {target.project} ({target.environment})", env=target.env
        )
        rules = [_managed("ip-reputation", 0, "AWSManagedRulesAmazonIpReputationList")]
        # Geo blocking is a policy decision: opt in with the country list (context blocked_country_codes).
        if blocked_country_codes:
            rules.append(
                wafv2.CfnWebACL.RuleProperty(
                    name="geo-block",
                    priority=1,
                    action=wafv2.CfnWebACL.RuleActionProperty(block={}),
                    statement=wafv2.CfnWebACL.StatementProperty(
                        geo_match_statement=wafv2.CfnWebACL.GeoMatchStatementProperty(
                            country_codes=blocked_country_codes
                        )
                    ),
                    visibility_config=_visibility("geo-block"),
                )
            )
        rules += [
            wafv2.CfnWebACL.RuleProperty(
                name="rate-limit-per-ip",
                priority=2,
                action=wafv2.CfnWebACL.RuleActionProperty(
                    block=wafv2.CfnWebACL.BlockActionProperty(
                        custom_response=wafv2.CfnWebACL.CustomResponseProperty(
                            response_code=429,
                            custom_response_body_key="too-many-requests",
                            response_headers=[wafv2.CfnWebACL.CustomHTTPHeaderProperty(name="Retry-After", value="60")],
                        )
                    )
                ),
                statement=wafv2.CfnWebACL.StatementProperty(
                    rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                        limit=REQUESTS_PER_FIVE_MINUTES_PER_IP, evaluation_window_sec=300, aggregate_key_type="IP"
                    )
                ),
                visibility_config=_visibility("rate-limit-per-ip"),
            ),
            _managed("common", 3, "AWSManagedRulesCommonRuleSet"),
            _managed("known-bad-inputs", 4, "AWSManagedRulesKnownBadInputsRuleSet"),
        ]
        # No L2 construct exists for WAFv2 in aws-cdk-lib: the L1 resources, as in CloudFormation.
        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            name=target.name(),
            description=f"{target.name()} service",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=_visibility(target.name()),
            # The service's own error shape, so clients handle WAF's 429 like the service's.
            custom_response_bodies={
                "too-many-requests": wafv2.CfnWebACL.CustomResponseBodyProperty(
                    content_type="APPLICATION_JSON", content='{"code": "rate_limited", "message": "too many requests"}'
                )
            },
            rules=rules,
        )
        key = customer_key(self, "WafLogsKey", target, "waf-logs", logs=True)
        # WAF requires the "aws-waf-logs-" prefix on its log group.
        waf_logs = log_group(self, "WafLogGroup", target, key, f"aws-waf-logs-{target.name()}")
        delivery = logs.ResourcePolicy(
            self,
            "WafLogDeliveryPolicy",
            resource_policy_name=target.name("waf-log-delivery"),
            policy_statements=[
                iam.PolicyStatement(
                    sid="WafLogDelivery",
                    principals=[iam.ServicePrincipal("delivery.logs.amazonaws.com")],
                    actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                    resources=[waf_logs.log_group_arn],
                    conditions={
                        "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                        "ArnLike": {"aws:SourceArn": f"arn:{Aws.PARTITION}:logs:{Aws.REGION}:{Aws.ACCOUNT_ID}:*"},
                    },
                )
            ],
        )
        logging = wafv2.CfnLoggingConfiguration(
            self,
            "WafLogging",
            resource_arn=self.web_acl.attr_arn,
            log_destination_configs=[
                f"arn:{Aws.PARTITION}:logs:{Aws.REGION}:{Aws.ACCOUNT_ID}:log-group:{waf_logs.log_group_name}"
            ],
            # Bearer tokens must not land in the logs.
            redacted_fields=[
                wafv2.CfnLoggingConfiguration.FieldToMatchProperty(single_header={"Name": "authorization"})
            ],
        )
        logging.node.add_dependency(delivery)
        wafv2.CfnWebACLAssociation(
            self, "WebAclAssociation", resource_arn=protected_resource_arn, web_acl_arn=self.web_acl.attr_arn
        )
        acknowledge(
            protected_resource,
            {
                "NIST.800.53.R5-ALBWAFEnabled": "The web ACL is associated by the edge stack (deployed after the "
                "compute stack, whose resource it protects).",
                "NIST.800.53.R5-APIGWAssociatedWithWAF": "The web ACL is associated by the edge stack.",
            },
        )
        blocked = cloudwatch.Metric(
            namespace="AWS/WAFV2",
            metric_name="BlockedRequests",
            dimensions_map={"WebACL": target.name(), "Rule": "ALL", "Region": Aws.REGION},
            statistic="Sum",
        )
        notify(
            blocked.create_alarm(
                self,
                "BlockedRequestsAlarm",
                alarm_name=target.name("waf-blocked-requests"),
                alarm_description="Many requests blocked by WAF (an attack, or a rule blocking real users)",
                threshold=BLOCKED_REQUESTS_ALARM_THRESHOLD,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            ),
            alarm_topic,
        )
