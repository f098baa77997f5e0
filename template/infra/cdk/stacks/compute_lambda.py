"""Lambda compute: the API function in the app subnets (environment under a customer key, tracing, log group
with retention and KMS), RDS Proxy with IAM auth and TLS, API Gateway with access logs and throttling: a REST
API when WAF is on (WAF cannot attach to HTTP APIs), an HTTP API otherwise."""

from __future__ import annotations

from collections.abc import Sequence

import jsii
from aws_cdk import Aws, CfnOutput, CfnParameter, Duration, Size, Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_apigatewayv2 as apigatewayv2
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_rds as rds
from aws_cdk import aws_s3 as s3
from constructs import Construct, IConstruct

from stacks.alarms import alarm_topic, database_alarms, notify
from stacks.common import Target, acknowledge, checkov_skip, customer_key, log_group
from stacks.data import MASTER_USERNAME, PORT, DataStack
from stacks.network import NetworkStack
from stacks.wiring import Runtime, Wiring

# RDS Proxy presents an ACM certificate (Amazon Root CA), which the runtime's system bundle holds.
CA_BUNDLE = "/etc/pki/tls/certs/ca-bundle.crt"
THROTTLING_RATE_LIMIT = 100
THROTTLING_BURST_LIMIT = 200
LATENCY_THRESHOLD_MILLISECONDS = 2000
PUBLIC_ROUTES = (("GET", "/health"), ("GET", "/health/ready"))
ACCESS_LOG_FIELDS = {
    "requestId": "$context.requestId",
    "ip": "$context.identity.sourceIp",
    "time": "$context.requestTime",
    "method": "$context.httpMethod",
    "status": "$context.status",
    "length": "$context.responseLength",
    "latencyMs": "$context.responseLatency",
    "authorizerError": "$context.authorizer.error",
}


def _access_log_format(extra: dict[str, str]) -> str:
    fields = {**ACCESS_LOG_FIELDS, **extra}
    return "{" + ",".join(f'"{name}":"{value}"' for name, value in fields.items()) + "}"


@jsii.implements(apigatewayv2.IAccessLogSettings)
class _AccessLogSettings:
    """An HTTP API stage's access logs (IAccessLogSettings is a jsii interface: a class implements it)."""

    def __init__(self, destination: apigatewayv2.IAccessLogDestination, log_format: apigateway.AccessLogFormat) -> None:
        self._destination = destination
        self._format = log_format

    @property
    def destination(self) -> apigatewayv2.IAccessLogDestination:
        return self._destination

    @property
    def format(self) -> apigateway.AccessLogFormat:
        return self._format


class LambdaStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        target: Target,
        network: NetworkStack,
        data: DataStack,
        modules: Sequence[Wiring],
        settings: dict[str, str],
        runtime: lambda_.Runtime,
        package: str,
        identity: Wiring,
        rest_api: bool,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            description=f"Lambda compute of {target.project} ({target.environment})",
            env=target.env,
        )
        code_bucket = CfnParameter(self, "CodeBucket", description="S3 bucket holding the function package")
        code_key = CfnParameter(self, "CodeKey", description="S3 key of the function package (zip)")
        self.code = lambda_.Code.from_bucket(
            s3.Bucket.from_bucket_name(self, "CodeBucketRef", code_bucket.value_as_string), code_key.value_as_string
        )
        self.target = target
        self.runtime = runtime
        self.function_handler_module = f"{package}.entrypoints"
        self.key = customer_key(self, "ComputeKey", target, "compute", logs=True)
        self.alarm_topic = alarm_topic(self, target, self.key)
        self.app_security_group = ec2.SecurityGroup.from_security_group_id(
            self, "AppSecurityGroup", network.app_security_group.security_group_id, mutable=False
        )
        proxy = self._proxy(network, data)
        function_name = target.name("api")
        self.app_log_group = log_group(self, "FunctionLogGroup", target, self.key, f"/aws/lambda/{function_name}")
        role = iam.Role(
            self,
            "FunctionRole",
            description="What the API function reads and connects to at run time",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        )
        service = Runtime("lambda", role)
        service.set("ENVIRONMENT", target.environment)
        service.set("SERVICE_NAME", target.project)
        service.set("POWERTOOLS_SERVICE_NAME", target.project)
        service.set("DATABASE_HOST", proxy.endpoint)
        service.set("DATABASE_PORT", str(PORT))
        service.set("DATABASE_NAME", "app")
        service.set("DATABASE_USER", MASTER_USERNAME)
        service.set("DATABASE_IAM_AUTH", "true")
        service.set("DATABASE_TLS", "verify-full")
        service.set("DATABASE_CA_BUNDLE", CA_BUNDLE)
        for name, value in settings.items():
            service.set(name, value)
        for module in modules:
            module.wire(service)
        proxy.grant_connect(role, MASTER_USERNAME)
        self.function = lambda_.Function(
            self,
            "Function",
            function_name=function_name,
            description=f"{target.project} API (FastAPI through Mangum)",
            runtime=runtime,
            architecture=lambda_.Architecture.ARM_64,
            handler=f"{package}.entrypoints.lambda_handler.handler",
            code=self.code,
            memory_size=1024,
            timeout=Duration.seconds(29),
            role=role,
            environment=service.environment,
            environment_encryption=self.key,
            tracing=lambda_.Tracing.ACTIVE,
            vpc=network.vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_group_name="app"),
            security_groups=[self.app_security_group],
            log_group=self.app_log_group,
        )
        checkov_skip(
            self.function,
            {
                "CKV_AWS_116": "API Gateway invokes this function synchronously: a failure is returned to the caller "
                "as a 5xx. Dead-letter queues apply only to asynchronous invocations.",
                "CKV_AWS_115": "Reserved concurrency is unset by default because new accounts cannot reserve below "
                "their unreserved minimum; the stage's throttling bounds the load meanwhile.",
            },
        )
        self._acknowledge_function(self.function, in_vpc=True)
        acknowledge(
            role,
            {
                "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                "AWSLambdaVPCAccessExecutionRole]": "AWS's own policy for the function's network interfaces in the "
                "VPC (ec2:*NetworkInterface*), which have no resource-level permissions.",
                "AwsSolutions-IAM5[Resource::*]": "X-Ray (xray:PutTraceSegments, xray:PutTelemetryRecords) has no "
                'resource-level permissions: Resource "*" only.',
            },
        )
        authorizer_function = None
        needs_lambda_authorizer = identity.user_pool is None if rest_api else identity.jwt_issuer is None
        if needs_lambda_authorizer:
            authorizer_function = self._authorizer(service, identity)
        integration_target = self.function
        public_routes = PUBLIC_ROUTES + identity.public_routes
        if rest_api:
            self.protected_resource, self.protected_resource_arn = self._rest_api(
                integration_target, identity, authorizer_function, public_routes
            )
        else:
            self._http_api(integration_target, identity, authorizer_function, public_routes)
        database_alarms(self, data, self.alarm_topic)
        notify(
            self.function.metric_throttles(period=Duration.minutes(5)).create_alarm(
                self,
                "FunctionThrottlesAlarm",
                alarm_description="The function was throttled (concurrency exhausted)",
                threshold=0,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            ),
            self.alarm_topic,
        )

    def _acknowledge_function(self, function: lambda_.Function, *, in_vpc: bool) -> None:
        reasons = {
            "AwsSolutions-L1": "Runs the project's Python version, like the service; raised with it.",
            "NIST.800.53.R5-LambdaConcurrency": "Reserved concurrency is unset by default: new accounts cannot "
            "reserve below their unreserved minimum; the stage's throttling bounds the load.",
            "NIST.800.53.R5-LambdaDLQ": "Invoked synchronously by API Gateway; a DLQ applies only to asynchronous "
            "invocations.",
        }
        if not in_vpc:
            reasons["NIST.800.53.R5-LambdaInsideVPC"] = (
                "Reaches no VPC resource (no database): only the token issuer's keys, without a VPC."
            )
        acknowledge(function, reasons)

    def _proxy(self, network: NetworkStack, data: DataStack) -> rds.DatabaseProxy:
        database_group = ec2.SecurityGroup.from_security_group_id(
            self, "DatabaseSecurityGroup", data.security_group.security_group_id, mutable=False
        )
        proxy = rds.DatabaseProxy(
            self,
            "DatabaseProxy",
            db_proxy_name=self.target.name(),
            proxy_target=rds.ProxyTarget.from_instance(data.instance),
            secrets=[data.secret],
            vpc=network.vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_group_name="data"),
            security_groups=[database_group],
            require_tls=True,
            iam_auth=True,
            idle_client_timeout=Duration.minutes(30),
            debug_logging=False,
            max_connections_percent=90,
            max_idle_connections_percent=10,
            borrow_timeout=Duration.seconds(10),
        )
        # ProxyTarget.from_instance opens the instance's port to the proxy's group (the database's own group):
        # the port is the instance's endpoint port, a deploy-time value cdk-nag's port rules cannot read.
        unreadable = "The database port (5432) from the database's own group (the proxy), a deploy-time value."
        acknowledge(
            data.security_group,
            {
                "NIST.800.53.R5-EC2RestrictedCommonPorts": unreadable,
                "NIST.800.53.R5-EC2RestrictedSSH": unreadable,
            },
        )
        # The secret is encrypted with the database key: the proxy decrypts it through Secrets Manager only.
        proxy.node.find_child("IAMRole").add_to_principal_policy(  # type: ignore[attr-defined]
            iam.PolicyStatement(
                actions=["kms:Decrypt"],
                resources=[data.key.key_arn],
                conditions={"StringEquals": {"kms:ViaService": f"secretsmanager.{Aws.REGION}.amazonaws.com"}},
            )
        )
        return proxy

    def _authorizer(self, service: Runtime, identity: Wiring) -> lambda_.Function:
        function_name = self.target.name("authorizer")
        logs = log_group(self, "AuthorizerLogGroup", self.target, self.key, f"/aws/lambda/{function_name}")
        role = iam.Role(
            self,
            "AuthorizerRole",
            description="The gateway's token authorizer",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        )
        authorizer = Runtime("lambda", role)
        identity.wire_authorizer(authorizer)
        # The service's settings (it builds the same Settings, so prod checks apply) without permissions for them.
        environment = {name: value for name, value in service.environment.items() if name not in identity.service_only}
        function = lambda_.Function(
            self,
            "AuthorizerFunction",
            function_name=function_name,
            description=f"{self.target.project} API Gateway token authorizer",
            runtime=self.runtime,
            architecture=lambda_.Architecture.ARM_64,
            handler=self.function_handler_module + ".authorizer.handler",
            code=self.code,
            memory_size=512,
            timeout=Duration.seconds(10),
            role=role,
            environment=environment,
            environment_encryption=self.key,
            tracing=lambda_.Tracing.ACTIVE,
            log_group=logs,
        )
        checkov_skip(
            function,
            {
                "CKV_AWS_116": "API Gateway invokes authorizers synchronously and denies the request when one fails.",
                "CKV_AWS_115": "Bounded by the API's throttling and the authorizer result cache.",
                "CKV_AWS_117": "Reaches no VPC resource (no database), only its keys, which need no VPC.",
            },
        )
        self._acknowledge_function(function, in_vpc=False)
        acknowledge(
            role,
            {
                "AwsSolutions-IAM5[Resource::*]": "X-Ray (xray:PutTraceSegments, xray:PutTelemetryRecords) has no "
                'resource-level permissions: Resource "*" only.',
            },
        )
        return function

    def _rest_api(
        self,
        function: lambda_.IFunction,
        identity: Wiring,
        authorizer_function: lambda_.IFunction | None,
        public_routes: tuple[tuple[str, str], ...],
    ) -> tuple[IConstruct, str]:
        access_logs = log_group(
            self,
            "ApiAccessLogGroup",
            self.target,
            self.key,
            f"/{self.target.project}/{self.target.environment}/api-access",
        )
        authorizer: apigateway.IAuthorizer
        if identity.user_pool is not None:
            authorizer = apigateway.CognitoUserPoolsAuthorizer(
                self, "GatewayAuthorizer", cognito_user_pools=[identity.user_pool], authorizer_name="cognito"
            )
            authorization_type = apigateway.AuthorizationType.COGNITO
        elif authorizer_function is not None:
            authorizer = apigateway.TokenAuthorizer(
                self,
                "GatewayAuthorizer",
                handler=authorizer_function,
                authorizer_name="token",
                identity_source="method.request.header.Authorization",
                validation_regex="^[Bb]earer [-0-9A-Za-z._~+/]+=*$",
                results_cache_ttl=Duration.minutes(5),
            )
            authorization_type = apigateway.AuthorizationType.CUSTOM
        else:
            raise ValueError("a REST API needs a Cognito user pool or a token authorizer")
        integration = apigateway.LambdaIntegration(function, timeout=Duration.seconds(29))
        api = apigateway.RestApi(
            self,
            "RestApi",
            rest_api_name=self.target.name(),
            description=f"{self.target.project} API",
            endpoint_types=[apigateway.EndpointType.REGIONAL],
            min_compression_size=Size.kibibytes(1),
            cloud_watch_role=False,
            deploy_options=apigateway.StageOptions(
                stage_name=self.target.environment,
                tracing_enabled=True,
                access_log_destination=apigateway.LogGroupLogDestination(access_logs),
                access_log_format=apigateway.AccessLogFormat.custom(
                    _access_log_format(
                        {
                            "resource": "$context.resourcePath",
                            "wafStatus": "$context.waf.status",
                            "integrationError": "$context.integration.error",
                        }
                    )
                ),
                throttling_rate_limit=THROTTLING_RATE_LIMIT,
                throttling_burst_limit=THROTTLING_BURST_LIMIT,
                metrics_enabled=True,
                data_trace_enabled=False,
            ),
            default_method_options=apigateway.MethodOptions(
                authorizer=authorizer,
                authorization_type=authorization_type,
                authorization_scopes=list(identity.authorization_scopes) or None,
            ),
        )
        proxy_resource = api.root.add_proxy(default_integration=integration, any_method=True)
        # Browsers send CORS preflights without a token: the service answers them from its allow-list.
        proxy_resource.add_method(
            "OPTIONS",
            integration,
            authorization_type=apigateway.AuthorizationType.NONE,
            authorizer=None,
            authorization_scopes=None,
        )
        # A proxy resource under the root adds each of its methods to the root as well.
        for resource in (proxy_resource, api.root):
            method = resource.node.find_child("OPTIONS")
            checkov_skip(method, {"CKV_AWS_59": "CORS preflight (OPTIONS) carries no token by definition."})
            self._acknowledge_public(method, "CORS preflight (OPTIONS) carries no token by definition")
            if identity.user_pool is None:
                acknowledge(
                    resource.node.find_child("ANY"),
                    {"AwsSolutions-COG4": "The tokens are not Cognito's: the Lambda token authorizer verifies them."},
                )
        for method, path in public_routes:
            public = api.root.resource_for_path(path).add_method(
                method,
                integration,
                authorization_type=apigateway.AuthorizationType.NONE,
                authorizer=None,
                authorization_scopes=None,
            )
            checkov_skip(public, {"CKV_AWS_59": f"{method} {path} takes no token by design."})
            self._acknowledge_public(public, f"{method} {path} takes no token by design")
        stage = api.deployment_stage
        checkov_skip(
            stage,
            {
                "CKV_AWS_120": "Responses are per principal and tenant: a cache would serve one "
                "caller's data to another."
            },
        )
        acknowledge(
            stage,
            {
                "AwsSolutions-APIG3": "The web ACL is associated by the edge stack.",
                "AwsSolutions-APIG6": "Execution logging needs the account-wide API Gateway CloudWatch role; access "
                "logs (every request) are on.",
                "NIST.800.53.R5-APIGWExecutionLoggingEnabled": "Needs the account-wide API Gateway CloudWatch role; "
                "access logs are on.",
                "NIST.800.53.R5-APIGWCacheEnabledAndEncrypted": "Responses are per principal and tenant: no cache.",
                "NIST.800.53.R5-APIGWSSLEnabled": "The integration is Lambda (AWS_PROXY), not an HTTP backend that a "
                "client certificate would authenticate to.",
            },
        )
        acknowledge(
            api,
            {"AwsSolutions-APIG2": "The service validates every request itself (FastAPI models, 4xx on invalid)."},
        )
        self._rest_alarms(api)
        CfnOutput(self, "ApiUrl", value=api.url)
        return stage, stage.stage_arn

    def _acknowledge_public(self, method: apigateway.Method, reason: str) -> None:
        acknowledge(method, {"AwsSolutions-APIG4": reason, "AwsSolutions-COG4": reason})

    def _rest_alarms(self, api: apigateway.RestApi) -> None:
        five_minutes = Duration.minutes(5)
        rate = cloudwatch.MathExpression(
            label="5xx per 100 requests",
            expression="IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)",
            using_metrics={
                "errors": api.metric_server_error(period=five_minutes, statistic="Sum"),
                "requests": api.metric_count(period=five_minutes, statistic="Sum"),
            },
            period=five_minutes,
        )
        self._api_alarms(rate, api.metric_latency(period=five_minutes, statistic="p99"))

    def _api_alarms(self, rate: cloudwatch.IMetric, latency: cloudwatch.IMetric) -> None:
        notify(
            rate.create_alarm(  # type: ignore[attr-defined]
                self,
                "ServerErrorRateAlarm",
                alarm_description="More than 5% of the API's requests end in a 5xx",
                threshold=5,
                evaluation_periods=3,
                datapoints_to_alarm=2,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            ),
            self.alarm_topic,
        )
        notify(
            latency.create_alarm(  # type: ignore[attr-defined]
                self,
                "LatencyAlarm",
                alarm_description="The slowest 1% of API responses take longer than 2 s",
                threshold=LATENCY_THRESHOLD_MILLISECONDS,
                evaluation_periods=3,
                datapoints_to_alarm=2,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            ),
            self.alarm_topic,
        )

    def _http_api(
        self,
        function: lambda_.IFunction,
        identity: Wiring,
        authorizer_function: lambda_.IFunction | None,
        public_routes: tuple[tuple[str, str], ...],
    ) -> None:
        access_logs = log_group(
            self,
            "ApiAccessLogGroup",
            self.target,
            self.key,
            f"/{self.target.project}/{self.target.environment}/api-access",
        )
        default_authorizer: apigatewayv2.IHttpRouteAuthorizer
        if authorizer_function is not None:
            default_authorizer = authorizers.HttpLambdaAuthorizer(
                "GatewayAuthorizer",
                authorizer_function,
                authorizer_name="token",
                response_types=[authorizers.HttpLambdaResponseType.SIMPLE],
                identity_source=["$request.header.Authorization"],
                results_cache_ttl=Duration.minutes(5),
            )
        elif identity.jwt_issuer is not None:
            default_authorizer = authorizers.HttpJwtAuthorizer(
                "GatewayAuthorizer",
                identity.jwt_issuer,
                authorizer_name="jwt",
                jwt_audience=list(identity.jwt_audiences),
                identity_source=["$request.header.Authorization"],
            )
        else:
            raise ValueError("an HTTP API needs a JWT issuer or a token authorizer")
        integration = integrations.HttpLambdaIntegration("FunctionIntegration", function, timeout=Duration.seconds(29))
        api = apigatewayv2.HttpApi(
            self,
            "HttpApi",
            api_name=self.target.name(),
            description=f"{self.target.project} API",
            default_integration=integration,
            default_authorizer=default_authorizer,
            create_default_stage=False,
        )
        stage = api.add_stage(
            "Stage",
            stage_name="$default",
            auto_deploy=True,
            throttle=apigatewayv2.ThrottleSettings(
                rate_limit=THROTTLING_RATE_LIMIT, burst_limit=THROTTLING_BURST_LIMIT
            ),
            detailed_metrics_enabled=True,
            access_log_settings=_AccessLogSettings(
                apigatewayv2.LogGroupLogDestination(access_logs),
                apigateway.AccessLogFormat.custom(
                    _access_log_format(
                        {"route": "$context.routeKey", "integrationError": "$context.integrationErrorMessage"}
                    )
                ),
            ),
        )
        # Browsers send CORS preflights without a token: the service answers them from its allow-list.
        for method, path, reason in (
            ("OPTIONS", "/{proxy+}", "CORS preflight (OPTIONS) carries no token by definition"),
            *((method, path, f"{method} {path} takes no token by design") for method, path in public_routes),
        ):
            for route in api.add_routes(
                path=path,
                methods=[apigatewayv2.HttpMethod(method)],
                integration=integration,
                authorizer=apigatewayv2.HttpNoneAuthorizer(),
            ):
                acknowledge(route, {"AwsSolutions-APIG4": reason})
        five_minutes = Duration.minutes(5)
        rate = cloudwatch.MathExpression(
            label="5xx per 100 requests",
            expression="IF(requests > 0, 100 * FILL(errors, 0) / requests, 0)",
            using_metrics={
                "errors": stage.metric_server_error(period=five_minutes, statistic="Sum"),
                "requests": stage.metric_count(period=five_minutes, statistic="Sum"),
            },
            period=five_minutes,
        )
        self._api_alarms(rate, stage.metric_latency(period=five_minutes, statistic="p99"))
        self.protected_resource = stage
        self.protected_resource_arn = ""
        CfnOutput(self, "ApiUrl", value=api.api_endpoint)
