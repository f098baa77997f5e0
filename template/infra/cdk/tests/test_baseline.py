"""Account baseline: a multi-region trail with log-file validation under KMS, GuardDuty, Config with managed
rules, Security Hub's foundational standard, all retained on delete; findings routed to an encrypted topic."""

from __future__ import annotations

from aws_cdk.assertions import Match

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
