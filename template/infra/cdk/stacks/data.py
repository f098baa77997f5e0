"""Database: RDS PostgreSQL in the isolated subnets, encrypted with its own key, TLS forced by its parameter
group, IAM authentication on, the master password managed by RDS in Secrets Manager, ingress from the app."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, SecretValue, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_rds as rds
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from stacks.common import Target, acknowledge, checkov_skip, customer_key, log_group, open_port
from stacks.network import NetworkStack

DATABASE_NAME = "app"
MASTER_USERNAME = "app_admin"
PORT = 5432


class DataStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, target: Target, network: NetworkStack) -> None:
        super().__init__(
            scope, construct_id, description=f"Database of {target.project} ({target.environment})", env=target.env
        )
        self.key = customer_key(self, "DatabaseKey", target, "database", logs=True)
        self.security_group = ec2.SecurityGroup(
            self,
            "DatabaseSecurityGroup",
            vpc=network.vpc,
            description=f"{target.name()} PostgreSQL",
            allow_all_outbound=False,
        )
        # An RDS Proxy placed in this group reaches the instance through this group.
        self.security_group.add_ingress_rule(self.security_group, ec2.Port.tcp(PORT), "PostgreSQL from an RDS Proxy")
        self.security_group.add_egress_rule(
            self.security_group, ec2.Port.tcp(PORT), "PostgreSQL from an RDS Proxy to the instance"
        )
        open_port(
            self,
            "AppToDatabase",
            source=network.app_security_group,
            destination=self.security_group,
            port=PORT,
            description="PostgreSQL from the app to the database (or its proxy)",
        )
        engine = rds.DatabaseInstanceEngine.postgres(version=rds.PostgresEngineVersion.VER_17_9)
        parameters = rds.ParameterGroup(
            self,
            "DatabaseParameterGroup",
            engine=engine,
            description=f"{target.name()} PostgreSQL: TLS 1.2+ only, connection logging",
            parameters={
                "rds.force_ssl": "1",
                "ssl_min_protocol_version": "TLSv1.2",
                "password_encryption": "scram-sha-256",
                "log_connections": "1",
                "log_disconnections": "1",
                "log_min_duration_statement": "1000",
            },
        )
        exported_logs = {
            name: log_group(
                self, f"{name.title()}LogGroup", target, self.key, f"/aws/rds/instance/{target.name()}/{name}"
            )
            for name in ("postgresql", "upgrade")
        }
        self.instance = rds.DatabaseInstance(
            self,
            "Database",
            instance_identifier=target.name(),
            engine=engine,
            instance_type=ec2.InstanceType.of(ec2.InstanceClass.BURSTABLE4_GRAVITON, ec2.InstanceSize.MICRO),
            vpc=network.vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_group_name="data"),
            security_groups=[self.security_group],
            publicly_accessible=False,
            port=PORT,
            database_name=DATABASE_NAME,
            # Replaced below by the RDS-managed master password; the placeholder never reaches the template.
            credentials=rds.Credentials.from_password(MASTER_USERNAME, SecretValue.unsafe_plain_text("unused")),
            iam_authentication=True,
            parameter_group=parameters,
            storage_type=rds.StorageType.GP3,
            allocated_storage=20,
            max_allocated_storage=100,
            storage_encrypted=True,
            storage_encryption_key=self.key,
            multi_az=target.is_prod,
            deletion_protection=target.is_prod,
            backup_retention=Duration.days(30 if target.is_prod else 7),
            delete_automated_backups=not target.is_prod,
            copy_tags_to_snapshot=True,
            auto_minor_version_upgrade=True,
            enable_performance_insights=True,
            performance_insight_encryption_key=self.key,
            monitoring_interval=Duration.seconds(60),
            cloudwatch_logs_exports=list(exported_logs),
            removal_policy=RemovalPolicy.SNAPSHOT,
        )
        # RDS would create the groups unencrypted (and CDK's retention setter is a Lambda function of its
        # own): created here first, under the database key, with the environment's retention.
        for log_group_construct in exported_logs.values():
            self.instance.node.add_dependency(log_group_construct)
        # Escape hatch: the L2 construct has no RDS-managed master password (ManageMasterUserPassword),
        # which RDS rotates itself; CDK's alternative is a secret plus a rotation Lambda of our own.
        database = self.instance.node.default_child
        if not isinstance(database, rds.CfnDBInstance):
            raise TypeError("the database instance's L1 resource is not a CfnDBInstance")
        database.add_property_deletion_override("MasterUserPassword")
        database.manage_master_user_password = True
        database.master_user_secret = rds.CfnDBInstance.MasterUserSecretProperty(kms_key_id=self.key.key_id)
        self.secret: secretsmanager.ISecret = secretsmanager.Secret.from_secret_complete_arn(
            self, "DatabaseSecret", database.attr_master_user_secret_secret_arn
        )
        self.resource_id = self.instance.instance_resource_id
        monitoring_role = self.instance.node.find_child("MonitoringRole")
        acknowledge(
            monitoring_role,
            {
                "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                "AmazonRDSEnhancedMonitoringRole]": "AWS's own policy for Enhanced Monitoring (OS metrics to "
                "CloudWatch Logs), the one RDS documents; it grants nothing else.",
            },
        )
        reasons = {
            "NIST.800.53.R5-RDSInBackupPlan": "RDS automated backups (7 days, 30 in prod) and a final snapshot "
            "on delete; an AWS Backup plan is an account-level choice outside this service's stacks.",
            "AwsSolutions-RDS11": "PostgreSQL's default port: only the app's security group reaches it, in "
            "isolated subnets, so another port would hide nothing.",
        }
        if not target.is_prod:
            checkov_skip(
                self.instance,
                {"CKV_AWS_157": "Multi-AZ is on in prod; dev and staging run one instance to halve their cost."},
            )
            reasons |= {
                "AwsSolutions-RDS3": "Multi-AZ is on in prod; dev and staging run one instance to halve the cost.",
                "AwsSolutions-RDS10": "Deletion protection is on in prod; dev and staging can be torn down.",
                "NIST.800.53.R5-RDSMultiAZSupport": "Multi-AZ is on in prod; dev and staging run one instance.",
                "NIST.800.53.R5-RDSInstanceDeletionProtectionEnabled": "Deletion protection is on in prod only.",
            }
        acknowledge(self.instance, reasons)

    @property
    def endpoint(self) -> str:
        return self.instance.db_instance_endpoint_address
