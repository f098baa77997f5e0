output "key_arn" {
  description = "KMS key of the PII data keys (PII_KMS_KEY_IDS version 1)."
  value       = aws_kms_key.pii.arn
}

output "blind_index_secret_arn" {
  description = "Blind-index key secret (PII_BLIND_INDEX_SECRET_ID), encrypted with key_arn."
  value       = aws_secretsmanager_secret.blind_index.arn
}
