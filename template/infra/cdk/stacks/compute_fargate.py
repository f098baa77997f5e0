"""Fargate compute: ECR, ECS cluster and service in the app subnets, the ALB in the public subnets (HTTPS with
a tested TLS policy, HTTP only redirects), the task hardened (non-root, read-only root fs, no capabilities)."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Aws, CfnOutput, CfnParameter, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_s3 as s3
from constructs import Construct

from stacks.alarms import alarm_topic, database_alarms, notify
from stacks.common import Target, acknowledge, checkov_skip, customer_key, log_group, open_port
from stacks.data import DataStack
from stacks.network import NetworkStack
from stacks.wiring import Runtime, Wiring

CONTAINER_PORT = 8000
# The image's user (Dockerfile): never root.
CONTAINER_USER = "10001:10001"
CA_BUNDLE = "/app/certs/rds-global-bundle.pem"
# TLS 1.2+ without CBC or SHA-1 suites, with hybrid post-quantum key exchange.
TLS_POLICY = elbv2.SslPolicy.TLS13_12_RES_PQ
ACCESS_LOG_DAYS = {"dev": 30, "staging": 90, "prod": 365}


class FargateStack(Stack):
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
        image_tag: str | None,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            description=f"Fargate compute of {target.project} ({target.environment})",
            env=target.env,
        )
        certificate_arn = CfnParameter(
            self,
            "CertificateArn",
            allowed_pattern=r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]+$",
            description="ACM certificate of the service's domain name, for the HTTPS listener",
        )
        self.key = customer_key(self, "ComputeKey", target, "compute", logs=True)
        self.app_log_group = log_group(
            self, "AppLogGroup", target, self.key, f"/{target.project}/{target.environment}/app"
        )
        self.repository = ecr.Repository(
            self,
            "Repository",
            repository_name=target.name(),
            image_tag_mutability=ecr.TagMutability.IMMUTABLE,
            image_scan_on_push=True,
            encryption=ecr.RepositoryEncryption.KMS,
            encryption_key=self.key,
            lifecycle_rules=[ecr.LifecycleRule(description="keep the 50 newest images", max_image_count=50)],
            removal_policy=RemovalPolicy.RETAIN if target.is_prod else RemovalPolicy.DESTROY,
            empty_on_delete=not target.is_prod,
        )
        self.cluster = ecs.Cluster(
            self,
            "Cluster",
            cluster_name=target.name(),
            vpc=network.vpc,
            container_insights_v2=ecs.ContainerInsights.ENABLED,
            enable_fargate_capacity_providers=True,
        )
        self.load_balancer = self._load_balancer(target, network, certificate_arn.value_as_string)
        self.alarm_topic = alarm_topic(self, target, self.key)
        self._load_balancer_alarms()
        database_alarms(self, data, self.alarm_topic)
        if image_tag:
            self._service(
                target=target, network=network, data=data, modules=modules, settings=settings, image_tag=image_tag
            )
        else:  # the first deploy: the repository must exist before an image can be pushed to it
            self.https_listener.add_action(
                "NoServiceYet",
                action=elbv2.ListenerAction.fixed_response(
                    503, content_type="text/plain", message_body="no service yet"
                ),
            )
        # What the edge stack's web ACL is associated with.
        self.protected_resource = self.load_balancer
        self.protected_resource_arn = self.load_balancer.load_balancer_arn
        CfnOutput(
            self,
            "LoadBalancerDnsName",
            value=self.load_balancer.load_balancer_dns_name,
            description="Point the certificate's domain name (CNAME or alias) here",
        )
        CfnOutput(self, "RepositoryUri", value=self.repository.repository_uri, description="Push the image here")

    def _load_balancer(
        self, target: Target, network: NetworkStack, certificate_arn: str
    ) -> elbv2.ApplicationLoadBalancer:
        # ALB access-log delivery accepts only SSE-S3 (a KMS-encrypted bucket rejects the log files).
        access_logs = s3.Bucket(
            self,
            "AccessLogBucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            enforce_ssl=True,
            versioned=True,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-access-logs",
                    expiration=Duration.days(ACCESS_LOG_DAYS[target.environment]),
                    noncurrent_version_expiration=Duration.days(7),
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                )
            ],
            removal_policy=target.removal_policy,
            auto_delete_objects=False,
        )
        checkov_skip(
            access_logs,
            {
                "CKV_AWS_18": "This bucket receives the ALB access logs; logging it into itself would loop and a "
                "second log bucket would need the same exemption.",
                "CKV_AWS_145": "ALB access-log delivery accepts only SSE-S3 (AES256); a KMS-encrypted bucket "
                "rejects the log files.",
            },
        )
        acknowledge(
            access_logs,
            {
                "AwsSolutions-S1": "The ALB access-log bucket itself; logging it into itself would loop.",
                "NIST.800.53.R5-S3BucketLoggingEnabled": "The ALB access-log bucket itself; no loop.",
                "NIST.800.53.R5-S3BucketReplicationEnabled": "Access logs expire by lifecycle; no replica needed.",
                "NIST.800.53.R5-S3DefaultEncryptionKMS": "ALB log delivery accepts only SSE-S3 (AES256).",
            },
        )
        self.load_balancer_security_group = ec2.SecurityGroup(
            self,
            "LoadBalancerSecurityGroup",
            vpc=network.vpc,
            description=f"{target.name()} load balancer (HTTPS, HTTP redirect)",
            allow_all_outbound=False,
        )
        self.load_balancer_security_group.add_ingress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(443), "HTTPS from clients")
        self.load_balancer_security_group.add_ingress_rule(
            ec2.Peer.any_ipv4(), ec2.Port.tcp(80), "HTTP from clients, only redirected to HTTPS"
        )
        # The tasks' group, immutable here: its rules are written in this stack (see open_port).
        self.task_security_group = ec2.SecurityGroup.from_security_group_id(
            self, "TaskSecurityGroup", network.app_security_group.security_group_id, mutable=False
        )
        open_port(
            self,
            "LoadBalancerToTasks",
            source=self.load_balancer_security_group,
            destination=self.task_security_group,
            port=CONTAINER_PORT,
            description="The load balancer reaches the container port",
        )
        checkov_skip(
            self.load_balancer_security_group,
            {"CKV_AWS_260": "Port 80 only answers with a redirect to HTTPS; nothing is forwarded over HTTP."},
        )
        acknowledge(
            self.load_balancer_security_group,
            {
                "AwsSolutions-EC23": "The public load balancer: 443 (and 80, redirect only) from anywhere by design.",
                "NIST.800.53.R5-EC2RestrictedCommonPorts": "Port 80 only redirects to HTTPS (no forward).",
            },
        )
        load_balancer = elbv2.ApplicationLoadBalancer(
            self,
            "LoadBalancer",
            vpc=network.vpc,
            internet_facing=True,
            vpc_subnets=ec2.SubnetSelection(subnet_group_name="public"),
            security_group=self.load_balancer_security_group,
            drop_invalid_header_fields=True,
            desync_mitigation_mode=elbv2.DesyncMitigationMode.STRICTEST,
            deletion_protection=target.is_prod,
            idle_timeout=Duration.seconds(60),
        )
        load_balancer.log_access_logs(access_logs, "alb")
        self.https_listener = load_balancer.add_listener(
            "HttpsListener",
            protocol=elbv2.ApplicationProtocol.HTTPS,
            port=443,
            ssl_policy=TLS_POLICY,
            certificates=[elbv2.ListenerCertificate.from_arn(certificate_arn)],
            open=False,
        )
        redirect = load_balancer.add_redirect(source_port=80, target_port=443, open=False)
        acknowledge(
            redirect,
            {"NIST.800.53.R5-ELBv2ACMCertificateRequired": "Port 80 only redirects to HTTPS (443, ACM certificate)."},
        )
        if not target.is_prod:
            acknowledge(
                load_balancer,
                {"NIST.800.53.R5-ELBDeletionProtectionEnabled": "Deletion protection is on in prod only."},
            )
        return load_balancer

    def _load_balancer_alarms(self) -> None:
        metrics = self.load_balancer.metrics
        five_minutes = Duration.minutes(5)
        rate = cloudwatch.MathExpression(
            label="5xx per 100 requests",
            expression="IF(requests > 0, 100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / requests, 0)",
            using_metrics={
                "target5xx": metrics.http_code_target(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, period=five_minutes),
                "elb5xx": metrics.http_code_elb(elbv2.HttpCodeElb.ELB_5XX_COUNT, period=five_minutes),
                "requests": metrics.request_count(period=five_minutes),
            },
            period=five_minutes,
        )
        notify(
            rate.create_alarm(
                self,
                "ServerErrorRateAlarm",
                alarm_description="More than 5% of the requests end in a 5xx",
                threshold=5,
                evaluation_periods=3,
                datapoints_to_alarm=2,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            ),
            self.alarm_topic,
        )
        notify(
            metrics.target_response_time(period=five_minutes, statistic="p99").create_alarm(
                self,
                "LatencyAlarm",
                alarm_description="The slowest 1% of responses take longer than 2 s",
                threshold=2,
                evaluation_periods=3,
                datapoints_to_alarm=2,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            ),
            self.alarm_topic,
        )

    def _service(
        self,
        *,
        target: Target,
        network: NetworkStack,
        data: DataStack,
        modules: Sequence[Wiring],
        settings: dict[str, str],
        image_tag: str,
    ) -> None:
        task = ecs.FargateTaskDefinition(
            self,
            "TaskDefinition",
            family=target.name(),
            cpu=512,
            memory_limit_mib=1024,
            runtime_platform=ecs.RuntimePlatform(
                operating_system_family=ecs.OperatingSystemFamily.LINUX, cpu_architecture=ecs.CpuArchitecture.X86_64
            ),
        )
        execution_role = task.obtain_execution_role()
        runtime = Runtime("fargate", task.task_role, injector=execution_role)
        runtime.set("ENVIRONMENT", target.environment)
        runtime.set("SERVICE_NAME", target.project)
        runtime.set("AWS_REGION", Aws.REGION)
        runtime.set("TRUSTED_PROXIES", network.trusted_proxies)
        runtime.set("DATABASE_HOST", data.endpoint)
        runtime.set("DATABASE_PORT", data.instance.db_instance_endpoint_port)
        runtime.set("DATABASE_NAME", "app")
        runtime.set("DATABASE_TLS", "verify-full")
        runtime.set("DATABASE_CA_BUNDLE", CA_BUNDLE)
        runtime.read_secret("DATABASE_SECRET_ID", data.secret, data.key)
        for name, value in settings.items():
            runtime.set(name, value)
        for module in modules:
            module.wire(runtime)
        container = task.add_container(
            "app",
            container_name="app",
            image=ecs.ContainerImage.from_ecr_repository(self.repository, image_tag),
            essential=True,
            port_mappings=[ecs.PortMapping(container_port=CONTAINER_PORT)],
            # With every capability dropped and no privileged mode a setuid binary gains nothing; Fargate
            # does not accept Docker's no-new-privileges option, so this is its equivalent.
            user=CONTAINER_USER,
            privileged=False,
            readonly_root_filesystem=True,
            linux_parameters=ecs.LinuxParameters(self, "LinuxParameters", init_process_enabled=True),
            stop_timeout=Duration.seconds(30),
            health_check=ecs.HealthCheck(
                command=[
                    "CMD",
                    "python",
                    "-c",
                    "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)",
                ],
                interval=Duration.seconds(30),
                timeout=Duration.seconds(5),
                retries=3,
                start_period=Duration.seconds(20),
            ),
            logging=ecs.LogDrivers.aws_logs(
                stream_prefix="app",
                log_group=self.app_log_group,
                mode=ecs.AwsLogDriverMode.NON_BLOCKING,
                max_buffer_size=None,
            ),
            # Names and non-secret values only; secret values arrive through `secrets` or are read by the
            # service itself (the *_SECRET_ID entries), so rotation needs no redeploy.
            environment=runtime.environment,
            secrets=runtime.injected or None,
        )
        acknowledge(
            task,
            {
                "AwsSolutions-ECS2": "Non-secret settings only: secret values are injected from Secrets Manager "
                "(`secrets`) or read by the service by ARN (*_SECRET_ID).",
            },
        )
        acknowledge(
            execution_role,
            {
                "AwsSolutions-IAM5[Resource::*]": "ecr:GetAuthorizationToken has no resource-level permissions "
                '(Resource "*" only); pulls are scoped to this stack\'s repository.',
            },
        )
        container.linux_parameters.drop_capabilities(ecs.Capability.ALL)  # type: ignore[union-attr]
        service = ecs.FargateService(
            self,
            "Service",
            service_name=target.name(),
            cluster=self.cluster,
            task_definition=task,
            desired_count=2 if target.environment != "dev" else 1,
            assign_public_ip=False,
            vpc_subnets=ec2.SubnetSelection(subnet_group_name="app"),
            security_groups=[self.task_security_group],
            circuit_breaker=ecs.DeploymentCircuitBreaker(enable=True, rollback=True),
            min_healthy_percent=100,
            max_healthy_percent=200,
            enable_execute_command=False,
            propagate_tags=ecs.PropagatedTagSource.SERVICE,
            enable_ecs_managed_tags=True,
            health_check_grace_period=Duration.seconds(60),
        )
        self.https_listener.add_targets(
            "Service",
            port=CONTAINER_PORT,
            protocol=elbv2.ApplicationProtocol.HTTP,
            targets=[service],
            health_check=elbv2.HealthCheck(
                path="/health/ready",
                interval=Duration.seconds(15),
                healthy_threshold_count=2,
                unhealthy_threshold_count=3,
                healthy_http_codes="200",
            ),
            deregistration_delay=Duration.seconds(30),
        )
        scaling = service.auto_scale_task_count(min_capacity=2 if target.environment != "dev" else 1, max_capacity=6)
        scaling.scale_on_cpu_utilization(
            "CpuScaling",
            target_utilization_percent=60,
            scale_in_cooldown=Duration.seconds(120),
            scale_out_cooldown=Duration.seconds(60),
        )
