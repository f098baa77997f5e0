"""The Cognito tenant trigger: with a tenant claim, access tokens get custom:tenant through a V2 pre-token trigger.

The app synthesised by conftest.py has no tenant claim (the default), so the identity stack is
synthesised here on its own with one, cdk-nag's packs included.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Validations
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Match, Template
from cdk_nag import AwsSolutionsChecks, NIST80053R5Checks

from stacks.common import Target, acknowledge_everywhere
from stacks.identity_cognito import TENANT_CLAIM_CODE, CognitoStack
from synthesis import Synthesis

TENANT_CLAIM = "tenant"


@pytest.fixture(scope="module")
def identity(tmp_path_factory: pytest.TempPathFactory) -> tuple[Template, Synthesis]:
    outdir = tmp_path_factory.mktemp("cognito")
    app = App(outdir=str(outdir))
    stack = CognitoStack(
        app,
        "identity",
        target=Target("tenant-test", "prod", "eu-west-1"),
        runtime=lambda_.Runtime.PYTHON_3_12,
        tenant_claim=TENANT_CLAIM,
    )
    acknowledge_everywhere(stack)
    Validations.of(app).add_plugins(AwsSolutionsChecks(app), NIST80053R5Checks(app))
    app.synth()
    return Template.from_stack(stack), Synthesis("prod", outdir)


def test_the_pool_calls_the_trigger_with_event_version_2(identity: tuple[Template, Synthesis]) -> None:
    template, _ = identity
    template.has_resource_properties(
        "AWS::Cognito::UserPool",
        {"LambdaConfig": {"PreTokenGenerationConfig": {"LambdaArn": Match.any_value(), "LambdaVersion": "V2_0"}}},
    )
    template.has_resource_properties(
        "AWS::Lambda::Function", {"Environment": {"Variables": {"TENANT_CLAIM": TENANT_CLAIM}}}
    )
    # Only this pool may invoke it.
    template.has_resource_properties(
        "AWS::Lambda::Permission",
        {"Principal": "cognito-idp.amazonaws.com", "SourceArn": {"Fn::GetAtt": [Match.any_value(), "Arn"]}},
    )


def test_no_client_may_write_the_tenant(identity: tuple[Template, Synthesis]) -> None:
    template, _ = identity
    clients = template.find_resources("AWS::Cognito::UserPoolClient")
    assert clients
    for where, client in clients.items():
        assert "custom:tenant" not in client["Properties"].get("WriteAttributes", []), where


def test_the_trigger_passes_cdk_nag(identity: tuple[Template, Synthesis]) -> None:
    _, synthesis = identity
    findings = synthesis.violations()
    assert not findings, "\n".join(findings)


def _handler() -> Any:
    spec = importlib.util.spec_from_file_location("tenant_claim", Path(TENANT_CLAIM_CODE) / "index.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TENANT_CLAIM", TENANT_CLAIM)
        spec.loader.exec_module(module)
    return module.handler


def test_the_trigger_copies_the_tenant_into_the_access_token() -> None:
    event = {"request": {"userAttributes": {"custom:tenant": "acme"}}, "response": {}}
    result = _handler()(event, None)
    claims = result["response"]["claimsAndScopeOverrideDetails"]["accessTokenGeneration"]["claimsToAddOrOverride"]
    assert claims == {TENANT_CLAIM: "acme"}


def test_a_user_without_a_tenant_gets_no_claim() -> None:
    result = _handler()({"request": {"userAttributes": {}}, "response": {}}, None)
    assert result["response"] == {}
