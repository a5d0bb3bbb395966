output "cluster_name" {
  description = "Name of the ECS cluster."
  value       = aws_ecs_cluster.this.name
}

output "repository_url" {
  description = "ECR repository to push the Wirebook image to."
  value       = aws_ecr_repository.this.repository_url
}

output "task_security_group_id" {
  description = "Security group of every Wirebook task (admitted by PostgreSQL and Redis)."
  value       = aws_security_group.tasks.id
}

output "migrate_task_definition_arn" {
  description = "Task definition that runs `manage.py migrate` once per release."
  value       = aws_ecs_task_definition.this["migrate"].arn
}

output "service_names" {
  description = "Names of the web, worker and beat services."
  value       = [aws_ecs_service.web.name, aws_ecs_service.worker.name, aws_ecs_service.beat.name]
}
