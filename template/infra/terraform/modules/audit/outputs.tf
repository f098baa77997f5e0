output "log_group_name" {
  description = "The audit log group."
  value       = aws_cloudwatch_log_group.audit.name
}
