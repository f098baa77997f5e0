"""Security properties of the Fargate compute stack that checkov's CloudFormation checks do not cover."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.infra.cloudformation import Deployment, Stack, is_true
from tests.infra.stacks import COMPUTE_STACK, ENVIRONMENTS, deployment

# TLS 1.2+ policies without CBC or SHA-1 suites, named as AWS names them (misspelt ones
# circulate in public code and fail only at deploy time).
TLS_POLICIES = {
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
}


@pytest.fixture(params=ENVIRONMENTS)
def compute(request: pytest.FixtureRequest) -> Stack:
    return deployment(request.param).stack(COMPUTE_STACK)


def containers(stack: Stack) -> list[dict[str, Any]]:
    found = [
        container
        for task in stack.resources("AWS::ECS::TaskDefinition")
        for container in task.properties["ContainerDefinitions"]
    ]
    assert found, f"{stack.name} defines no container"
    return found


def attributes(resource_properties: dict[str, Any], key: str) -> dict[str, str]:
    return {str(entry["Key"]): str(entry["Value"]) for entry in resource_properties.get(key, [])}


def test_containers_run_as_a_user_on_a_read_only_root_filesystem_without_privileges(compute: Stack) -> None:
    for container in containers(compute):
        name = container["Name"]
        assert is_true(container.get("ReadonlyRootFilesystem")), name
        user = str(container.get("User", "")).split(":", 1)[0]
        assert user not in {"", "0", "root"}, f"{name} runs as {user or 'the image default (root)'}"
        assert not is_true(container.get("Privileged")), name
        assert (container.get("LinuxParameters") or {}).get("Capabilities", {}).get("Drop") == ["ALL"], name
        assert container["LogConfiguration"]["LogDriver"] == "awslogs", name


def test_the_service_runs_in_private_subnets_and_rolls_back_failed_deployments(compute: Stack) -> None:
    services = list(compute.resources("AWS::ECS::Service"))
    assert services
    for service in services:
        network = service.properties["NetworkConfiguration"]["AwsvpcConfiguration"]
        assert network.get("AssignPublicIp") == "DISABLED"
        breaker = service.properties["DeploymentConfiguration"]["DeploymentCircuitBreaker"]
        assert is_true(breaker["Enable"])
        assert is_true(breaker["Rollback"])
    clusters = list(compute.resources("AWS::ECS::Cluster"))
    assert clusters
    for cluster in clusters:
        settings = {entry["Name"]: entry["Value"] for entry in cluster.properties.get("ClusterSettings", [])}
        assert settings.get("containerInsights") in {"enabled", "enhanced"}, cluster.logical_id


def test_the_image_repository_scans_on_push_keeps_tags_immutable_and_uses_kms(compute: Stack) -> None:
    repositories = list(compute.resources("AWS::ECR::Repository"))
    assert repositories
    for repository in repositories:
        assert is_true(repository.properties["ImageScanningConfiguration"]["ScanOnPush"])
        assert repository.properties["ImageTagMutability"] == "IMMUTABLE"
        assert repository.properties["EncryptionConfiguration"]["EncryptionType"] == "KMS"


def test_the_load_balancer_drops_invalid_headers_logs_access_and_is_protected_in_prod(compute: Stack) -> None:
    environment = compute.parameters["Environment"]
    balancers = list(compute.resources("AWS::ElasticLoadBalancingV2::LoadBalancer"))
    assert balancers
    for balancer in balancers:
        settings = attributes(balancer.properties, "LoadBalancerAttributes")
        assert settings.get("routing.http.drop_invalid_header_fields.enabled") == "true"
        assert settings.get("access_logs.s3.enabled") == "true"
        if environment == "prod":
            assert settings.get("deletion_protection.enabled") == "true"


def test_https_uses_an_allowed_tls_policy_and_http_only_redirects(compute: Stack) -> None:
    listeners = [listener.properties for listener in compute.resources("AWS::ElasticLoadBalancingV2::Listener")]
    assert {listener["Protocol"] for listener in listeners} == {"HTTPS", "HTTP"}
    for listener in listeners:
        if listener["Protocol"] == "HTTPS":
            assert listener["SslPolicy"] in TLS_POLICIES
        else:
            actions = listener["DefaultActions"]
            assert [action["Type"] for action in actions] == ["redirect"]
            assert actions[0]["RedirectConfig"]["Protocol"] == "HTTPS"


def test_every_tls_policy_a_deployer_may_choose_is_allowed() -> None:
    stack = deployment("prod").stack(COMPUTE_STACK)
    for name, declaration in (stack.template.get("Parameters") or {}).items():
        if "TlsPolicy" in name or "SslPolicy" in name:
            assert set(declaration.get("AllowedValues", [])) <= TLS_POLICIES, name
            assert declaration.get("AllowedValues"), f"{name} accepts any policy"


def test_the_tasks_trust_forwarded_addresses_only_from_the_load_balancer_subnets() -> None:
    deployed: Deployment = deployment("prod")
    exports = deployed.stack("network").exports()
    expected = next(str(value) for name, value in exports.items() if name.endswith("-PublicSubnetCidrs"))
    for container in containers(deployed.stack(COMPUTE_STACK)):
        given = {entry["Name"]: entry["Value"] for entry in container.get("Environment", [])}
        assert given.get("TRUSTED_PROXIES") is not None, container["Name"]
        assert sorted(json.loads(given["TRUSTED_PROXIES"])) == sorted(expected.split(","))
