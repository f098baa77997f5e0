# Fargate: the deploy pushes the service's image to this environment's repository.
locals {
  package_statements = [
    {
      # The registry login token is account-wide by AWS's design: it has no resource.
      Sid      = "RegistryLogin"
      Effect   = "Allow"
      Action   = "ecr:GetAuthorizationToken"
      Resource = "*"
    },
    {
      Sid    = "PushTheServiceImage"
      Effect = "Allow"
      Action = [
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:CompleteLayerUpload",
        "ecr:DescribeImages",
        "ecr:InitiateLayerUpload",
        "ecr:PutImage",
        "ecr:UploadLayerPart",
      ]
      Resource = "arn:${local.partition}:ecr:${var.aws_region}:${local.account_id}:repository/${local.name}"
    },
  ]
}
