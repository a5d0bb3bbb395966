output "url" {
  description = "Where the platform is served; organizations are at https://<slug>.<base domain>/."
  value       = "https://${var.base_domain}/"
}

output "load_balancer_dns_name" {
  description = "DNS name of the load balancer the records point at."
  value       = module.load_balancer.dns_name
}

output "ecr_repository_url" {
  description = "Push the image built from the Dockerfile here, tagged with image_tag."
  value       = module.ecs.repository_url
}

output "ecs_cluster_name" {
  description = "ECS cluster of the web, worker and beat services."
  value       = module.ecs.cluster_name
}

output "migrate_task_definition_arn" {
  description = "Run it once per release, before the services roll: aws ecs run-task --task-definition <this> ..."
  value       = module.ecs.migrate_task_definition_arn
}

output "private_subnet_ids" {
  description = "Subnets to run the migrate task in."
  value       = module.network.private_subnet_ids
}

output "task_security_group_id" {
  description = "Security group to run the migrate task with."
  value       = module.ecs.task_security_group_id
}

output "files_bucket_name" {
  description = "Bucket of the organizations' files (organizations/<id>/) and archives (backups/<id>/)."
  value       = module.storage.files_bucket_name
}

output "database_address" {
  description = "Host name of PostgreSQL (reachable from the tasks only)."
  value       = module.database.address
}

output "secret_arns" {
  description = "Secrets Manager ARN of each secret setting; set STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET and SENTRY_DSN there."
  value       = module.secrets.arns
}

output "alarm_topic_arn" {
  description = "SNS topic the alarms publish to (subscribe more endpoints to it)."
  value       = aws_sns_topic.alarms.arn
}
