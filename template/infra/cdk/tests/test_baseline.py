"""Account baseline: a multi-region trail with log-file validation under KMS, GuardDuty, Config with managed
rules, Security Hub's foundational standard, all retained on delete; findings routed to an encrypted topic."""

from __future__ import annotations

import pytest
from aws_cdk import App
from aws_cdk.assertions import Match, Template

from stacks.baseline import BaselineStack, LogArchive
from stacks.common import Target
from synthesis import Synthesis

SINGLETONS = (
    "AWS::CloudTrail::Trail",
    "AWS::GuardDuty::Detector",
    "AWS::Config::ConfigurationRecorder",
    "AWS::Config::DeliveryChannel",
    "AWS::SecurityHub::Hub",
    "AWS::SecurityHub::Standard",
)


def test_the_trail_is_multi_region_validated_and_encrypted(synthesis: Synthesis) -> None:
    synthesis.template("baseline").has_resource_properties(
        "AWS::CloudTrail::Trail",
        {
            "IsMultiRegionTrail": True,
            "IncludeGlobalServiceEvents": True,
            "EnableLogFileValidation": True,
            "KMSKeyId": Match.any_value(),
        },
    )


def test_account_singletons_exist_once_and_survive_stack_deletion(synthesis: Synthesis) -> None:
    baseline = synthesis.template("baseline")
    for resource_type in SINGLETONS:
        resources = baseline.find_resources(resource_type)
        assert len(resources) == 1, resource_type
        for resource in resources.values():
            assert resource.get("DeletionPolicy") == "Retain", resource_type
    assert len(baseline.find_resources("AWS::Config::ConfigRule")) >= 5


def test_findings_reach_the_encrypted_topic(synthesis: Synthesis) -> None:
    baseline = synthesis.template("baseline")
    (topic_id,) = baseline.find_resources("AWS::SNS::Topic", {"Properties": {"KmsMasterKeyId": Match.any_value()}})
    rules = baseline.find_resources("AWS::Events::Rule")
    sources = {rule["Properties"]["EventPattern"]["source"][0] for rule in rules.values()}
    assert sources == {"aws.guardduty", "aws.securityhub"}
    for rule in rules.values():
        assert rule["Properties"]["Targets"][0]["Arn"] == {"Ref": topic_id}


def test_with_a_logging_account_the_trail_and_config_deliver_to_its_bucket_and_key() -> None:
    bucket, key = "example-log-archive", "arn:aws:kms:eu-west-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    stack = BaselineStack(
        App(), "baseline", target=Target("example", "prod", "eu-west-1"), log_archive=LogArchive(bucket, key)
    )
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::S3::Bucket", 0)
    template.has_resource_properties(
        "AWS::CloudTrail::Trail",
        {"S3BucketName": bucket, "KMSKeyId": key, "IsMultiRegionTrail": True, "EnableLogFileValidation": True},
    )
    template.has_resource_properties("AWS::Config::DeliveryChannel", {"S3BucketName": bucket, "S3KmsKeyArn": key})
    config_objects = {
        "Fn::Join": [
            "",
            ["arn:", {"Ref": "AWS::Partition"}, f":s3:::{bucket}/AWSLogs/", {"Ref": "AWS::AccountId"}, "/Config/*"],
        ]
    }
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [Match.object_like({"Action": "s3:PutObject", "Resource": config_objects})]
                )
            }
        },
    )


def test_a_log_archive_needs_its_key() -> None:
    with pytest.raises(ValueError, match="KMS key"):
        LogArchive("example-log-archive", "")
