"""Audit log: a dedicated KMS-encrypted log group with long retention, fed from the app's log group by a
forwarder function, with metric filters and alarms on authentication failures and permission denials."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_logs_destinations as destinations
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from stacks.alarms import notify
from stacks.common import Target, acknowledge, checkov_skip, customer_key
from stacks.wiring import Runtime, Wiring

# The one source of the helper, shared with the other flavors (infra/functions/).
FORWARDER_CODE = Path(__file__).resolve().parents[2] / "functions" / "audit_forwarder"
AUTHENTICATION_FAILURE_THRESHOLD = 20
PERMISSION_DENIAL_THRESHOLD = 20


class AuditMetrics(Wiring):
    """The namespace of the app's security metrics (EMF lines in its log)."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace

    def wire(self, service: Runtime) -> None:
        service.set("METRICS_NAMESPACE", self.namespace)


class AuditStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        target: Target,
        app_log_group: logs.ILogGroup,
        alarm_topic: sns.ITopic,
        runtime: lambda_.Runtime,
    ) -> None:
        super().__init__(
            scope, construct_id, description=f"Audit log of {target.project} ({target.environment})", env=target.env
        )
        key = customer_key(self, "AuditKey", target, "audit", logs=True)
        # Kept when the stack is deleted or the group replaced: audit evidence outlives deployments.
        self.audit_log_group = logs.LogGroup(
            self,
            "AuditLogGroup",
            log_group_name=f"/{target.project}/{target.environment}/audit",
            encryption_key=key,
            retention=logs.RetentionDays.SEVEN_YEARS if target.is_prod else logs.RetentionDays.ONE_YEAR,
            removal_policy=RemovalPolicy.RETAIN,
        )
        dead_letters = sqs.Queue(
            self,
            "ForwarderDeadLetterQueue",
            queue_name=target.name("audit-forwarder-dlq"),
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=key,
            retention_period=Duration.days(14),
            enforce_ssl=True,
        )
        function_name = target.name("audit-forwarder")
        forwarder_logs = logs.LogGroup(
            self,
            "ForwarderLogGroup",
            log_group_name=f"/aws/lambda/{function_name}",
            encryption_key=key,
            retention=logs.RetentionDays.THREE_MONTHS,
            removal_policy=target.removal_policy,
        )
        # CloudWatch Logs subscriptions deliver to Lambda, Kinesis or Firehose, never to another log group:
        # this function copies each AUDIT line unchanged.
        role = iam.Role(
            self,
            "ForwarderRole",
            description="Copies audit events into the audit log group",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        )
        forwarder_logs.grant_write(role)
        forwarder = lambda_.Function(
            self,
            "ForwarderFunction",
            function_name=function_name,
            description="Copies the service's AUDIT log lines into the audit log group",
            runtime=runtime,
            architecture=lambda_.Architecture.ARM_64,
            handler="index.handler",
            code=lambda_.Code.from_asset(str(FORWARDER_CODE)),
            memory_size=256,
            timeout=Duration.seconds(60),
            environment={"AUDIT_LOG_GROUP": self.audit_log_group.log_group_name},
            environment_encryption=key,
            tracing=lambda_.Tracing.ACTIVE,
            dead_letter_queue=dead_letters,
            retry_attempts=2,
            max_event_age=Duration.hours(6),
            log_group=forwarder_logs,
            role=role,
        )
        self.audit_log_group.grant_write(forwarder)
        checkov_skip(
            forwarder,
            {
                "CKV_AWS_117": "Reaches only the CloudWatch Logs API; outside a VPC it needs no NAT or endpoint, "
                "and it has no VPC resource to reach.",
                "CKV_AWS_115": "Invoked asynchronously by CloudWatch Logs, which queues and retries; reserving "
                "concurrency would take capacity new accounts do not have.",
            },
        )
        acknowledge(
            forwarder,
            {
                "AwsSolutions-L1": "Runs the project's Python version, like the service; raised with it.",
                "NIST.800.53.R5-LambdaConcurrency": "Invoked asynchronously by CloudWatch Logs, which queues and "
                "retries; reserved concurrency would take capacity new accounts do not have.",
                "NIST.800.53.R5-LambdaInsideVPC": "Reaches only the CloudWatch Logs API; it has no VPC resource "
                "to reach, and outside the VPC it has no path into it.",
            },
        )
        acknowledge(
            role,
            {
                "AwsSolutions-IAM5[Resource::*]": "X-Ray (xray:PutTraceSegments, xray:PutTelemetryRecords) has no "
                'resource-level permissions: Resource "*" only.',
            },
        )
        logs.SubscriptionFilter(
            self,
            "AuditSubscription",
            log_group=app_log_group,
            filter_name="audit-events",
            filter_pattern=logs.FilterPattern.literal('{ $.log_type = "AUDIT" }'),
            destination=destinations.LambdaDestination(forwarder),
        )
        namespace = f"{target.project}/{target.environment}/audit"
        for metric_id, name, pattern, threshold, description in (
            (
                "AuthenticationFailure",
                "AuthenticationFailures",
                '{ $.action = "authenticate" && $.outcome = "failure" }',
                AUTHENTICATION_FAILURE_THRESHOLD,
                "Many authentication failures (token guessing, a broken client or a key rotation gone wrong)",
            ),
            (
                "PermissionDenial",
                "PermissionDenials",
                '{ $.outcome = "denied" }',
                PERMISSION_DENIAL_THRESHOLD,
                "Many permission denials (a principal probing what it may not do)",
            ),
        ):
            metric_filter = self.audit_log_group.add_metric_filter(
                f"{metric_id}Filter",
                filter_name=name,
                filter_pattern=logs.FilterPattern.literal(pattern),
                metric_namespace=namespace,
                metric_name=name,
                metric_value="1",
                unit=cloudwatch.Unit.COUNT,
            )
            notify(
                metric_filter.metric(statistic="Sum", period=Duration.minutes(5)).create_alarm(
                    self,
                    f"{metric_id}Alarm",
                    alarm_description=description,
                    threshold=threshold,
                    evaluation_periods=1,
                    comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                    treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                ),
                alarm_topic,
            )
        notify(
            dead_letters.metric_approximate_number_of_messages_visible(
                statistic="Maximum", period=Duration.minutes(5)
            ).create_alarm(
                self,
                "ForwarderErrorsAlarm",
                alarm_description="Audit events could not be copied (see the forwarder's dead-letter queue)",
                threshold=0,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            ),
            alarm_topic,
        )
