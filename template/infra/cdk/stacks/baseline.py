"""Account baseline (its own stack: account-level singletons): a multi-region CloudTrail with log-file
validation, GuardDuty, AWS Config with a few managed rules, Security Hub with the foundational standard, and
EventBridge rules sending findings above a severity to a KMS-encrypted topic. Each service can be left to
whoever already manages it (context `baseline_<service>=managed-elsewhere`); all are retained on delete.
With separate accounts, the trail and Config deliver to a logging account's bucket and key instead (`LogArchive`,
context `log_archive_bucket` and `log_archive_kms_key_arn`); a single account keeps its own audit bucket."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Aws, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudtrail as cloudtrail
from aws_cdk import aws_config as config
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_guardduty as guardduty
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_securityhub as securityhub
from aws_cdk import aws_sns as sns
from constructs import Construct

from stacks.common import Target, acknowledge, checkov_skip, customer_key

SERVICES = ("cloudtrail", "guardduty", "config", "securityhub")
GUARDDUTY_AT_LEAST = {"MEDIUM": 4, "HIGH": 7, "CRITICAL": 9}
SECURITY_HUB_LABELS = {"MEDIUM": ["MEDIUM", "HIGH", "CRITICAL"], "HIGH": ["HIGH", "CRITICAL"], "CRITICAL": ["CRITICAL"]}
MANAGED_RULES = {
    "cloudtrail-enabled": ("CLOUD_TRAIL_ENABLED", None),
    "log-groups-encrypted": ("CLOUDWATCH_LOG_GROUP_ENCRYPTED", None),
    "rds-storage-encrypted": ("RDS_STORAGE_ENCRYPTED", config.ResourceType.RDS_DB_INSTANCE),
    "rds-not-public": ("RDS_INSTANCE_PUBLIC_ACCESS_CHECK", config.ResourceType.RDS_DB_INSTANCE),
    "s3-tls-only": ("S3_BUCKET_SSL_REQUESTS_ONLY", config.ResourceType.S3_BUCKET),
    "s3-no-public-access": ("S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED", config.ResourceType.S3_BUCKET),
    "default-sg-closed": ("VPC_DEFAULT_SECURITY_GROUP_CLOSED", config.ResourceType.EC2_SECURITY_GROUP),
    "vpc-flow-logs": ("VPC_FLOW_LOGS_ENABLED", None),
    "no-root-access-key": ("IAM_ROOT_ACCESS_KEY_CHECK", None),
}


@dataclass(frozen=True)
class LogArchive:
    """The logging account's bucket and key: its policies must let this account's trail and Config role write
    under `AWSLogs/<this account>/` and encrypt with the key (docs/deploy-identity.md)."""

    bucket_name: str
    key_arn: str

    def __post_init__(self) -> None:
        if not (self.bucket_name and self.key_arn):
            raise ValueError("a log archive needs both its bucket name and its KMS key ARN")


class BaselineStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        target: Target,
        create: frozenset[str] = frozenset(SERVICES),
        minimum_severity: str = "HIGH",
        record_global_resources: bool = True,
        log_archive: LogArchive | None = None,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            description=f"Account baseline of {target.project} ({target.environment})",
            env=target.env,
        )
        if unknown := create - set(SERVICES):
            raise ValueError(f"unknown baseline services: {sorted(unknown)}")
        key = customer_key(self, "BaselineKey", target, "baseline")
        key.apply_removal_policy(RemovalPolicy.RETAIN)
        for service in ("cloudtrail", "config", "events"):
            key.add_to_resource_policy(
                iam.PolicyStatement(
                    sid=f"{service.title()}UsesTheKey",
                    principals=[iam.ServicePrincipal(f"{service}.amazonaws.com")],
                    actions=["kms:GenerateDataKey*", "kms:Decrypt", "kms:DescribeKey"],
                    resources=["*"],
                    conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
                )
            )
        self.findings_topic = sns.Topic(
            self, "FindingsTopic", topic_name=target.name("security-findings"), master_key=key, enforce_ssl=True
        )
        if create & {"cloudtrail", "config"}:
            self._deliveries(target, key, create, record_global_resources, log_archive)
        if "guardduty" in create:
            detector = guardduty.CfnDetector(
                self,
                "Detector",
                enable=True,
                finding_publishing_frequency="FIFTEEN_MINUTES",
                features=[
                    guardduty.CfnDetector.CFNFeatureConfigurationProperty(name=name, status="ENABLED")
                    for name in ("S3_DATA_EVENTS", "RDS_LOGIN_EVENTS", "LAMBDA_NETWORK_LOGS")
                ],
            )
            detector.apply_removal_policy(RemovalPolicy.RETAIN)
        if "securityhub" in create:
            hub = securityhub.CfnHub(
                self,
                "Hub",
                enable_default_standards=False,
                control_finding_generator="SECURITY_CONTROL",
                auto_enable_controls=True,
            )
            hub.apply_removal_policy(RemovalPolicy.RETAIN)
            standard = securityhub.CfnStandard(
                self,
                "FoundationalStandard",
                standards_arn=f"arn:{Aws.PARTITION}:securityhub:{Aws.REGION}::standards/aws-foundational-security-best-practices/v/1.0.0",
            )
            standard.add_dependency(hub)
            standard.apply_removal_policy(RemovalPolicy.RETAIN)
        # Findings reach a person without anyone watching a console.
        topic = targets.SnsTopic(self.findings_topic)
        events.Rule(
            self,
            "GuardDutyFindingsRule",
            rule_name=target.name("guardduty-findings"),
            description=f"GuardDuty findings of severity {minimum_severity} or above",
            event_pattern=events.EventPattern(
                source=["aws.guardduty"],
                detail_type=["GuardDuty Finding"],
                detail={"severity": [{"numeric": [">=", GUARDDUTY_AT_LEAST[minimum_severity]]}]},
            ),
            targets=[topic],
        )
        events.Rule(
            self,
            "SecurityHubFindingsRule",
            rule_name=target.name("securityhub-findings"),
            description=f"New, active Security Hub findings of severity {minimum_severity} or above",
            event_pattern=events.EventPattern(
                source=["aws.securityhub"],
                detail_type=["Security Hub Findings - Imported"],
                detail={
                    "findings": {
                        "Severity": {"Label": SECURITY_HUB_LABELS[minimum_severity]},
                        "Workflow": {"Status": ["NEW"]},
                        "RecordState": ["ACTIVE"],
                    }
                },
            ),
            targets=[topic],
        )

    def _deliveries(
        self, target: Target, key: kms.IKey, create: frozenset[str], record_global: bool, log_archive: LogArchive | None
    ) -> None:
        """The trail and Config, delivering to this account's audit bucket or to the logging account's."""
        bucket: s3.IBucket
        delivery_key: kms.IKey
        if log_archive is None:
            bucket = audit_bucket = self._audit_bucket(key)
            delivery_key = key
            logical_id = self.resolve(self.get_logical_id(audit_bucket.node.default_child))  # type: ignore[arg-type]
            config_objects_finding = f"<{logical_id}.Arn>"
        else:
            bucket = s3.Bucket.from_bucket_name(self, "LogArchiveBucket", log_archive.bucket_name)
            delivery_key = kms.Key.from_key_arn(self, "LogArchiveKey", log_archive.key_arn)
            config_objects_finding = f"arn:<AWS::Partition>:s3:::{log_archive.bucket_name}"
        self._trail_and_config(
            target,
            bucket,
            delivery_key,
            create=create,
            record_global=record_global,
            bucket_finding=config_objects_finding,
        )

    def _audit_bucket(self, key: kms.IKey) -> s3.Bucket:
        access_logs = s3.Bucket(
            self,
            "AccessLogBucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            enforce_ssl=True,
            versioned=True,
            lifecycle_rules=[
                s3.LifecycleRule(expiration=Duration.days(365), noncurrent_version_expiration=Duration.days(7))
            ],
            removal_policy=RemovalPolicy.RETAIN,
        )
        checkov_skip(
            access_logs,
            {
                "CKV_AWS_18": "The access-log bucket of the audit bucket; logging it into itself would loop.",
                "CKV_AWS_145": "S3 server access-log delivery accepts only SSE-S3 (AES256) on its target bucket.",
            },
        )
        acknowledge(
            access_logs,
            {
                "AwsSolutions-S1": "The access-log bucket itself; logging it into itself would loop.",
                "NIST.800.53.R5-S3BucketLoggingEnabled": "The access-log bucket itself; no loop.",
                "NIST.800.53.R5-S3BucketReplicationEnabled": "Access logs expire by lifecycle; no replica needed.",
                "NIST.800.53.R5-S3DefaultEncryptionKMS": "S3 server access logging accepts only SSE-S3 targets.",
            },
        )
        bucket = s3.Bucket(
            self,
            "AuditBucket",
            encryption=s3.BucketEncryption.KMS,
            encryption_key=key,
            bucket_key_enabled=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            enforce_ssl=True,
            versioned=True,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="audit/",
            lifecycle_rules=[
                s3.LifecycleRule(expiration=Duration.days(365), noncurrent_version_expiration=Duration.days(30))
            ],
            removal_policy=RemovalPolicy.RETAIN,
        )
        acknowledge(
            bucket,
            {
                "NIST.800.53.R5-S3BucketReplicationEnabled": "Versioned and retained; cross-region copies are an "
                "organization-level choice (an organization trail)."
            },
        )
        return bucket

    def _trail_and_config(
        self,
        target: Target,
        bucket: s3.IBucket,
        key: kms.IKey,
        *,
        create: frozenset[str],
        record_global: bool,
        bucket_finding: str,
    ) -> None:
        if "cloudtrail" in create:
            trail = cloudtrail.Trail(
                self,
                "Trail",
                trail_name=target.name(),
                bucket=bucket,
                encryption_key=key,
                is_multi_region_trail=True,
                include_global_service_events=True,
                enable_file_validation=True,
                send_to_cloud_watch_logs=False,
            )
            trail.apply_removal_policy(RemovalPolicy.RETAIN)
            acknowledge(
                trail,
                {
                    "NIST.800.53.R5-CloudTrailCloudWatchLogsEnabled": "The trail lands in the KMS-encrypted, versioned "
                    "audit bucket; GuardDuty and Security Hub analyse it without a log-group copy."
                },
            )
            checkov_skip(
                trail,
                {"CKV_AWS_252": "No SNS notification per log file: findings reach the topic through EventBridge."},
            )
        if "config" in create:
            role = iam.Role(
                self,
                "ConfigRole",
                description="AWS Config recorder and delivery channel",
                assumed_by=iam.ServicePrincipal("config.amazonaws.com"),
                managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name("service-role/AWS_ConfigRole")],
            )
            config_objects = bucket.arn_for_objects(f"AWSLogs/{Aws.ACCOUNT_ID}/Config/*")
            role.add_to_policy(iam.PolicyStatement(actions=["s3:GetBucketAcl"], resources=[bucket.bucket_arn]))
            role.add_to_policy(iam.PolicyStatement(actions=["s3:PutObject"], resources=[config_objects]))
            role.add_to_policy(
                iam.PolicyStatement(
                    actions=["kms:Decrypt", "kms:GenerateDataKey"],
                    resources=[key.key_arn],
                    # Through S3 only (the logging account's bucket may live in another region).
                    conditions={"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}},
                )
            )
            acknowledge(
                role,
                {
                    "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWS_ConfigRole]": (
                        "AWS's own policy for the Config recorder: it describes every recorded resource type."
                    ),
                    f"AwsSolutions-IAM5[Resource::{bucket_finding}/AWSLogs/<AWS::AccountId>/Config/*]": (
                        "Config writes its snapshots and history under its own prefix, with object names of its own."
                    ),
                },
            )
            recorder = config.CfnConfigurationRecorder(
                self,
                "ConfigRecorder",
                role_arn=role.role_arn,
                recording_group=config.CfnConfigurationRecorder.RecordingGroupProperty(
                    all_supported=True, include_global_resource_types=record_global
                ),
            )
            channel = config.CfnDeliveryChannel(
                self,
                "ConfigDeliveryChannel",
                s3_bucket_name=bucket.bucket_name,
                s3_kms_key_arn=key.key_arn,
                config_snapshot_delivery_properties=config.CfnDeliveryChannel.ConfigSnapshotDeliveryPropertiesProperty(
                    delivery_frequency="TwentyFour_Hours"
                ),
            )
            channel.add_dependency(recorder)
            for resource in (recorder, channel):
                resource.apply_removal_policy(RemovalPolicy.RETAIN)
            for name, (identifier, resource_type) in MANAGED_RULES.items():
                rule = config.ManagedRule(
                    self,
                    f"{name.title().replace('-', '')}Rule",
                    config_rule_name=target.name(name),
                    identifier=identifier,
                    rule_scope=config.RuleScope.from_resources([resource_type]) if resource_type else None,
                    maximum_execution_frequency=None
                    if resource_type
                    else config.MaximumExecutionFrequency.TWENTY_FOUR_HOURS,
                )
                rule.node.add_dependency(recorder)
                rule.node.add_dependency(channel)
