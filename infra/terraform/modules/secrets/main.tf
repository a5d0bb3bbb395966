# The settings Wirebook must not keep in plain environment variables, one Secrets Manager secret
# each, injected into the containers by ECS. SECRET_KEY, API_TOKEN_PEPPER and
# WIREBOOK_ENCRYPTION_KEY are generated once and never rotated by Terraform (a new pepper revokes
# every API token; a lost encryption key loses the secrets organizations stored). The Stripe keys
# start from the variables; a value changed in Secrets Manager afterwards is kept.

locals {
  prefix = "wirebook/${var.name}"
  # Fernet wants 32 random bytes in URL-safe base64.
  encryption_key = replace(replace(random_bytes.encryption_key.base64, "+", "-"), "/", "_")
  # The tasks reach PostgreSQL through PgBouncer beside them; migrations go straight to it.
  direct_database_url = format(
    "postgres://%s:%s@%s:%d/%s?sslmode=require",
    var.database_username, urlencode(var.database_password), var.database_address, var.database_port, var.database_name
  )
  redis_url = format(
    "rediss://:%s@%s:%d/0?ssl_cert_reqs=required", urlencode(var.redis_auth_token), var.redis_address, var.redis_port
  )
  generated = {
    SECRET_KEY              = random_password.secret_key.result
    API_TOKEN_PEPPER        = random_password.api_token_pepper.result
    WIREBOOK_ENCRYPTION_KEY = local.encryption_key
    DATABASE_URL            = local.direct_database_url
    DATABASE_PASSWORD       = var.database_password
    REDIS_URL               = local.redis_url
  }
  operator_set = {
    STRIPE_SECRET_KEY     = var.stripe_secret_key
    STRIPE_WEBHOOK_SECRET = var.stripe_webhook_secret
    SENTRY_DSN            = var.sentry_dsn
  }
}

resource "random_password" "secret_key" {
  length  = 64
  special = false
}

resource "random_password" "api_token_pepper" {
  length  = 64
  special = false
}

resource "random_bytes" "encryption_key" {
  length = 32
}

resource "aws_secretsmanager_secret" "this" {
  #checkov:skip=CKV2_AWS_57:none rotates unattended: a new pepper revokes every API token, the encryption key is rotated with manage.py rotate_secrets, the Stripe and Sentry keys are issued (and rotated) there
  for_each = merge(local.generated, local.operator_set)

  name                    = "${local.prefix}/${each.key}"
  description             = "Wirebook ${var.name}: ${each.key}"
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = 30
}

resource "aws_secretsmanager_secret_version" "generated" {
  for_each = local.generated

  secret_id     = aws_secretsmanager_secret.this[each.key].id
  secret_string = each.value
}

# Set by the operator after the first apply (in Secrets Manager), and kept.
resource "aws_secretsmanager_secret_version" "operator_set" {
  for_each = local.operator_set

  secret_id     = aws_secretsmanager_secret.this[each.key].id
  secret_string = each.value

  lifecycle {
    ignore_changes = [secret_string]
  }
}
