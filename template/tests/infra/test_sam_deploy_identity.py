"""What the SAM flavor adds to the deploy identity's guarantees (tests/infra/test_deploy_identity_properties.py):

- a function role SAM generates (a function given no `Role`) carries the permissions boundary too;
- `sam deploy` uploads to this environment's own bucket, made by the deploy identity stack, rather than
  the SAM CLI's one managed bucket of the whole account, and of this project's roles only this
  environment's deploy role may write there, and none may change the bucket's settings (policy, encryption,
  versioning, lifecycle, replication, public access block, ACLs) or delete it.
"""

from __future__ import annotations

import json
from fnmatch import fnmatchcase
from pathlib import Path

import pytest

from tests.infra.cloudformation import ACCOUNT, Stack, load
from tests.infra.sam import SAM_TEMPLATE, transform
from tests.infra.stacks import DEPLOY_PARAMETERS, ENVIRONMENTS
from tests.infra.test_deploy_identity_properties import (
    PROJECT,
    as_list,
    boundary_arn,
    declared_roles,
    denied,
    deploy_role,
    deployment,
    execution_role,
    identity,
    statements,
)


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_a_function_role_sam_generates_carries_the_boundary_too(environment: str, tmp_path: Path) -> None:
    source = load(SAM_TEMPLATE)
    runtime = source["Resources"]["Function"]["Properties"]["Runtime"]
    source["Resources"]["FunctionWithoutRole"] = {
        "Type": "AWS::Serverless::Function",
        "Properties": {"Handler": "index.handler", "Runtime": runtime, "CodeUri": "."},
    }
    with_generated_role = tmp_path / "template.json"
    with_generated_role.write_text(json.dumps(source), encoding="utf-8")
    parameters = {"Environment": environment, **DEPLOY_PARAMETERS}
    stack = Stack("sam", transform(with_generated_role, parameters), parameters)
    roles = dict(declared_roles(stack))
    assert "FunctionWithoutRoleRole" in roles, "SAM generates the role"
    assert roles == dict.fromkeys(roles, boundary_arn(environment))


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_sam_deploys_from_this_environments_own_bucket(environment: str) -> None:
    stack = identity(deployment(environment))
    (bucket,) = list(stack.resources("AWS::S3::Bucket"))
    assert "BucketName" not in bucket.properties, "a name only CloudFormation picks: no one can take it first"
    packages = f"arn:aws:s3:::{stack.value({'Ref': bucket.logical_id})}/lambda/*"
    for role in (deploy_role(stack), execution_role(stack)):
        # Whole services the stacks use (s3:* with the account baseline's bucket) are checked against
        # the stacks elsewhere; here: every statement about the packages.
        s3 = [
            statement
            for statement in statements(role)
            if str(statement["Action"]).count("s3:") and statement.get("Sid") != "ServicesTheStacksUse"
        ]
        assert s3, role.logical_id
        for statement in s3:
            assert as_list(statement["Resource"]) == [packages], statement
            assert set(as_list(statement["Action"])) <= {"s3:GetObject", "s3:PutObject"}, statement
    outputs = stack.template["Outputs"]
    assert stack.value(outputs["ArtifactBucketName"]["Value"]) == stack.value({"Ref": bucket.logical_id})


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_of_this_projects_roles_only_this_environments_deploy_role_writes_the_packages(environment: str) -> None:
    stack = identity(deployment(environment))
    (policy,) = list(stack.resources("AWS::S3::BucketPolicy"))
    by_sid = {statement["Sid"]: statement for statement in as_list(policy.properties["PolicyDocument"]["Statement"])}
    writes = by_sid["OnlyThisEnvironmentsDeployRoleWrites"]
    assert denied(writes) >= {"s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"}
    assert writes["Condition"] == {
        "ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/{PROJECT}-*"},
        "ArnNotEquals": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/{PROJECT}-{environment}-github-deploy"},
    }
    stays = by_sid["TheBucketsSettingsStay"]
    settings = {
        "s3:PutBucketPolicy",
        "s3:DeleteBucketPolicy",
        "s3:DeleteBucket",
        "s3:PutBucketVersioning",
        "s3:PutBucketPublicAccessBlock",
        "s3:PutBucketOwnershipControls",
        "s3:PutBucketAcl",
        "s3:PutLifecycleConfiguration",
        "s3:PutEncryptionConfiguration",
        "s3:PutReplicationConfiguration",
        "s3:PutObjectAcl",
        "s3:PutObjectVersionAcl",
    }
    patterns = denied(stays)
    assert {action for action in settings if not any(fnmatchcase(action, pattern) for pattern in patterns)} == set()
    assert not any(fnmatchcase("s3:PutObject", pattern) for pattern in patterns), "the deploy role still uploads"
    (bucket_id,) = [bucket.logical_id for bucket in stack.resources("AWS::S3::Bucket")]
    bucket = stack.value({"Fn::GetAtt": [bucket_id, "Arn"]})
    assert set(as_list(stays["Resource"])) == {bucket, f"{bucket}/*"}
    assert stays["Condition"] == {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/{PROJECT}-*"}}
