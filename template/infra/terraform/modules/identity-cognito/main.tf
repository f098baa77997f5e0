# A Cognito user pool (password policy, MFA, deletion protection in prod), a public app client
# without secret, a machine client with the client-credentials grant and its resource server
# scopes, role groups, and a tenant attribute no app client can write, copied into access tokens
# by a pre-token-generation trigger when the service uses a tenant claim.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  name                  = "${var.project_name}-${var.environment}"
  is_prod               = var.environment == "prod"
  has_tenant_claim      = var.tenant_claim != ""
  has_threat_protection = var.threat_protection != "OFF"
  has_callback_urls     = length(var.callback_urls) > 0
  account_id            = data.aws_caller_identity.current.account_id
  partition             = data.aws_partition.current.partition
  region                = data.aws_region.current.name
  function_name         = "${local.name}-tenant-claim"

  # The environment's permissions boundary (the deploy identity creates it): every role here carries it.
  permissions_boundary = "arn:${local.partition}:iam::${local.account_id}:policy/${local.name}-permissions-boundary"
}

resource "aws_cognito_user_pool" "this" {
  name = local.name
  # Essentials is the smallest plan with access-token customisation (the tenant trigger); threat
  # protection needs the paid Plus plan, so it is off unless threat_protection says otherwise.
  user_pool_tier           = local.has_threat_protection ? "PLUS" : "ESSENTIALS"
  deletion_protection      = local.is_prod ? "ACTIVE" : "INACTIVE"
  username_attributes      = ["email"]
  auto_verified_attributes = ["email"]
  mfa_configuration        = local.is_prod ? "ON" : var.non_prod_mfa

  username_configuration {
    case_sensitive = false
  }

  user_attribute_update_settings {
    attributes_require_verification_before_update = ["email"]
  }

  admin_create_user_config {
    allow_admin_create_user_only = true
  }

  account_recovery_setting {
    recovery_mechanism {
      name     = "verified_email"
      priority = 1
    }
  }

  software_token_mfa_configuration {
    enabled = true
  }

  password_policy {
    minimum_length                   = 14
    require_lowercase                = true
    require_uppercase                = true
    require_numbers                  = true
    require_symbols                  = true
    password_history_size            = 5
    temporary_password_validity_days = 3
  }

  schema {
    name                = "email"
    attribute_data_type = "String"
    required            = true
    mutable             = true
    string_attribute_constraints {
      min_length = 3
      max_length = 254
    }
  }

  # Set by administrators only (no app client may write it); 64 is the service's limit.
  schema {
    name                = "tenant"
    attribute_data_type = "String"
    mutable             = true
    string_attribute_constraints {
      min_length = 1
      max_length = 64
    }
  }

  dynamic "user_pool_add_ons" {
    for_each = local.has_threat_protection ? [var.threat_protection] : []
    content {
      advanced_security_mode = user_pool_add_ons.value
    }
  }

  dynamic "lambda_config" {
    for_each = local.has_tenant_claim ? [aws_lambda_function.tenant_claim[0].arn] : []
    content {
      pre_token_generation_config {
        lambda_arn     = lambda_config.value
        lambda_version = "V2_0"
      }
    }
  }
}

# The service's roles (cognito:groups); each grants the permissions the service maps to it.
resource "aws_cognito_user_group" "roles" {
  for_each = {
    admin   = "Every customer permission"
    support = "Read and write customers"
    viewer  = "Read customers"
  }
  user_pool_id = aws_cognito_user_pool.this.id
  name         = each.key
  description  = each.value
}

resource "aws_cognito_user_pool_domain" "this" {
  user_pool_id = aws_cognito_user_pool.this.id
  domain       = var.domain_prefix != "" ? var.domain_prefix : "${local.name}-${local.account_id}"
}

resource "aws_cognito_resource_server" "this" {
  user_pool_id = aws_cognito_user_pool.this.id
  identifier   = var.project_name
  name         = "${var.project_name} API"

  scope {
    scope_name        = "customers:read"
    scope_description = "Read customers"
  }
  scope {
    scope_name        = "customers:write"
    scope_description = "Create and change customers"
  }
  scope {
    scope_name        = "customers:delete"
    scope_description = "Delete customers"
  }
}

# Browsers and mobile apps: no secret (it could not stay secret), SRP or code flow with PKCE.
resource "aws_cognito_user_pool_client" "public" {
  user_pool_id                  = aws_cognito_user_pool.this.id
  name                          = "${local.name}-public"
  generate_secret               = false
  explicit_auth_flows           = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
  prevent_user_existence_errors = "ENABLED"
  enable_token_revocation       = true
  auth_session_validity         = 3
  access_token_validity         = var.access_token_minutes
  id_token_validity             = var.access_token_minutes
  refresh_token_validity        = var.refresh_token_days
  read_attributes               = ["email", "email_verified", "custom:tenant"]
  write_attributes              = ["email"]
  supported_identity_providers  = ["COGNITO"]

  allowed_oauth_flows_user_pool_client = local.has_callback_urls
  allowed_oauth_flows                  = local.has_callback_urls ? ["code"] : null
  allowed_oauth_scopes                 = local.has_callback_urls ? ["openid", "email"] : null
  callback_urls                        = local.has_callback_urls ? var.callback_urls : null

  token_validity_units {
    access_token  = "minutes"
    id_token      = "minutes"
    refresh_token = "days"
  }
}

