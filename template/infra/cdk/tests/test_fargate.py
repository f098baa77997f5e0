"""Fargate: the task hardened, the service private, the load balancer HTTPS-only with a tested TLS policy."""

from __future__ import annotations

import ipaddress
import json

from aws_cdk.assertions import Match

from synthesis import Synthesis

# TLS 1.2+ policies without CBC or SHA-1 suites (names checked against the ELB documentation).
ALLOWED_TLS_POLICIES = {
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
}


def _container(synthesis: Synthesis) -> dict:
    (task,) = synthesis.template("compute").find_resources("AWS::ECS::TaskDefinition").values()
    (container,) = task["Properties"]["ContainerDefinitions"]
    return container


def test_the_container_runs_read_only_as_a_user_without_capabilities(synthesis: Synthesis) -> None:
    container = _container(synthesis)
    assert container["ReadonlyRootFilesystem"] is True
    assert container["Privileged"] is False
    user = container["User"].split(":")[0]
    assert user not in ("", "0", "root"), container["User"]
    assert container["LinuxParameters"]["Capabilities"]["Drop"] == ["ALL"]
    assert container["LogConfiguration"]["LogDriver"] == "awslogs"


def test_secret_values_are_injected_never_plain(synthesis: Synthesis) -> None:
    container = _container(synthesis)
    for secret in container.get("Secrets", []):
        assert secret["ValueFrom"], secret
    for variable in container["Environment"]:
        assert isinstance(variable["Value"], (str, dict)), variable
        assert "SECRET_ID" in variable["Name"] or "PASSWORD" not in variable["Name"], variable


def test_the_service_has_no_public_ip_and_rolls_back_failed_deployments(synthesis: Synthesis) -> None:
    compute = synthesis.template("compute")
    compute.has_resource_properties(
        "AWS::ECS::Service",
        {
            "NetworkConfiguration": {"AwsvpcConfiguration": Match.object_like({"AssignPublicIp": "DISABLED"})},
            "DeploymentConfiguration": Match.object_like(
                {"DeploymentCircuitBreaker": {"Enable": True, "Rollback": True}}
            ),
        },
    )
    compute.has_resource_properties(
        "AWS::ECS::Cluster", {"ClusterSettings": [{"Name": "containerInsights", "Value": "enabled"}]}
    )
    compute.has_resource_properties(
        "AWS::ECR::Repository",
        {
            "ImageTagMutability": "IMMUTABLE",
            "ImageScanningConfiguration": {"ScanOnPush": True},
            "EncryptionConfiguration": {"EncryptionType": "KMS", "KmsKey": Match.any_value()},
        },
    )
    compute.resource_count_is("AWS::ApplicationAutoScaling::ScalableTarget", 1)


def test_the_load_balancer_drops_invalid_headers_and_speaks_only_https(synthesis: Synthesis) -> None:
    compute = synthesis.template("compute")
    (balancer,) = compute.find_resources("AWS::ElasticLoadBalancingV2::LoadBalancer").values()
    attributes = {item["Key"]: item["Value"] for item in balancer["Properties"]["LoadBalancerAttributes"]}
    assert attributes["routing.http.drop_invalid_header_fields.enabled"] == "true"
    assert attributes["access_logs.s3.enabled"] == "true"
    assert attributes["deletion_protection.enabled"] == ("true" if synthesis.environment == "prod" else "false")
    listeners = compute.find_resources("AWS::ElasticLoadBalancingV2::Listener")
    by_port = {listener["Properties"]["Port"]: listener["Properties"] for listener in listeners.values()}
    assert set(by_port) == {80, 443}
    assert by_port[443]["Protocol"] == "HTTPS"
    assert by_port[443]["SslPolicy"] in ALLOWED_TLS_POLICIES
    (redirect,) = by_port[80]["DefaultActions"]
    assert redirect["Type"] == "redirect"
    assert redirect["RedirectConfig"]["Protocol"] == "HTTPS"


def test_the_access_log_bucket_blocks_public_access_and_admits_log_delivery(synthesis: Synthesis) -> None:
    compute = synthesis.template("compute")
    compute.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
            },
        },
    )
    (policy,) = compute.find_resources("AWS::S3::BucketPolicy").values()
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    assert any(
        statement["Effect"] == "Deny" and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        for statement in statements
    )
    # CDK admits the region's ELB log-delivery account; every write is confined to the ALB's prefix.
    writes = [statement for statement in statements if statement["Action"] == "s3:PutObject"]
    assert writes
    for statement in writes:
        assert "/alb/AWSLogs/" in json.dumps(statement["Resource"]), statement


def test_trusted_proxies_are_the_load_balancer_subnets(synthesis: Synthesis) -> None:
    environment = {item["Name"]: item["Value"] for item in _container(synthesis)["Environment"]}
    proxies = json.loads(environment["TRUSTED_PROXIES"])
    public = [
        subnet["Properties"]["CidrBlock"]
        for where, subnet in synthesis.resources("AWS::EC2::Subnet").items()
        if "public" in where.lower()
    ]
    assert sorted(proxies) == sorted(public)
    for cidr in proxies:
        assert ipaddress.ip_network(cidr).prefixlen >= 16
