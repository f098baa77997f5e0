# The API function behind API Gateway, RDS Proxy with IAM authentication, an access-logged and
# throttled stage, alarms and their SNS topic. The package is built and uploaded outside
# Terraform (code_bucket, code_key).

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  name                 = "${var.project_name}-${var.environment}"
  function_name        = "${local.name}-api"
  authorizer_name      = "${local.name}-authorizer"
  lambda_authorizer    = var.authorizer_type == "lambda"
  has_custom_domain    = var.domain_name != "" && var.domain_certificate_arn != ""
  tracing_active       = var.tracing_mode == "Active"
  account_id           = data.aws_caller_identity.current.account_id
  partition            = data.aws_partition.current.partition
  region               = data.aws_region.current.name
  integration_uri      = "arn:${local.partition}:apigateway:${local.region}:lambda:path/2015-03-31/functions/${aws_lambda_function.api.arn}/invocations"
  xray_policy_document = jsonencode({ Version = "2012-10-17", Statement = [{ Sid = "TraceSegments", Effect = "Allow", Action = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Resource = "*" }] })

  # The environment's permissions boundary (the deploy identity creates it): every role here carries it.
  permissions_boundary = "arn:${local.partition}:iam::${local.account_id}:policy/${local.name}-permissions-boundary"
}

# One key for the function environments, this module's log groups and the alarm topic.
module "compute_key" {
  source = "../customer-key"

  description    = "${local.name} function environment, logs and alarm topic"
  alias          = "${local.name}-compute"
  for_log_groups = true
  statements = [
    {
      Sid       = "AlarmsAndEventsPublishToTheEncryptedTopic"
      Effect    = "Allow"
      Principal = { Service = ["cloudwatch.amazonaws.com", "events.amazonaws.com"] }
      Action    = ["kms:Decrypt", "kms:GenerateDataKey"]
      Resource  = "*"
      Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
    },
  ]
}

moved {
  from = aws_kms_key.compute
  to   = module.compute_key.aws_kms_key.this
}

moved {
  from = aws_kms_alias.compute
  to   = module.compute_key.aws_kms_alias.this[0]
}

# Named after the function, where Lambda writes; the function's role cannot create log groups,
# so no unencrypted group without retention appears in its place.
resource "aws_cloudwatch_log_group" "function" {
  name              = "/aws/lambda/${local.function_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = module.compute_key.arn
}

resource "aws_cloudwatch_log_group" "api_access" {
  name              = "/${var.project_name}/${var.environment}/api-access"
  retention_in_days = var.log_retention_days
  kms_key_id        = module.compute_key.arn
}

# --- Database access through RDS Proxy -------------------------------------------------------

resource "aws_iam_role" "proxy" {
  name_prefix          = "${local.name}-proxy-"
  description          = "RDS Proxy reads the database credentials it pools connections with"
  permissions_boundary = local.permissions_boundary
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "rds.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
    }]
  })
}

resource "aws_iam_role_policy" "proxy" {
  name = "database-secret"
  role = aws_iam_role.proxy.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = "secretsmanager:GetSecretValue"
        Resource = var.database_secret_arn
      },
      {
        Effect    = "Allow"
        Action    = "kms:Decrypt"
        Resource  = var.database_key_arn
        Condition = { StringEquals = { "kms:ViaService" = "secretsmanager.${local.region}.amazonaws.com" } }
      },
    ]
  })
}

resource "aws_db_proxy" "this" {
  name                   = local.name
  engine_family          = "POSTGRESQL"
  role_arn               = aws_iam_role.proxy.arn
  require_tls            = true
  idle_client_timeout    = 1800
  debug_logging          = false
  vpc_subnet_ids         = var.data_subnet_ids
  vpc_security_group_ids = [var.database_security_group_id]

  # Clients authenticate with IAM tokens only; the proxy itself logs in with the secret.
  auth {
    auth_scheme = "SECRETS"
    secret_arn  = var.database_secret_arn
    iam_auth    = "REQUIRED"
  }
}

