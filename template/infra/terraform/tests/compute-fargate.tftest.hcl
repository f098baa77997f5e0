# The Fargate compute at plan level: a read-only, non-root task without capabilities, in private
# subnets without public IPs, secrets injected from Secrets Manager, HTTPS with an allowed TLS
# policy, HTTP only redirected, deletion protection in prod.

mock_provider "aws" {
  override_during = plan
  source          = "./tests/mocks"
}

variables {
  project_name                 = "service"
  vpc_id                       = "vpc-0123456789abcdef0"
  public_subnet_ids            = ["subnet-0123456789abcdef1", "subnet-0123456789abcdef2"]
  app_subnet_ids               = ["subnet-0123456789abcdef3", "subnet-0123456789abcdef4"]
  app_security_group_id        = "sg-0123456789abcdef0"
  image_tag                    = "1.0.0"
  certificate_arn              = "arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
  tls_policy                   = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"
  task_cpu                     = 512
  task_memory                  = 1024
  max_task_count               = 6
  log_retention_days           = 365
  app_environment              = { ENVIRONMENT = "prod" }
  app_secrets                  = { RATE_LIMIT_STORAGE_URI = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:cache-url-AbCdEf" }
  injected_secret_key_arns     = ["arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555556"]
  readable_secret_arns         = ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:database-AbCdEf"]
  readable_secret_key_arns     = ["arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555557"]
  data_key_arns                = []
  database_instance_id         = "service-prod"
  latency_threshold_seconds    = 1.5
  free_storage_threshold_bytes = 2147483648
}

run "fargate_in_prod" {
  command = plan

  module {
    source = "./modules/compute-fargate"
  }

  variables {
    environment = "prod"
  }

  assert {
    condition     = alltrue([for role in [aws_iam_role.execution, aws_iam_role.task] : role.permissions_boundary == "arn:aws:iam::123456789012:policy/service-prod-permissions-boundary"])
    error_message = "Every role carries the environment's permissions boundary (the deploy role may create no other)."
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.this[0].container_definitions)[0].readonlyRootFilesystem
    error_message = "The container's root filesystem must be read-only."
  }

  assert {
    condition     = !contains(["", "root", "0", "0:0"], jsondecode(aws_ecs_task_definition.this[0].container_definitions)[0].user)
    error_message = "The container must run as a non-root user."
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.this[0].container_definitions)[0].linuxParameters.capabilities.drop == ["ALL"] && !jsondecode(aws_ecs_task_definition.this[0].container_definitions)[0].privileged
    error_message = "Every Linux capability is dropped and the container is not privileged."
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.this[0].container_definitions)[0].secrets == [{ name = "RATE_LIMIT_STORAGE_URI", valueFrom = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:cache-url-AbCdEf" }]
    error_message = "Secrets reach the container through `secrets`, never as plain environment values."
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.this[0].container_definitions)[0].logConfiguration.logDriver == "awslogs" && aws_cloudwatch_log_group.app.kms_key_id != null && aws_cloudwatch_log_group.app.retention_in_days > 0
    error_message = "The container logs to a KMS-encrypted log group with retention."
  }

  assert {
    condition     = !aws_ecs_service.this[0].network_configuration[0].assign_public_ip && toset(aws_ecs_service.this[0].network_configuration[0].subnets) == toset(var.app_subnet_ids)
    error_message = "Tasks run in the private app subnets without public IPs."
  }

  assert {
    condition     = aws_ecs_service.this[0].deployment_circuit_breaker[0].enable && aws_ecs_service.this[0].deployment_circuit_breaker[0].rollback
    error_message = "Deployments roll back when they fail."
  }

  assert {
    condition     = aws_lb.this.enable_deletion_protection && aws_lb.this.drop_invalid_header_fields
    error_message = "prod's load balancer is deletion-protected and drops invalid header fields."
  }

  assert {
    condition     = aws_lb_listener.https.protocol == "HTTPS" && contains(["ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09", "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09", "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09", "ELBSecurityPolicy-TLS13-1-2-Res-2021-06", "ELBSecurityPolicy-TLS13-1-3-2021-06"], aws_lb_listener.https.ssl_policy)
    error_message = "The HTTPS listener uses an allowed TLS 1.2+ policy."
  }

  assert {
    condition     = aws_lb_listener.http_redirect.default_action[0].type == "redirect" && aws_lb_listener.http_redirect.default_action[0].redirect[0].protocol == "HTTPS"
    error_message = "HTTP only redirects to HTTPS."
  }

  assert {
    condition     = alltrue(flatten([for rule in aws_s3_bucket_server_side_encryption_configuration.access_logs.rule : [for default in rule.apply_server_side_encryption_by_default : default.sse_algorithm == "AES256"]])) && aws_s3_bucket_public_access_block.access_logs.restrict_public_buckets
    error_message = "Access logs go to a private SSE-S3 bucket (the only encryption ALB log delivery accepts)."
  }

  assert {
    condition     = aws_ecr_repository.this.image_tag_mutability == "IMMUTABLE" && aws_ecr_repository.this.image_scanning_configuration[0].scan_on_push && aws_ecr_repository.this.encryption_configuration[0].encryption_type == "KMS"
    error_message = "The repository scans on push, has immutable tags and KMS encryption."
  }

  assert {
    condition     = contains([for setting in aws_ecs_cluster.this.setting : "${setting.name}=${setting.value}"], "containerInsights=enabled") && aws_sns_topic.alarms.kms_master_key_id != null
    error_message = "Container Insights on, and the alarm topic encrypted."
  }
}

run "fargate_in_dev" {
  command = plan

  module {
    source = "./modules/compute-fargate"
  }

  variables {
    environment = "dev"
    image_tag   = ""
  }

  assert {
    condition     = !aws_lb.this.enable_deletion_protection && length(aws_ecs_service.this) == 0
    error_message = "dev's load balancer stays deletable, and no service exists before the first image."
  }
}
