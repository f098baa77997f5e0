# The environment's permissions boundary. The deploy role writes the policies of the roles the service's
# module creates; every one of those roles, and the deploy role itself, carries this boundary, so none of
# them can act beyond it whatever its own policies say: no role without the boundary, no policy on a role
# without it, no change to the boundary, no user or access key, no change to the deploy identity, and the
# account's trail, detector, recorder and Security Hub stay on (only an administrator removes them).
# The modules build its ARN from this name (<project>-<environment>-permissions-boundary).

locals {
  boundary_name   = "${local.name}-permissions-boundary"
  boundary_arn    = "arn:${local.partition}:iam::${local.account_id}:policy/${local.boundary_name}"
  deploy_role_arn = "arn:${local.partition}:iam::${local.account_id}:role/${local.name}-github-deploy"
  without_the_boundary = {
    StringNotEquals = { "iam:PermissionsBoundary" = local.boundary_arn }
  }
}

resource "aws_iam_policy" "permissions_boundary" {
  name        = local.boundary_name
  description = "Caps every role ${local.name} deploys, and its deploy role"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "WhatTheRolesOwnPoliciesGrant"
        Effect   = "Allow"
        Action   = "*"
        Resource = "*"
      },
      {
        Sid       = "RolesOnlyWithThisBoundary"
        Effect    = "Deny"
        Action    = ["iam:CreateRole", "iam:PutRolePermissionsBoundary"]
        Resource  = "*"
        Condition = local.without_the_boundary
      },
      {
        Sid       = "PoliciesOnlyOnRolesWithThisBoundary"
        Effect    = "Deny"
        Action    = ["iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePolicy", "iam:DeleteRolePolicy"]
        Resource  = "*"
        Condition = local.without_the_boundary
      },
      {
        Sid      = "TheBoundaryStays"
        Effect   = "Deny"
        Action   = "iam:DeleteRolePermissionsBoundary"
        Resource = "*"
      },
      {
        Sid      = "TheBoundaryPolicyStays"
        Effect   = "Deny"
        Action   = ["iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion"]
        Resource = local.boundary_arn
      },
      {
        Sid      = "NoLongLivedCredentials"
        Effect   = "Deny"
        Action   = ["iam:CreateUser", "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile"]
        Resource = "*"
      },
      {
        Sid      = "NeverTheDeployIdentity"
        Effect   = "Deny"
        Action   = "iam:*"
        Resource = local.deploy_role_arn
      },
      {
        Sid    = "TheAccountBaselineStays"
        Effect = "Deny"
        Action = [
          "cloudtrail:StopLogging",
          "cloudtrail:DeleteTrail",
          "guardduty:DeleteDetector",
          "config:StopConfigurationRecorder",
          "config:DeleteConfigurationRecorder",
          "config:DeleteDeliveryChannel",
          "securityhub:DisableSecurityHub",
        ]
        Resource = "*"
      },
    ]
  })
}
