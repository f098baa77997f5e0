"""Security properties of the rendered stacks that checkov's CloudFormation checks do not cover.

Each test evaluates the templates as CloudFormation would for an environment
(conditions and `Fn::If` resolved), so a prod-only property is checked in prod.
"""

from __future__ import annotations

import http.server
import ipaddress
import json
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.infra.cloudformation import ACCOUNT, REGION, Deployment, Resource, Stack, is_true
from tests.infra.stacks import ENVIRONMENTS, deployment

LOG_GROUP_CONTEXT_KEY = "kms:EncryptionContext:aws:logs:arn"


@pytest.fixture(params=ENVIRONMENTS)
def deployed(request: pytest.FixtureRequest) -> Deployment:
    return deployment(request.param)


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_every_import_names_an_export_and_every_stack_evaluates(deployed: Deployment) -> None:
    for stack in deployed.stacks.values():
        assert list(stack.resources()), f"{stack.name} creates nothing"
        stack.exports()


def test_every_checkov_skip_names_the_check_and_gives_its_reason(deployed: Deployment) -> None:
    skips = [
        (stack.name, resource.logical_id, skip)
        for stack, resource in deployed.resources()
        for skip in (resource.metadata.get("checkov") or {}).get("skip", [])
    ]
    for stack_name, logical_id, skip in skips:
        assert str(skip.get("id", "")).startswith("CKV"), (stack_name, logical_id, skip)
        assert len(str(skip.get("comment", "")).split()) >= 5, f"{stack_name}/{logical_id}: {skip} gives no reason"


def test_every_kms_key_rotates(deployed: Deployment) -> None:
    keys = list(deployed.resources("AWS::KMS::Key"))
    assert keys
    for stack, key in keys:
        assert is_true(key.properties.get("EnableKeyRotation")), f"{stack.name}/{key.logical_id}"


def _grants_log_groups_of_this_account(policy: dict[str, Any]) -> bool:
    """The statement CloudWatch Logs needs: its regional principal, bound to this account's log groups."""
    log_groups = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:"
    for statement in as_list(policy.get("Statement", [])):
        services = as_list((statement.get("Principal") or {}).get("Service", []))
        if statement.get("Effect") != "Allow" or f"logs.{REGION}.amazonaws.com" not in services:
            continue
        actions = set(as_list(statement.get("Action", [])))
        conditions = statement.get("Condition") or {}
        bound = [
            value
            for operator in ("ArnLike", "ArnEquals", "StringLike", "StringEquals")
            for value in as_list((conditions.get(operator) or {}).get(LOG_GROUP_CONTEXT_KEY, []))
        ]
        if {"kms:Encrypt*", "kms:GenerateDataKey*"} & actions or {"kms:Encrypt", "kms:GenerateDataKey"} <= actions:
            return bool(bound) and all(str(value).startswith(log_groups) for value in bound)
    return False


def test_every_log_group_is_encrypted_with_a_key_that_lets_cloudwatch_logs_use_it(deployed: Deployment) -> None:
    """A key policy without the logs principal and its context condition fails only at deploy time."""
    log_groups = list(deployed.resources("AWS::Logs::LogGroup"))
    assert log_groups
    for stack, log_group in log_groups:
        where = f"{stack.name}/{log_group.logical_id}"
        assert log_group.properties.get("RetentionInDays"), f"{where} keeps its logs forever"
        key_arn = log_group.properties.get("KmsKeyId")
        assert key_arn, f"{where} is not encrypted with a customer-managed key"
        found = deployed.kms_key(str(key_arn))
        assert found is not None, f"{where}: {key_arn} is not a key of these stacks"
        key_stack, key = found
        assert _grants_log_groups_of_this_account(key.properties["KeyPolicy"]), (
            f"{where}: the policy of {key_stack.name}/{key.logical_id} lacks the logs.{REGION}.amazonaws.com "
            f"statement with the {LOG_GROUP_CONTEXT_KEY} condition"
        )


def test_every_vpc_sends_all_its_traffic_to_flow_logs(deployed: Deployment) -> None:
    vpcs = [(stack, vpc) for stack, vpc in deployed.resources("AWS::EC2::VPC")]
    assert vpcs
    for stack, vpc in vpcs:
        vpc_id = stack.value({"Ref": vpc.logical_id})
        flow_logs = [
            flow_log.properties
            for flow_log in stack.resources("AWS::EC2::FlowLog")
            if flow_log.properties.get("ResourceId") == vpc_id
        ]
        assert any(properties.get("TrafficType") == "ALL" for properties in flow_logs), f"{stack.name}/{vpc.logical_id}"


def _default_group_emptiers(stack: Stack, vpc: Resource) -> Iterator[str]:
    """The inline code of each custom resource's function that is handed this VPC's default group."""
    default_group = stack.value({"Fn::GetAtt": [vpc.logical_id, "DefaultSecurityGroup"]})
    for logical_id, declared in stack.template["Resources"].items():
        if not str(declared["Type"]).startswith("Custom::"):
            continue
        properties = declared.get("Properties") or {}
        if default_group not in [stack.value(value) for value in properties.values()]:
            continue
        function_id = stack.referenced_resource(properties["ServiceToken"])
        assert function_id is not None, f"{stack.name}/{logical_id}: its ServiceToken is no function of this stack"
        yield str(stack.template["Resources"][function_id]["Properties"]["Code"]["ZipFile"])


