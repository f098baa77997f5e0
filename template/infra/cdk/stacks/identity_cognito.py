"""Cognito user pool: password policy, MFA on in prod, deletion protection, a public client without a secret,
a machine client with client credentials, the service's role groups and its resource server's scopes."""

from __future__ import annotations

import json

from aws_cdk import Aws, Duration, Stack
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from stacks.common import Target, acknowledge
from stacks.wiring import Runtime, Wiring

ROLES = {"admin": "Every customer permission", "support": "Read and write customers", "viewer": "Read customers"}


class CognitoStack(Stack, Wiring):
    def __init__(
        self, scope: Construct, construct_id: str, *, target: Target, non_prod_mfa: bool = False, tenant_claim: str = ""
    ) -> None:
        super().__init__(
            scope, construct_id, description=f"Users of {target.project} ({target.environment})", env=target.env
        )
        if tenant_claim:
            # The claim reaches access tokens only through a pre-token-generation trigger (V2), which the
            # CloudFormation flavor has (identity-cognito.yaml, TenantClaim) and this app does not yet.
            raise ValueError("tenant_claim with Cognito needs the pre-token-generation trigger: not in the CDK app yet")
        mfa = cognito.Mfa.REQUIRED if target.is_prod or non_prod_mfa else cognito.Mfa.OPTIONAL
        self.user_pool: cognito.UserPool = cognito.UserPool(
            self,
            "UserPool",
            user_pool_name=target.name(),
            # Essentials: threat protection needs the paid Plus plan, an opt-in (see README).
            feature_plan=cognito.FeaturePlan.ESSENTIALS,
            deletion_protection=target.is_prod,
            removal_policy=target.removal_policy,
            sign_in_aliases=cognito.SignInAliases(email=True),
            sign_in_case_sensitive=False,
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            keep_original=cognito.KeepOriginalAttrs(email=True),
            self_sign_up_enabled=False,
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            mfa=mfa,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            password_policy=cognito.PasswordPolicy(
                min_length=14,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                password_history_size=5,
                temp_password_validity=Duration.days(3),
            ),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True)
            ),
            # Set by administrators only: no app client may write it (see the clients' write_attributes).
            custom_attributes={"tenant": cognito.StringAttribute(min_len=1, max_len=64, mutable=True)},
        )
        for role, description in ROLES.items():
            cognito.CfnUserPoolGroup(
                self,
                f"{role.title()}Group",
                user_pool_id=self.user_pool.user_pool_id,
                group_name=role,
                description=description,
            )
        self.user_pool.add_domain(
            "Domain", cognito_domain=cognito.CognitoDomainOptions(domain_prefix=f"{target.name()}-{Aws.ACCOUNT_ID}")
        )
        self.resource_server_id = target.project
        scopes = {
            name: cognito.ResourceServerScope(
                scope_name=f"customers:{name}", scope_description=f"{name.title()} customers"
            )
            for name in ("read", "write", "delete")
        }
        resource_server = self.user_pool.add_resource_server(
            "ResourceServer",
            identifier=self.resource_server_id,
            user_pool_resource_server_name=f"{target.project} API",
            scopes=list(scopes.values()),
        )
        readable = cognito.ClientAttributes().with_standard_attributes(email=True, email_verified=True)
        writable = cognito.ClientAttributes().with_standard_attributes(email=True)
        # Browsers and mobile apps: no secret (it could not stay secret), SRP sign-in.
        self.public_client = self.user_pool.add_client(
            "PublicClient",
            user_pool_client_name=target.name("public"),
            generate_secret=False,
            auth_flows=cognito.AuthFlow(user_srp=True),
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            auth_session_validity=Duration.minutes(3),
            access_token_validity=Duration.minutes(60),
            id_token_validity=Duration.minutes(60),
            refresh_token_validity=Duration.days(30),
            read_attributes=readable.with_custom_attributes("tenant"),
            write_attributes=writable,
            supported_identity_providers=[cognito.UserPoolClientIdentityProvider.COGNITO],
            disable_o_auth=True,
        )
        # Services: client credentials only, the resource server's scopes, no user sign-in flow.
        self.machine_client = self.user_pool.add_client(
            "MachineClient",
            user_pool_client_name=target.name("machine"),
            generate_secret=True,
            auth_flows=cognito.AuthFlow(),
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            access_token_validity=Duration.minutes(60),
            read_attributes=readable,
            write_attributes=writable,
            supported_identity_providers=[cognito.UserPoolClientIdentityProvider.COGNITO],
            o_auth=cognito.OAuthSettings(
                flows=cognito.OAuthFlows(client_credentials=True),
                scopes=[
                    cognito.OAuthScope.resource_server(resource_server, scopes["read"]),
                    cognito.OAuthScope.resource_server(resource_server, scopes["write"]),
                ],
            ),
        )
        self.issuer = f"https://cognito-idp.{Aws.REGION}.amazonaws.com/{self.user_pool.user_pool_id}"
        self.jwt_issuer = self.issuer
        self.jwt_audiences = (self.public_client.user_pool_client_id, self.machine_client.user_pool_client_id)
        # With scopes the REST API's Cognito authorizer accepts access tokens (without, only id tokens).
        self.authorization_scopes = (
            "aws.cognito.signin.user.admin",
            "openid",
            *(f"{self.resource_server_id}/customers:{name}" for name in scopes),
        )
        reasons = {
            "AwsSolutions-COG8": "The Plus plan (threat protection) is paid: Essentials by default, an opt-in.",
            "AwsSolutions-COG3": "Threat protection (advanced security) needs the paid Plus plan: an opt-in.",
            "NIST.800.53.R5-CognitoUserPoolAdvancedSecurityModeEnforced": "Needs the paid Plus plan: an opt-in.",
        }
        if not target.is_prod and not non_prod_mfa:
            reasons["AwsSolutions-COG2"] = "MFA is required in prod; optional in dev and staging (non_prod_mfa)."
        acknowledge(self.user_pool, reasons)

    def _settings(self, runtime: Runtime) -> None:
        runtime.set("AUTH_ISSUER", self.issuer)
        runtime.set("AUTH_AUDIENCE", self.public_client.user_pool_client_id)
        runtime.set("COGNITO_USER_POOL_ID", self.user_pool.user_pool_id)
        clients = json.dumps(["PUBLIC", "MACHINE"])
        clients = clients.replace("PUBLIC", self.public_client.user_pool_client_id)
        runtime.set("COGNITO_CLIENT_IDS", clients.replace("MACHINE", self.machine_client.user_pool_client_id))

    def wire(self, service: Runtime) -> None:
        self._settings(service)
        service.set("COGNITO_RESOURCE_SERVER_ID", self.resource_server_id)
