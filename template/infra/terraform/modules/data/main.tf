# RDS PostgreSQL in the isolated subnets, encrypted with its own KMS key, TLS forced by its
# parameter group, IAM authentication on, the master password managed by RDS in Secrets Manager,
# and ingress only from the app (or an RDS Proxy placed in the database's own group).

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  name       = "${var.project_name}-${var.environment}"
  is_prod    = var.environment == "prod"
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  # The environment's permissions boundary (the deploy identity creates it): every role here carries it.
  permissions_boundary = "arn:${local.partition}:iam::${local.account_id}:policy/${local.name}-permissions-boundary"
}

module "database_key" {
  source = "../customer-key"

  description    = "${local.name} database storage, Performance Insights, master secret and logs"
  alias          = "${local.name}-database"
  for_log_groups = true
  statements = [
    {
      # Principals of this account may use the key only through RDS or Secrets Manager.
      Sid       = "UseThroughRdsAndSecretsManagerOnly"
      Effect    = "Allow"
      Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
      Action    = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey", "kms:CreateGrant", "kms:ListGrants"]
      Resource  = "*"
      Condition = {
        StringEquals = {
          "kms:CallerAccount" = local.account_id
          "kms:ViaService"    = ["rds.${local.region}.amazonaws.com", "secretsmanager.${local.region}.amazonaws.com"]
        }
      }
    },
  ]
}

moved {
  from = aws_kms_key.database
  to   = module.database_key.aws_kms_key.this
}

moved {
  from = aws_kms_alias.database
  to   = module.database_key.aws_kms_alias.this[0]
}

resource "aws_db_subnet_group" "this" {
  name_prefix = "${local.name}-"
  description = "${local.name} isolated data subnets"
  subnet_ids  = var.data_subnet_ids
}

# Ingress only from the app's group and from itself (an RDS Proxy in this group reaches the
# instance); egress only to itself. The database starts no connection.
resource "aws_security_group" "database" {
  name_prefix = "${local.name}-database-"
  description = "${local.name} PostgreSQL"
  vpc_id      = var.vpc_id
  tags        = { Name = "${local.name}-database" }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "database_from_app" {
  security_group_id            = aws_security_group.database.id
  description                  = "PostgreSQL from the app"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = var.app_security_group_id
}

resource "aws_vpc_security_group_ingress_rule" "database_from_itself" {
  security_group_id            = aws_security_group.database.id
  description                  = "PostgreSQL from an RDS Proxy in this group"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.database.id
}

resource "aws_vpc_security_group_egress_rule" "database_to_itself" {
  security_group_id            = aws_security_group.database.id
  description                  = "PostgreSQL from an RDS Proxy in this group to the instance"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.database.id
}

resource "aws_vpc_security_group_egress_rule" "app_to_database" {
  security_group_id            = var.app_security_group_id
  description                  = "PostgreSQL to the database (or its proxy)"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.database.id
}

resource "aws_db_parameter_group" "this" {
  name_prefix = "${local.name}-"
  description = "${local.name} PostgreSQL: TLS 1.2+ only, connection logging"
  family      = "postgres${var.engine_major_version}"

  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }
  parameter {
    name  = "ssl_min_protocol_version"
    value = "TLSv1.2"
  }
  parameter {
    name  = "password_encryption"
    value = "scram-sha-256"
  }
  parameter {
    name  = "log_connections"
    value = "1"
  }
  parameter {
    name  = "log_disconnections"
    value = "1"
  }
  parameter {
    name  = "log_min_duration_statement"
    value = "1000"
  }

  lifecycle {
    create_before_destroy = true
  }
}

# RDS creates the export log groups unencrypted unless they exist first.
resource "aws_cloudwatch_log_group" "exports" {
  for_each          = toset(["postgresql", "upgrade"])
  name              = "/aws/rds/instance/${local.name}/${each.key}"
  kms_key_id        = module.database_key.arn
  retention_in_days = var.log_retention_days
}

resource "aws_iam_role" "monitoring" {
  name_prefix          = "${local.name}-rds-monitoring-"
  description          = "RDS Enhanced Monitoring (OS metrics)"
  permissions_boundary = local.permissions_boundary
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "monitoring.rds.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "monitoring" {
  role       = aws_iam_role.monitoring.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}

# A final snapshot on delete in every environment (a forgotten snapshot costs less than a lost
# database); deletion protection and Multi-AZ in prod.
resource "aws_db_instance" "this" {
  identifier                            = local.name
  engine                                = "postgres"
  engine_version                        = var.engine_major_version
  auto_minor_version_upgrade            = true
  instance_class                        = var.instance_class
  db_name                               = var.database_name
  username                              = var.master_username
  manage_master_user_password           = true
  master_user_secret_kms_key_id         = module.database_key.key_id
  iam_database_authentication_enabled   = true
  parameter_group_name                  = aws_db_parameter_group.this.name
  db_subnet_group_name                  = aws_db_subnet_group.this.name
  vpc_security_group_ids                = [aws_security_group.database.id]
  publicly_accessible                   = false
  port                                  = 5432
  storage_type                          = "gp3"
  allocated_storage                     = var.allocated_storage_gib
  max_allocated_storage                 = var.max_allocated_storage_gib
  storage_encrypted                     = true
  kms_key_id                            = module.database_key.arn
  multi_az                              = local.is_prod
  deletion_protection                   = local.is_prod
  backup_retention_period               = local.is_prod ? 30 : 7
  delete_automated_backups              = !local.is_prod
  skip_final_snapshot                   = false
  final_snapshot_identifier             = "${local.name}-final"
  copy_tags_to_snapshot                 = true
  performance_insights_enabled          = true
  performance_insights_kms_key_id       = module.database_key.arn
  performance_insights_retention_period = 7
  monitoring_interval                   = 60
  monitoring_role_arn                   = aws_iam_role.monitoring.arn
  enabled_cloudwatch_logs_exports       = ["postgresql", "upgrade"]
  tags                                  = { Name = local.name }

  depends_on = [aws_cloudwatch_log_group.exports, aws_iam_role_policy_attachment.monitoring]
}
