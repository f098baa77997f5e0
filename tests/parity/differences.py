"""Every intended difference between the flavors' inventories, with its reason: the one place they are listed.

CloudFormation is the reference. An entry says that, for the answers it applies to, `flavor` has
`count` more (negative: fewer) resources of `type` than the CloudFormation stacks, and why.
Anything else that differs fails tests/test_parity.py with the missing and extra resources named.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Answers = Mapping[str, Any]

# The same thing under another name in a CloudFormation-family flavor.
ALIASES: dict[str, str] = {
    # CDK's built-in custom resource that empties the default security group (restrictDefaultSecurityGroup).
    "Custom::VpcRestrictDefaultSG": "Custom::EmptyDefaultSecurityGroup",
}

# Types that are parts of another resource in at least one flavor, so no flavor counts them
# (`Type.Property` entries of type_map.py are left out the same way: a property, not a resource).
NOT_COUNTED: dict[str, str] = {
    "AWS::CDK::Metadata": "CDK's own analytics record, not infrastructure.",
    "AWS::IAM::Policy": "A role's policy: CDK writes it as a policy resource, CloudFormation inline.",
    "AWS::IAM::RolePolicy": "A role's policy: Terraform writes aws_iam_role_policy, CloudFormation inline.",
    "AWS::EC2::SecurityGroupIngress": "A rule: inline in the group in some stacks, a resource in others "
    "(the world-open invariant reads both forms).",
    "AWS::EC2::SecurityGroupEgress": "A rule: inline in the group in some stacks, a resource in others.",
    "AWS::EC2::VPCGatewayAttachment": "Terraform attaches the internet gateway through its vpc_id.",
    **{
        resource_type: "API wiring, which each flavor writes its own way: routes, methods, integrations, "
        "authorizers and their invoke permissions are resources of their own in CloudFormation and CDK (CDK: "
        "a permission per method and stage), the API's OpenAPI body in SAM and in Terraform's REST API, a "
        "permission per function event in SAM. The invariants check every invoke permission of each flavor."
        for resource_type in (
            "AWS::ApiGateway::Resource",
            "AWS::ApiGateway::Method",
            "AWS::ApiGateway::Authorizer",
            "AWS::ApiGatewayV2::Route",
            "AWS::ApiGatewayV2::Integration",
            "AWS::ApiGatewayV2::Authorizer",
            "AWS::Lambda::Permission",
        )
    },
    "AWS::ECS::ClusterCapacityProviderAssociations": "The cluster's capacity providers: a property of the "
    "cluster in CloudFormation (CapacityProviders, DefaultCapacityProviderStrategy), a resource in CDK and "
    "Terraform.",
}


def _always(answers: Answers) -> bool:
    return True


@dataclass(frozen=True)
class Difference:
    flavor: str
    type: str
    count: int
    reason: str
    when: Callable[[Answers], bool] = _always

    def applies(self, answers: Answers) -> bool:
        return self.when(answers)


def _on(*modules: str) -> Callable[[Answers], bool]:
    return lambda answers: all(bool(answers[module]) for module in modules)


INTENDED: tuple[Difference, ...] = (
    # --- Terraform ---------------------------------------------------------------------------------
    *(
        Difference(
            "terraform",
            resource_type,
            -1,
            "aws_default_security_group empties the default security group natively; CloudFormation needs a "
            "custom resource with its own function, role and log group for that.",
        )
        for resource_type in ("AWS::Lambda::Function", "AWS::IAM::Role", "AWS::Logs::LogGroup")
    ),
    Difference(
        "terraform",
        "AWS::IAM::Role",
        -1,
        "Deploy identity: CloudFormation deploys with a service role the deploy role passes "
        "(CloudFormationExecutionRole); Terraform applies with the deploy role itself.",
    ),
    # --- CDK ---------------------------------------------------------------------------------------
    Difference(
        "cdk",
        "AWS::EC2::RouteTable",
        2,
        "CDK's Vpc construct gives every subnet its own route table (public and isolated ones too); the "
        "CloudFormation stack shares one public and one data route table between the two zones.",
    ),
    Difference(
        "cdk",
        "AWS::EC2::Route",
        1,
        "CDK's Vpc construct: each public subnet's own route table has its own default route to the gateway.",
    ),
    Difference(
        "cdk",
        "AWS::Logs::LogGroup",
        -1,
        "CDK's built-in provider of Custom::VpcRestrictDefaultSG has no log group in the template (Lambda "
        "creates /aws/lambda/<provider> when it first runs); CloudFormation's own function declares its "
        "group.",
    ),
    Difference(
        "cdk",
        "AWS::IAM::Role",
        -1,
        "Deploy identity: CDK deploys through the bootstrap's CloudFormation execution role, so the stack "
        "declares no CloudFormationExecutionRole of its own ...",
    ),
    Difference(
        "cdk",
        "AWS::IAM::ManagedPolicy",
        1,
        "... but the managed policy that execution role gets "
        "(cdk bootstrap --cloudformation-execution-policies).",
    ),
    Difference(
        "cdk",
        "AWS::KMS::Alias",
        1,
        "stacks/common.customer_key aliases every key, the WAF logs key too; the CloudFormation and "
        "Terraform edge keys have no alias.",
        when=_on("waf"),
    ),
    Difference(
        "cdk",
        "AWS::SQS::QueuePolicy",
        1,
        "enforce_ssl on the audit forwarder's dead-letter queue writes a queue policy denying non-TLS "
        "requests.",
        when=_on("audit_log"),
    ),
    Difference(
        "cdk",
        "AWS::SecretsManager::ResourcePolicy",
        1,
        "CDK's RotationSchedule adds a resource policy to the rotated signing key ring denying the account "
        "root secretsmanager:DeleteSecret.",
        when=lambda answers: answers["auth_provider"] == "self_issued",
    ),
    # --- SAM ---------------------------------------------------------------------------------------
    *(
        Difference(
            "sam",
            resource_type,
            1,
            "Deploy identity: sam deploy uploads to this environment's package bucket (and its policy), made "
            "by the deploy identity stack instead of the SAM CLI's one managed bucket of the account; the "
            "other flavors upload to an artifacts bucket the administrator names (ARTIFACT_BUCKET).",
        )
        for resource_type in ("AWS::S3::Bucket", "AWS::S3::BucketPolicy")
    ),
)
