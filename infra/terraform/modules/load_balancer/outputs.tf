output "dns_name" {
  description = "DNS name of the load balancer."
  value       = aws_lb.this.dns_name
}

output "arn_suffix" {
  description = "ARN suffix of the load balancer (CloudWatch metrics dimension)."
  value       = aws_lb.this.arn_suffix
}

output "target_group_arn" {
  description = "Target group the web service registers its tasks in."
  value       = aws_lb_target_group.web.arn
}

output "target_group_arn_suffix" {
  description = "ARN suffix of the target group (CloudWatch metrics dimension)."
  value       = aws_lb_target_group.web.arn_suffix
}

output "security_group_id" {
  description = "Security group of the load balancer (the web tasks admit it)."
  value       = aws_security_group.this.id
}
