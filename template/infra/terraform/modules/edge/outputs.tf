output "web_acl_arn" {
  description = "The web ACL."
  value       = aws_wafv2_web_acl.this.arn
}

output "log_group_name" {
  description = "Log group of the WAF logs."
  value       = aws_cloudwatch_log_group.waf.name
}

output "associated_resource_arn" {
  description = "What the web ACL is associated with."
  value       = aws_wafv2_web_acl_association.this.resource_arn
}
