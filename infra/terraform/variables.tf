variable "region" {
  description = "AWS region everything is created in."
  type        = string
  default     = "eu-central-1"
}

variable "environment" {
  description = "Name of this deployment (production, staging...); prefixes every resource name."
  type        = string
  default     = "production"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.environment))
    error_message = "environment must be 2-21 lowercase letters, digits or dashes, starting with a letter."
  }
}

variable "base_domain" {
  description = "Domain Wirebook is served at: the platform at https://<base_domain>/, each organization at https://<slug>.<base_domain>/ (WIREBOOK_BASE_DOMAIN)."
  type        = string
}

variable "route53_zone_id" {
  description = "Id of the existing Route 53 hosted zone of base_domain (the certificate is validated and the records are written there)."
  type        = string
}

variable "availability_zones" {
  description = "Availability zones to spread subnets, the database standby and the Redis replica over (at least two)."
  type        = list(string)
  default     = ["eu-central-1a", "eu-central-1b"]

  validation {
    condition     = length(var.availability_zones) >= 2
    error_message = "Give at least two availability zones."
  }
}

variable "vpc_cidr" {
  description = "Address range of the VPC; each availability zone gets a public and a private /20 out of it."
  type        = string
  default     = "10.40.0.0/16"
}

variable "image_tag" {
  description = "Tag of the Wirebook image in the ECR repository this layout creates (built from the Dockerfile); web, worker, beat and migrate all run it."
  type        = string
}

variable "database_instance_class" {
  description = "RDS instance class of PostgreSQL."
  type        = string
  default     = "db.r6g.large"
}

variable "database_engine_version" {
  description = "PostgreSQL major version of RDS (the parameter group family follows it). The image's pg_dump (Debian bookworm's, 15) must be at least as new: raise both together."
  type        = string
  default     = "15"
}

variable "database_allocated_storage_gb" {
  description = "Initial storage of PostgreSQL in GB; it grows by itself up to database_max_allocated_storage_gb."
  type        = number
  default     = 100
}

variable "database_max_allocated_storage_gb" {
  description = "Upper bound of PostgreSQL's storage autoscaling in GB."
  type        = number
  default     = 1000
}

variable "database_max_locks_per_transaction" {
  description = "max_locks_per_transaction of PostgreSQL: migrations and exports touch every table of a schema in one transaction, and there are thousands of schemas."
  type        = number
  default     = 1024
}

variable "database_backup_retention_days" {
  description = "Days of automated RDS snapshots and point-in-time recovery."
  type        = number
  default     = 14
}

variable "redis_node_type" {
  description = "ElastiCache node type of Redis (Celery broker and cache)."
  type        = string
  default     = "cache.t4g.medium"
}

variable "web_cpu" {
  description = "Fargate CPU units of one web task (1024 = one vCPU)."
  type        = number
  default     = 1024
}

variable "web_memory" {
  description = "Fargate memory of one web task in MiB."
  type        = number
  default     = 2048
}

variable "web_desired_count" {
  description = "Web tasks running normally; autoscaling moves between this and web_max_count on CPU."
  type        = number
  default     = 2
}

variable "web_max_count" {
  description = "Most web tasks autoscaling may run."
  type        = number
  default     = 10
}

variable "worker_cpu" {
  description = "Fargate CPU units of one Celery worker task."
  type        = number
  default     = 1024
}

variable "worker_memory" {
  description = "Fargate memory of one Celery worker task in MiB."
  type        = number
  default     = 2048
}

variable "worker_desired_count" {
  description = "Celery worker tasks."
  type        = number
  default     = 2
}

variable "worker_max_count" {
  description = "Most Celery worker tasks autoscaling may run."
  type        = number
  default     = 8
}

variable "worker_concurrency" {
  description = "Processes per Celery worker task (celery worker --concurrency)."
  type        = number
  default     = 2
}

variable "gunicorn_workers" {
  description = "gunicorn worker processes per web task."
  type        = number
  default     = 2
}

variable "gunicorn_threads" {
  description = "Threads per gunicorn worker process."
  type        = number
  default     = 8
}

variable "pgbouncer_default_pool_size" {
  description = "Server connections the PgBouncer beside each web and worker task keeps to PostgreSQL (transaction pooling); PostgreSQL sees at most this many per task."
  type        = number
  default     = 10
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps the logs of the services, the VPC flow logs and the WAF."
  type        = number
  default     = 365
}

variable "backup_retention_days" {
  description = "Days the organization archives under the backups/ prefix of the files bucket are kept."
  type        = number
  default     = 35
}

variable "alert_email" {
  description = "Address that gets the alarms (database CPU and storage, unhealthy web tasks); empty: no alarm emails."
  type        = string
  default     = ""
}

variable "sentry_dsn" {
  description = "Sentry DSN for error reports (SENTRY_DSN); empty: none."
  type        = string
  default     = ""
  sensitive   = true
}

variable "stripe_secret_key" {
  description = "Stripe secret API key (STRIPE_SECRET_KEY); empty: billing off. Stored in Secrets Manager; later changes made there are kept."
  type        = string
  default     = ""
  sensitive   = true
}

variable "stripe_webhook_secret" {
  description = "Signing secret of the Stripe webhook endpoint (STRIPE_WEBHOOK_SECRET); set with stripe_secret_key or not at all."
  type        = string
  default     = ""
  sensitive   = true
}

variable "extra_environment" {
  description = "More settings for every Wirebook container (docs/configuration.md), e.g. EMAIL_HOST or STRIPE_PRICE_TEAM."
  type        = map(string)
  default     = {}
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
