output "arn" {
  description = "ARN of the key."
  value       = aws_kms_key.this.arn
}

output "key_id" {
  description = "Id of the key."
  value       = aws_kms_key.this.key_id
}

output "policy" {
  description = "The key policy (JSON)."
  value       = aws_kms_key.this.policy
}

output "rotation_enabled" {
  description = "Whether KMS rotates the key material yearly."
  value       = aws_kms_key.this.enable_key_rotation
}
