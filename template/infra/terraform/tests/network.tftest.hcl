# The network module at plan level: private and isolated subnets, no public IPs, the default
# security group emptied, flow logs to an encrypted log group, NAT redundancy in prod.

mock_provider "aws" {
  override_during = plan
  source          = "./tests/mocks"
}

variables {
  project_name       = "service"
  vpc_cidr           = "10.0.0.0/16"
  log_retention_days = 30
}

run "network_in_dev" {
  command = plan

  module {
    source = "./modules/network"
  }

  variables {
    environment = "dev"
  }

  assert {
    condition     = alltrue([for subnet in concat(aws_subnet.public, aws_subnet.app, aws_subnet.data) : !subnet.map_public_ip_on_launch])
    error_message = "No subnet may give public IPs."
  }

  assert {
    condition     = length(aws_default_security_group.this.ingress) == 0 && length(aws_default_security_group.this.egress) == 0
    error_message = "The default security group must be emptied."
  }

  assert {
    condition     = aws_flow_log.this.traffic_type == "ALL" && aws_cloudwatch_log_group.flow_logs.kms_key_id != null
    error_message = "VPC flow logs must record all traffic into a KMS-encrypted log group."
  }

  assert {
    condition     = module.logs_key.rotation_enabled
    error_message = "The log key must rotate."
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 1
    error_message = "dev shares one NAT gateway."
  }

  assert {
    condition     = length(aws_route_table.data.route) == 0
    error_message = "The data subnets must have no route out of the VPC."
  }

  assert {
    condition     = strcontains(module.logs_key.policy, "kms:EncryptionContext:aws:logs:arn")
    error_message = "The log key must let CloudWatch Logs use it for this account's log groups only."
  }
}

run "network_in_prod" {
  command = plan

  module {
    source = "./modules/network"
  }

  variables {
    environment = "prod"
  }

  assert {
    condition     = alltrue([for role in [aws_iam_role.flow_logs] : role.permissions_boundary == "arn:aws:iam::123456789012:policy/service-prod-permissions-boundary"])
    error_message = "Every role carries the environment's permissions boundary (the deploy role may create no other)."
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 2
    error_message = "prod has one NAT gateway per zone."
  }

  assert {
    condition     = length(aws_eip.nat) == 2 && length(aws_route.app_default) == 2
    error_message = "In prod each app subnet routes through the NAT gateway of its own zone."
  }
}
