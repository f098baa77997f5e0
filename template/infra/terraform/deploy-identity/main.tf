# The deploy identity of one environment, applied once per account by an administrator (a pipeline cannot
# create the role it assumes): the GitHub OIDC provider (only when the account has none) and the role
# GitHub Actions assumes from this environment of the repository, and only from there.
#
# Terraform calls the AWS APIs with the deploy role itself (there is no CloudFormation execution role to
# hand the work to), so this role holds what `terraform apply` of the service needs. That is the broad
# part: whole services (Terraform creates, reads on every plan, updates and deletes their resources, whose
# names and ids AWS assigns), limited to the services the service's module uses and to its region. IAM is
# limited to this environment's role names (the modules name every role "<project>-<environment>-..."),
# each of which must carry the environment's permissions boundary (boundary.tf), as the deploy role does:
# what a role it creates may do is capped by that boundary (docs/deploy-identity.md). The service's s3:*
# never covers the state bucket (NotResource), whose objects are reachable only under this environment's
# key prefix, and the bucket's own settings are denied; the boundary denies the roles it creates the
# bucket's settings and the project's other environments' state.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  name              = "${var.project_name}-${var.environment}"
  account_id        = data.aws_caller_identity.current.account_id
  partition         = data.aws_partition.current.partition
  github            = "token.actions.githubusercontent.com"
  oidc_provider_arn = var.existing_oidc_provider_arn == "" ? aws_iam_openid_connect_provider.github[0].arn : var.existing_oidc_provider_arn
  roles             = "arn:${local.partition}:iam::${local.account_id}:role/${local.name}-"
  state_prefix      = "${var.project_name}/${var.environment}/"

  trust_policy = {
    Version = "2012-10-17"
    Statement = [{
      Sid       = "GitHubEnvironmentOfThisRepository"
      Effect    = "Allow"
      Principal = { Federated = local.oidc_provider_arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "${local.github}:aud" = "sts.amazonaws.com"
          "${local.github}:sub" = "repo:${var.github_repository}:environment:${var.environment}"
        }
      }
    }]
  }
}

# AWS trusts GitHub's token signing through its own root CA library, so no thumbprint is pinned.
resource "aws_iam_openid_connect_provider" "github" {
  count = var.existing_oidc_provider_arn == "" ? 1 : 0

  url            = "https://${local.github}"
  client_id_list = ["sts.amazonaws.com"]

  # The account's other environments may trust it too.
  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_iam_role" "deploy" {
  name                 = "${local.name}-github-deploy"
  description          = "GitHub Actions of ${var.github_repository} (environment ${var.environment}) deploy ${local.name}"
  max_session_duration = 3600
  assume_role_policy   = jsonencode(local.trust_policy)
  permissions_boundary = local.boundary_arn

  depends_on = [aws_iam_policy.permissions_boundary]
}

resource "aws_iam_role_policy" "state" {
  name = "terraform-state"
  role = aws_iam_role.deploy.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "ListThisEnvironmentsState"
        Effect   = "Allow"
        Action   = "s3:ListBucket"
        Resource = "arn:${local.partition}:s3:::${var.state_bucket}"
        Condition = {
          StringLike = { "s3:prefix" = ["${local.state_prefix}*"] }
        }
      },
      {
        # The state files and their S3-native lock files (use_lockfile).
        Sid      = "ThisEnvironmentsStateAndLocks"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
        Resource = "arn:${local.partition}:s3:::${var.state_bucket}/${local.state_prefix}*"
      },
      {
        # The bucket itself (its policy, encryption, versioning, deletion) is the administrator's.
        Sid       = "NeverTheStateBucketsSettings"
        Effect    = "Deny"
        NotAction = "s3:ListBucket"
        Resource  = "arn:${local.partition}:s3:::${var.state_bucket}"
      },
      {
        Sid      = "StateEncryptionThroughS3"
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
        Resource = var.state_kms_key_arn
        Condition = {
          StringEquals = { "kms:ViaService" = "s3.${var.aws_region}.amazonaws.com" }
        }
      },
    ]
  })
}

resource "aws_iam_role_policy" "resources" {
  name = "service-resources"
  role = aws_iam_role.deploy.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          Sid       = "ServicesTheModuleUses"
          Effect    = "Allow"
          Action    = [for service in local.services : "${service}:*" if service != "s3"]
          Resource  = "*"
          Condition = { StringEquals = { "aws:RequestedRegion" = var.aws_region } }
        },
      ],
      [for service in local.services : {
        # Every bucket but the state's: another environment's state stays out of reach.
        Sid         = "BucketsOtherThanTheState"
        Effect      = "Allow"
        Action      = "s3:*"
        NotResource = ["arn:${local.partition}:s3:::${var.state_bucket}", "arn:${local.partition}:s3:::${var.state_bucket}/*"]
      } if service == "s3"],
      [
        {
          # Only roles that carry the boundary (the boundary itself denies the rest too).
          Sid    = "TheModulesRolesWithTheBoundary"
          Effect = "Allow"
          Action = [
            "iam:AttachRolePolicy",
            "iam:CreateRole",
            "iam:DeleteRolePolicy",
            "iam:DetachRolePolicy",
            "iam:PutRolePermissionsBoundary",
            "iam:PutRolePolicy",
          ]
          Resource  = "${local.roles}*"
          Condition = { StringEquals = { "iam:PermissionsBoundary" = local.boundary_arn } }
        },
        {
          Sid    = "TheModulesRoles"
          Effect = "Allow"
          Action = [
            "iam:DeleteRole",
            "iam:GetRole",
            "iam:GetRolePolicy",
            "iam:ListAttachedRolePolicies",
            "iam:ListInstanceProfilesForRole",
            "iam:ListRolePolicies",
            "iam:ListRoleTags",
            "iam:PassRole",
            "iam:TagRole",
            "iam:UntagRole",
            "iam:UpdateAssumeRolePolicy",
            "iam:UpdateRole",
            "iam:UpdateRoleDescription",
          ]
          Resource = "${local.roles}*"
        },
        {
          Sid      = "ServiceLinkedRolesOfTheServicesUsed"
          Effect   = "Allow"
          Action   = "iam:CreateServiceLinkedRole"
          Resource = "arn:${local.partition}:iam::${local.account_id}:role/aws-service-role/*"
        },
        {
          Sid      = "NeverTheDeployIdentity"
          Effect   = "Deny"
          Action   = "iam:*"
          Resource = aws_iam_role.deploy.arn
        },
      ],
      local.package_statements,
    )
  })
}
