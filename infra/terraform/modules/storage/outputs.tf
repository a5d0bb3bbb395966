output "files_bucket_name" {
  description = "Bucket of the organizations' files and backups (AWS_STORAGE_BUCKET_NAME)."
  value       = aws_s3_bucket.files.id
}

output "files_bucket_arn" {
  description = "ARN of the files bucket."
  value       = aws_s3_bucket.files.arn
}

output "logs_bucket_name" {
  description = "Bucket receiving the load balancer's and the files bucket's access logs."
  value       = aws_s3_bucket.logs.id
}
