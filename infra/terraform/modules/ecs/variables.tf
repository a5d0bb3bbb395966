variable "name" {
  description = "Name of the cluster and prefix of its companions."
  type        = string
}

variable "image_tag" {
  description = "Tag of the image in the repository this module creates."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the tasks."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets the tasks run in."
  type        = list(string)
}

variable "load_balancer_security_group_id" {
  description = "Security group of the load balancer, admitted to the web tasks."
  type        = string
}

variable "target_group_arn" {
  description = "Target group of the web tasks."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key of the logs, the images, the secrets and the files bucket."
  type        = string
}

variable "log_retention_days" {
  description = "Days the services' logs are kept."
  type        = number
}

variable "base_domain" {
  description = "WIREBOOK_BASE_DOMAIN: the platform's domain; organizations live at <slug>.<base domain>."
  type        = string
}

variable "files_bucket_name" {
  description = "Bucket of the organizations' files (AWS_STORAGE_BUCKET_NAME)."
  type        = string
}

variable "files_bucket_arn" {
  description = "ARN of that bucket."
  type        = string
}

variable "files_prefixes" {
  description = "Prefixes of the bucket Wirebook may read and write (each holds one folder per organization)."
  type        = list(string)
  default     = ["organizations/", "backups/"]
}

variable "secret_arns" {
  description = "Secrets Manager ARN of each secret setting, by environment variable name (the secrets module's arns)."
  type        = map(string)
}

variable "database_address" {
  description = "Host name of PostgreSQL (for PgBouncer)."
  type        = string
}

variable "database_port" {
  description = "Port of PostgreSQL."
  type        = number
}

variable "database_name" {
  description = "Database Wirebook uses."
  type        = string
}

variable "database_username" {
  description = "User Wirebook connects as."
  type        = string
}

variable "pgbouncer_default_pool_size" {
  description = "Server connections each task's PgBouncer keeps to PostgreSQL."
  type        = number
}

variable "web_cpu" {
  description = "CPU units of a web task."
  type        = number
}

variable "web_memory" {
  description = "Memory of a web task in MiB."
  type        = number
}

variable "web_desired_count" {
  description = "Web tasks at least."
  type        = number
}

variable "web_max_count" {
  description = "Web tasks at most."
  type        = number
}

variable "gunicorn_workers" {
  description = "gunicorn processes per web task."
  type        = number
}

variable "gunicorn_threads" {
  description = "Threads per gunicorn process."
  type        = number
}

variable "worker_cpu" {
  description = "CPU units of a worker task."
  type        = number
}

variable "worker_memory" {
  description = "Memory of a worker task in MiB."
  type        = number
}

variable "worker_desired_count" {
  description = "Worker tasks at least."
  type        = number
}

variable "worker_max_count" {
  description = "Worker tasks at most."
  type        = number
}

variable "worker_concurrency" {
  description = "Celery processes per worker task."
  type        = number
}

variable "extra_environment" {
  description = "More settings for every Wirebook container."
  type        = map(string)
}
