# One ACM certificate for the platform (<base domain>) and every organization (*.<base domain>),
# validated through DNS in the base domain's hosted zone.

resource "aws_acm_certificate" "this" {
  #checkov:skip=CKV2_AWS_71:organizations are served at <slug>.<base domain>, which only a wildcard certificate covers
  domain_name               = var.base_domain
  subject_alternative_names = ["*.${var.base_domain}"]
  validation_method         = "DNS"

  lifecycle {
    create_before_destroy = true
  }
}

# The apex and the wildcard ask for the same validation record; write it once.
resource "aws_route53_record" "validation" {
  for_each = {
    for option in aws_acm_certificate.this.domain_validation_options : option.resource_record_name => option...
  }

  zone_id         = var.route53_zone_id
  name            = each.key
  type            = each.value[0].resource_record_type
  records         = [each.value[0].resource_record_value]
  ttl             = 300
  allow_overwrite = true
}

resource "aws_acm_certificate_validation" "this" {
  certificate_arn         = aws_acm_certificate.this.arn
  validation_record_fqdns = [for record in aws_route53_record.validation : record.fqdn]
}
