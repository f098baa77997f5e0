# Two availability zones: public subnets for the load balancer and NAT only, private app subnets
# (egress through NAT), isolated data subnets (no route out), the default security group emptied,
# and VPC flow logs to a KMS-encrypted log group.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

data "aws_availability_zones" "available" {
  # checkov:skip=CKV_AWS_394:Only the first two zones of the sorted list are used (slice), so a zone AWS adds later does not move the subnets; pinning zone names in the module would break accounts whose zone names differ.
  state = "available"
}

locals {
  name    = "${var.project_name}-${var.environment}"
  is_prod = var.environment == "prod"
  zones   = slice(data.aws_availability_zones.available.names, 0, 2)
  # Six /24 blocks: public a/b, app a/b, data a/b (the CloudFormation stack's layout).
  public_cidrs = [for index in [0, 1] : cidrsubnet(var.vpc_cidr, 8, index)]
  app_cidrs    = [for index in [2, 3] : cidrsubnet(var.vpc_cidr, 8, index)]
  data_cidrs   = [for index in [4, 5] : cidrsubnet(var.vpc_cidr, 8, index)]
  account_id   = data.aws_caller_identity.current.account_id
  partition    = data.aws_partition.current.partition
  region       = data.aws_region.current.name

  # The environment's permissions boundary (the deploy identity creates it): every role here carries it.
  permissions_boundary = "arn:${local.partition}:iam::${local.account_id}:policy/${local.name}-permissions-boundary"
}

module "logs_key" {
  source = "../customer-key"

  description    = "${local.name} network log groups (flow logs)"
  alias          = "${local.name}-network-logs"
  for_log_groups = true
}

moved {
  from = aws_kms_key.logs
  to   = module.logs_key.aws_kms_key.this
}

moved {
  from = aws_kms_alias.logs
  to   = module.logs_key.aws_kms_alias.this[0]
}

resource "aws_vpc" "this" {
  cidr_block           = var.vpc_cidr
  enable_dns_hostnames = true
  enable_dns_support   = true
  tags                 = { Name = local.name }
}

# Terraform adopts the VPC's default security group and removes all its rules: nothing placed
# in it by mistake can talk.
resource "aws_default_security_group" "this" {
  vpc_id  = aws_vpc.this.id
  ingress = []
  egress  = []
  tags    = { Name = "${local.name}-default-closed" }
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id
  tags   = { Name = local.name }
}

# Public subnets hold only the load balancer and the NAT gateways: nothing gets a public IP.
resource "aws_subnet" "public" {
  count                   = 2
  vpc_id                  = aws_vpc.this.id
  cidr_block              = local.public_cidrs[count.index]
  availability_zone       = local.zones[count.index]
  map_public_ip_on_launch = false
  tags                    = { Name = "${local.name}-public-${count.index == 0 ? "a" : "b"}" }
}

resource "aws_subnet" "app" {
  count                   = 2
  vpc_id                  = aws_vpc.this.id
  cidr_block              = local.app_cidrs[count.index]
  availability_zone       = local.zones[count.index]
  map_public_ip_on_launch = false
  tags                    = { Name = "${local.name}-app-${count.index == 0 ? "a" : "b"}" }
}

resource "aws_subnet" "data" {
  count                   = 2
  vpc_id                  = aws_vpc.this.id
  cidr_block              = local.data_cidrs[count.index]
  availability_zone       = local.zones[count.index]
  map_public_ip_on_launch = false
  tags                    = { Name = "${local.name}-data-${count.index == 0 ? "a" : "b"}" }
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id
  tags   = { Name = "${local.name}-public" }
}

resource "aws_route" "public_default" {
  route_table_id         = aws_route_table.public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this.id
}

resource "aws_route_table_association" "public" {
  count          = 2
  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}

# One NAT gateway per zone in prod (a zone outage keeps the other zone online); one shared elsewhere.
resource "aws_eip" "nat" {
  count      = local.is_prod ? 2 : 1
  domain     = "vpc"
  depends_on = [aws_internet_gateway.this]
  tags       = { Name = "${local.name}-nat-${count.index == 0 ? "a" : "b"}" }
}

resource "aws_nat_gateway" "this" {
  count         = local.is_prod ? 2 : 1
  allocation_id = aws_eip.nat[count.index].id
  subnet_id     = aws_subnet.public[count.index].id
  tags          = { Name = "${local.name}-${count.index == 0 ? "a" : "b"}" }
}

resource "aws_route_table" "app" {
  count  = 2
  vpc_id = aws_vpc.this.id
  tags   = { Name = "${local.name}-app-${count.index == 0 ? "a" : "b"}" }
}

resource "aws_route" "app_default" {
  count                  = 2
  route_table_id         = aws_route_table.app[count.index].id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.this[local.is_prod ? count.index : 0].id
}

resource "aws_route_table_association" "app" {
  count          = 2
  subnet_id      = aws_subnet.app[count.index].id
  route_table_id = aws_route_table.app[count.index].id
}

# Isolated: the data route table has only the implicit local route.
resource "aws_route_table" "data" {
  vpc_id = aws_vpc.this.id
  route  = []
  tags   = { Name = "${local.name}-data" }
}

resource "aws_route_table_association" "data" {
  count          = 2
  subnet_id      = aws_subnet.data[count.index].id
  route_table_id = aws_route_table.data.id
}

# The tasks' or functions' group. Ingress comes from the compute module (load balancer) and
# egress to the database and cache from the data modules, each naming the other group.
resource "aws_security_group" "app" {
  # checkov:skip=CKV2_AWS_5:Attached by the compute module (ECS service or Lambda VPC config), which receives it as an input; checkov does not follow module inputs.
  name_prefix = "${local.name}-app-"
  description = "${local.name} app tasks or functions"
  vpc_id      = aws_vpc.this.id
  tags        = { Name = "${local.name}-app" }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_egress_rule" "app_https" {
  security_group_id = aws_security_group.app.id
  description       = "HTTPS to AWS APIs and token issuers through the NAT gateway"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_cloudwatch_log_group" "flow_logs" {
  name              = "/vpc/${local.name}/flow-logs"
  kms_key_id        = module.logs_key.arn
  retention_in_days = var.log_retention_days
}

resource "aws_iam_role" "flow_logs" {
  name_prefix          = "${local.name}-flow-logs-"
  description          = "VPC flow log delivery to its log group"
  permissions_boundary = local.permissions_boundary
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "vpc-flow-logs.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = {
        StringEquals = { "aws:SourceAccount" = local.account_id }
        ArnLike      = { "aws:SourceArn" = "arn:${local.partition}:ec2:${local.region}:${local.account_id}:vpc-flow-log/*" }
      }
    }]
  })
}

resource "aws_iam_role_policy" "flow_logs" {
  name = "deliver-flow-logs"
  role = aws_iam_role.flow_logs.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
      Resource = ["${aws_cloudwatch_log_group.flow_logs.arn}:*"]
    }]
  })
}

resource "aws_flow_log" "this" {
  vpc_id                   = aws_vpc.this.id
  traffic_type             = "ALL"
  log_destination_type     = "cloud-watch-logs"
  log_destination          = aws_cloudwatch_log_group.flow_logs.arn
  iam_role_arn             = aws_iam_role.flow_logs.arn
  max_aggregation_interval = 60
  tags                     = { Name = local.name }
}
