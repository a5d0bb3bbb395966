# ECS on Fargate: the image repository, the cluster, and the Wirebook services that run one image
#   web      gunicorn behind the load balancer, autoscaled on CPU
#   worker   Celery workers, autoscaled on CPU
#   beat     Celery beat (housekeeping schedule): exactly one task, never two
#   migrate  a task definition run once per release (`aws ecs run-task`) before the services roll
# web and worker reach PostgreSQL through a PgBouncer container beside them (transaction pooling,
# docs/operations.md); beat and migrate connect directly.

data "aws_region" "current" {}

locals {
  container_port = 8000
  pgbouncer_port = 6432
  image          = "${aws_ecr_repository.this.repository_url}:${var.image_tag}"

  environment = merge(
    {
      DEBUG                   = "false"
      WIREBOOK_BASE_DOMAIN    = var.base_domain
      WIREBOOK_PUBLIC_URL     = "https://${var.base_domain}"
      ALLOWED_HOSTS           = "${var.base_domain},.${var.base_domain}"
      CSRF_TRUSTED_ORIGINS    = "https://${var.base_domain},https://*.${var.base_domain}"
      TRUSTED_PROXY_COUNT     = "1"
      AWS_STORAGE_BUCKET_NAME = var.files_bucket_name
      AWS_S3_REGION_NAME      = data.aws_region.current.name
      STATIC_ROOT             = "/app/staticfiles"
      LOG_LEVEL               = "INFO"
    },
    var.extra_environment,
  )
  # What every Wirebook container reads from Secrets Manager.
  secret_names = ["SECRET_KEY", "API_TOKEN_PEPPER", "WIREBOOK_ENCRYPTION_KEY", "REDIS_URL", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "SENTRY_DSN"]
  secrets      = [for name in local.secret_names : { name = name, valueFrom = var.secret_arns[name] }]
  direct_db    = [{ name = "DATABASE_URL", valueFrom = var.secret_arns["DATABASE_URL"] }]
  # Through the PgBouncer container of the same task: only the task itself reaches 127.0.0.1.
  pooled_environment = merge(local.environment, {
    DATABASE_URL                         = "postgres://${var.database_username}@127.0.0.1:${local.pgbouncer_port}/${var.database_name}"
    DATABASE_DISABLE_SERVER_SIDE_CURSORS = "true"
  })

  tmp_volume = [{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }]

  pgbouncer = {
    name                   = "pgbouncer"
    image                  = local.image
    essential              = true
    user                   = "postgres"
    command                = ["/app/infra/docker/pgbouncer.sh"]
    readonlyRootFilesystem = true
    mountPoints            = local.tmp_volume
    environment = [for name, value in {
      PGBOUNCER_LISTEN_PORT   = tostring(local.pgbouncer_port)
      PGBOUNCER_DATABASE_HOST = var.database_address
      PGBOUNCER_DATABASE_PORT = tostring(var.database_port)
      PGBOUNCER_DATABASE_NAME = var.database_name
      PGBOUNCER_DATABASE_USER = var.database_username
      PGBOUNCER_POOL_SIZE     = tostring(var.pgbouncer_default_pool_size)
    } : { name = name, value = value }]
    secrets = [{ name = "PGBOUNCER_DATABASE_PASSWORD", valueFrom = var.secret_arns["DATABASE_PASSWORD"] }]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.this["pgbouncer"].name
        awslogs-region        = data.aws_region.current.name
        awslogs-stream-prefix = "pgbouncer"
      }
    }
  }

  services = {
    web = {
      cpu     = var.web_cpu
      memory  = var.web_memory
      pooled  = true
      command = ["gunicorn", "saas_platform.wsgi:application", "--bind", "0.0.0.0:${local.container_port}", "--workers", tostring(var.gunicorn_workers), "--threads", tostring(var.gunicorn_threads), "--worker-class", "gthread", "--worker-tmp-dir", "/tmp", "--access-logfile", "-", "--forwarded-allow-ips", "*"]
    }
    worker = {
      cpu     = var.worker_cpu
      memory  = var.worker_memory
      pooled  = true
      command = ["celery", "--app", "saas_platform", "worker", "--loglevel", "INFO", "--concurrency", tostring(var.worker_concurrency)]
    }
    beat = {
      cpu     = 256
      memory  = 512
      pooled  = false
      command = ["celery", "--app", "saas_platform", "beat", "--loglevel", "INFO", "--schedule", "/tmp/celerybeat-schedule"]
    }
    migrate = {
      cpu     = 1024
      memory  = 2048
      pooled  = false
      command = ["python", "manage.py", "migrate"]
    }
  }
}

# --- image ------------------------------------------------------------------------------------

resource "aws_ecr_repository" "this" {
  name                 = "wirebook-${var.name}"
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = var.kms_key_arn
  }
}

resource "aws_ecr_lifecycle_policy" "this" {
  repository = aws_ecr_repository.this.name
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "Keep the 50 newest images"
      selection    = { tagStatus = "any", countType = "imageCountMoreThan", countNumber = 50 }
      action       = { type = "expire" }
    }]
  })
}

# --- cluster, logs, network -------------------------------------------------------------------

