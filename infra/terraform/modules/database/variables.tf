variable "name" {
  description = "Identifier of the RDS instance and prefix of its companions."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the database's security group."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets the instance and its standby may live in (two availability zones or more)."
  type        = list(string)
}

variable "client_security_group_ids" {
  description = "Security groups allowed to connect on 5432 (the Wirebook tasks)."
  type        = list(string)
}

variable "kms_key_arn" {
  description = "KMS key encrypting storage, snapshots and Performance Insights."
  type        = string
}

variable "engine_version" {
  description = "PostgreSQL major version (16: parameter group family postgres16)."
  type        = string
}

variable "instance_class" {
  description = "RDS instance class."
  type        = string
}

variable "allocated_storage_gb" {
  description = "Initial storage in GB."
  type        = number
}

variable "max_allocated_storage_gb" {
  description = "Storage autoscaling limit in GB."
  type        = number
}

variable "max_locks_per_transaction" {
  description = "max_locks_per_transaction (locks one transaction may hold on average per backend)."
  type        = number
}

variable "backup_retention_days" {
  description = "Days of automated snapshots and point-in-time recovery."
  type        = number
}

variable "database_name" {
  description = "Name of the database Wirebook uses."
  type        = string
  default     = "wirebook"
}

variable "username" {
  description = "Master user Wirebook connects as (it creates and renames schemas, so it owns the database)."
  type        = string
  default     = "wirebook"
}
