# The database module at plan level: encrypted with its own key, TLS forced, IAM authentication,
# managed master password, isolated; deletion protection, Multi-AZ and longer backups in prod.

mock_provider "aws" {
  override_during = plan
  source          = "./tests/mocks"
}

variables {
  project_name              = "service"
  vpc_id                    = "vpc-0123456789abcdef0"
  data_subnet_ids           = ["subnet-0123456789abcdef1", "subnet-0123456789abcdef2"]
  app_security_group_id     = "sg-0123456789abcdef0"
  database_name             = "app"
  master_username           = "app_admin"
  engine_major_version      = "17"
  instance_class            = "db.t4g.micro"
  allocated_storage_gib     = 20
  max_allocated_storage_gib = 100
  log_retention_days        = 30
}

run "database_in_prod" {
  command = plan

  module {
    source = "./modules/data"
  }

  variables {
    environment = "prod"
  }

  assert {
    condition     = alltrue([for role in [aws_iam_role.monitoring] : role.permissions_boundary == "arn:aws:iam::123456789012:policy/service-prod-permissions-boundary"])
    error_message = "Every role carries the environment's permissions boundary (the deploy role may create no other)."
  }

  assert {
    condition     = aws_db_instance.this.storage_encrypted && aws_db_instance.this.kms_key_id == module.database_key.arn
    error_message = "The database must be encrypted with its own customer-managed key."
  }

  assert {
    condition     = aws_db_instance.this.deletion_protection && aws_db_instance.this.multi_az
    error_message = "prod needs deletion protection and Multi-AZ."
  }

  assert {
    condition     = aws_db_instance.this.backup_retention_period >= 7 && !aws_db_instance.this.skip_final_snapshot
    error_message = "Backups of at least 7 days and a final snapshot."
  }

  assert {
    condition     = !aws_db_instance.this.publicly_accessible && aws_db_instance.this.iam_database_authentication_enabled && aws_db_instance.this.manage_master_user_password
    error_message = "Not public, IAM authentication on, master password managed by RDS."
  }

  assert {
    condition     = aws_db_instance.this.performance_insights_enabled && aws_db_instance.this.performance_insights_kms_key_id == module.database_key.arn
    error_message = "Performance Insights must be encrypted with the database key."
  }

  assert {
    condition     = contains([for parameter in aws_db_parameter_group.this.parameter : "${parameter.name}=${parameter.value}"], "rds.force_ssl=1")
    error_message = "The parameter group must force TLS (rds.force_ssl = 1)."
  }

  assert {
    condition     = alltrue([for group in aws_cloudwatch_log_group.exports : group.kms_key_id != null && group.retention_in_days > 0])
    error_message = "The exported PostgreSQL logs must be encrypted and expire."
  }

  assert {
    condition     = aws_vpc_security_group_ingress_rule.database_from_app.referenced_security_group_id == var.app_security_group_id && aws_vpc_security_group_ingress_rule.database_from_app.cidr_ipv4 == null
    error_message = "The database accepts connections only from the app's security group."
  }
}

run "database_in_dev" {
  command = plan

  module {
    source = "./modules/data"
  }

  variables {
    environment = "dev"
  }

  assert {
    condition     = !aws_db_instance.this.deletion_protection && !aws_db_instance.this.multi_az && aws_db_instance.this.storage_encrypted
    error_message = "dev runs one deletable (but encrypted) instance."
  }
}
