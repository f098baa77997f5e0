"""Shared rate-limit store: ElastiCache (Valkey) in the isolated subnets with TLS, encryption at rest under
its own key and an AUTH token in Secrets Manager; the app receives its whole storage URL as a secret."""

from __future__ import annotations

from aws_cdk import SecretValue, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticache as elasticache
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from stacks.common import Target, acknowledge, customer_key, log_group, open_port
from stacks.network import NetworkStack
from stacks.wiring import Runtime, Wiring

PORT = 6379


class CacheStack(Stack, Wiring):
    def __init__(self, scope: Construct, construct_id: str, *, target: Target, network: NetworkStack) -> None:
        super().__init__(
            scope,
            construct_id,
            description=f"Rate-limit store of {target.project} ({target.environment})",
            env=target.env,
        )
        self.key = customer_key(self, "CacheKey", target, "cache", logs=True)
        # Letters and digits only: valid as an AUTH token and inside a URL without escaping. Rotating it
        # needs ModifyReplicationGroup (ROTATE, then SET once every app instance re-read the URL).
        self.auth_token = secretsmanager.Secret(
            self,
            "CacheAuthTokenSecret",
            secret_name=f"{target.project}/{target.environment}/cache/auth-token",
            description="AUTH token of the rate-limit cache",
            encryption_key=self.key,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template="{}",  # noqa: S106 - a JSON template, not a password
                generate_string_key="token",
                password_length=64,
                exclude_punctuation=True,
            ),
        )
        subnets = elasticache.CfnSubnetGroup(
            self,
            "CacheSubnetGroup",
            description=f"{target.name()} isolated data subnets",
            subnet_ids=network.data_subnets.subnet_ids,
        )
        self.security_group = ec2.SecurityGroup(
            self,
            "CacheSecurityGroup",
            vpc=network.vpc,
            description=f"{target.name()} rate-limit cache",
            allow_all_outbound=False,
        )
        open_port(
            self,
            "AppToCache",
            source=network.app_security_group,
            destination=self.security_group,
            port=PORT,
            description="Valkey (TLS) from the app",
        )
        slow_log = log_group(self, "CacheSlowLogGroup", target, self.key, f"/aws/elasticache/{target.name()}/slow-log")
        engine_log = log_group(
            self, "CacheEngineLogGroup", target, self.key, f"/aws/elasticache/{target.name()}/engine-log"
        )
        token = self.auth_token.secret_value_from_json("token").unsafe_unwrap()  # a dynamic reference, not a value
        # No L2 construct exists for ElastiCache in aws-cdk-lib: the L1 resource, as in CloudFormation.
        # Counters only (no data worth a backup); a replica with automatic failover in prod.
        cache = elasticache.CfnReplicationGroup(
            self,
            "Cache",
            replication_group_id=target.name(),
            replication_group_description=f"{target.name()} rate-limit counters",
            engine="valkey",
            engine_version="8.0",
            cache_node_type="cache.t4g.micro",
            num_cache_clusters=2 if target.is_prod else 1,
            automatic_failover_enabled=target.is_prod,
            multi_az_enabled=target.is_prod,
            port=PORT,
            cache_subnet_group_name=subnets.ref,
            security_group_ids=[self.security_group.security_group_id],
            transit_encryption_enabled=True,
            transit_encryption_mode="required",
            at_rest_encryption_enabled=True,
            kms_key_id=self.key.key_id,
            auth_token=token,
            auto_minor_version_upgrade=True,
            snapshot_retention_limit=0,
            log_delivery_configurations=[
                elasticache.CfnReplicationGroup.LogDeliveryConfigurationRequestProperty(
                    log_type=log_type,
                    log_format="json",
                    destination_type="cloudwatch-logs",
                    destination_details=elasticache.CfnReplicationGroup.DestinationDetailsProperty(
                        cloud_watch_logs_details=elasticache.CfnReplicationGroup.CloudWatchLogsDestinationDetailsProperty(
                            log_group=group.log_group_name
                        )
                    ),
                )
                for log_type, group in (("slow-log", slow_log), ("engine-log", engine_log))
            ],
        )
        # The app's RATE_LIMIT_STORAGE_URI, whole: the token never sits in a plain environment variable.
        self.url = secretsmanager.Secret(
            self,
            "CacheUrlSecret",
            secret_name=f"{target.project}/{target.environment}/cache/url",
            description="RATE_LIMIT_STORAGE_URI of the app (TLS, AUTH token included)",
            encryption_key=self.key,
            secret_string_value=SecretValue.unsafe_plain_text(
                f"async+rediss://:{token}@{cache.attr_primary_end_point_address}:{cache.attr_primary_end_point_port}"
            ),
        )
        rotation = (
            "Rotating the AUTH token is a two-step ElastiCache operation (ROTATE, then SET after every app "
            "instance re-read the URL secret), which Secrets Manager rotation cannot drive."
        )
        acknowledge(
            self.auth_token, {"AwsSolutions-SMG4": rotation, "NIST.800.53.R5-SecretsManagerRotationEnabled": rotation}
        )
        acknowledge(self.url, {"AwsSolutions-SMG4": rotation, "NIST.800.53.R5-SecretsManagerRotationEnabled": rotation})
        acknowledge(
            cache,
            {
                "AwsSolutions-AEC5": "Port 6379 reached only from the app's security group; another hides nothing.",
                "NIST.800.53.R5-ElastiCacheRedisClusterAutomaticBackup": "Rate-limit counters only (they expire "
                "within minutes): nothing worth a backup.",
            },
        )
        if not target.is_prod:
            acknowledge(cache, {"AwsSolutions-AEC4": "A replica in another AZ (Multi-AZ) in prod; one node elsewhere."})

    def wire(self, service: Runtime) -> None:
        if service.injector is not None:
            service.inject_secret("RATE_LIMIT_STORAGE_URI", self.url, self.key)
        else:
            service.read_secret("RATE_LIMIT_STORAGE_SECRET_ID", self.url, self.key)
