output "signing_key_secret_arn" {
  description = "Signing key ring (AUTH_SIGNING_SECRET_ID of the service), encrypted with key_arn."
  value       = aws_secretsmanager_secret.signing_keys.arn
}

output "public_jwks_secret_arn" {
  description = "Public JWKS of the signing keys (AUTH_PUBLIC_JWKS_SECRET_ID), encrypted with key_arn."
  value       = aws_secretsmanager_secret.public_jwks.arn
}

output "key_arn" {
  description = "KMS key of both secrets (readers need kms:Decrypt through Secrets Manager)."
  value       = module.auth_secrets_key.arn
}
