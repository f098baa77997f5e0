"""The account baseline with separate accounts: the trail and AWS Config deliver to the logging account's
bucket and key (LogArchiveBucketName, LogArchiveKeyArn) and no audit bucket is created here; a single
account (the default) keeps its own audit bucket."""

from __future__ import annotations

from typing import Any

from tests.infra.cloudformation import ACCOUNT, Stack
from tests.infra.stacks import deployment

LOG_ARCHIVE_BUCKET = "example-log-archive"
LOG_ARCHIVE_KEY = "arn:aws:kms:eu-west-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def baseline(**parameters: str) -> Stack:
    return deployment("prod", **parameters).stack("baseline")


def only(stack: Stack, resource_type: str) -> dict[str, Any]:
    (resource,) = list(stack.resources(resource_type))
    return resource.properties


def test_a_single_account_keeps_its_own_audit_bucket() -> None:
    stack = baseline()
    trail = only(stack, "AWS::CloudTrail::Trail")
    assert trail["S3BucketName"] == stack.value({"Ref": "AuditBucket"})
    assert trail["KMSKeyId"] == stack.value({"Fn::GetAtt": ["BaselineKey", "Arn"]})
    assert only(stack, "AWS::Config::DeliveryChannel")["S3BucketName"] == trail["S3BucketName"]


def test_with_a_logging_account_everything_goes_to_its_bucket_and_key() -> None:
    stack = baseline(LogArchiveBucketName=LOG_ARCHIVE_BUCKET, LogArchiveKeyArn=LOG_ARCHIVE_KEY)
    assert not list(stack.resources("AWS::S3::Bucket")), "no audit bucket in a member account"
    trail = only(stack, "AWS::CloudTrail::Trail")
    assert (trail["S3BucketName"], trail["KMSKeyId"]) == (LOG_ARCHIVE_BUCKET, LOG_ARCHIVE_KEY)
    assert trail["IsMultiRegionTrail"] is True
    assert trail["EnableLogFileValidation"] is True
    channel = only(stack, "AWS::Config::DeliveryChannel")
    assert (channel["S3BucketName"], channel["S3KmsKeyArn"]) == (LOG_ARCHIVE_BUCKET, LOG_ARCHIVE_KEY)
    (policy,) = only(stack, "AWS::IAM::Role")["Policies"]
    resources = {str(statement["Action"]): statement["Resource"] for statement in policy["PolicyDocument"]["Statement"]}
    assert resources["s3:PutObject"] == f"arn:aws:s3:::{LOG_ARCHIVE_BUCKET}/AWSLogs/{ACCOUNT}/Config/*"
    assert resources[str(["kms:Decrypt", "kms:GenerateDataKey"])] == LOG_ARCHIVE_KEY


def test_the_logging_account_bucket_needs_its_key() -> None:
    (rule,) = baseline().template["Rules"].values()
    assert rule["RuleCondition"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "LogArchiveBucketName"}, ""]}]}
    assert rule["Assertions"] == [
        {
            "Assert": {"Fn::Not": [{"Fn::Equals": [{"Ref": "LogArchiveKeyArn"}, ""]}]},
            "AssertDescription": "LogArchiveKeyArn is required with LogArchiveBucketName",
        }
    ]
