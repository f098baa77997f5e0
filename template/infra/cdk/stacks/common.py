"""What every stack shares: the environment switch, names, KMS keys and log groups, acknowledgements."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Acknowledgment, Aws, Environment, RemovalPolicy, Stack, Validations
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from constructs import IConstruct

ENVIRONMENTS = ("dev", "staging", "prod")
# Log retention per environment (the CloudFormation stacks' EnvironmentSettings mapping).
RETENTION = {
    "dev": logs.RetentionDays.ONE_MONTH,
    "staging": logs.RetentionDays.THREE_MONTHS,
    "prod": logs.RetentionDays.ONE_YEAR,
}


@dataclass(frozen=True)
class Target:
    """Which deployment the stacks describe: the project and its environment (dev | staging | prod)."""

    project: str
    environment: str
    # Stacks are region-bound (ALB access logging needs the region's log-delivery principal); the
    # account stays the one of the credentials `cdk deploy` runs with.
    region: str

    def __post_init__(self) -> None:
        if self.environment not in ENVIRONMENTS:
            raise ValueError(f"environment must be one of {', '.join(ENVIRONMENTS)}, not {self.environment!r}")

    @property
    def is_prod(self) -> bool:
        return self.environment == "prod"

    @property
    def retention(self) -> logs.RetentionDays:
        return RETENTION[self.environment]

    @property
    def removal_policy(self) -> RemovalPolicy:
        """Prod keeps its data when a stack is deleted; dev and staging clean up after themselves."""
        return RemovalPolicy.RETAIN if self.is_prod else RemovalPolicy.DESTROY

    @property
    def env(self) -> Environment:
        return Environment(region=self.region)

    def name(self, suffix: str = "") -> str:
        """`<project>-<environment>[-suffix]`, the prefix of every physical name."""
        return f"{self.project}-{self.environment}" + (f"-{suffix}" if suffix else "")

    @property
    def permissions_boundary_arn(self) -> str:
        """The environment's permissions boundary, written by the deploy identity stack: built from its fixed
        name, so no stack needs it as a parameter."""
        return f"arn:{Aws.PARTITION}:iam::{Aws.ACCOUNT_ID}:policy/{self.name('permissions-boundary')}"


def within_the_permissions_boundary(stack: Stack, target: Target) -> None:
    """Every role of `stack` carries the environment's boundary: CDK's own helper roles too (custom resource
    providers, which are plain CfnResources, get it as a property override)."""
    boundary = iam.ManagedPolicy.from_managed_policy_arn(stack, "PermissionsBoundary", target.permissions_boundary_arn)
    iam.PermissionsBoundary.of(stack).apply(boundary)


def log_group_arn_pattern() -> str:
    return f"arn:{Aws.PARTITION}:logs:{Aws.REGION}:{Aws.ACCOUNT_ID}:log-group:*"


def allow_log_encryption(key: kms.IKey) -> None:
    """CloudWatch Logs may use the key for this account's log groups only (without it, deploys fail late)."""
    key.add_to_resource_policy(
        iam.PolicyStatement(
            sid="CloudWatchLogsEncryptsThisAccountsLogGroups",
            principals=[iam.ServicePrincipal(f"logs.{Aws.REGION}.amazonaws.com")],
            actions=[
                "kms:Encrypt",
                "kms:Decrypt",
                "kms:ReEncryptFrom",
                "kms:ReEncryptTo",
                "kms:GenerateDataKey",
                "kms:GenerateDataKeyWithoutPlaintext",
                "kms:DescribeKey",
            ],
            resources=["*"],
            conditions={"ArnLike": {"kms:EncryptionContext:aws:logs:arn": log_group_arn_pattern()}},
        )
    )


def customer_key(scope: IConstruct, construct_id: str, target: Target, purpose: str, *, logs: bool = False) -> kms.Key:
    """A customer-managed key with rotation, aliased `<project>-<env>-<purpose>`."""
    key = kms.Key(
        scope,
        construct_id,
        description=f"{target.name()} {purpose}",
        alias=f"alias/{target.name(purpose)}",
        enable_key_rotation=True,
        removal_policy=target.removal_policy,
    )
    if logs:
        allow_log_encryption(key)
    return key


def log_group(
    scope: IConstruct, construct_id: str, target: Target, key: kms.IKey, name: str | None = None
) -> logs.LogGroup:
    """A log group encrypted with `key`, kept for the environment's retention."""
    return logs.LogGroup(
        scope,
        construct_id,
        log_group_name=name,
        encryption_key=key,
        retention=target.retention,
        removal_policy=target.removal_policy,
    )


def acknowledge(scope: IConstruct, reasons: dict[str, str]) -> None:
    """cdk-nag findings that do not apply here, each by its granular id, each with its reason."""
    for rule, reason in reasons.items():
        Validations.of(scope).acknowledge(Acknowledgment(id=rule, reason=reason))


def checkov_skip(resource: IConstruct, skips: dict[str, str]) -> None:
    """checkov reads skips from the synthesised resource's Metadata, like in the CloudFormation flavor."""
    child = resource.node.default_child if resource.node.default_child is not None else resource
    child.add_metadata(  # type: ignore[attr-defined]  # a CfnResource: the L1 of an L2, or itself
        "checkov", {"skip": [{"id": check, "comment": comment} for check, comment in skips.items()]}
    )


def acknowledge_everywhere(stack: IConstruct) -> None:
    """Findings about how CDK writes every stack, acknowledged once per stack with the reason."""
    acknowledge(
        stack,
        {
            "NIST.800.53.R5-IAMNoInlinePolicy": "CDK writes each role's grants as that role's own inline policy "
            "(least privilege, one role each); a managed policy could be attached to other principals.",
        },
    )


def open_port(
    scope: IConstruct,
    construct_id: str,
    *,
    source: ec2.ISecurityGroup,
    destination: ec2.ISecurityGroup,
    port: int,
    description: str,
) -> None:
    """Egress from `source` and ingress to `destination` on one TCP port, both written in `scope`'s stack.

    CDK's `connections` write a rule into the stack of the group it changes; when that group belongs to
    an earlier stack (the network's app group) the earlier stack would reference a later one: a cycle.
    """
    ec2.CfnSecurityGroupEgress(
        scope,
        f"{construct_id}Egress",
        group_id=source.security_group_id,
        ip_protocol="tcp",
        from_port=port,
        to_port=port,
        destination_security_group_id=destination.security_group_id,
        description=description,
    )
    ec2.CfnSecurityGroupIngress(
        scope,
        f"{construct_id}Ingress",
        group_id=destination.security_group_id,
        ip_protocol="tcp",
        from_port=port,
        to_port=port,
        source_security_group_id=source.security_group_id,
        description=description,
    )
