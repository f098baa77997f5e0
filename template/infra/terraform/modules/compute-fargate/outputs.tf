output "load_balancer_arn" {
  description = "The load balancer."
  value       = aws_lb.this.arn
}

output "protected_resource_arn" {
  description = "What the edge module's web ACL is associated with (the load balancer)."
  value       = aws_lb.this.arn
}

output "load_balancer_dns_name" {
  description = "Point the certificate's domain name (CNAME or alias) here."
  value       = aws_lb.this.dns_name
}

output "alarm_topic_arn" {
  description = "SNS topic of the alarms."
  value       = aws_sns_topic.alarms.arn
}

output "app_log_group_name" {
  description = "Log group of the service."
  value       = aws_cloudwatch_log_group.app.name
}

output "cluster_name" {
  description = "ECS cluster."
  value       = aws_ecs_cluster.this.name
}

output "service_name" {
  description = "ECS service (null until image_tag is set)."
  value       = local.has_image ? aws_ecs_service.this[0].name : null
}

output "repository_uri" {
  description = "Push the image here."
  value       = aws_ecr_repository.this.repository_url
}

output "app_environments" {
  description = "What each container running the service starts with: its plain environment and the names ECS injects from Secrets Manager (the infrastructure-app contract test reads this)."
  value = {
    app = { environment = var.app_environment, secrets = keys(var.app_secrets) }
  }
}
