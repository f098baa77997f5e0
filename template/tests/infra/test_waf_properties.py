"""The web ACL protects what the compute stack exposes (checkov cannot follow the association)."""

from __future__ import annotations

import re
from typing import Any

from tests.infra.cloudformation import Deployment, Stack
from tests.infra.stacks import COMPUTE_STACK, deployment

MANAGED_RULE_GROUPS = {
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
}
REST_API_STAGE = re.compile(r"^arn:aws:apigateway:[a-z0-9-]+::/restapis/[^/]+/stages/[^/]+$")


def _statements(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [rule["Statement"] for rule in rules]


def _edge(deployed: Deployment) -> Stack:
    return deployed.stack("edge")


def test_the_web_acl_is_associated_with_what_the_compute_stack_exposes() -> None:
    deployed = deployment("prod")
    exports = deployed.stack(COMPUTE_STACK).exports()
    protected = next(value for name, value in exports.items() if name.endswith("-ProtectedResourceArn"))
    # infra/deploy.sh passes that output to the edge stack's ProtectedResourceArn parameter.
    edge = _edge(deployment("prod", ProtectedResourceArn=str(protected)))
    associations = list(edge.resources("AWS::WAFv2::WebACLAssociation"))
    assert [association.properties["ResourceArn"] for association in associations] == [protected]
    balancers = {
        deployed.stack(COMPUTE_STACK).value({"Ref": balancer.logical_id})
        for balancer in deployed.stack(COMPUTE_STACK).resources("AWS::ElasticLoadBalancingV2::LoadBalancer")
    }
    assert protected in balancers or REST_API_STAGE.match(str(protected)), (
        f"{protected} is neither the load balancer nor a REST API stage (WAF cannot protect an HTTP API)"
    )
    http_apis = list(deployed.stack(COMPUTE_STACK).resources("AWS::ApiGatewayV2::Api"))
    assert not http_apis, "WAF cannot attach to an HTTP API"


def test_the_web_acl_applies_the_managed_rule_groups_and_a_rate_limit() -> None:
    acls = list(_edge(deployment("prod")).resources("AWS::WAFv2::WebACL"))
    assert len(acls) == 1
    statements = _statements(acls[0].properties["Rules"])
    managed = {s["ManagedRuleGroupStatement"]["Name"] for s in statements if "ManagedRuleGroupStatement" in s}
    assert managed >= MANAGED_RULE_GROUPS
    assert any("RateBasedStatement" in statement for statement in statements)
    assert acls[0].properties["Scope"] == "REGIONAL"


def test_waf_logs_redact_the_authorization_header() -> None:
    configurations = list(_edge(deployment("prod")).resources("AWS::WAFv2::LoggingConfiguration"))
    assert len(configurations) == 1
    redacted = configurations[0].properties.get("RedactedFields", [])
    assert any(str((field.get("SingleHeader") or {}).get("Name", "")).lower() == "authorization" for field in redacted)