# Services: client credentials only, scopes of the resource server, no user sign-in flow.
resource "aws_cognito_user_pool_client" "machine" {
  user_pool_id                         = aws_cognito_user_pool.this.id
  name                                 = "${local.name}-machine"
  generate_secret                      = true
  explicit_auth_flows                  = ["ALLOW_REFRESH_TOKEN_AUTH"]
  prevent_user_existence_errors        = "ENABLED"
  enable_token_revocation              = true
  access_token_validity                = 60
  read_attributes                      = ["email"]
  write_attributes                     = ["email"]
  supported_identity_providers         = ["COGNITO"]
  allowed_oauth_flows_user_pool_client = true
  allowed_oauth_flows                  = ["client_credentials"]
  allowed_oauth_scopes = [
    "${aws_cognito_resource_server.this.identifier}/customers:read",
    "${aws_cognito_resource_server.this.identifier}/customers:write",
  ]

  token_validity_units {
    access_token = "minutes"
  }
}

# --- Tenant claim trigger (only with a tenant claim) -------------------------------------------

module "trigger_key" {
  source = "../customer-key"
  count  = local.has_tenant_claim ? 1 : 0

  description    = "${local.name} tenant claim trigger logs and environment"
  for_log_groups = true
}

moved {
  from = aws_kms_key.trigger[0]
  to   = module.trigger_key[0].aws_kms_key.this
}

resource "aws_cloudwatch_log_group" "tenant_claim" {
  count             = local.has_tenant_claim ? 1 : 0
  name              = "/aws/lambda/${local.function_name}"
  kms_key_id        = module.trigger_key[0].arn
  retention_in_days = var.log_retention_days
}

resource "aws_iam_role" "tenant_claim" {
  count                = local.has_tenant_claim ? 1 : 0
  name_prefix          = "${local.name}-tenant-claim-"
  description          = "Pre-token-generation trigger (writes its own log only)"
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

resource "aws_iam_role_policy" "tenant_claim" {
  count = local.has_tenant_claim ? 1 : 0
  name  = "write-own-log"
  role  = aws_iam_role.tenant_claim[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = ["${aws_cloudwatch_log_group.tenant_claim[0].arn}:*"]
      },
      {
        Effect    = "Allow"
        Action    = "kms:Decrypt"
        Resource  = module.trigger_key[0].arn
        Condition = { StringEquals = { "kms:EncryptionContext:LambdaFunctionName" = local.function_name } }
      },
    ]
  })
}

resource "aws_lambda_function" "tenant_claim" {
  # checkov:skip=CKV_AWS_115:Runs on every sign-in and token refresh: a reserved limit would turn a burst of sign-ins into failures, and new accounts cannot reserve below their unreserved minimum.
  # checkov:skip=CKV_AWS_116:Invoked synchronously by Cognito (the token waits for it); a dead-letter queue only receives failed asynchronous invocations.
  # checkov:skip=CKV_AWS_117:Touches no network resource (it only transforms the event); outside a VPC it has no network path into the VPC, which is the safer side.
  # checkov:skip=CKV_AWS_272:Code signing needs a signing profile and signed uploads in the delivery pipeline; the package is built from this repository by the same pipeline that applies it.
  count            = local.has_tenant_claim ? 1 : 0
  function_name    = local.function_name
  description      = "Copies the user's custom:tenant attribute into access tokens (pre token generation V2)"
  runtime          = var.python_runtime
  architectures    = ["arm64"]
  handler          = "index.handler"
  memory_size      = 128
  timeout          = 5
  role             = aws_iam_role.tenant_claim[0].arn
  filename         = var.tenant_claim_package
  source_code_hash = fileexists(var.tenant_claim_package) ? filebase64sha256(var.tenant_claim_package) : null
  kms_key_arn      = module.trigger_key[0].arn

  environment {
    variables = { TENANT_CLAIM = var.tenant_claim }
  }

  tracing_config {
    mode = "Active"
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.tenant_claim[0].name
  }
}

resource "aws_iam_role_policy" "tenant_claim_tracing" {
  count = local.has_tenant_claim ? 1 : 0
  name  = "xray"
  role  = aws_iam_role.tenant_claim[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      # X-Ray offers no resource-level permissions for these: "*" only.
      Effect   = "Allow"
      Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
      Resource = "*"
    }]
  })
}

resource "aws_lambda_permission" "tenant_claim" {
  count          = local.has_tenant_claim ? 1 : 0
  function_name  = aws_lambda_function.tenant_claim[0].function_name
  action         = "lambda:InvokeFunction"
  principal      = "cognito-idp.amazonaws.com"
  source_account = local.account_id
  source_arn     = aws_cognito_user_pool.this.arn
}
