output "function_name" {
  description = "The API function."
  value       = aws_lambda_function.api.function_name
}

output "app_log_group_name" {
  description = "Log group of the API function."
  value       = aws_cloudwatch_log_group.function.name
}

output "database_proxy_endpoint" {
  description = "Endpoint of the RDS Proxy (DATABASE_HOST)."
  value       = aws_db_proxy.this.endpoint
}

output "alarm_topic_arn" {
  description = "SNS topic of the alarms."
  value       = aws_sns_topic.alarms.arn
}

output "app_environments" {
  description = "What each function running the service starts with (the infrastructure-app contract test reads this); Lambda adds AWS_REGION itself."
  value = merge(
    { api = { environment = aws_lambda_function.api.environment[0].variables, secrets = [] } },
    { for function in aws_lambda_function.authorizer : "authorizer" => { environment = function.environment[0].variables, secrets = [] } },
  )
}