resource "aws_ecs_cluster" "this" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_cloudwatch_log_group" "this" {
  for_each = toset(concat(keys(local.services), ["pgbouncer"]))

  name              = "/wirebook/${var.name}/${each.key}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_security_group" "tasks" {
  name        = "${var.name}-tasks"
  description = "Wirebook tasks of ${var.name}: web traffic from the load balancer only"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "from_load_balancer" {
  security_group_id            = aws_security_group.tasks.id
  description                  = "HTTP from the load balancer"
  referenced_security_group_id = var.load_balancer_security_group_id
  from_port                    = local.container_port
  to_port                      = local.container_port
  ip_protocol                  = "tcp"
}

resource "aws_vpc_security_group_egress_rule" "anywhere" {
  #checkov:skip=CKV_AWS_382:webhooks, single sign-on and Stripe reach hosts and ports organizations choose (the application's outbound client refuses private addresses)
  security_group_id = aws_security_group.tasks.id
  description       = "PostgreSQL, Redis, AWS APIs, webhooks, identity providers, Stripe"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "-1"
}

# --- roles ------------------------------------------------------------------------------------

data "aws_iam_policy_document" "tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

# What ECS itself needs to start a task: pull the image, write logs, read the secrets.
resource "aws_iam_role" "execution" {
  name               = "${var.name}-task-execution"
  assume_role_policy = data.aws_iam_policy_document.tasks_assume.json
}

resource "aws_iam_role_policy_attachment" "execution" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

data "aws_iam_policy_document" "execution" {
  statement {
    actions   = ["secretsmanager:GetSecretValue"]
    resources = values(var.secret_arns)
  }

  statement {
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "read-secrets"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

# What Wirebook itself may do: the organizations' files and archives, nothing else.
resource "aws_iam_role" "task" {
  name               = "${var.name}-task"
  assume_role_policy = data.aws_iam_policy_document.tasks_assume.json
}

data "aws_iam_policy_document" "task" {
  statement {
    sid       = "ListPrefixes"
    actions   = ["s3:ListBucket"]
    resources = [var.files_bucket_arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = [for prefix in var.files_prefixes : "${prefix}*"]
    }
  }

  statement {
    sid       = "ReadWriteObjects"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = [for prefix in var.files_prefixes : "${var.files_bucket_arn}/${prefix}*"]
  }

  statement {
    sid       = "UseTheBucketKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
  }
}

resource "aws_iam_role_policy" "task" {
  name   = "organization-files"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task.json
}

# --- task definitions and services ------------------------------------------------------------

resource "aws_ecs_task_definition" "this" {
  for_each = local.services

  family                   = "${var.name}-${each.key}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = each.value.cpu
  memory                   = each.value.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  volume {
    name = "tmp"
  }

  container_definitions = jsonencode(concat(
    [{
      name                   = each.key
      image                  = local.image
      essential              = true
      command                = each.value.command
      readonlyRootFilesystem = true
      mountPoints            = local.tmp_volume
      portMappings           = each.key == "web" ? [{ containerPort = local.container_port, protocol = "tcp" }] : []
      environment            = [for name, value in(each.value.pooled ? local.pooled_environment : local.environment) : { name = name, value = value }]
      secrets                = concat(local.secrets, each.value.pooled ? [] : local.direct_db)
      dependsOn              = each.value.pooled ? [{ containerName = "pgbouncer", condition = "START" }] : []
      stopTimeout            = 60
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.this[each.key].name
          awslogs-region        = data.aws_region.current.name
          awslogs-stream-prefix = each.key
        }
      }
    }],
    each.value.pooled ? [local.pgbouncer] : [],
  ))
}

resource "aws_ecs_service" "web" {
  name                              = "web"
  cluster                           = aws_ecs_cluster.this.id
  task_definition                   = aws_ecs_task_definition.this["web"].arn
  desired_count                     = var.web_desired_count
  launch_type                       = "FARGATE"
  health_check_grace_period_seconds = 60
  propagate_tags                    = "SERVICE"

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = [aws_security_group.tasks.id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = var.target_group_arn
    container_name   = "web"
    container_port   = local.container_port
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  lifecycle {
    ignore_changes = [desired_count]
  }
}

resource "aws_ecs_service" "worker" {
  name            = "worker"
  cluster         = aws_ecs_cluster.this.id
  task_definition = aws_ecs_task_definition.this["worker"].arn
  desired_count   = var.worker_desired_count
  launch_type     = "FARGATE"
  propagate_tags  = "SERVICE"

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = [aws_security_group.tasks.id]
    assign_public_ip = false
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  lifecycle {
    ignore_changes = [desired_count]
  }
}

# Two beats would schedule everything twice: the old task stops before the new one starts.
resource "aws_ecs_service" "beat" {
  name                               = "beat"
  cluster                            = aws_ecs_cluster.this.id
  task_definition                    = aws_ecs_task_definition.this["beat"].arn
  desired_count                      = 1
  launch_type                        = "FARGATE"
  deployment_minimum_healthy_percent = 0
  deployment_maximum_percent         = 100
  propagate_tags                     = "SERVICE"

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = [aws_security_group.tasks.id]
    assign_public_ip = false
  }
}

# --- autoscaling ------------------------------------------------------------------------------

resource "aws_appautoscaling_target" "this" {
  for_each = {
    web    = { service = aws_ecs_service.web.name, min = var.web_desired_count, max = var.web_max_count }
    worker = { service = aws_ecs_service.worker.name, min = var.worker_desired_count, max = var.worker_max_count }
  }

  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${each.value.service}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = each.value.min
  max_capacity       = each.value.max
}

resource "aws_appautoscaling_policy" "cpu" {
  for_each = aws_appautoscaling_target.this

  name               = "${var.name}-${each.key}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = each.value.service_namespace
  resource_id        = each.value.resource_id
  scalable_dimension = each.value.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = 60
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}
