"""Security properties of the Lambda compute stack that checkov's CloudFormation checks do not cover."""

from __future__ import annotations

import tomllib

import pytest

from tests.infra.cloudformation import Resource, Stack, arn, is_true
from tests.infra.stacks import COMPUTE_STACK, ENVIRONMENTS, PROJECT, deployment

# Lambda sets these itself and refuses a function that names one (deploy-time failure).
RESERVED_VARIABLES = {
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
}  # fmt: skip
API_TLS_POLICIES = {"TLS_1_2"}
API_HANDLER = "entrypoints.lambda_handler.handler"
CUSTOM_DOMAIN = {"DomainName": "api.example.com", "DomainCertificateArn": arn("acm", "certificate/1234")}


@pytest.fixture(params=ENVIRONMENTS)
def compute(request: pytest.FixtureRequest) -> Stack:
    return deployment(request.param).stack(COMPUTE_STACK)


def functions(stack: Stack) -> list[Resource]:
    found = list(stack.resources("AWS::Lambda::Function"))
    assert found, f"{stack.name} defines no function"
    return found


def test_functions_trace_encrypt_their_environment_and_leave_concurrency_unreserved_by_default(
    compute: Stack,
) -> None:
    deployed = deployment(compute.parameters["Environment"])
    for function in functions(compute):
        properties, where = function.properties, function.logical_id
        assert (properties.get("TracingConfig") or {}).get("Mode") == "Active", where
        key = properties.get("KmsKeyArn")
        assert key, f"{where}: environment not encrypted with a customer-managed key"
        assert deployed.kms_key(str(key)) is not None, f"{where}: {key} is not a key of these stacks"
        # New accounts cannot reserve below their unreserved minimum: a default would fail to deploy there.
        assert "ReservedConcurrentExecutions" not in properties, where
        variables = (properties.get("Environment") or {}).get("Variables") or {}
        assert not set(variables) & RESERVED_VARIABLES, where


def test_the_runtime_is_the_projects_python() -> None:
    required = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["requires-python"]
    runtime = f"python{required.removeprefix('>=')}"
    for function in functions(deployment("prod").stack(COMPUTE_STACK)):
        assert function.properties["Runtime"] == runtime, function.logical_id


def test_the_api_function_runs_in_the_private_app_subnets() -> None:
    deployed = deployment("prod")
    exports = deployed.stack("network").exports()
    app_subnets = next(str(value) for name, value in exports.items() if name.endswith("-AppSubnetIds")).split(",")
    api = [f for f in functions(deployed.stack(COMPUTE_STACK)) if str(f.properties["Handler"]).endswith(API_HANDLER)]
    assert api
    for function in api:
        assert sorted(function.properties["VpcConfig"]["SubnetIds"]) == sorted(app_subnets), function.logical_id


def test_every_api_stage_logs_access_throttles_and_traces(compute: Stack) -> None:
    stages = list(compute.resources("AWS::ApiGateway::Stage", "AWS::ApiGatewayV2::Stage"))
    assert stages
    for stage in stages:
        properties, where = stage.properties, stage.logical_id
        if stage.type == "AWS::ApiGateway::Stage":
            assert (properties.get("AccessLogSetting") or {}).get("DestinationArn"), where
            assert is_true(properties.get("TracingEnabled")), f"{where} is not traced by default"
            limits = [setting for setting in properties.get("MethodSettings", []) if setting.get("ThrottlingRateLimit")]
            assert any(s.get("ResourcePath") == "/*" and s.get("HttpMethod") == "*" for s in limits), where
            assert not any(is_true(setting.get("DataTraceEnabled")) for setting in properties.get("MethodSettings", []))
        else:
            assert (properties.get("AccessLogSettings") or {}).get("DestinationArn"), where
            assert (properties.get("DefaultRouteSettings") or {}).get("ThrottlingRateLimit"), where


def test_custom_domains_accept_tls_1_2_and_newer_only() -> None:
    stack = deployment("prod", **CUSTOM_DOMAIN).stack(COMPUTE_STACK)
    domains = list(stack.resources("AWS::ApiGateway::DomainName", "AWS::ApiGatewayV2::DomainName"))
    assert domains, "a custom domain is expected when DomainName and DomainCertificateArn are given"
    for domain in domains:
        if domain.type == "AWS::ApiGateway::DomainName":
            policies = [domain.properties.get("SecurityPolicy")]
        else:
            policies = [config.get("SecurityPolicy") for config in domain.properties["DomainNameConfigurations"]]
        assert set(policies) <= API_TLS_POLICIES, domain.logical_id
