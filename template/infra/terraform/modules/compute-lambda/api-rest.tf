# REST API: WAF attaches to REST API stages (it cannot attach to HTTP APIs). The routes are an
# OpenAPI document: every path needs a token except the public routes and CORS preflights.

locals {
  rest_integration = {
    type                = "aws_proxy"
    httpMethod          = "POST"
    uri                 = local.integration_uri
    timeoutInMillis     = 29000
    passthroughBehavior = "when_no_match"
  }
  rest_security = var.authorizer_type == "cognito" ? [{ cognito = var.authorization_scopes }] : [{ token = [] }]
  rest_security_schemes = jsondecode(var.authorizer_type == "cognito" ? jsonencode({
    cognito = {
      type                           = "apiKey"
      name                           = "Authorization"
      in                             = "header"
      x-amazon-apigateway-authtype   = "cognito_user_pools"
      x-amazon-apigateway-authorizer = { type = "cognito_user_pools", providerARNs = [var.user_pool_arn] }
    }
    }) : jsonencode({
    token = {
      type                         = "apiKey"
      name                         = "Authorization"
      in                           = "header"
      x-amazon-apigateway-authtype = "custom"
      x-amazon-apigateway-authorizer = {
        type                         = "token"
        authorizerUri                = "arn:${local.partition}:apigateway:${local.region}:lambda:path/2015-03-31/functions/${one(aws_lambda_function.authorizer[*].arn)}/invocations"
        identityValidationExpression = "^[Bb]earer [-0-9A-Za-z._~+/]+=*$"
        authorizerResultTtlInSeconds = 300
      }
    }
  }))
  public_paths = { for route in var.public_routes : split(" ", route)[1] => lower(split(" ", route)[0])... }
  openapi = {
    openapi = "3.0.1"
    info    = { title = local.name, version = "1" }
    paths = merge(
      {
        "/{proxy+}" = {
          x-amazon-apigateway-any-method = {
            parameters                      = [{ name = "proxy", in = "path", required = true, schema = { type = "string" } }]
            security                        = local.rest_security
            x-amazon-apigateway-integration = local.rest_integration
          }
          # Browsers send CORS preflights without a token: the service answers them from its allow-list.
          options = {
            parameters                      = [{ name = "proxy", in = "path", required = true, schema = { type = "string" } }]
            x-amazon-apigateway-integration = local.rest_integration
          }
        }
      },
      { for path, methods in local.public_paths : path => { for method in methods : method => { x-amazon-apigateway-integration = local.rest_integration } } },
    )
    components = { securitySchemes = local.rest_security_schemes }
  }
}

resource "aws_api_gateway_rest_api" "this" {
  name                         = local.name
  description                  = "${var.project_name} API"
  body                         = jsonencode(local.openapi)
  disable_execute_api_endpoint = local.has_custom_domain
  minimum_compression_size     = 1024

  endpoint_configuration {
    types = ["REGIONAL"]
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_api_gateway_deployment" "this" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  description = "Routes of this configuration"
  triggers    = { openapi = sha256(aws_api_gateway_rest_api.this.body) }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_api_gateway_stage" "this" {
  # checkov:skip=CKV_AWS_120:Responses are per caller and carry personal data; a stage cache would serve them across callers.
  # checkov:skip=CKV2_AWS_51:Callers authenticate with access tokens checked by the gateway and again by the service; client certificates are for mutual TLS, which the public clients of this API cannot hold.
  # checkov:skip=CKV2_AWS_29:The WAF web ACL is associated by the edge module (waf answer), which receives this stage's ARN; checkov does not follow module inputs.
  rest_api_id          = aws_api_gateway_rest_api.this.id
  deployment_id        = aws_api_gateway_deployment.this.id
  stage_name           = var.environment
  xray_tracing_enabled = local.tracing_active

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.api_access.arn
    format = jsonencode({
      requestId        = "$context.requestId", ip = "$context.identity.sourceIp", time = "$context.requestTime",
      method           = "$context.httpMethod", resource = "$context.resourcePath", status = "$context.status",
      length           = "$context.responseLength", latencyMs = "$context.responseLatency",
      authorizerError  = "$context.authorizer.error", wafStatus = "$context.waf.status",
      integrationError = "$context.integration.error"
    })
  }
}

resource "aws_api_gateway_method_settings" "all" {
  # checkov:skip=CKV_AWS_225:Responses are per caller and carry personal data; a stage cache would serve them across callers.
  rest_api_id = aws_api_gateway_rest_api.this.id
  stage_name  = aws_api_gateway_stage.this.stage_name
  method_path = "*/*"

  settings {
    throttling_rate_limit  = var.throttling_rate_limit
    throttling_burst_limit = var.throttling_burst_limit
    metrics_enabled        = true
    data_trace_enabled     = false
    logging_level          = "ERROR"
  }
}

resource "aws_lambda_permission" "api" {
  function_name  = aws_lambda_function.api.function_name
  action         = "lambda:InvokeFunction"
  principal      = "apigateway.amazonaws.com"
  source_account = local.account_id
  source_arn     = "${aws_api_gateway_rest_api.this.execution_arn}/*"
}

resource "aws_lambda_permission" "authorizer" {
  count          = local.lambda_authorizer ? 1 : 0
  function_name  = aws_lambda_function.authorizer[0].function_name
  action         = "lambda:InvokeFunction"
  principal      = "apigateway.amazonaws.com"
  source_account = local.account_id
  source_arn     = "${aws_api_gateway_rest_api.this.execution_arn}/authorizers/*"
}

resource "aws_api_gateway_domain_name" "this" {
  count                    = local.has_custom_domain ? 1 : 0
  domain_name              = var.domain_name
  regional_certificate_arn = var.domain_certificate_arn
  security_policy          = "TLS_1_2"

  endpoint_configuration {
    types = ["REGIONAL"]
  }
}

resource "aws_api_gateway_base_path_mapping" "this" {
  count       = local.has_custom_domain ? 1 : 0
  domain_name = aws_api_gateway_domain_name.this[0].domain_name
  api_id      = aws_api_gateway_rest_api.this.id
  stage_name  = aws_api_gateway_stage.this.stage_name
}

locals {
  api_dimensions = { ApiName = local.name, Stage = aws_api_gateway_stage.this.stage_name }
  error_metric   = "5XXError"
}

output "api_url" {
  description = "Base URL of the API."
  value       = local.has_custom_domain ? "https://${var.domain_name}" : aws_api_gateway_stage.this.invoke_url
}

output "protected_resource_arn" {
  description = "The REST API stage the edge module's web ACL is associated with."
  value       = aws_api_gateway_stage.this.arn
}

output "custom_domain_target" {
  description = "Point domain_name (CNAME or alias) here (null without a custom domain)."
  value       = local.has_custom_domain ? aws_api_gateway_domain_name.this[0].regional_domain_name : null
}
