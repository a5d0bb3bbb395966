variable "name" {
  description = "Deployment name; the secrets are called wirebook/<name>/<SETTING>."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key encrypting the secrets."
  type        = string
}

variable "database_address" {
  description = "Host name of PostgreSQL."
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

variable "database_password" {
  description = "Password of that user."
  type        = string
  sensitive   = true
}

variable "redis_address" {
  description = "Host name of the Redis primary."
  type        = string
}

variable "redis_port" {
  description = "Port of Redis."
  type        = number
}

variable "redis_auth_token" {
  description = "AUTH token of Redis."
  type        = string
  sensitive   = true
}

variable "stripe_secret_key" {
  description = "Initial STRIPE_SECRET_KEY (empty: billing off)."
  type        = string
  sensitive   = true
}

variable "stripe_webhook_secret" {
  description = "Initial STRIPE_WEBHOOK_SECRET."
  type        = string
  sensitive   = true
}

variable "sentry_dsn" {
  description = "Initial SENTRY_DSN (empty: no error reports)."
  type        = string
  sensitive   = true
}
