output "deploy_role_arn" {
  description = "The GitHub environment's AWS_DEPLOY_ROLE_ARN variable."
  value       = aws_iam_role.deploy.arn
}

output "oidc_provider_arn" {
  description = "The account's GitHub OIDC provider (existing_oidc_provider_arn of the account's other environments)."
  value       = local.oidc_provider_arn
}
