"""Deploy identity of one environment, bootstrapped once per account by an administrator (a pipeline cannot
create the role it assumes): the GitHub OIDC provider (only when the account has none) and the role GitHub
Actions assumes from this environment of the repository, and only from there.

`cdk deploy` does its work through the roles `cdk bootstrap` created (deploy, file and image publishing,
lookup), so this role may only assume those. What CloudFormation may then do is the bootstrap's execution
policy: AdministratorAccess unless `cdk bootstrap --cloudformation-execution-policies` narrows it. This stack
writes the narrower policy, `<project>-<environment>-cdk-execution` (see docs/deploy-identity.md): the services
the app's stacks use, in this region; IAM only on this environment's role names, never on the deploy role.
The stack is synthesised only with `-c deploy_identity=true`, so the pipeline's `cdk deploy --all` never
includes it.
"""

from __future__ import annotations

from collections.abc import Iterable

from aws_cdk import Aws, CfnResource, Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from constructs import Construct, IConstruct

from stacks.common import Target, acknowledge

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
ROLE_ACTIONS = (
    "iam:AttachRolePolicy",
    "iam:CreateRole",
    "iam:DeleteRole",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:GetRole",
    "iam:GetRolePolicy",
    "iam:ListAttachedRolePolicies",
    "iam:ListInstanceProfilesForRole",
    "iam:ListRolePolicies",
    "iam:ListRoleTags",
    "iam:PassRole",
    "iam:PutRolePolicy",
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
        self.role = iam.Role(
            self,
            "GitHubDeployRole",
            role_name=target.name("github-deploy"),
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
        self.execution_policy = self._execution_policy(target, services, qualifier)

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
