"""Network: two AZs, public subnets for the load balancer and NAT only, private app subnets, isolated data
subnets, the default security group emptied, and flow logs to a KMS-encrypted log group."""

from __future__ import annotations

import json

from aws_cdk import Stack
from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from stacks.common import Target, acknowledge, checkov_skip, customer_key, log_group


class NetworkStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, target: Target, cidr: str = "10.0.0.0/16") -> None:
        super().__init__(
            scope, construct_id, description=f"Network of {target.project} ({target.environment})", env=target.env
        )
        self.target = target
        self.logs_key = customer_key(self, "LogsKey", target, "network-logs", logs=True)
        flow_log_group = log_group(self, "FlowLogGroup", target, self.logs_key, f"/vpc/{target.name()}/flow-logs")
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            ip_addresses=ec2.IpAddresses.cidr(cidr),
            max_azs=2,
            # One NAT gateway per AZ in prod; one shared gateway elsewhere halves the cost.
            nat_gateways=2 if target.is_prod else 1,
            subnet_configuration=[
                ec2.SubnetConfiguration(
                    name="public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24, map_public_ip_on_launch=False
                ),
                ec2.SubnetConfiguration(name="app", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=24),
                ec2.SubnetConfiguration(name="data", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24),
            ],
            restrict_default_security_group=True,
            flow_logs={
                "all": ec2.FlowLogOptions(
                    destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_log_group),
                    traffic_type=ec2.FlowLogTrafficType.ALL,
                    max_aggregation_interval=ec2.FlowLogMaxAggregationInterval.ONE_MINUTE,
                )
            },
        )
        self.public_subnets = self.vpc.select_subnets(subnet_group_name="public")
        self.app_subnets = self.vpc.select_subnets(subnet_group_name="app")
        self.data_subnets = self.vpc.select_subnets(subnet_group_name="data")
        self.app_security_group = ec2.SecurityGroup(
            self,
            "AppSecurityGroup",
            vpc=self.vpc,
            description=f"{target.name()} app tasks or functions",
            allow_all_outbound=False,
        )
        self.app_security_group.add_egress_rule(
            ec2.Peer.any_ipv4(), ec2.Port.tcp(443), "HTTPS to AWS APIs and token issuers through the NAT gateway"
        )
        for subnet in self.public_subnets.subnets:
            acknowledge(
                subnet,
                {
                    "NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW": "The public subnets hold only the internet-facing "
                    "load balancer and the NAT gateways, which need the route to the internet gateway.",
                },
            )
        self._acknowledge_default_security_group_provider()

    @property
    def public_subnet_cidrs(self) -> list[str]:
        """The load balancer's subnets, known at synth time: the app's TRUSTED_PROXIES."""
        return [subnet.ipv4_cidr_block for subnet in self.public_subnets.subnets]

    @property
    def trusted_proxies(self) -> str:
        return json.dumps(self.public_subnet_cidrs)

    def _acknowledge_default_security_group_provider(self) -> None:
        # restrict_default_security_group is carried out by a custom resource provider that CDK writes
        # itself (a singleton Lambda function with its own role): its properties are not ours to set.
        provider = self.node.try_find_child("Custom::VpcRestrictDefaultSGCustomResourceProvider")
        if provider is None:
            raise RuntimeError("aws-cdk-lib no longer names the default security group provider as expected")
        handler = provider.node.find_child("Handler")
        role = provider.node.find_child("Role")
        checkov_skip(
            handler,
            {
                "CKV_AWS_115": "CDK's own custom resource provider runs once per stack operation; reserving "
                "concurrency would take capacity from the account's unreserved pool.",
                "CKV_AWS_116": "Invoked synchronously by CloudFormation, which fails the operation on error; a "
                "dead-letter queue would hold nothing to act on.",
                "CKV_AWS_117": "Calls only the EC2 API and CloudFormation's response URL; outside the VPC it "
                "has no path into the VPC, the safer side.",
                "CKV_AWS_173": "Its only environment is what CDK's provider framework sets; no secret in it.",
            },
        )
        checkov_skip(
            role,
            {
                "CKV_AWS_111": "ec2:Revoke* is scoped by CDK to this VPC's default security group ARN.",
            },
        )
