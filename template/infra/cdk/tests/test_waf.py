"""WAF: managed rule groups and a rate-based rule, the authorization header redacted from its logs, and the
web ACL associated with what the compute stack exposes (the ALB, or the REST API stage)."""

from __future__ import annotations

import json
from typing import Any

from synthesis import Synthesis

MANAGED = {
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
}


def test_the_web_acl_has_the_managed_groups_and_a_rate_rule(synthesis: Synthesis) -> None:
    (acl,) = synthesis.template("edge").find_resources("AWS::WAFv2::WebACL").values()
    rules = acl["Properties"]["Rules"]
    managed = {
        rule["Statement"]["ManagedRuleGroupStatement"]["Name"]
        for rule in rules
        if "ManagedRuleGroupStatement" in rule["Statement"]
    }
    assert managed == MANAGED
    assert any("RateBasedStatement" in rule["Statement"] for rule in rules)
    assert not any("GeoMatchStatement" in rule["Statement"] for rule in rules), "geo blocking is an opt-in"


def test_waf_logs_redact_the_authorization_header(synthesis: Synthesis) -> None:
    (logging,) = synthesis.template("edge").find_resources("AWS::WAFv2::LoggingConfiguration").values()
    assert {"SingleHeader": {"Name": "authorization"}} in logging["Properties"]["RedactedFields"]


def _imports(value: Any) -> list[str]:
    if isinstance(value, dict):
        if "Fn::ImportValue" in value:
            return [value["Fn::ImportValue"]]
        return [name for item in value.values() for name in _imports(item)]
    if isinstance(value, list):
        return [name for item in value for name in _imports(item)]
    return []


def test_the_web_acl_is_associated_with_the_compute_stacks_entry_point(synthesis: Synthesis) -> None:
    (association,) = synthesis.template("edge").find_resources("AWS::WAFv2::WebACLAssociation").values()
    resource_arn = association["Properties"]["ResourceArn"]
    compute = synthesis.templates["compute"]
    exports = {
        output["Export"]["Name"]: output["Value"] for output in compute["Outputs"].values() if "Export" in output
    }
    named = {exports[name]["Ref"] for name in _imports(resource_arn)}
    kinds = {compute["Resources"][logical_id]["Type"] for logical_id in named}
    if "AWS::ElasticLoadBalancingV2::LoadBalancer" in kinds:
        assert kinds == {"AWS::ElasticLoadBalancingV2::LoadBalancer"}
    else:  # a REST API stage: arn:<partition>:apigateway:<region>::/restapis/<api>/stages/<stage>
        assert kinds == {"AWS::ApiGateway::RestApi", "AWS::ApiGateway::Stage"}, kinds
        assert "/restapis/" in json.dumps(resource_arn)
        assert "/stages/" in json.dumps(resource_arn)
    assert not synthesis.resources("AWS::ApiGatewayV2::Api"), "WAF cannot attach to an HTTP API"
