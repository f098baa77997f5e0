output "user_pool_id" {
  description = "User pool id (COGNITO_USER_POOL_ID)."
  value       = aws_cognito_user_pool.this.id
}

output "user_pool_arn" {
  description = "User pool ARN (API Gateway authorizers)."
  value       = aws_cognito_user_pool.this.arn
}

output "issuer" {
  description = "Issuer of the pool's tokens (AUTH_ISSUER)."
  value       = "https://cognito-idp.${local.region}.amazonaws.com/${aws_cognito_user_pool.this.id}"
}

output "public_client_id" {
  description = "App client without secret (browsers, mobile apps)."
  value       = aws_cognito_user_pool_client.public.id
}

output "machine_client_id" {
  description = "Client-credentials client."
  value       = aws_cognito_user_pool_client.machine.id
}

output "token_endpoint" {
  description = "OAuth token endpoint of the pool's domain."
  value       = "https://${aws_cognito_user_pool_domain.this.domain}.auth.${local.region}.amazoncognito.com/oauth2/token"
}

output "resource_server_identifier" {
  description = "Prefix of the machine client's scopes (<identifier>/customers:read)."
  value       = aws_cognito_resource_server.this.identifier
}
