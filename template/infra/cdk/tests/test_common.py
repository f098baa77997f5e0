"""Security properties every combination has, asserted on the synthesised templates of each environment."""

from __future__ import annotations

from typing import Any

from aws_cdk.assertions import Match

from synthesis import Synthesis, as_text, permissions_boundary


def _ref_id(value: Any) -> str | None:
    """The logical id a `Ref` or `Fn::GetAtt` names, if `value` is one."""
    if isinstance(value, dict):
        if "Ref" in value:
            return str(value["Ref"])
        if "Fn::GetAtt" in value:
            return str(value["Fn::GetAtt"][0])
    return None


def test_cdk_nag_leaves_no_unacknowledged_finding(synthesis: Synthesis) -> None:
    """AwsSolutions and NIST 800-53 rev 5: each finding fixed or acknowledged (granular id and reason)."""
    findings = synthesis.violations()
    assert not findings, "\n".join(findings)
    assert not synthesis.error, synthesis.error


def test_every_key_rotates(synthesis: Synthesis) -> None:
    keys = synthesis.resources("AWS::KMS::Key")
    assert keys
    for where, key in keys.items():
        assert key["Properties"].get("EnableKeyRotation") is True, where


def test_every_log_group_is_encrypted_with_a_key_that_allows_cloudwatch_logs(synthesis: Synthesis) -> None:
    """A key without the logs.<region> statement fails only at deploy time: assert it is there."""
    groups = synthesis.resources("AWS::Logs::LogGroup")
    assert groups
    for where, group in groups.items():
        properties = group["Properties"]
        assert properties.get("RetentionInDays"), f"{where} keeps its logs forever"
        key_id = _ref_id(properties.get("KmsKeyId"))
        assert key_id, f"{where} is not encrypted with a key of its stack"
        concern = where.split("/")[0]
        synthesis.template(concern).has_resource(
            "AWS::KMS::Key",
            {
                "Properties": {
                    "KeyPolicy": {
                        "Statement": Match.array_with(
                            [
                                Match.object_like(
                                    {
                                        "Principal": {
                                            "Service": {
                                                "Fn::Join": ["", ["logs.", {"Ref": "AWS::Region"}, ".amazonaws.com"]]
                                            }
                                        },
                                        "Condition": {
                                            "ArnLike": {"kms:EncryptionContext:aws:logs:arn": Match.any_value()}
                                        },
                                    }
                                )
                            ]
                        )
                    }
                }
            },
        )
        key = synthesis.templates[concern]["Resources"][key_id]
        statements = key["Properties"]["KeyPolicy"]["Statement"]
        assert any("ArnLike" in statement.get("Condition", {}) for statement in statements), where


def test_secrets_topics_and_queues_use_customer_keys(synthesis: Synthesis) -> None:
    for resource_type, key_property in (
        ("AWS::SecretsManager::Secret", "KmsKeyId"),
        ("AWS::SNS::Topic", "KmsMasterKeyId"),
        ("AWS::SQS::Queue", "KmsMasterKeyId"),
    ):
        for where, resource in synthesis.resources(resource_type).items():
            assert resource["Properties"].get(key_property), f"{where} has no {key_property}"


def test_the_database_is_encrypted_private_and_forces_tls(synthesis: Synthesis) -> None:
    data = synthesis.template("data")
    data.has_resource_properties(
        "AWS::RDS::DBInstance",
        {
            "StorageEncrypted": True,
            "KmsKeyId": Match.any_value(),
            "PubliclyAccessible": False,
            "EnableIAMDatabaseAuthentication": True,
            "ManageMasterUserPassword": True,
            "MasterUserPassword": Match.absent(),
            "EnablePerformanceInsights": True,
            "PerformanceInsightsKMSKeyId": Match.any_value(),
            "EnableCloudwatchLogsExports": ["postgresql", "upgrade"],
            "AutoMinorVersionUpgrade": True,
            "BackupRetentionPeriod": Match.any_value(),
        },
    )
    data.has_resource_properties(
        "AWS::RDS::DBParameterGroup", {"Parameters": Match.object_like({"rds.force_ssl": "1"})}
    )
    (instance,) = data.find_resources("AWS::RDS::DBInstance").values()
    assert instance["Properties"]["BackupRetentionPeriod"] >= 7
    assert instance["DeletionPolicy"] == "Snapshot"


def test_prod_database_has_deletion_protection_and_multi_az(prod: Synthesis) -> None:
    prod.template("data").has_resource_properties("AWS::RDS::DBInstance", {"DeletionProtection": True, "MultiAZ": True})


def test_only_the_load_balancer_is_open_to_the_world_and_only_on_443_and_80(synthesis: Synthesis) -> None:
    for resource_type in ("AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress"):
        for where, group in synthesis.resources(resource_type).items():
            properties = group["Properties"]
            rules = properties.get("SecurityGroupIngress", [properties] if "IpProtocol" in properties else [])
            for rule in rules:
                if rule.get("CidrIp") == "0.0.0.0/0" or rule.get("CidrIpv6") == "::/0":
                    assert "LoadBalancer" in where, f"{where} is open to the world"
                    assert rule["IpProtocol"] == "tcp", where
                    assert rule["FromPort"] == rule["ToPort"] in (80, 443), where


def test_the_vpc_logs_all_traffic_and_empties_its_default_security_group(synthesis: Synthesis) -> None:
    network = synthesis.template("network")
    network.has_resource_properties("AWS::EC2::FlowLog", {"ResourceType": "VPC", "TrafficType": "ALL"})
    network.resource_count_is("Custom::VpcRestrictDefaultSG", 1)
    network.has_resource_properties("AWS::EC2::Subnet", {"MapPublicIpOnLaunch": False})
    for where, subnet in synthesis.resources("AWS::EC2::Subnet").items():
        assert subnet["Properties"].get("MapPublicIpOnLaunch") is False, where


def test_every_role_carries_the_environments_permissions_boundary(synthesis: Synthesis) -> None:
    """CDK's own helper roles too (the VPC's default-security-group custom resource, log forwarders, ...)."""
    roles = synthesis.resources("AWS::IAM::Role")
    assert any("CustomResourceProvider" in where for where in roles), "the custom resource provider role is checked"
    for where, role in roles.items():
        assert as_text(role["Properties"].get("PermissionsBoundary")) == permissions_boundary(synthesis.environment), (
            where
        )
