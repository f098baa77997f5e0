# The deploy identity at plan level: the trust is pinned to the repository's environment and GitHub's
# audience, and the OIDC provider is created only when the account has none.

mock_provider "aws" {
  override_during = plan

  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "123456789012"
    }
  }

  mock_data "aws_partition" {
    defaults = {
      partition = "aws"
    }
  }

  mock_resource "aws_iam_openid_connect_provider" {
    defaults = {
      arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    }
  }

  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::123456789012:role/deploy"
    }
  }
}

variables {
  environment       = "prod"
  github_repository = "acme-corp/example-service"
  state_bucket      = "123456789012-terraform-state"
  state_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"
  code_bucket       = "123456789012-example-artifacts"
}

run "creates_the_provider_and_pins_the_trust" {
  command = plan

  assert {
    condition     = length(aws_iam_openid_connect_provider.github) == 1 && aws_iam_openid_connect_provider.github[0].url == "https://token.actions.githubusercontent.com" && aws_iam_openid_connect_provider.github[0].client_id_list == toset(["sts.amazonaws.com"])
    error_message = "An account without a provider gets GitHub's, for the sts.amazonaws.com audience."
  }

  assert {
    condition     = aws_iam_role.deploy.name == "${var.project_name}-prod-github-deploy"
    error_message = "The role is <project>-<environment>-github-deploy."
  }

  assert {
    condition = jsondecode(aws_iam_role.deploy.assume_role_policy).Statement == [{
      Sid       = "GitHubEnvironmentOfThisRepository"
      Effect    = "Allow"
      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
          "token.actions.githubusercontent.com:sub" = "repo:acme-corp/example-service:environment:prod"
        }
      }
    }]
    error_message = "Only the repository's prod environment, with GitHub's audience, exactly (no wildcard), may assume the role."
  }
}

run "reuses_the_accounts_provider" {
  command = plan

  variables {
    environment                = "staging"
    existing_oidc_provider_arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
  }

  assert {
    condition     = length(aws_iam_openid_connect_provider.github) == 0
    error_message = "No second provider in an account that has one."
  }

  assert {
    condition     = jsondecode(aws_iam_role.deploy.assume_role_policy).Statement[0].Principal.Federated == var.existing_oidc_provider_arn && jsondecode(aws_iam_role.deploy.assume_role_policy).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"] == "repo:acme-corp/example-service:environment:staging"
    error_message = "The role trusts the existing provider, for the staging environment."
  }
}

run "reaches_only_this_environment" {
  command = plan

  assert {
    condition     = alltrue([for statement in jsondecode(aws_iam_role_policy.state.policy).Statement : can(regex("^arn:aws:(s3:::123456789012-terraform-state(/${var.project_name}/prod/\\*)?|kms:.*)$", statement.Resource))])
    error_message = "The state is reachable only under this environment's key prefix, with its key."
  }

  assert {
    condition     = contains([for statement in jsondecode(aws_iam_role_policy.resources.policy).Statement : statement if statement.Effect == "Deny"], { Sid = "NeverTheDeployIdentity", Effect = "Deny", Action = "iam:*", Resource = "arn:aws:iam::123456789012:role/deploy" })
    error_message = "The role may never change itself."
  }

  assert {
    condition     = one([for statement in jsondecode(aws_iam_role_policy.resources.policy).Statement : statement.Resource if statement.Sid == "TheModulesRoles"]) == "arn:aws:iam::123456789012:role/${var.project_name}-prod-*"
    error_message = "IAM only on this environment's role names."
  }
}

run "refuses_the_placeholder_repository" {
  command = plan

  variables {
    github_repository = "Example-Org/example-service"
  }

  expect_failures = [var.github_repository]
}

run "never_another_environments_state" {
  command = plan

  assert {
    condition = alltrue([
      for statement in jsondecode(aws_iam_role_policy.resources.policy).Statement :
      statement.Sid == "BucketsOtherThanTheState" ? statement.NotResource == ["arn:aws:s3:::123456789012-terraform-state", "arn:aws:s3:::123456789012-terraform-state/*"] : !contains(flatten([statement.Action]), "s3:*")
    ])
    error_message = "The service's s3:* never covers the state bucket: only this environment's prefix is reachable."
  }

  assert {
    condition     = contains(jsondecode(aws_iam_role_policy.state.policy).Statement, { Sid = "NeverTheStateBucketsSettings", Effect = "Deny", NotAction = "s3:ListBucket", Resource = "arn:aws:s3:::123456789012-terraform-state" })
    error_message = "The state bucket's own settings are denied."
  }
}

