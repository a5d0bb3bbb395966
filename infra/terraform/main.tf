# Wirebook on AWS: one VPC, RDS PostgreSQL (one schema per organization), ElastiCache Redis,
# ECS Fargate services (web, worker, beat; migrate run per release), an S3 bucket for the
# organizations' files and backups, an application load balancer with a wildcard certificate for
# <base domain> and *.<base domain>, Route 53 records, Secrets Manager, CloudWatch logs and alarms.
# Variables and outputs: README.md beside this file.

locals {
  name = "wirebook-${var.environment}"
}

module "encryption" {
  source = "./modules/encryption"

  name = local.name
}

module "network" {
  source = "./modules/network"

  name               = local.name
  cidr_block         = var.vpc_cidr
  availability_zones = var.availability_zones
  kms_key_arn        = module.encryption.key_arn
  log_retention_days = var.log_retention_days
}

module "storage" {
  source = "./modules/storage"

  name                  = local.name
  kms_key_arn           = module.encryption.key_arn
  backup_retention_days = var.backup_retention_days
  log_retention_days    = var.log_retention_days
}

module "database" {
  source = "./modules/database"

  name                      = local.name
  vpc_id                    = module.network.vpc_id
  subnet_ids                = module.network.private_subnet_ids
  client_security_group_ids = [module.ecs.task_security_group_id]
  kms_key_arn               = module.encryption.key_arn
  engine_version            = var.database_engine_version
  instance_class            = var.database_instance_class
  allocated_storage_gb      = var.database_allocated_storage_gb
  max_allocated_storage_gb  = var.database_max_allocated_storage_gb
  max_locks_per_transaction = var.database_max_locks_per_transaction
  backup_retention_days     = var.database_backup_retention_days
}

module "cache" {
  source = "./modules/cache"

  name                      = local.name
  vpc_id                    = module.network.vpc_id
  subnet_ids                = module.network.private_subnet_ids
  client_security_group_ids = [module.ecs.task_security_group_id]
  node_type                 = var.redis_node_type
  kms_key_arn               = module.encryption.key_arn
  log_retention_days        = var.log_retention_days
}

module "secrets" {
  source = "./modules/secrets"

  name                  = var.environment
  kms_key_arn           = module.encryption.key_arn
  database_address      = module.database.address
  database_port         = module.database.port
  database_name         = module.database.database_name
  database_username     = module.database.username
  database_password     = module.database.password
  redis_address         = module.cache.primary_endpoint
  redis_port            = module.cache.port
  redis_auth_token      = module.cache.auth_token
  stripe_secret_key     = var.stripe_secret_key
  stripe_webhook_secret = var.stripe_webhook_secret
  sentry_dsn            = var.sentry_dsn
}

module "certificate" {
  source = "./modules/certificate"

  base_domain     = var.base_domain
  route53_zone_id = var.route53_zone_id
}

module "load_balancer" {
  source = "./modules/load_balancer"

  name               = local.name
  vpc_id             = module.network.vpc_id
  vpc_cidr_block     = module.network.vpc_cidr_block
  subnet_ids         = module.network.public_subnet_ids
  target_port        = 8000
  certificate_arn    = module.certificate.certificate_arn
  access_logs_bucket = module.storage.logs_bucket_name
  base_domain        = var.base_domain
  route53_zone_id    = var.route53_zone_id
  kms_key_arn        = module.encryption.key_arn
  log_retention_days = var.log_retention_days
}

module "ecs" {
  source = "./modules/ecs"

  name                            = local.name
  image_tag                       = var.image_tag
  vpc_id                          = module.network.vpc_id
  subnet_ids                      = module.network.private_subnet_ids
  load_balancer_security_group_id = module.load_balancer.security_group_id
  target_group_arn                = module.load_balancer.target_group_arn
  kms_key_arn                     = module.encryption.key_arn
  log_retention_days              = var.log_retention_days
  base_domain                     = var.base_domain
  files_bucket_name               = module.storage.files_bucket_name
  files_bucket_arn                = module.storage.files_bucket_arn
  secret_arns                     = module.secrets.arns
  database_address                = module.database.address
  database_port                   = module.database.port
  database_name                   = module.database.database_name
  database_username               = module.database.username
  pgbouncer_default_pool_size     = var.pgbouncer_default_pool_size
  web_cpu                         = var.web_cpu
  web_memory                      = var.web_memory
  web_desired_count               = var.web_desired_count
  web_max_count                   = var.web_max_count
  gunicorn_workers                = var.gunicorn_workers
  gunicorn_threads                = var.gunicorn_threads
  worker_cpu                      = var.worker_cpu
  worker_memory                   = var.worker_memory
  worker_desired_count            = var.worker_desired_count
  worker_max_count                = var.worker_max_count
  worker_concurrency              = var.worker_concurrency
  extra_environment               = var.extra_environment
}

# --- alarms -----------------------------------------------------------------------------------

resource "aws_sns_topic" "alarms" {
  name              = "${local.name}-alarms"
  kms_master_key_id = module.encryption.key_id
}

resource "aws_sns_topic_subscription" "alarms_email" {
  count = var.alert_email == "" ? 0 : 1

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = var.alert_email
}

resource "aws_cloudwatch_metric_alarm" "database_cpu" {
  alarm_name          = "${local.name}-database-cpu"
  alarm_description   = "PostgreSQL CPU above 80% for 15 minutes"
  namespace           = "AWS/RDS"
  metric_name         = "CPUUtilization"
  dimensions          = { DBInstanceIdentifier = module.database.instance_id }
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  threshold           = 80
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "database_storage" {
  alarm_name          = "${local.name}-database-storage"
  alarm_description   = "PostgreSQL has less than 10 GB free"
  namespace           = "AWS/RDS"
  metric_name         = "FreeStorageSpace"
  dimensions          = { DBInstanceIdentifier = module.database.instance_id }
  statistic           = "Minimum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 10737418240
  comparison_operator = "LessThanThreshold"
  alarm_actions       = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "web_unhealthy" {
  alarm_name          = "${local.name}-web-unhealthy"
  alarm_description   = "A web task fails the load balancer's health check (/healthz)"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "UnHealthyHostCount"
  dimensions          = { LoadBalancer = module.load_balancer.arn_suffix, TargetGroup = module.load_balancer.target_group_arn_suffix }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = [aws_sns_topic.alarms.arn]
}