resource "aws_db_proxy_default_target_group" "this" {
  db_proxy_name = aws_db_proxy.this.name

  connection_pool_config {
    max_connections_percent      = 90
    max_idle_connections_percent = 10
    connection_borrow_timeout    = 10
  }
}

resource "aws_db_proxy_target" "this" {
  db_proxy_name          = aws_db_proxy.this.name
  target_group_name      = aws_db_proxy_default_target_group.this.name
  db_instance_identifier = var.database_instance_id
}

# --- Function --------------------------------------------------------------------------------

resource "aws_iam_role" "function" {
  name_prefix          = "${local.name}-api-"
  description          = "What the API function reads and connects to at run time"
  permissions_boundary = local.permissions_boundary
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
    }]
  })
}

resource "aws_iam_role_policy" "function" {
  name = "service"
  role = aws_iam_role.function.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          Sid      = "FunctionLogs"
          Effect   = "Allow"
          Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
          Resource = "${aws_cloudwatch_log_group.function.arn}:*"
        },
        {
          # EC2 offers no resource-level permissions for these: "*" only.
          Sid      = "VpcNetworkInterfaces"
          Effect   = "Allow"
          Action   = ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"]
          Resource = "*"
        },
        {
          Sid       = "DecryptItsEnvironment"
          Effect    = "Allow"
          Action    = "kms:Decrypt"
          Resource  = module.compute_key.arn
          Condition = { StringEquals = { "kms:EncryptionContext:LambdaFunctionName" = local.function_name } }
        },
        {
          Sid      = "ConnectThroughTheProxyWithIam"
          Effect   = "Allow"
          Action   = "rds-db:connect"
          Resource = "arn:${local.partition}:rds-db:${local.region}:${local.account_id}:dbuser:${element(split(":", aws_db_proxy.this.arn), 6)}/${var.database_username}"
        },
      ],
      [for statement in [
        {
          Sid      = "ReadItsSecrets"
          Effect   = "Allow"
          Action   = "secretsmanager:GetSecretValue"
          Resource = var.readable_secret_arns
        },
      ] : statement if length(var.readable_secret_arns) > 0],
      [for statement in [
        {
          Sid       = "DecryptItsSecrets"
          Effect    = "Allow"
          Action    = "kms:Decrypt"
          Resource  = var.readable_secret_key_arns
          Condition = { StringEquals = { "kms:ViaService" = "secretsmanager.${local.region}.amazonaws.com" } }
        },
      ] : statement if length(var.readable_secret_key_arns) > 0],
      [for statement in [
        {
          Sid      = "PiiDataKeys"
          Effect   = "Allow"
          Action   = ["kms:GenerateDataKey", "kms:Decrypt"]
          Resource = var.data_key_arns
        },
      ] : statement if length(var.data_key_arns) > 0],
    )
  })
}

resource "aws_iam_role_policy" "function_tracing" {
  count  = local.tracing_active ? 1 : 0
  name   = "xray"
  role   = aws_iam_role.function.id
  policy = local.xray_policy_document
}

resource "aws_lambda_function" "api" {
  # checkov:skip=CKV_AWS_116:API Gateway invokes this function synchronously (RequestResponse): a failure is returned to the caller as a 5xx. Dead-letter queues apply only to asynchronous invocations, so nothing could ever reach one.
  # checkov:skip=CKV_AWS_272:Code signing needs a signing profile and signed uploads in the delivery pipeline; the package is built from this repository by the same pipeline that applies it.
  function_name                  = local.function_name
  description                    = "API (FastAPI through Mangum)"
  runtime                        = var.python_runtime
  handler                        = "${var.handler_module}.lambda_handler.handler"
  architectures                  = [var.architecture]
  memory_size                    = var.memory_size
  timeout                        = var.timeout_seconds
  s3_bucket                      = var.code_bucket
  s3_key                         = var.code_key
  role                           = aws_iam_role.function.arn
  kms_key_arn                    = module.compute_key.arn
  reserved_concurrent_executions = var.reserved_concurrency == null ? -1 : var.reserved_concurrency

  tracing_config {
    mode = var.tracing_mode
  }

  vpc_config {
    subnet_ids         = var.app_subnet_ids
    security_group_ids = [var.app_security_group_id]
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.function.name
  }

  # Names and non-secret values only: the service reads every secret itself by its id.
  environment {
    # DATABASE_HOST is this module's proxy, so it is added here rather than by the caller.
    variables = merge(var.app_environment, { DATABASE_HOST = aws_db_proxy.this.endpoint })
  }

  depends_on = [aws_iam_role_policy.function]
}