class _CloudFormationResponses(http.server.BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []  # noqa: RUF012 - one list per test, replaced by the test

    def do_PUT(self) -> None:
        self.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *_: object) -> None:
        """Quiet."""


def test_the_default_security_group_is_emptied_by_the_stack(monkeypatch: pytest.MonkeyPatch) -> None:
    """The custom resource's own code runs against a (moto) VPC whose default group has AWS's rules."""
    deployed = deployment("prod")
    emptiers = [
        (stack, code)
        for stack, vpc in deployed.resources("AWS::EC2::VPC")
        for code in _default_group_emptiers(stack, vpc)
    ]
    assert emptiers, "no custom resource empties the default security group"
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    server = http.server.HTTPServer(("127.0.0.1", 0), _CloudFormationResponses)
    _CloudFormationResponses.received = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        for stack, code in emptiers:
            with mock_aws():
                ec2 = boto3.client("ec2", region_name=REGION)
                vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
                group_filter = [{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]}]
                group_id = ec2.describe_security_groups(Filters=group_filter)["SecurityGroups"][0]["GroupId"]
                ec2.authorize_security_group_ingress(
                    GroupId=group_id, IpPermissions=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": group_id}]}]
                )
                namespace: dict[str, Any] = {}
                exec(compile(code, f"{stack.name}-default-group-function", "exec"), namespace)  # noqa: S102 - the stack's own inline function
                event = {
                    "RequestType": "Create",
                    "ResponseURL": f"http://127.0.0.1:{server.server_port}/response",
                    "StackId": "stack",
                    "RequestId": "request",
                    "LogicalResourceId": "EmptyDefaultSecurityGroup",
                    "ResourceProperties": {"GroupId": group_id},
                }
                namespace["handler"](event, None)
                group = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
            assert group["IpPermissions"] == []
            assert group["IpPermissionsEgress"] == []
            assert _CloudFormationResponses.received[-1]["Status"] == "SUCCESS"
    finally:
        server.shutdown()
        server.server_close()


def test_the_database_is_protected_and_multi_az_in_prod() -> None:
    databases = list(deployment("prod").resources("AWS::RDS::DBInstance", "AWS::RDS::DBCluster"))
    assert databases
    for stack, database in databases:
        where = f"{stack.name}/{database.logical_id}"
        assert is_true(database.properties.get("DeletionProtection")), where
        assert is_true(database.properties.get("MultiAZ")), where
        assert database.deletion_policy in {"Snapshot", "Retain"}, where


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_database_is_encrypted_private_iam_enabled_and_forces_tls(environment: str) -> None:
    deployed = deployment(environment)
    databases = list(deployed.resources("AWS::RDS::DBInstance"))
    assert databases
    for stack, database in databases:
        properties, where = database.properties, f"{stack.name}/{database.logical_id}"
        assert is_true(properties.get("StorageEncrypted")), where
        assert properties.get("KmsKeyId"), where
        assert not is_true(properties.get("PubliclyAccessible")), where
        assert is_true(properties.get("EnableIAMDatabaseAuthentication")), where
        assert is_true(properties.get("ManageMasterUserPassword")), where
        assert int(properties.get("BackupRetentionPeriod", 0)) >= 7, where
        groups = {
            stack.value({"Ref": group.logical_id}): group.properties
            for group in stack.resources("AWS::RDS::DBParameterGroup")
        }
        parameters = groups[properties["DBParameterGroupName"]]["Parameters"]
        assert str(parameters.get("rds.force_ssl")) == "1", where


def _ingress_rules(deployed: Deployment) -> Iterator[tuple[str, Any, dict[str, Any]]]:
    """(where, group, rule) for every inline and separate ingress rule."""
    for stack, group in deployed.resources("AWS::EC2::SecurityGroup"):
        group_id = stack.value({"Fn::GetAtt": [group.logical_id, "GroupId"]})
        for rule in group.properties.get("SecurityGroupIngress", []):
            yield f"{stack.name}/{group.logical_id}", group_id, rule
    for stack, rule in deployed.resources("AWS::EC2::SecurityGroupIngress"):
        yield f"{stack.name}/{rule.logical_id}", rule.properties.get("GroupId"), rule.properties


def test_only_the_load_balancer_takes_traffic_from_the_internet_and_only_on_443_and_80(deployed: Deployment) -> None:
    load_balancer_groups = {
        group
        for _, balancer in deployed.resources("AWS::ElasticLoadBalancingV2::LoadBalancer")
        for group in balancer.properties.get("SecurityGroups", [])
    }
    for where, group, rule in _ingress_rules(deployed):
        sources = {rule.get("CidrIp"), rule.get("CidrIpv6")} - {None}
        open_to = [cidr for cidr in sources if ipaddress.ip_network(str(cidr), strict=False).prefixlen == 0]
        if not open_to:
            continue
        assert group in load_balancer_groups, f"{where} is open to {open_to}"
        ports = (int(rule.get("FromPort", -1)), int(rule.get("ToPort", -1)))
        assert ports in {(443, 443), (80, 80)}, f"{where} opens {ports} to the internet"
        assert str(rule.get("IpProtocol")) == "tcp", where
