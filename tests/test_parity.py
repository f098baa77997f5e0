"""Parity across the flavors: for the same answers, CloudFormation, SAM, CDK and Terraform agree.

For every compute x module combination of the matrix (tests/combinations.py), each flavor's prod output
(tests/parity/outputs.py) gives
- a logical inventory: resource types normalised to CloudFormation types (tests/parity/type_map.py),
  with counts, which must equal the CloudFormation stacks' but for the intended differences
  (tests/parity/differences.py, each with its reason); any other difference fails, naming the
  missing and extra resources;
- the security invariants (tests/parity/invariants.py), evaluated on each flavor's own output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from combinations import SUPPORTED, Combination
from matrix_env import shared_venv
from parity.invariants import (
    BOUNDARY_DENIES,
    OWN_IAM,
    WITHOUT_THE_BOUNDARY,
    Output,
    roles_carry_the_environments_permissions_boundary,
    violations,
)
from parity.inventory import REFERENCE, inventory, unexplained
from parity.outputs import PARITY_REQUIREMENTS, Resource, Tools, output
from rendering import ROOT
from test_matrix import cdk_python, terraform_mirror  # noqa: F401 - the matrix's shared CDK venv fixture

FLAVORS = {
    "fargate": ("cloudformation", "terraform", "cdk"),
    "lambda": ("cloudformation", "sam", "terraform", "cdk"),
}


def _cases() -> list[Any]:
    """One case per compute x auth_provider x modules of the matrix (python_version changes no resource)."""
    seen: dict[tuple[Any, ...], Combination] = {}
    for combination in SUPPORTED:
        seen.setdefault((combination.compute, combination.auth_provider, combination.modules), combination)
    return [
        pytest.param(
            combination, id="-".join([combination.compute, combination.auth_provider, _flags(combination)])
        )
        for combination in seen.values()
    ]


def _flags(combination: Combination) -> str:
    return "".join("1" if value else "0" for value in combination.modules)


@pytest.fixture(scope="session")
def tools(cdk_python: Path) -> Tools:  # noqa: F811 - the imported fixture
    return Tools(
        parity_python=shared_venv("3.12", PARITY_REQUIREMENTS, purpose="parity") / "bin" / "python",
        cdk_python=cdk_python,
        terraform_mirror=terraform_mirror(),
        jsii_cache=ROOT / ".matrix" / "jsii",
    )


@pytest.mark.parametrize("combination", _cases())
def test_flavors_have_the_same_inventory_and_invariants(combination: Combination, tools: Tools) -> None:
    answers = {
        key: value for key, value in combination.answers.items() if key not in {"iac", "python_version"}
    }
    outputs = {flavor: output(flavor, answers, tools) for flavor in FLAVORS[combination.compute]}
    inventories = {flavor: inventory(flavor, resources) for flavor, resources in outputs.items()}
    failures = []
    for flavor, found in inventories.items():
        if flavor != REFERENCE:
            failures += [
                f"{flavor}: {problem}"
                for problem in unexplained(flavor, answers, inventories[REFERENCE], found)
            ]
    for flavor, resources in outputs.items():
        failures += [f"{flavor}: {problem}" for problem in violations(flavor, answers, resources)]
    assert not failures, "\n".join(failures)


def _github_trust(federated: str) -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Principal": {"Federated": federated},
        "Condition": {
            "StringEquals": {
                "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                "token.actions.githubusercontent.com:sub": "repo:example-org/svc:environment:prod",
            }
        },
    }


BOUNDARY = "arn:aws:iam::123456789012:policy/svc-prod-permissions-boundary"
DEPLOY_ROLE = "arn:aws:iam::123456789012:role/svc-prod-github-deploy"


def _boundary_document(**changed: dict[str, Any] | None) -> dict[str, Any]:
    """The design's boundary (docs/deploy-identity.md), with the statements in `changed` replaced or added."""
    statements = [{"Sid": "WhatTheRolesOwnPoliciesGrant", "Effect": "Allow", "Action": "*", "Resource": "*"}]
    for sid, (actions, on) in BOUNDARY_DENIES.items():
        statement: dict[str, Any] = {
            "Sid": sid,
            "Effect": "Deny",
            "Action": sorted(actions),
            "Resource": "*" if on == "*" else BOUNDARY,
        }
        if sid in WITHOUT_THE_BOUNDARY:
            statement["Condition"] = {"StringNotEquals": {"iam:PermissionsBoundary": BOUNDARY}}
        statements.append(statement)
    statements.append(
        {"Sid": "NeverTheDeployIdentity", "Effect": "Deny", "Action": "iam:*", "Resource": DEPLOY_ROLE}
    )
    statements.append(
        {
            "Sid": "OnlyThisEnvironmentsIam",
            "Effect": "Deny",
            "Action": "iam:*",
            "NotResource": sorted(arn.replace("<prefix>", "svc-prod-") for arn in OWN_IAM),
        }
    )
    kept = [changed.get(statement["Sid"], statement) for statement in statements]
    kept += [statement for sid, statement in changed.items() if sid not in {s["Sid"] for s in statements}]
    return {"Version": "2012-10-17", "Statement": [statement for statement in kept if statement is not None]}


