# The environment's permissions boundary. The deploy role writes the policies of the roles the service's
# module creates; every one of those roles, and the deploy role itself, carries this boundary, so none of
# them can act beyond it whatever its own policies say: no role without the boundary, no policy on a role
# without it, no change to the boundary, no user or long-lived credential, no IAM change outside this
# environment's own names (the modules name every role "<project>-<environment>-..."), no change to the
# deploy identity, neither the state bucket's settings nor the project's other environments' state, and
# the account's trail, detector, recorder and Security Hub stay on (only an administrator removes them).
# The modules build its ARN from this name (<project>-<environment>-permissions-boundary).

locals {
  boundary_name   = "${local.name}-permissions-boundary"
  boundary_arn    = "arn:${local.partition}:iam::${local.account_id}:policy/${local.boundary_name}"
  deploy_role_arn = "arn:${local.partition}:iam::${local.account_id}:role/${local.name}-github-deploy"
  without_the_boundary = {
    StringNotEquals = { "iam:PermissionsBoundary" = local.boundary_arn }
  }
  iam_arn      = "arn:${local.partition}:iam::${local.account_id}"
  state_bucket = "arn:${local.partition}:s3:::${var.state_bucket}"
  other_environments_state = [
    for environment in ["dev", "staging", "prod"] :
    "${local.state_bucket}/${var.project_name}/${environment}/*" if environment != var.environment
  ]
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
        Action   = ["iam:CreateUser", "iam:CreateAccessKey", "iam:UpdateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile", "iam:CreateServiceSpecificCredential", "iam:UploadSSHPublicKey"]
        Resource = "*"
      },
      {
        # IAM only on this environment's own names, the service-linked roles AWS names and AWS's managed
        # policies: never another role's trust or policies, passing a role without this boundary, another
        # policy's versions, users or groups.
        Sid    = "OnlyThisEnvironmentsIam"
        Effect = "Deny"
        Action = "iam:*"
        NotResource = [
          "${local.iam_arn}:role/${local.name}-*",
          "${local.iam_arn}:policy/${local.name}-*",
          "${local.iam_arn}:instance-profile/${local.name}-*",
          "${local.iam_arn}:role/aws-service-role/*",
          "arn:${local.partition}:iam::aws:policy/*",
        ]
      },
      {
        Sid      = "NeverTheDeployIdentity"
        Effect   = "Deny"
        Action   = "iam:*"
        Resource = local.deploy_role_arn
      },
      {
        # The state bucket's policy, encryption, versioning and deletion are the administrator's, whichever
        # role of this environment asks.
        Sid       = "NeverTheStateBucketsSettings"
        Effect    = "Deny"
        NotAction = "s3:ListBucket"
        Resource  = local.state_bucket
      },
      {
        Sid      = "NeverTheOtherEnvironmentsState"
        Effect   = "Deny"
        Action   = "s3:*"
        Resource = local.other_environments_state
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
