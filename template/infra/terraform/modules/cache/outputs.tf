output "url_secret_arn" {
  description = "Secret whose whole value is the app's RATE_LIMIT_STORAGE_URI (encrypted with key_arn)."
  value       = aws_secretsmanager_secret.url.arn
}

output "auth_token_secret_arn" {
  description = "Secret holding the cache AUTH token (JSON key \"token\")."
  value       = aws_secretsmanager_secret.auth_token.arn
}

output "key_arn" {
  description = "KMS key of the cache and its secrets (readers need kms:Decrypt through Secrets Manager)."
  value       = module.cache_key.arn
}