def _bounded_terraform(
    document: dict[str, Any], deploy_boundary: str | None = BOUNDARY, task_name: str = "svc-prod-task-"
) -> list[Resource]:
    trust = json.dumps({"Statement": [_github_trust("provider")]})
    return [
        Resource(
            "aws_iam_policy",
            "boundary",
            {"name": "svc-prod-permissions-boundary", "policy": json.dumps(document)},
        ),
        Resource(
            "aws_iam_role",
            "deploy",
            {
                "name": "svc-prod-github-deploy",
                "assume_role_policy": trust,
                "permissions_boundary": deploy_boundary,
            },
            arn="arn:aws:iam::123456789012:role/mocked",
        ),
        Resource(
            "aws_iam_role",
            "task",
            {"name_prefix": task_name, "assume_role_policy": "{}", "permissions_boundary": BOUNDARY},
        ),
    ]


# One output per shape that breaks every invariant once: each check must see its own breakage.
BROKEN = {
    "cloudformation": [
        Resource(
            "AWS::KMS::Key",
            "s/Key",
            {"EnableKeyRotation": False},
            ref="key-1",
            arn="arn:aws:kms:r:1:key/key-1",
        ),
        Resource("AWS::RDS::DBInstance", "s/Db", {"StorageEncrypted": True, "KmsKeyId": "key-1"}, "Delete"),
        Resource("AWS::Logs::LogGroup", "s/Logs", {"RetentionInDays": 30}),
        Resource(
            "AWS::ECS::TaskDefinition", "s/Task", {"ContainerDefinitions": [{"Name": "app", "User": "0"}]}
        ),
        Resource(
            "AWS::EC2::SecurityGroup",
            "s/Db",
            {
                "SecurityGroupIngress": [
                    {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "CidrIp": "0.0.0.0/0"}
                ]
            },
            ref="sg-1",
        ),
        Resource("AWS::SNS::Topic", "s/Topic", {}),
        Resource(
            "AWS::IAM::Role",
            "s/Deploy",
            {
                "AssumeRolePolicyDocument": {
                    "Statement": [
                        {
                            **_github_trust("provider"),
                            "Condition": {
                                "StringLike": {
                                    "token.actions.githubusercontent.com:sub": "repo:example-org/*"
                                }
                            },
                        }
                    ]
                }
            },
        ),
        # A boundary that lets a role be created without it (and the role above carries none).
        Resource(
            "AWS::IAM::ManagedPolicy",
            "s/Boundary",
            {
                "ManagedPolicyName": "svc-prod-permissions-boundary",
                "PolicyDocument": _boundary_document(RolesOnlyWithThisBoundary=None),
            },
        ),
    ],
    "terraform": [
        Resource(
            "aws_kms_key",
            "k",
            {"enable_key_rotation": True, "key_id": "key-1"},
            arn="arn:aws:kms:r:1:key/key-1",
        ),
        Resource("aws_db_instance", "db", {"storage_encrypted": True, "kms_key_id": None, "multi_az": True}),
        Resource(
            "aws_cloudwatch_log_group",
            "logs",
            {"kms_key_id": "arn:aws:kms:r:1:key/key-1", "retention_in_days": 0},
        ),
        Resource(
            "aws_ecs_task_definition", "task", {"container_definitions": '[{"name": "app", "user": "1000"}]'}
        ),
        Resource(
            "aws_vpc_security_group_ingress_rule",
            "rule",
            {"ip_protocol": "-1", "cidr_ipv4": "0.0.0.0/0", "security_group_id": "sg-1"},
        ),
        Resource("aws_wafv2_web_acl", "acl", {}),
        Resource("aws_iam_role", "role", {"assume_role_policy": '{"Statement": []}'}),
        # Another environment's boundary: the prod roles would be capped by dev's.
        Resource(
            "aws_iam_policy",
            "boundary",
            {"name": "svc-dev-permissions-boundary", "policy": json.dumps(_boundary_document())},
        ),
    ],
}
GUARDED = {
    "cloudformation": {
        "databases_encrypted_and_protected",
        "log_groups_encrypted_with_retention",
        "keys_rotate",
        "secrets_topics_queues_use_customer_keys",
        "tasks_read_only_and_non_root",
        "only_the_load_balancer_is_open_to_the_world",
        "github_deploy_role_trust_is_pinned",
        "roles_carry_the_environments_permissions_boundary",
    },
    "terraform": {
        "databases_encrypted_and_protected",
        "log_groups_encrypted_with_retention",
        "tasks_read_only_and_non_root",
        "only_the_load_balancer_is_open_to_the_world",
        "waf_associated_when_on",
        "github_deploy_role_trust_is_pinned",
        "roles_carry_the_environments_permissions_boundary",
    },
}


