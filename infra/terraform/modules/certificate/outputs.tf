output "certificate_arn" {
  description = "ARN of the validated certificate for <base domain> and *.<base domain>."
  value       = aws_acm_certificate_validation.this.certificate_arn
}
