# --- Roles -----------------------------------------------------------------------------------

resource "aws_iam_role" "execution" {
  name_prefix          = "${local.name}-execution-"
  description          = "ECS pulls the image, writes the container logs and injects the secrets"
  permissions_boundary = local.permissions_boundary
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
    }]
  })
}

resource "aws_iam_role_policy" "execution" {
  name = "pull-log-secrets"
  role = aws_iam_role.execution.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          # ecr:GetAuthorizationToken has no resource-level permissions: "*" only.
          Sid      = "RegistryLogin"
          Effect   = "Allow"
          Action   = "ecr:GetAuthorizationToken"
          Resource = "*"
        },
        {
          Sid      = "PullThisRepository"
          Effect   = "Allow"
          Action   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
          Resource = aws_ecr_repository.this.arn
        },
        {
          Sid      = "ContainerLogs"
          Effect   = "Allow"
          Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
          Resource = "${aws_cloudwatch_log_group.app.arn}:log-stream:*"
        },
      ],
      [for statement in [
        {
          Sid      = "InjectedSecrets"
          Effect   = "Allow"
          Action   = "secretsmanager:GetSecretValue"
          Resource = sort(distinct(values(var.app_secrets)))
        },
        {
          Sid       = "DecryptTheInjectedSecrets"
          Effect    = "Allow"
          Action    = "kms:Decrypt"
          Resource  = var.injected_secret_key_arns
          Condition = { StringEquals = { "kms:ViaService" = "secretsmanager.${local.region}.amazonaws.com" } }
        },
      ] : statement if length(var.app_secrets) > 0],
    )
  })
}

resource "aws_iam_role" "task" {
  name_prefix          = "${local.name}-task-"
  description          = "What the service itself reads at run time"
  permissions_boundary = local.permissions_boundary
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
    }]
  })
}

resource "aws_iam_role_policy" "task" {
  name = "service"
  role = aws_iam_role.task.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          Sid      = "ReadItsSecrets"
          Effect   = "Allow"
          Action   = "secretsmanager:GetSecretValue"
          Resource = var.readable_secret_arns
        },
        {
          Sid       = "DecryptItsSecrets"
          Effect    = "Allow"
          Action    = "kms:Decrypt"
          Resource  = var.readable_secret_key_arns
          Condition = { StringEquals = { "kms:ViaService" = "secretsmanager.${local.region}.amazonaws.com" } }
        },
      ],
      [for statement in [
        {
          Sid      = "PiiDataKeys"
          Effect   = "Allow"
          Action   = ["kms:GenerateDataKey", "kms:Decrypt"]
          Resource = var.data_key_arns
        },
      ] : statement if length(var.data_key_arns) > 0],
    )
  })
}

# --- Task and service ------------------------------------------------------------------------

resource "aws_ecs_task_definition" "this" {
  count                    = local.has_image ? 1 : 0
  family                   = local.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.task_cpu
  memory                   = var.task_memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([{
    name      = "app"
    image     = "${aws_ecr_repository.this.repository_url}:${var.image_tag}"
    essential = true
    portMappings = [{
      containerPort = local.container_port
      protocol      = "tcp"
    }]
    # The image's user (Dockerfile): never root. With every capability dropped and no privileged
    # mode, a setuid binary gains nothing; Fargate does not accept Docker's no-new-privileges
    # option, so this is its equivalent.
    user                   = "10001:10001"
    privileged             = false
    readonlyRootFilesystem = true
    linuxParameters = {
      initProcessEnabled = true
      capabilities       = { drop = ["ALL"] }
    }
    stopTimeout = 30
    healthCheck = {
      command     = ["CMD", "python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)"]
      interval    = 30
      timeout     = 5
      retries     = 3
      startPeriod = 20
    }
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.app.name
        awslogs-region        = local.region
        awslogs-stream-prefix = "app"
        mode                  = "non-blocking"
        max-buffer-size       = "25m"
      }
    }
    # Names and non-secret values only; secret values arrive through `secrets` or are read by
    # the service itself (the *_SECRET_ID entries), so rotation needs no redeploy.
    environment = [for name in sort(keys(var.app_environment)) : { name = name, value = var.app_environment[name] }]
    secrets     = [for name in sort(keys(var.app_secrets)) : { name = name, valueFrom = var.app_secrets[name] }]
  }])
}

resource "aws_ecs_service" "this" {
  count                              = local.has_image ? 1 : 0
  name                               = local.name
  cluster                            = aws_ecs_cluster.this.id
  task_definition                    = aws_ecs_task_definition.this[0].arn
  launch_type                        = "FARGATE"
  platform_version                   = "LATEST"
  desired_count                      = local.min_task_count
  enable_execute_command             = false
  propagate_tags                     = "SERVICE"
  enable_ecs_managed_tags            = true
  health_check_grace_period_seconds  = 60
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    assign_public_ip = false
    subnets          = var.app_subnet_ids
    security_groups  = [var.app_security_group_id]
  }

  load_balancer {
    container_name   = "app"
    container_port   = local.container_port
    target_group_arn = aws_lb_target_group.this.arn
  }

  lifecycle {
    ignore_changes = [desired_count]
  }

  depends_on = [aws_lb_listener.https]
}

resource "aws_appautoscaling_target" "this" {
  count              = local.has_image ? 1 : 0
  service_namespace  = "ecs"
  scalable_dimension = "ecs:service:DesiredCount"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.this[0].name}"
  min_capacity       = local.min_task_count
  max_capacity       = var.max_task_count
}

resource "aws_appautoscaling_policy" "cpu" {
  count              = local.has_image ? 1 : 0
  name               = "${local.name}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this[0].service_namespace
  scalable_dimension = aws_appautoscaling_target.this[0].scalable_dimension
  resource_id        = aws_appautoscaling_target.this[0].resource_id

  target_tracking_scaling_policy_configuration {
    target_value       = 60
    scale_in_cooldown  = 120
    scale_out_cooldown = 60
    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}
