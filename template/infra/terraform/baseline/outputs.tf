output "findings_topic_arn" {
  description = "Where findings are sent."
  value       = local.findings_topic_arn
}

output "audit_bucket_name" {
  description = "Bucket of the trail and Config files (null when both are managed elsewhere)."
  value       = local.create_audit_bucket ? aws_s3_bucket.audit[0].id : null
}

output "config_role_arn" {
  description = "Role AWS Config delivers with (null when Config is managed elsewhere)."
  value       = one(aws_iam_role.config[*].arn)
}
