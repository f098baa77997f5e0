# HTTP API with a JWT authorizer (cognito, oidc) or the package's Lambda authorizer (self-issued).

resource "aws_apigatewayv2_api" "this" {
  name                         = local.name
  description                  = "${var.project_name} API"
  protocol_type                = "HTTP"
  disable_execute_api_endpoint = local.has_custom_domain
}

resource "aws_apigatewayv2_integration" "function" {
  api_id                 = aws_apigatewayv2_api.this.id
  integration_type       = "AWS_PROXY"
  integration_uri        = aws_lambda_function.api.arn
  payload_format_version = "2.0"
  timeout_milliseconds   = 29000
}

resource "aws_apigatewayv2_authorizer" "this" {
  api_id                            = aws_apigatewayv2_api.this.id
  name                              = local.lambda_authorizer ? "token" : "jwt"
  authorizer_type                   = local.lambda_authorizer ? "REQUEST" : "JWT"
  identity_sources                  = ["$request.header.Authorization"]
  authorizer_uri                    = local.lambda_authorizer ? "arn:${local.partition}:apigateway:${local.region}:lambda:path/2015-03-31/functions/${one(aws_lambda_function.authorizer[*].arn)}/invocations" : null
  authorizer_payload_format_version = local.lambda_authorizer ? "2.0" : null
  enable_simple_responses           = local.lambda_authorizer ? true : null
  authorizer_result_ttl_in_seconds  = local.lambda_authorizer ? 300 : null

  dynamic "jwt_configuration" {
    for_each = local.lambda_authorizer ? [] : [var.jwt_issuer]
    content {
      issuer = jwt_configuration.value
      # Cognito access tokens carry no aud: API Gateway then matches client_id against this list.
      audience = var.jwt_audiences
    }
  }
}

resource "aws_apigatewayv2_route" "default" {
  api_id             = aws_apigatewayv2_api.this.id
  route_key          = "$default"
  authorization_type = local.lambda_authorizer ? "CUSTOM" : "JWT"
  authorizer_id      = aws_apigatewayv2_authorizer.this.id
  target             = "integrations/${aws_apigatewayv2_integration.function.id}"
}

# Browsers send CORS preflights without a token: they reach the service, which answers them from
# its CORS allow-list. The public routes (health, token endpoint) carry no access token either.
resource "aws_apigatewayv2_route" "public" {
  # checkov:skip=CKV_AWS_309:CORS preflights and the public routes (health checks, the token endpoint and its keys) carry no access token by definition; the service authenticates token-endpoint callers itself.
  for_each           = toset(concat(["OPTIONS /{proxy+}"], var.public_routes))
  api_id             = aws_apigatewayv2_api.this.id
  route_key          = each.value
  authorization_type = "NONE"
  target             = "integrations/${aws_apigatewayv2_integration.function.id}"
}

resource "aws_apigatewayv2_stage" "this" {
  api_id      = aws_apigatewayv2_api.this.id
  name        = "$default"
  auto_deploy = true

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.api_access.arn
    format = jsonencode({
      requestId       = "$context.requestId", ip = "$context.identity.sourceIp", time = "$context.requestTime",
      method          = "$context.httpMethod", route = "$context.routeKey", status = "$context.status",
      length          = "$context.responseLength", latencyMs = "$context.responseLatency",
      authorizerError = "$context.authorizer.error", integrationError = "$context.integrationErrorMessage"
    })
  }

  default_route_settings {
    throttling_rate_limit    = var.throttling_rate_limit
    throttling_burst_limit   = var.throttling_burst_limit
    detailed_metrics_enabled = true
  }
}

resource "aws_lambda_permission" "api" {
  function_name  = aws_lambda_function.api.function_name
  action         = "lambda:InvokeFunction"
  principal      = "apigateway.amazonaws.com"
  source_account = local.account_id
  source_arn     = "${aws_apigatewayv2_api.this.execution_arn}/*"
}

resource "aws_lambda_permission" "authorizer" {
  count          = local.lambda_authorizer ? 1 : 0
  function_name  = aws_lambda_function.authorizer[0].function_name
  action         = "lambda:InvokeFunction"
  principal      = "apigateway.amazonaws.com"
  source_account = local.account_id
  source_arn     = "${aws_apigatewayv2_api.this.execution_arn}/authorizers/${aws_apigatewayv2_authorizer.this.id}"
}

resource "aws_apigatewayv2_domain_name" "this" {
  count       = local.has_custom_domain ? 1 : 0
  domain_name = var.domain_name

  domain_name_configuration {
    certificate_arn = var.domain_certificate_arn
    endpoint_type   = "REGIONAL"
    security_policy = "TLS_1_2"
  }
}

resource "aws_apigatewayv2_api_mapping" "this" {
  count       = local.has_custom_domain ? 1 : 0
  api_id      = aws_apigatewayv2_api.this.id
  domain_name = aws_apigatewayv2_domain_name.this[0].id
  stage       = aws_apigatewayv2_stage.this.id
}

locals {
  api_dimensions = { ApiId = aws_apigatewayv2_api.this.id, Stage = "$default" }
  error_metric   = "5xx"
}

output "api_url" {
  description = "Base URL of the API."
  value       = local.has_custom_domain ? "https://${var.domain_name}" : aws_apigatewayv2_api.this.api_endpoint
}

output "custom_domain_target" {
  description = "Point domain_name (CNAME or alias) here (null without a custom domain)."
  value       = local.has_custom_domain ? aws_apigatewayv2_domain_name.this[0].domain_name_configuration[0].target_domain_name : null
}
