"""Lambda: traced, environment under a customer key, the API function in the app subnets, RDS Proxy with IAM
auth and TLS, the API stage access-logged and throttled."""

from __future__ import annotations

from aws_cdk.assertions import Match

from synthesis import Synthesis


def test_functions_are_traced_and_their_environment_is_encrypted(synthesis: Synthesis) -> None:
    functions = synthesis.resources("AWS::Lambda::Function")
    for where, function in functions.items():
        if "CustomResourceProvider" in where:
            continue  # CDK's own provider for the default security group
        properties = function["Properties"]
        if properties.get("Environment"):
            assert properties.get("KmsKeyArn"), f"{where} environment is not under a customer key"
        assert "ReservedConcurrentExecutions" not in properties, where
    compute = synthesis.template("compute")
    compute.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "FunctionName": Match.string_like_regexp("-api$"),
            "TracingConfig": {"Mode": "Active"},
            "KmsKeyArn": Match.any_value(),
            "VpcConfig": Match.object_like({"SubnetIds": Match.any_value()}),
        },
    )


def test_the_function_reaches_the_database_through_an_iam_tls_proxy(synthesis: Synthesis) -> None:
    synthesis.template("compute").has_resource_properties(
        "AWS::RDS::DBProxy",
        {"RequireTLS": True, "Auth": [Match.object_like({"IAMAuth": "REQUIRED", "AuthScheme": "SECRETS"})]},
    )


def test_the_api_stage_is_access_logged_and_throttled(synthesis: Synthesis) -> None:
    compute = synthesis.template("compute")
    rest_stages = compute.find_resources("AWS::ApiGateway::Stage")
    http_stages = compute.find_resources("AWS::ApiGatewayV2::Stage")
    assert len(rest_stages) + len(http_stages) == 1
    for stage in rest_stages.values():
        properties = stage["Properties"]
        assert properties["AccessLogSetting"]["DestinationArn"]
        assert properties["TracingEnabled"] is True
        (settings,) = properties["MethodSettings"]
        assert settings["ResourcePath"] == "/*"
        assert settings["HttpMethod"] == "*"
        assert settings["ThrottlingRateLimit"] > 0
        assert settings["ThrottlingBurstLimit"] > 0
    for stage in http_stages.values():
        properties = stage["Properties"]
        assert properties["AccessLogSettings"]["DestinationArn"]
        assert properties["DefaultRouteSettings"]["ThrottlingRateLimit"] > 0
