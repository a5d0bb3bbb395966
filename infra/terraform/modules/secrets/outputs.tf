output "arns" {
  description = "Secret ARN of each setting, by environment variable name (SECRET_KEY, API_TOKEN_PEPPER, WIREBOOK_ENCRYPTION_KEY, DATABASE_URL, DATABASE_PASSWORD, REDIS_URL, STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, SENTRY_DSN)."
  value       = { for key, secret in aws_secretsmanager_secret.this : key => secret.arn }
}
