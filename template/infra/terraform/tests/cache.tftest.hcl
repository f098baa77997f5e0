# The rate-limit cache at plan level: TLS required, encrypted at rest with its own key, AUTH token.

mock_provider "aws" {
  override_during = plan
  source          = "./tests/mocks"
}

run "cache_in_prod" {
  command = plan

  module {
    source = "./modules/cache"
  }

  variables {
    project_name          = "service"
    environment           = "prod"
    vpc_id                = "vpc-0123456789abcdef0"
    data_subnet_ids       = ["subnet-0123456789abcdef1", "subnet-0123456789abcdef2"]
    app_security_group_id = "sg-0123456789abcdef0"
    node_type             = "cache.t4g.micro"
    engine_version        = "8.0"
    log_retention_days    = 365
  }

  assert {
    condition     = aws_elasticache_replication_group.this.transit_encryption_enabled && aws_elasticache_replication_group.this.transit_encryption_mode == "required"
    error_message = "The cache must require TLS."
  }

  assert {
    condition     = aws_elasticache_replication_group.this.at_rest_encryption_enabled && aws_elasticache_replication_group.this.kms_key_id == module.cache_key.arn
    error_message = "The cache must be encrypted at rest with its own key."
  }

  assert {
    condition     = aws_elasticache_replication_group.this.auth_token != null && aws_elasticache_replication_group.this.multi_az_enabled
    error_message = "AUTH token set, and a replica in another zone in prod."
  }

  assert {
    condition     = startswith(aws_secretsmanager_secret_version.url.secret_string, "async+rediss://:") && aws_secretsmanager_secret.url.kms_key_id == module.cache_key.arn
    error_message = "The app's storage URL is a TLS URL kept in an encrypted secret."
  }
}
