# The Lambda compute at plan level: environment encrypted with a customer key, tracing, private
# subnets, reserved concurrency unset by default, RDS Proxy with TLS and IAM authentication,
# encrypted log groups with retention.

mock_provider "aws" {
  override_during = plan
  source          = "./tests/mocks"
}

run "lambda_in_prod" {
  command = plan

  module {
    source = "./modules/compute-lambda"
  }

  variables {
    project_name                   = "service"
    environment                    = "prod"
    app_subnet_ids                 = ["subnet-0123456789abcdef3", "subnet-0123456789abcdef4"]
    data_subnet_ids                = ["subnet-0123456789abcdef5", "subnet-0123456789abcdef6"]
    app_security_group_id          = "sg-0123456789abcdef0"
    database_security_group_id     = "sg-0123456789abcdef1"
    database_secret_arn            = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:database-AbCdEf"
    database_key_arn               = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555557"
    database_instance_id           = "service-prod"
    database_username              = "app_admin"
    code_bucket                    = "artifacts-bucket"
    code_key                       = "lambda/package.zip"
    python_runtime                 = "python3.12"
    handler_module                 = "service.entrypoints"
    architecture                   = "arm64"
    memory_size                    = 1024
    timeout_seconds                = 29
    tracing_mode                   = "Active"
    reserved_concurrency           = null
    throttling_rate_limit          = 100
    throttling_burst_limit         = 200
    domain_name                    = ""
    domain_certificate_arn         = ""
    authorizer_type                = "lambda"
    jwt_issuer                     = "https://login.example.com"
    jwt_audiences                  = ["service"]
    user_pool_arn                  = ""
    authorization_scopes           = []
    public_routes                  = ["GET /health", "GET /health/ready"]
    app_environment                = { ENVIRONMENT = "prod" }
    authorizer_environment         = { ENVIRONMENT = "prod" }
    readable_secret_arns           = []
    readable_secret_key_arns       = []
    authorizer_secret_arns         = []
    authorizer_secret_key_arns     = []
    data_key_arns                  = []
    log_retention_days             = 365
    latency_threshold_milliseconds = 1500
    free_storage_threshold_bytes   = 2147483648
  }

  assert {
    condition     = alltrue([for role in [aws_iam_role.proxy, aws_iam_role.function, aws_iam_role.authorizer[0]] : role.permissions_boundary == "arn:aws:iam::123456789012:policy/service-prod-permissions-boundary"])
    error_message = "Every role carries the environment's permissions boundary (the deploy role may create no other)."
  }

  assert {
    condition     = aws_lambda_function.api.kms_key_arn == module.compute_key.arn && aws_lambda_function.authorizer[0].kms_key_arn == module.compute_key.arn
    error_message = "Function environments are encrypted with the customer-managed key."
  }

  assert {
    condition     = aws_lambda_function.api.tracing_config[0].mode == "Active"
    error_message = "The function is traced."
  }

  assert {
    condition     = toset(aws_lambda_function.api.vpc_config[0].subnet_ids) == toset(var.app_subnet_ids)
    error_message = "The function runs in the private app subnets (it reaches the database)."
  }

  assert {
    condition     = aws_lambda_function.api.reserved_concurrent_executions == -1
    error_message = "Reserved concurrency stays unset unless asked for."
  }

  assert {
    condition     = aws_lambda_function.api.environment[0].variables.DATABASE_HOST == aws_db_proxy.this.endpoint
    error_message = "The function reaches the database through the RDS Proxy."
  }

  assert {
    condition     = aws_db_proxy.this.require_tls && one(aws_db_proxy.this.auth[*].iam_auth) == "REQUIRED"
    error_message = "The proxy requires TLS and IAM authentication."
  }

  assert {
    condition     = aws_cloudwatch_log_group.function.kms_key_id != null && aws_cloudwatch_log_group.api_access.kms_key_id != null && aws_cloudwatch_log_group.function.retention_in_days == 365
    error_message = "Function and access logs are encrypted and expire."
  }

  assert {
    condition     = startswith(aws_lambda_function.api.runtime, "python3.")
    error_message = "A supported Python runtime."
  }
}
