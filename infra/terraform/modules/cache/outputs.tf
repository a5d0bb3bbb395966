output "primary_endpoint" {
  description = "Host name of the primary (follows failovers)."
  value       = aws_elasticache_replication_group.this.primary_endpoint_address
}

output "port" {
  description = "Port of Redis."
  value       = aws_elasticache_replication_group.this.port
}

output "auth_token" {
  description = "AUTH token (kept in the Terraform state and in Secrets Manager)."
  value       = random_password.auth_token.result
  sensitive   = true
}

output "security_group_id" {
  description = "Security group of Redis."
  value       = aws_security_group.this.id
}
