"""Cognito user pool: password policy, MFA on in prod, deletion protection, a public client without a secret,
a machine client with client credentials, the service's role groups and its resource server's scopes; with a
tenant claim, a pre-token-generation trigger (V2) copying the administrators' custom:tenant into access tokens."""

from __future__ import annotations

import json
from pathlib import Path

from aws_cdk import Aws, Duration, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from stacks.common import Target, acknowledge, checkov_skip, customer_key, log_group
from stacks.wiring import Runtime, Wiring

ROLES = {"admin": "Every customer permission", "support": "Read and write customers", "viewer": "Read customers"}
# The one source of the trigger, shared with Terraform (infra/functions/).
TENANT_CLAIM_CODE = Path(__file__).resolve().parents[2] / "functions" / "tenant_claim"


class CognitoStack(Stack, Wiring):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        target: Target,
        runtime: lambda_.Runtime,
        non_prod_mfa: bool = False,
        tenant_claim: str = "",
    ) -> None:
        super().__init__(
            scope, construct_id, description=f"Users of {target.project} ({target.environment})", env=target.env
        )
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
        if tenant_claim:
            self._add_tenant_trigger(target, runtime, tenant_claim)

    def _add_tenant_trigger(self, target: Target, runtime: lambda_.Runtime, tenant_claim: str) -> None:
        """Access tokens carry custom:tenant only through a pre-token-generation trigger, event version V2_0."""
        function_name = target.name("tenant-claim")
        key = customer_key(self, "TenantClaimKey", target, "tenant-claim", logs=True)
        trigger_logs = log_group(self, "TenantClaimLogGroup", target, key, name=f"/aws/lambda/{function_name}")
        role = iam.Role(
            self,
            "TenantClaimRole",
            description="Pre-token-generation trigger (writes its own log only)",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        )
        trigger_logs.grant_write(role)
        trigger = lambda_.Function(
            self,
            "TenantClaimFunction",
            function_name=function_name,
            description="Copies the user's custom:tenant attribute into access tokens (pre token generation V2)",
            runtime=runtime,
            architecture=lambda_.Architecture.ARM_64,
            handler="index.handler",
            code=lambda_.Code.from_asset(str(TENANT_CLAIM_CODE)),
            memory_size=128,
            timeout=Duration.seconds(5),
            environment={"TENANT_CLAIM": tenant_claim},
            environment_encryption=key,
            tracing=lambda_.Tracing.ACTIVE,
            log_group=trigger_logs,
            role=role,
        )
        # add_trigger also lets cognito-idp (this pool only) invoke the function.
        self.user_pool.add_trigger(
            cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG, trigger, cognito.LambdaVersion.V2_0
        )
        synchronous = (
            "Invoked synchronously by Cognito on every sign-in and token refresh: the token waits for it, so "
            "a reserved limit would turn a burst of sign-ins into failures and a dead-letter queue (asynchronous "
            "invocations only) would never receive anything."
        )
        outside_vpc = "Touches no network resource (it only transforms the event); outside a VPC it has no path in."
        checkov_skip(trigger, {"CKV_AWS_115": synchronous, "CKV_AWS_116": synchronous, "CKV_AWS_117": outside_vpc})
        acknowledge(
            trigger,
            {
                "AwsSolutions-L1": "Runs the project's Python version, like the service; raised with it.",
                "NIST.800.53.R5-LambdaConcurrency": synchronous,
                "NIST.800.53.R5-LambdaDLQ": synchronous,
                "NIST.800.53.R5-LambdaInsideVPC": outside_vpc,
            },
        )
        acknowledge(
            role,
            {
                "AwsSolutions-IAM5[Resource::*]": "X-Ray (xray:PutTraceSegments, xray:PutTelemetryRecords) has no "
                'resource-level permissions: Resource "*" only.',
            },
        )

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
