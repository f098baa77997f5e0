"""Deploy identity of one environment, bootstrapped once per account by an administrator (a pipeline cannot
create the role it assumes): the GitHub OIDC provider (only when the account has none) and the role GitHub
Actions assumes from this environment of the repository, and only from there.

`cdk deploy` does its work through the roles `cdk bootstrap` created (deploy, file and image publishing,
lookup), so this role may only assume those (and, on Fargate, push the service image to its environment's
repository). What CloudFormation may then do is the bootstrap's execution
policy: AdministratorAccess unless `cdk bootstrap --cloudformation-execution-policies` narrows it. This stack
writes the narrower policy, `<project>-<environment>-cdk-execution` (see docs/deploy-identity.md): the services
the app's stacks use, in this region; IAM only on this environment's role names, never on the deploy role.
It also writes the environment's permissions boundary, `<project>-<environment>-permissions-boundary`, which
this stack puts on the GitHub deploy role, `cdk bootstrap --custom-permissions-boundary` on CloudFormation's
execution role and the app on every role of its stacks (the bootstrap's other roles carry none): a role that
carries it cannot create a role without it nor shed it, and its IAM is limited to this environment's names;
it does not narrow the services a role's own policies grant (docs/deploy-identity.md).
The stack is synthesised only with `-c deploy_identity=true`, so the pipeline's `cdk deploy --all` never
includes it.
"""

from __future__ import annotations

from collections.abc import Iterable

from aws_cdk import Aws, CfnResource, Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from constructs import Construct, IConstruct

from stacks.common import Target, acknowledge, checkov_skip

GITHUB = "token.actions.githubusercontent.com"
PLACEHOLDER_OWNER = "example-org/"
# The roles of `cdk bootstrap` (default qualifier; `-c cdk_qualifier=...` for a custom bootstrap).
BOOTSTRAP_ROLES = ("deploy", "file-publishing", "image-publishing", "lookup")
# CloudFormation resource namespace -> the IAM service prefix of its actions (others: the namespace, lowercase).
SERVICE_PREFIXES = {
    "ApiGateway": "apigateway",
    "ApiGatewayV2": "apigateway",
    "ApplicationAutoScaling": "application-autoscaling",
    "Cognito": "cognito-idp",
    "ElasticLoadBalancingV2": "elasticloadbalancing",
}
# The role actions whose requests carry `iam:PermissionsBoundary`: allowed only with the environment's boundary.
BOUNDED_ROLE_ACTIONS = (
    "iam:AttachRolePolicy",
    "iam:CreateRole",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
)
ROLE_ACTIONS = (
    "iam:DeleteRole",
    "iam:GetRole",
    "iam:GetRolePolicy",
    "iam:ListAttachedRolePolicies",
    "iam:ListInstanceProfilesForRole",
    "iam:ListRolePolicies",
    "iam:ListRoleTags",
    "iam:PassRole",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateRole",
    "iam:UpdateRoleDescription",
)


def service_prefix(resource_type: str) -> str:
    """The IAM prefix of the actions CloudFormation needs for a resource type (custom resources: Lambda)."""
    if resource_type.startswith("Custom::") or resource_type == "AWS::CloudFormation::CustomResource":
        return "lambda"
    namespace = resource_type.split("::")[1]
    return SERVICE_PREFIXES.get(namespace, namespace.lower())


def services_of(stacks: Iterable[IConstruct]) -> frozenset[str]:
    """Every service the resources of `stacks` belong to."""
    return frozenset(
        service_prefix(construct.cfn_resource_type)
        for stack in stacks
        for construct in stack.node.find_all()
        if isinstance(construct, CfnResource)
    )


class DeployIdentityStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        target: Target,
        repository: str,
        services: frozenset[str],
        existing_provider_arn: str = "",
        qualifier: str = "hnb659fds",
    ) -> None:
        if repository.lower().startswith(PLACEHOLDER_OWNER):
            # Whoever owns the GitHub org of the template's placeholder could assume the role.
            raise ValueError(
                f"github_repository {repository!r} is the template's placeholder:"
                " pass -c github_repository=<owner>/<name> (docs/deploy-identity.md)"
            )
        super().__init__(
            scope,
            construct_id,
            description=f"Deploy identity of {target.project} ({target.environment}): GitHub OIDC and deploy role",
            env=target.env,
        )
        if existing_provider_arn:
            provider_arn = existing_provider_arn
        else:
            # AWS trusts GitHub's token signing through its own root CA library: no thumbprint is pinned.
            provider = iam.CfnOIDCProvider(
                self, "GitHubOidcProvider", url=f"https://{GITHUB}", client_id_list=["sts.amazonaws.com"]
            )
            provider.apply_removal_policy(RemovalPolicy.RETAIN)  # the account's other environments may trust it
            provider_arn = provider.attr_arn
        account = f"arn:{Aws.PARTITION}:iam::{Aws.ACCOUNT_ID}"
        role_name = target.name("github-deploy")
        self.boundary = self._permissions_boundary(
            target,
            # Its own role and policy, and every role of the CDK bootstrap (the execution role among them).
            protected=[
                f"{account}:role/{role_name}",
                f"{account}:role/cdk-{qualifier}-*-role-{Aws.ACCOUNT_ID}-{Aws.REGION}",
                f"{account}:policy/{target.name('cdk-execution')}",
            ],
        )
        self.role = iam.Role(
            self,
            "GitHubDeployRole",
            role_name=role_name,
            permissions_boundary=iam.ManagedPolicy.from_managed_policy_arn(
                self, "PermissionsBoundaryOfTheRole", target.permissions_boundary_arn
            ),
            description=f"GitHub Actions of {repository} (environment {target.environment}) deploy {target.name()}",
            max_session_duration=Duration.hours(1),
            assumed_by=iam.WebIdentityPrincipal(
                provider_arn,
                conditions={
                    "StringEquals": {
                        f"{GITHUB}:aud": "sts.amazonaws.com",
                        f"{GITHUB}:sub": f"repo:{repository}:environment:{target.environment}",
                    }
                },
            ),
        )
        # The role names its boundary by ARN, as every stack does, so CloudFormation would not order them.
        self.role.node.add_dependency(self.boundary)
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="TheCdkBootstrapRoles",
                actions=["sts:AssumeRole"],
                resources=[
                    f"arn:{Aws.PARTITION}:iam::{Aws.ACCOUNT_ID}:role/cdk-{qualifier}-{kind}-role-{Aws.ACCOUNT_ID}-{Aws.REGION}"
                    for kind in BOOTSTRAP_ROLES
                ],
            )
        )
        if "ecr" in services:  # Fargate: `make deploy` pushes the service image itself (infra/image.sh)
            self._push_the_service_image(target)
        self.execution_policy = self._execution_policy(target, services, qualifier)

    def _push_the_service_image(self, target: Target) -> None:
        """The environment's own repository only: find it, check for a tag, push one."""
        self.role.add_to_policy(
            iam.PolicyStatement(sid="SignInToEcr", actions=["ecr:GetAuthorizationToken"], resources=["*"])
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="PushTheServiceImage",
                actions=[
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:BatchGetImage",
                    "ecr:CompleteLayerUpload",
                    "ecr:DescribeImages",
                    "ecr:DescribeRepositories",
                    "ecr:InitiateLayerUpload",
                    "ecr:PutImage",
                    "ecr:UploadLayerPart",
                ],
                resources=[f"arn:{Aws.PARTITION}:ecr:{Aws.REGION}:{Aws.ACCOUNT_ID}:repository/{target.name()}"],
            )
        )
        reason = "ecr:GetAuthorizationToken takes no resource (the IAM reference of ECR)."
        acknowledge(self.role, {"AwsSolutions-IAM5[Resource::*]": reason})

    def _permissions_boundary(self, target: Target, protected: list[str]) -> iam.ManagedPolicy:
        """The most any role of this environment may do, the execution role's and the deploy role's included."""
        boundary = target.permissions_boundary_arn
        account = f"arn:{Aws.PARTITION}:iam::{Aws.ACCOUNT_ID}"
        with_another_boundary = {"StringNotEquals": {"iam:PermissionsBoundary": boundary}}
        policy = iam.ManagedPolicy(
            self,
            "PermissionsBoundary",
            managed_policy_name=target.name("permissions-boundary"),
            description=f"The permissions boundary of every role of {target.name()}, the deploy's own included",
            statements=[
                # A boundary caps: what a role may do is what its own policies grant, within the denies below.
                iam.PolicyStatement(sid="WhatTheRolesOwnPoliciesGrant", actions=["*"], resources=["*"]),
                iam.PolicyStatement(
                    sid="RolesOnlyWithThisBoundary",
                    effect=iam.Effect.DENY,
                    actions=["iam:CreateRole", "iam:PutRolePermissionsBoundary"],
                    resources=["*"],
                    conditions=with_another_boundary,
                ),
                iam.PolicyStatement(
                    sid="PoliciesOnlyOnRolesWithThisBoundary",
                    effect=iam.Effect.DENY,
                    actions=[
                        "iam:AttachRolePolicy",
                        "iam:DetachRolePolicy",
                        "iam:PutRolePolicy",
                        "iam:DeleteRolePolicy",
                    ],
                    resources=["*"],
                    conditions=with_another_boundary,
                ),
                iam.PolicyStatement(
                    sid="TheBoundaryStays",
                    effect=iam.Effect.DENY,
                    actions=["iam:DeleteRolePermissionsBoundary"],
                    resources=["*"],
                ),
                iam.PolicyStatement(
                    sid="TheBoundaryPolicyStays",
                    effect=iam.Effect.DENY,
                    actions=[
                        "iam:CreatePolicyVersion",
                        "iam:DeletePolicy",
                        "iam:DeletePolicyVersion",
                        "iam:SetDefaultPolicyVersion",
                    ],
                    resources=[boundary],
                ),
                iam.PolicyStatement(
                    sid="NoLongLivedCredentials",
                    effect=iam.Effect.DENY,
                    actions=[
                        "iam:CreateUser",
                        "iam:CreateAccessKey",
                        "iam:UpdateAccessKey",
                        "iam:CreateLoginProfile",
                        "iam:UpdateLoginProfile",
                        "iam:CreateServiceSpecificCredential",
                        "iam:UploadSSHPublicKey",
                    ],
                    resources=["*"],
                ),
                # IAM only on this environment's names (its stacks' roles take their stack's name), the
                # service-linked roles AWS names and AWS's managed policies: never another role's trust or
                # policies, passing a role without this boundary, another policy's versions, users or groups.
                iam.PolicyStatement(
                    sid="OnlyThisEnvironmentsIam",
                    effect=iam.Effect.DENY,
                    actions=["iam:*"],
                    not_resources=[
                        f"{account}:role/{target.name()}-*",
                        f"{account}:policy/{target.name()}-*",
                        f"{account}:instance-profile/{target.name()}-*",
                        f"{account}:role/aws-service-role/*",
                        f"arn:{Aws.PARTITION}:iam::aws:policy/*",
                    ],
                ),
                iam.PolicyStatement(
                    sid="NeverTheDeployIdentity", effect=iam.Effect.DENY, actions=["iam:*"], resources=protected
                ),
                # An administrator removes the account's baseline, never a pipeline (whether or not this app has it).
                iam.PolicyStatement(
                    sid="TheAccountBaselineStays",
                    effect=iam.Effect.DENY,
                    actions=[
                        "cloudtrail:StopLogging",
                        "cloudtrail:DeleteTrail",
                        "guardduty:DeleteDetector",
                        "config:StopConfigurationRecorder",
                        "config:DeleteConfigurationRecorder",
                        "config:DeleteDeliveryChannel",
                        "securityhub:DisableSecurityHub",
                    ],
                    resources=["*"],
                ),
            ],
        )
        reason = "A permissions boundary caps and grants nothing: each role's own policies grant."
        acknowledge(
            policy,
            {
                "AwsSolutions-IAM5[Action::*]": reason,
                "AwsSolutions-IAM5[Resource::*]": reason,
                "NIST.800.53.R5-IAMPolicyNoStatementsWithAdminAccess": reason,
                "NIST.800.53.R5-IAMPolicyNoStatementsWithFullAccess": reason,
            },
        )
        # Credentials exposure, data exfiltration, permissions management, privilege escalation, write access.
        checkov_skip(
            policy, dict.fromkeys(("CKV_AWS_107", "CKV_AWS_108", "CKV_AWS_109", "CKV_AWS_110", "CKV_AWS_111"), reason)
        )
        return policy

    def _execution_policy(self, target: Target, services: frozenset[str], qualifier: str) -> iam.ManagedPolicy:
        """What CloudFormation may do for this environment's stacks once the bootstrap is narrowed to it."""
        account = f"arn:{Aws.PARTITION}:iam::{Aws.ACCOUNT_ID}"
        roles = f"{account}:role/{target.name()}-*"
        granted = sorted(services - {"iam"})
        policy = iam.ManagedPolicy(
            self,
            "CdkExecutionPolicy",
            managed_policy_name=target.name("cdk-execution"),
            description=f"cdk bootstrap --cloudformation-execution-policies for the {target.name()}-* stacks",
            statements=[
                iam.PolicyStatement(
                    sid="ServicesTheStacksUse",
                    actions=[f"{service}:*" for service in granted],
                    resources=["*"],
                    conditions={"StringEquals": {"aws:RequestedRegion": Aws.REGION}},
                ),
                iam.PolicyStatement(sid="TheStacksRoles", actions=list(ROLE_ACTIONS), resources=[roles]),
                # Creating or changing a role needs the boundary on it, even where the execution role carries none
                # (a shared account's bootstrap: docs/deploy-identity.md).
                iam.PolicyStatement(
                    sid="TheStacksRolesWithTheBoundary",
                    actions=list(BOUNDED_ROLE_ACTIONS),
                    resources=[roles],
                    conditions={"StringEquals": {"iam:PermissionsBoundary": target.permissions_boundary_arn}},
                ),
                iam.PolicyStatement(
                    sid="ServiceLinkedRolesOfTheServicesUsed",
                    actions=["iam:CreateServiceLinkedRole"],
                    resources=[f"{account}:role/aws-service-role/*"],
                ),
                # CloudFormation reads the file assets (function code) and the bootstrap version as itself.
                iam.PolicyStatement(
                    sid="TheCdkAssets",
                    actions=["s3:GetObject"],
                    resources=[f"arn:{Aws.PARTITION}:s3:::cdk-{qualifier}-assets-{Aws.ACCOUNT_ID}-{Aws.REGION}/*"],
                ),
                iam.PolicyStatement(
                    sid="TheBootstrapVersion",
                    actions=["ssm:GetParameters"],
                    resources=[
                        f"arn:{Aws.PARTITION}:ssm:{Aws.REGION}:{Aws.ACCOUNT_ID}:parameter/cdk-bootstrap/{qualifier}/version"
                    ],
                ),
                iam.PolicyStatement(
                    sid="NeverTheDeployRole",
                    effect=iam.Effect.DENY,
                    actions=["iam:*"],
                    resources=[self.role.role_arn],
                ),
            ],
        )
        acknowledge(
            policy,
            {
                "AwsSolutions-IAM5[Resource::*]": "CloudFormation creates the stacks' resources, whose names it "
                "generates: the services the stacks use, in this region only.",
                f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/{target.name()}-*]": (
                    "The stacks' roles, named after their stacks; the deploy role is denied."
                ),
                "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/aws-service-role/*]": (
                    "Service-linked roles are named by AWS for the services the stacks use."
                ),
                f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-{qualifier}-assets-<AWS::AccountId>-"
                "<AWS::Region>/*]": "File assets are named by their content hash.",
                **{
                    f"AwsSolutions-IAM5[Action::{service}:*]": "CloudFormation creates, updates and deletes this "
                    "service's resources for the stacks."
                    for service in granted
                },
                "NIST.800.53.R5-IAMPolicyNoStatementsWithFullAccess": "The execution policy of CloudFormation: whole "
                "services the stacks use, in this region; never assumable by a person or workload.",
            },
        )
        return policy
