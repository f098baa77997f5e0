"""How a module stack hands the app what it needs: settings, secrets to read, keys to use.

A compute stack builds one `Runtime` per thing that runs the package (the service, and the gateway's
token authorizer where there is one) and lets every module stack wire itself into it. A module that is
not part of this project is simply not in the list app.py passes, so no compute code names it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from aws_cdk import Aws, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager

Compute = Literal["fargate", "lambda"]


@dataclass
class Runtime:
    """The service or the authorizer: its plain environment, injected secrets and permissions."""

    compute: Compute
    role: iam.IRole
    # ECS's execution role, which fetches injected secrets before the container starts (Fargate only).
    injector: iam.IRole | None = None
    environment: dict[str, str] = field(default_factory=dict)
    injected: dict[str, ecs.Secret] = field(default_factory=dict)

    def set(self, name: str, value: str) -> None:
        if name in self.environment:
            raise ValueError(f"{name} is set twice")
        self.environment[name] = value

    def read_secret(self, name: str, secret: secretsmanager.ISecret, key: kms.IKey | None = None) -> None:
        """The app reads the secret itself by its ARN (`*_SECRET_ID`), so rotation needs no redeploy."""
        self.set(name, secret.secret_arn)
        self.grant_secret(secret, key)

    def inject_secret(self, name: str, secret: secretsmanager.ISecret, key: kms.IKey | None = None) -> None:
        """ECS puts the secret's value in the container's environment (Fargate only)."""
        if self.injector is None:
            raise ValueError(f"{name}: only ECS injects secret values; a function reads them by ARN")
        # Imported by ARN into the compute stack: ECS's L2 then grants the execution role on the role's side
        # only (granting through the secret's own key policy would make the earlier stack name a later one).
        imported = secretsmanager.Secret.from_secret_complete_arn(
            Stack.of(self.injector), f"Injected{name.title().replace('_', '')}", secret.secret_arn
        )
        self.injected[name] = ecs.Secret.from_secrets_manager(imported)
        # The key the secret is encrypted with is ours to grant.
        if key is not None:
            self.injector.add_to_principal_policy(_decrypt_through_secrets_manager(key))

    def grant_secret(self, secret: secretsmanager.ISecret, key: kms.IKey | None = None) -> None:
        self.role.add_to_principal_policy(
            iam.PolicyStatement(actions=["secretsmanager:GetSecretValue"], resources=[secret.secret_arn])
        )
        self.grant_secret_key(key)

    def grant_secret_key(self, key: kms.IKey | None) -> None:
        """Secrets encrypted with a customer key need kms:Decrypt, through Secrets Manager only."""
        if key is not None:
            self.role.add_to_principal_policy(_decrypt_through_secrets_manager(key))


def _decrypt_through_secrets_manager(key: kms.IKey) -> iam.PolicyStatement:
    return iam.PolicyStatement(
        actions=["kms:Decrypt"],
        resources=[key.key_arn],
        conditions={"StringEquals": {"kms:ViaService": f"secretsmanager.{Aws.REGION}.amazonaws.com"}},
    )


class Wiring:
    """A module's part of the app's configuration; the default is to give nothing."""

    # Settings only the service gets (the authorizer gets the rest of the service's environment).
    service_only: frozenset[str] = frozenset()
    # Identity modules: how API Gateway checks tokens before the service does (defence in depth).
    jwt_issuer: str | None = None  # an issuer the gateway's JWT authorizer can verify (HTTP API)
    jwt_audiences: tuple[str, ...] = ()
    user_pool: cognito.IUserPool | None = None  # a Cognito authorizer (REST API)
    authorization_scopes: tuple[str, ...] = ()
    # Routes that take no token (the self-issued token endpoint and its keys).
    public_routes: tuple[tuple[str, str], ...] = ()

    def wire(self, service: Runtime) -> None:
        """What the service is given."""

    def wire_authorizer(self, authorizer: Runtime) -> None:
        """Permissions of the gateway's token authorizer; it gets the service's settings (minus `service_only`)
        so that it validates them as the service does, and no permission for them."""
