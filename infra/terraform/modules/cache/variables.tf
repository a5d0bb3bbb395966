variable "name" {
  description = "Id of the replication group and prefix of its companions."
  type        = string
}

variable "vpc_id" {
  description = "VPC of Redis's security group."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets for the primary and the replica."
  type        = list(string)
}

variable "client_security_group_ids" {
  description = "Security groups allowed to connect on 6379 (the Wirebook tasks)."
  type        = list(string)
}

variable "node_type" {
  description = "ElastiCache node type."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key encrypting the data at rest and the slow log."
  type        = string
}

variable "log_retention_days" {
  description = "Days the slow log is kept."
  type        = number
}
