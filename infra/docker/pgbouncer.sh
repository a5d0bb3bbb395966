#!/bin/sh
# PgBouncer beside the web and worker containers (docs/operations.md, "PgBouncer"): transaction
# pooling, no reset query, no prepared statements needed, TLS to PostgreSQL. It listens on
# 127.0.0.1 by default, which only the containers of the same task (or pod) reach, so clients are
# trusted there; it logs in to PostgreSQL with the password it is given. The same user may read the
# console's statistics (psql -p 6432 pgbouncer -c "SHOW POOLS").
#
# Environment: PGBOUNCER_DATABASE_HOST, PGBOUNCER_DATABASE_PORT (5432), PGBOUNCER_DATABASE_NAME,
# PGBOUNCER_DATABASE_USER, PGBOUNCER_DATABASE_PASSWORD, PGBOUNCER_LISTEN_ADDR (127.0.0.1),
# PGBOUNCER_LISTEN_PORT (6432), PGBOUNCER_POOL_SIZE (10), PGBOUNCER_MAX_CLIENT_CONN (500),
# PGBOUNCER_SERVER_TLS_SSLMODE (require), PGBOUNCER_SERVER_LIFETIME (3600 seconds).
set -eu

: "${PGBOUNCER_DATABASE_HOST:?PGBOUNCER_DATABASE_HOST is required}"
: "${PGBOUNCER_DATABASE_NAME:?PGBOUNCER_DATABASE_NAME is required}"
: "${PGBOUNCER_DATABASE_USER:?PGBOUNCER_DATABASE_USER is required}"
: "${PGBOUNCER_DATABASE_PASSWORD:?PGBOUNCER_DATABASE_PASSWORD is required}"

directory="${TMPDIR:-/tmp}/pgbouncer"
umask 077
mkdir -p "$directory"

quote() { printf '"%s"' "$(printf '%s' "$1" | sed 's/"/""/g')"; }
printf '%s %s\n' "$(quote "$PGBOUNCER_DATABASE_USER")" "$(quote "$PGBOUNCER_DATABASE_PASSWORD")" >"$directory/userlist.txt"

cat >"$directory/pgbouncer.ini" <<INI
[databases]
${PGBOUNCER_DATABASE_NAME} = host=${PGBOUNCER_DATABASE_HOST} port=${PGBOUNCER_DATABASE_PORT:-5432} dbname=${PGBOUNCER_DATABASE_NAME}

[pgbouncer]
listen_addr = ${PGBOUNCER_LISTEN_ADDR:-127.0.0.1}
listen_port = ${PGBOUNCER_LISTEN_PORT:-6432}
unix_socket_dir =
pool_mode = transaction
default_pool_size = ${PGBOUNCER_POOL_SIZE:-10}
max_client_conn = ${PGBOUNCER_MAX_CLIENT_CONN:-500}
server_reset_query =
server_reset_query_always = 0
ignore_startup_parameters = options,extra_float_digits
server_tls_sslmode = ${PGBOUNCER_SERVER_TLS_SSLMODE:-require}
server_lifetime = ${PGBOUNCER_SERVER_LIFETIME:-3600}
server_idle_timeout = 300
query_wait_timeout = 60
auth_type = trust
auth_file = ${directory}/userlist.txt
stats_users = ${PGBOUNCER_DATABASE_USER}
logfile =
pidfile =
INI

exec pgbouncer "$directory/pgbouncer.ini"
