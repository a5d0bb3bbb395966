variable "base_domain" {
  description = "Domain the certificate is for, with its wildcard."
  type        = string
}

variable "route53_zone_id" {
  description = "Hosted zone of base_domain, where the validation record is written."
  type        = string
}