# --- Gateway authorizer (the service verifies every token again) -----------------------------

resource "aws_cloudwatch_log_group" "authorizer" {
  count             = local.lambda_authorizer ? 1 : 0
  name              = "/aws/lambda/${local.authorizer_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = module.compute_key.arn
}

resource "aws_iam_role" "authorizer" {
  count                = local.lambda_authorizer ? 1 : 0
  name_prefix          = "${local.name}-authorizer-"
  description          = "The gateway's token authorizer"
  permissions_boundary = local.permissions_boundary
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
    }]
  })
}

resource "aws_iam_role_policy" "authorizer" {
  count = local.lambda_authorizer ? 1 : 0
  name  = "authorizer"
  role  = aws_iam_role.authorizer[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          Sid      = "AuthorizerLogs"
          Effect   = "Allow"
          Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
          Resource = "${aws_cloudwatch_log_group.authorizer[0].arn}:*"
        },
        {
          Sid       = "DecryptItsEnvironment"
          Effect    = "Allow"
          Action    = "kms:Decrypt"
          Resource  = module.compute_key.arn
          Condition = { StringEquals = { "kms:EncryptionContext:LambdaFunctionName" = local.authorizer_name } }
        },
      ],
      [for statement in [
        {
          Sid      = "ReadThePublicKeys"
          Effect   = "Allow"
          Action   = "secretsmanager:GetSecretValue"
          Resource = var.authorizer_secret_arns
        },
        {
          Sid       = "DecryptThePublicKeys"
          Effect    = "Allow"
          Action    = "kms:Decrypt"
          Resource  = var.authorizer_secret_key_arns
          Condition = { StringEquals = { "kms:ViaService" = "secretsmanager.${local.region}.amazonaws.com" } }
        },
      ] : statement if length(var.authorizer_secret_arns) > 0],
    )
  })
}

resource "aws_iam_role_policy" "authorizer_tracing" {
  count  = local.lambda_authorizer && local.tracing_active ? 1 : 0
  name   = "xray"
  role   = aws_iam_role.authorizer[0].id
  policy = local.xray_policy_document
}

resource "aws_lambda_function" "authorizer" {
  # checkov:skip=CKV_AWS_116:API Gateway invokes authorizers synchronously and denies the request when one fails; dead-letter queues apply only to asynchronous invocations.
  # checkov:skip=CKV_AWS_115:Bounded by the API's throttling and by the authorizer result cache; reserving concurrency for it would take capacity from the account's unreserved pool that new accounts do not have.
  # checkov:skip=CKV_AWS_117:The authorizer reaches no VPC resource (no database): it only calls Secrets Manager or the issuer's HTTPS endpoints, which it reaches without a VPC.
  # checkov:skip=CKV_AWS_272:Code signing needs a signing profile and signed uploads in the delivery pipeline; the package is built from this repository by the same pipeline that applies it.
  count         = local.lambda_authorizer ? 1 : 0
  function_name = local.authorizer_name
  description   = "API Gateway token authorizer"
  runtime       = var.python_runtime
  handler       = "${var.handler_module}.authorizer.handler"
  architectures = [var.architecture]
  memory_size   = 512
  timeout       = 10
  s3_bucket     = var.code_bucket
  s3_key        = var.code_key
  role          = aws_iam_role.authorizer[0].arn
  kms_key_arn   = module.compute_key.arn

  tracing_config {
    mode = var.tracing_mode
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.authorizer[0].name
  }

  # The service's Settings (prod checks included), without the names it needs no permission for.
  environment {
    variables = merge(var.authorizer_environment, { DATABASE_HOST = aws_db_proxy.this.endpoint })
  }

  depends_on = [aws_iam_role_policy.authorizer]
}
