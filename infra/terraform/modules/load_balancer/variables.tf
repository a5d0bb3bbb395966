variable "name" {
  description = "Name of the load balancer and prefix of its companions (at most 28 characters)."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the load balancer and its targets."
  type        = string
}

variable "vpc_cidr_block" {
  description = "Address range the load balancer may send to."
  type        = string
}

variable "subnet_ids" {
  description = "Public subnets of the load balancer."
  type        = list(string)
}

variable "target_port" {
  description = "Port the web tasks listen on."
  type        = number
}

variable "certificate_arn" {
  description = "Validated certificate for <base domain> and *.<base domain>."
  type        = string
}

variable "access_logs_bucket" {
  description = "Bucket receiving the access logs (under alb/)."
  type        = string
}

variable "base_domain" {
  description = "Domain whose apex and wildcard records point at the load balancer."
  type        = string
}

variable "route53_zone_id" {
  description = "Hosted zone of base_domain."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key encrypting the firewall's log group."
  type        = string
}

variable "log_retention_days" {
  description = "Days the firewall's logs are kept."
  type        = number
}