run "bounds_every_role_it_deploys" {
  command = plan

  assert {
    condition     = aws_iam_policy.permissions_boundary.name == "${var.project_name}-prod-permissions-boundary" && aws_iam_role.deploy.permissions_boundary == "arn:aws:iam::123456789012:policy/${var.project_name}-prod-permissions-boundary"
    error_message = "The deploy role carries the environment's boundary, <project>-<environment>-permissions-boundary."
  }

  assert {
    condition = alltrue([for statement in [
      {
        Sid       = "RolesOnlyWithThisBoundary"
        Effect    = "Deny"
        Action    = ["iam:CreateRole", "iam:PutRolePermissionsBoundary"]
        Resource  = "*"
        Condition = { StringNotEquals = { "iam:PermissionsBoundary" = "arn:aws:iam::123456789012:policy/${var.project_name}-prod-permissions-boundary" } }
      },
      {
        Sid       = "PoliciesOnlyOnRolesWithThisBoundary"
        Effect    = "Deny"
        Action    = ["iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePolicy", "iam:DeleteRolePolicy"]
        Resource  = "*"
        Condition = { StringNotEquals = { "iam:PermissionsBoundary" = "arn:aws:iam::123456789012:policy/${var.project_name}-prod-permissions-boundary" } }
      },
      { Sid = "TheBoundaryStays", Effect = "Deny", Action = "iam:DeleteRolePermissionsBoundary", Resource = "*" },
      {
        Sid      = "TheBoundaryPolicyStays"
        Effect   = "Deny"
        Action   = ["iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion"]
        Resource = "arn:aws:iam::123456789012:policy/${var.project_name}-prod-permissions-boundary"
      },
      {
        Sid      = "NoLongLivedCredentials"
        Effect   = "Deny"
        Action   = ["iam:CreateUser", "iam:CreateAccessKey", "iam:UpdateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile", "iam:CreateServiceSpecificCredential", "iam:UploadSSHPublicKey"]
        Resource = "*"
      },
      {
        Sid    = "OnlyThisEnvironmentsIam"
        Effect = "Deny"
        Action = "iam:*"
        NotResource = [
          "arn:aws:iam::123456789012:role/${var.project_name}-prod-*",
          "arn:aws:iam::123456789012:policy/${var.project_name}-prod-*",
          "arn:aws:iam::123456789012:instance-profile/${var.project_name}-prod-*",
          "arn:aws:iam::123456789012:role/aws-service-role/*",
          "arn:aws:iam::aws:policy/*",
        ]
      },
      { Sid = "NeverTheDeployIdentity", Effect = "Deny", Action = "iam:*", Resource = "arn:aws:iam::123456789012:role/${var.project_name}-prod-github-deploy" },
      {
        Sid      = "TheAccountBaselineStays"
        Effect   = "Deny"
        Action   = ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "guardduty:DeleteDetector", "config:StopConfigurationRecorder", "config:DeleteConfigurationRecorder", "config:DeleteDeliveryChannel", "securityhub:DisableSecurityHub"]
        Resource = "*"
      },
    ] : contains(jsondecode(aws_iam_policy.permissions_boundary.policy).Statement, statement)])
    error_message = "The boundary denies roles and role policies without it, changing it, users and long-lived credentials, IAM outside this environment's names, the deploy role, and switching off the account baseline."
  }

  assert {
    condition     = length([for statement in jsondecode(aws_iam_policy.permissions_boundary.policy).Statement : statement if lookup(statement, "NotAction", null) != null || lookup(statement, "NotResource", null) != null]) == 2
    error_message = "Only OnlyThisEnvironmentsIam (iam:* outside this environment's names) and the state bucket's settings use NotResource/NotAction: no other statement denies more or less than it names."
  }

  assert {
    condition     = one([for statement in jsondecode(aws_iam_role_policy.resources.policy).Statement : lookup(statement, "Condition", null) if statement.Sid == "TheModulesRolesWithTheBoundary"]) == { StringEquals = { "iam:PermissionsBoundary" = "arn:aws:iam::123456789012:policy/${var.project_name}-prod-permissions-boundary" } } && alltrue([for statement in jsondecode(aws_iam_role_policy.resources.policy).Statement : length(setintersection(flatten([lookup(statement, "Action", [])]), ["iam:CreateRole", "iam:PutRolePermissionsBoundary", "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePolicy", "iam:DeleteRolePolicy"])) == 0 if statement.Sid != "TheModulesRolesWithTheBoundary" && statement.Effect == "Allow"])
    error_message = "The deploy role creates roles and writes their policies only with the boundary on them."
  }
}

run "keeps_the_roles_it_deploys_off_the_state" {
  command = plan

  assert {
    condition = alltrue([for statement in [
      { Sid = "NeverTheStateBucketsSettings", Effect = "Deny", NotAction = "s3:ListBucket", Resource = "arn:aws:s3:::123456789012-terraform-state" },
      {
        Sid      = "NeverTheOtherEnvironmentsState"
        Effect   = "Deny"
        Action   = "s3:*"
        Resource = ["arn:aws:s3:::123456789012-terraform-state/${var.project_name}/dev/*", "arn:aws:s3:::123456789012-terraform-state/${var.project_name}/staging/*"]
      },
    ] : contains(jsondecode(aws_iam_policy.permissions_boundary.policy).Statement, statement)])
    error_message = "No role of prod, whatever its own policies grant, changes the state bucket's settings or reaches dev's or staging's state."
  }
}

run "keeps_the_roles_of_dev_off_the_other_environments_state" {
  command = plan

  variables {
    environment = "dev"
  }

  assert {
    condition     = one([for statement in jsondecode(aws_iam_policy.permissions_boundary.policy).Statement : statement.Resource if statement.Sid == "NeverTheOtherEnvironmentsState"]) == ["arn:aws:s3:::123456789012-terraform-state/${var.project_name}/staging/*", "arn:aws:s3:::123456789012-terraform-state/${var.project_name}/prod/*"]
    error_message = "dev's roles never reach staging's or prod's state."
  }
}
