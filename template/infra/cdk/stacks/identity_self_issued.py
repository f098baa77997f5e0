"""Self-issued tokens: the RS256 signing key ring and, separately, its public JWKS (what the authorizer reads),
both in Secrets Manager under their own key, rotated by a Secrets Manager rotation function."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Aws, Duration, SecretValue, Stack, Tags
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from stacks.common import Target, acknowledge, checkov_skip, customer_key, log_group
from stacks.wiring import Runtime, Wiring

# The one source of the helper, shared with the other flavors (infra/functions/).
ROTATION_CODE = Path(__file__).resolve().parents[2] / "functions" / "rotate_signing_keys"


class SelfIssuedStack(Stack, Wiring):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        target: Target,
        issuer: str,
        audience: str,
        runtime: lambda_.Runtime,
        rotation_days: int = 30,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            description=f"Token signing keys of {target.project} ({target.environment})",
            env=target.env,
        )
        if not issuer.startswith("https://"):
            raise ValueError(f"the token issuer (context auth_issuer) must be an https:// URL, not {issuer!r}")
        self.issuer = issuer
        self.audience = audience
        self.service_only = frozenset({"AUTH_SIGNING_SECRET_ID"})
        self.public_routes = (
            ("GET", "/.well-known/jwks.json"),
            ("POST", "/oauth/token"),
            ("POST", "/oauth/revoke"),
        )
        self.key = customer_key(self, "AuthSecretsKey", target, "auth-secrets", logs=True)
        # The public keys of the ring, as a JWKS: the authorizer needs nothing more.
        self.public_jwks = secretsmanager.Secret(
            self,
            "PublicJwksSecret",
            secret_name=f"{target.project}/{target.environment}/auth/public-jwks",
            description="Public JWKS of the token signing keys (written by the signing key rotation)",
            encryption_key=self.key,
            secret_string_value=SecretValue.unsafe_plain_text('{"keys": []}'),
        )
        # {"keys": [...]}, newest first, the format the service's key ring reads; the first rotation runs
        # when the stack is created, so the ring is never empty when the compute stack deploys.
        self.signing_keys = secretsmanager.Secret(
            self,
            "SigningKeySecret",
            secret_name=f"{target.project}/{target.environment}/auth/signing-keys",
            description="RS256 signing key ring of the service (current and previous key)",
            encryption_key=self.key,
            secret_string_value=SecretValue.unsafe_plain_text('{"keys": []}'),
        )
        # Tells the rotation function where to publish the public keys.
        Tags.of(self.signing_keys).add("public-jwks-secret", self.public_jwks.secret_arn)
        function_name = target.name("rotate-signing-keys")
        rotation_logs = log_group(self, "RotationLogGroup", target, self.key, f"/aws/lambda/{function_name}")
        role = iam.Role(
            self,
            "RotationRole",
            description="Rotates the token signing key ring and publishes its public JWKS",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=[
                    "secretsmanager:DescribeSecret",
                    "secretsmanager:GetSecretValue",
                    "secretsmanager:PutSecretValue",
                    "secretsmanager:UpdateSecretVersionStage",
                ],
                resources=[self.signing_keys.secret_arn],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"],
                resources=[self.public_jwks.secret_arn],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["kms:Decrypt", "kms:GenerateDataKey"],
                resources=[self.key.key_arn],
                conditions={"StringEquals": {"kms:ViaService": f"secretsmanager.{Aws.REGION}.amazonaws.com"}},
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["kms:GenerateDataKeyPair"],
                resources=[self.key.key_arn],
                conditions={"StringEquals": {"kms:DataKeyPairSpec": "RSA_2048"}},
            )
        )
        rotation_logs.grant_write(role)
        rotation = lambda_.Function(
            self,
            "RotationFunction",
            function_name=function_name,
            description="Secrets Manager rotation of the RS256 signing key ring and its public JWKS",
            runtime=runtime,
            architecture=lambda_.Architecture.ARM_64,
            handler="index.handler",
            code=lambda_.Code.from_asset(str(ROTATION_CODE)),
            memory_size=256,
            timeout=Duration.seconds(60),
            role=role,
            log_group=rotation_logs,
            logging_format=lambda_.LoggingFormat.JSON,
        )
        self.signing_keys.add_rotation_schedule(
            "SigningKeyRotation",
            rotation_lambda=rotation,
            automatically_after=Duration.days(rotation_days),
            rotate_immediately_on_update=True,
        )
        # Escape hatch: the invoke permission CDK writes for Secrets Manager names no source; this one
        # accepts calls for this account's signing key ring only (the confused-deputy guard), as the
        # other flavors' permissions do.
        for child in rotation.node.children:
            if isinstance(child, lambda_.CfnPermission):
                child.source_account = Aws.ACCOUNT_ID
                child.source_arn = self.signing_keys.secret_arn
        checkov_skip(
            rotation,
            {
                "CKV_AWS_115": "Runs once per rotation; reserving concurrency would take capacity from the "
                "account's unreserved pool, which new accounts cannot lower below its minimum.",
                "CKV_AWS_116": "Invoked by Secrets Manager step by step; a failed step marks the rotation failed "
                "and the current keys stay in use, so a dead-letter queue would hold nothing to act on.",
                "CKV_AWS_117": "Calls only the Secrets Manager and KMS APIs; outside a VPC it has no network path "
                "into the VPC, which is the safer side.",
            },
        )
        acknowledge(
            rotation,
            {
                "AwsSolutions-L1": "Runs the project's Python version, like the service; raised with it.",
                "NIST.800.53.R5-LambdaConcurrency": "Runs once per rotation; reserved concurrency would take "
                "capacity new accounts do not have.",
                "NIST.800.53.R5-LambdaDLQ": "Invoked by Secrets Manager step by step; a failed step marks the "
                "rotation failed and the current keys stay in use.",
                "NIST.800.53.R5-LambdaInsideVPC": "Calls only the Secrets Manager and KMS APIs; it has no VPC "
                "resource to reach.",
            },
        )
        acknowledge(
            role,
            {
                "AwsSolutions-IAM5[Resource::*]": "secretsmanager:GetRandomPassword, which CDK grants every rotation "
                'function, has no resource-level permissions (Resource "*" only).',
            },
        )
        no_rotation = "Written by the signing key ring's rotation function, which rotates both secrets together."
        acknowledge(
            self.public_jwks,
            {"AwsSolutions-SMG4": no_rotation, "NIST.800.53.R5-SecretsManagerRotationEnabled": no_rotation},
        )

    def wire(self, service: Runtime) -> None:
        service.set("AUTH_ISSUER", self.issuer)
        service.set("AUTH_AUDIENCE", self.audience)
        service.read_secret("AUTH_SIGNING_SECRET_ID", self.signing_keys, self.key)
        service.read_secret("AUTH_PUBLIC_JWKS_SECRET_ID", self.public_jwks, self.key)

    def wire_authorizer(self, authorizer: Runtime) -> None:
        # The public keys only: the authorizer cannot read the private ring.
        authorizer.grant_secret(self.public_jwks, self.key)