@pytest.mark.parametrize("shape", sorted(BROKEN))
def test_the_invariants_see_what_they_guard(shape: str) -> None:
    """Cheap (no render): a broken output of each shape fails every invariant it breaks, by name."""
    answers = {"compute": "fargate", "waf": shape == "cloudformation"}
    failed = {problem.split(":", 1)[0] for problem in violations(shape, answers, BROKEN[shape])}
    assert GUARDED[shape] <= failed, sorted(GUARDED[shape] - failed)


# CloudFormation's form: its deploy role carries the boundary and passes the execution role.
NEVER_BUT_PASSING = {"Sid": "NeverTheDeployIdentity", "Effect": "Deny", "NotAction": "iam:PassRole"}
BOUNDARY_BREAKS = {
    "the design": ({}, BOUNDARY, []),
    "a role without the boundary": ({}, None, ["deploy: permissions boundary None"]),
    "a role with another boundary": (
        {},
        "arn:aws:iam::123456789012:policy/svc-dev-permissions-boundary",
        ["deploy: permissions boundary"],
    ),
    "roles creatable without it": (
        {
            "RolesOnlyWithThisBoundary": {
                "Sid": "RolesOnlyWithThisBoundary",
                "Effect": "Deny",
                "Action": "iam:CreateRole",
                "Resource": "*",
            }
        },
        BOUNDARY,
        ["RolesOnlyWithThisBoundary is not the design's deny"],
    ),
    "the boundary policy editable": (
        {"TheBoundaryPolicyStays": None},
        BOUNDARY,
        ["no TheBoundaryPolicyStays statement"],
    ),
    "the trail switchable off": (
        {
            "TheAccountBaselineStays": {
                "Sid": "TheAccountBaselineStays",
                "Effect": "Deny",
                "Action": ["cloudtrail:DeleteTrail"],
                "Resource": "*",
            }
        },
        BOUNDARY,
        ["TheAccountBaselineStays is not the design's deny"],
    ),
    "the deploy role reachable": (
        {
            "NeverTheDeployIdentity": {
                "Sid": "NeverTheDeployIdentity",
                "Effect": "Deny",
                "Action": "iam:*",
                "Resource": "arn:aws:iam::123456789012:role/svc-prod-other",
            }
        },
        BOUNDARY,
        ["NeverTheDeployIdentity does not deny iam:* on deploy"],
    ),
    "passing the deploy role open to all": (
        {"NeverTheDeployIdentity": {**NEVER_BUT_PASSING, "Resource": DEPLOY_ROLE}},
        BOUNDARY,
        ["NeverTheDeployIdentity does not deny iam:* on deploy"],
    ),
    "a boundary of the same name in another account": (
        {},
        "arn:aws:iam::999999999999:policy/svc-prod-permissions-boundary",
        ["deploy: permissions boundary"],
    ),
    "IAM open outside the environment": (
        {"OnlyThisEnvironmentsIam": None},
        BOUNDARY,
        ["no OnlyThisEnvironmentsIam statement"],
    ),
    "IAM open on the other environments' roles": (
        {
            "OnlyThisEnvironmentsIam": {
                "Sid": "OnlyThisEnvironmentsIam",
                "Effect": "Deny",
                "Action": "iam:*",
                "NotResource": sorted(arn.replace("<prefix>", "svc-") for arn in OWN_IAM),
            }
        },
        BOUNDARY,
        ["OnlyThisEnvironmentsIam does not deny iam:* outside svc-prod-*"],
    ),
    "reads and passing open outside the environment": (
        {
            "OnlyThisEnvironmentsIam": {
                "Sid": "OnlyThisEnvironmentsIam",
                "Effect": "Deny",
                "Action": ["iam:Update*", "iam:Put*"],
                "NotResource": sorted(arn.replace("<prefix>", "svc-prod-") for arn in OWN_IAM),
            }
        },
        BOUNDARY,
        ["OnlyThisEnvironmentsIam does not deny iam:*"],
    ),
    "access keys reactivable": (
        {
            "NoLongLivedCredentials": {
                "Sid": "NoLongLivedCredentials",
                "Effect": "Deny",
                "Action": [
                    "iam:CreateUser",
                    "iam:CreateAccessKey",
                    "iam:CreateLoginProfile",
                    "iam:UpdateLoginProfile",
                ],
                "Resource": "*",
            }
        },
        BOUNDARY,
        ["NoLongLivedCredentials is not the design's deny"],
    ),
    "passing the deploy role on any condition": (
        {
            "NeverTheDeployIdentity": {**NEVER_BUT_PASSING, "Resource": DEPLOY_ROLE},
            "OnlyTheDeployRolePasses": {
                "Sid": "OnlyTheDeployRolePasses",
                "Effect": "Deny",
                "Action": "iam:PassRole",
                "Resource": DEPLOY_ROLE,
                "Condition": {"StringNotEquals": {"aws:PrincipalTag/team": "platform"}},
            },
        },
        BOUNDARY,
        ["NeverTheDeployIdentity does not deny iam:* on deploy"],
    ),
    "passing the deploy role but by another role": (
        {
            "NeverTheDeployIdentity": {**NEVER_BUT_PASSING, "Resource": DEPLOY_ROLE},
            "OnlyTheDeployRolePasses": {
                "Sid": "OnlyTheDeployRolePasses",
                "Effect": "Deny",
                "Action": "iam:PassRole",
                "Resource": DEPLOY_ROLE,
                "Condition": {
                    "ArnNotEquals": {
                        "aws:PrincipalArn": "arn:aws:iam::123456789012:role/svc-dev-github-deploy"
                    }
                },
            },
        },
        BOUNDARY,
        ["NeverTheDeployIdentity does not deny iam:* on deploy"],
    ),
    "passing the deploy role only by itself": (
        {
            "NeverTheDeployIdentity": {**NEVER_BUT_PASSING, "Resource": DEPLOY_ROLE},
            "OnlyTheDeployRolePasses": {
                "Sid": "OnlyTheDeployRolePasses",
                "Effect": "Deny",
                "Action": "iam:PassRole",
                "Resource": DEPLOY_ROLE,
                "Condition": {"ArnNotEquals": {"aws:PrincipalArn": DEPLOY_ROLE}},
            },
        },
        BOUNDARY,
        [],
    ),
}


def test_the_boundary_invariant_names_a_role_outside_the_environments_names() -> None:
    """Cheap (no render): a role the boundary's IAM statement does not cover (another prefix) is named."""
    resources = _bounded_terraform(_boundary_document(), task_name="svc-task-")
    problems = list(roles_carry_the_environments_permissions_boundary(Output("terraform", resources), {}))
    assert [problem for problem in problems if "outside svc-prod-*" in problem and "task" in problem], (
        problems
    )


@pytest.mark.parametrize("case", sorted(BOUNDARY_BREAKS))
def test_the_boundary_invariant_holds_for_the_design_only(case: str) -> None:
    """Cheap (no render): the design's boundary passes; each way of weakening it is named."""
    changed, deploy_boundary, expected = BOUNDARY_BREAKS[case]
    resources = _bounded_terraform(_boundary_document(**changed), deploy_boundary)
    problems = list(roles_carry_the_environments_permissions_boundary(Output("terraform", resources), {}))
    assert all(any(part in problem for problem in problems) for part in expected), problems
    assert bool(problems) == bool(expected), problems
