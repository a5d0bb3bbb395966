variable "name" {
  description = "Name prefix of the network's resources."
  type        = string
}

variable "cidr_block" {
  description = "Address range of the VPC (a /16 leaves room for 8 availability zones of /20 subnets)."
  type        = string
}

variable "availability_zones" {
  description = "Availability zones that each get a public and a private subnet and a NAT gateway."
  type        = list(string)
}

variable "kms_key_arn" {
  description = "KMS key encrypting the flow logs."
  type        = string
}

variable "log_retention_days" {
  description = "Days the flow logs are kept."
  type        = number
}
