output "address" {
  description = "Host name of the database."
  value       = aws_db_instance.this.address
}

output "port" {
  description = "Port of the database."
  value       = aws_db_instance.this.port
}

output "database_name" {
  description = "Name of the database."
  value       = aws_db_instance.this.db_name
}

output "username" {
  description = "User Wirebook connects as."
  value       = aws_db_instance.this.username
}

output "password" {
  description = "Password of that user (kept in the Terraform state and in Secrets Manager)."
  value       = random_password.master.result
  sensitive   = true
}

output "instance_id" {
  description = "Identifier of the RDS instance (for alarms and snapshots)."
  value       = aws_db_instance.this.identifier
}

output "security_group_id" {
  description = "Security group of the database."
  value       = aws_security_group.this.id
}
