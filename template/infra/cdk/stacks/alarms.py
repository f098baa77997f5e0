"""The alarm topic every compute stack owns (KMS-encrypted, TLS-only) and the database alarms both share."""

from __future__ import annotations

from aws_cdk import Aws, Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct

from stacks.common import Target
from stacks.data import DataStack

FREE_STORAGE_THRESHOLD_BYTES = 2 * 1024**3


def alarm_topic(scope: Construct, target: Target, key: kms.IKey) -> sns.Topic:
    """Alarms (CloudWatch) and findings (EventBridge) of this account publish here."""
    topic = sns.Topic(scope, "AlarmTopic", topic_name=target.name("alarms"), master_key=key, enforce_ssl=True)
    topic.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AlarmsAndEventsOfThisAccount",
            principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com"), iam.ServicePrincipal("events.amazonaws.com")],
            actions=["sns:Publish"],
            resources=[topic.topic_arn],
            conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
        )
    )
    key.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AlarmsAndEventsPublishToTheEncryptedTopic",
            principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com"), iam.ServicePrincipal("events.amazonaws.com")],
            actions=["kms:Decrypt", "kms:GenerateDataKey"],
            resources=["*"],
            conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
        )
    )
    return topic


def notify(alarm: cloudwatch.Alarm, topic: sns.ITopic) -> cloudwatch.Alarm:
    alarm.add_alarm_action(actions.SnsAction(topic))
    alarm.add_ok_action(actions.SnsAction(topic))
    return alarm


def database_alarms(scope: Construct, data: DataStack, topic: sns.ITopic) -> None:
    instance = data.instance
    notify(
        instance.metric_cpu_utilization(period=Duration.minutes(5)).create_alarm(
            scope,
            "DatabaseCpuAlarm",
            alarm_description="Database CPU above 80% for 15 minutes",
            threshold=80,
            evaluation_periods=3,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.BREACHING,
        ),
        topic,
    )
    notify(
        instance.metric_free_storage_space(period=Duration.minutes(5), statistic="Minimum").create_alarm(
            scope,
            "DatabaseStorageAlarm",
            alarm_description="Database free storage below 2 GiB",
            threshold=FREE_STORAGE_THRESHOLD_BYTES,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.BREACHING,
        ),
        topic,
    )
