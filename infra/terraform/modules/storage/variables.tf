variable "name" {
  description = "Prefix of the bucket names (<name>-files, <name>-logs); bucket names are global, so make it unique."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key encrypting the files bucket."
  type        = string
}

variable "backup_prefix" {
  description = "Prefix of the organization archives in the files bucket."
  type        = string
  default     = "backups/"
}

variable "backup_retention_days" {
  description = "Days an organization archive is kept."
  type        = number
}

variable "log_retention_days" {
  description = "Days the access logs are kept."
  type        = number
}
