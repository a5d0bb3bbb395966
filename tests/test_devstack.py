"""`python -m saas_platform.devstack exec` provides PostgreSQL and Redis to a command, then stops them.

No Django database is involved: the test starts its own services in tmp_path (as root, PostgreSQL's
files may land in a temporary fallback directory, which the test removes afterwards).
"""

import os
import shutil
import socket
import subprocess
import sys
from urllib.parse import urlsplit

import pytest

from saas_platform import devstack
from saas_platform.devstack.pgbouncer import ENABLE_ENV, URL_ENV, Upstream, enabled, find_pgbouncer, pooled_url
from saas_platform.devstack.stack import needs_pooler

CHILD = """
import os, socket, psycopg
with psycopg.connect(os.environ["DATABASE_URL"], connect_timeout=5) as conn:
    assert conn.execute("SELECT current_database()").fetchone()[0] == "wirebook"
redis_url = os.environ["REDIS_URL"].split("//")[1].split("/")[0]
host, port = redis_url.rsplit(":", 1)
with socket.create_connection((host, int(port)), timeout=5) as sock:
    sock.sendall(b"PING\\r\\n")
    assert sock.recv(64).startswith(b"+PONG")
print("OK", os.environ["DATABASE_URL"], os.environ["REDIS_URL"])
"""


def accepts_connections(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def devstack_exec(tmp_path, child: str, **env: str) -> subprocess.CompletedProcess:
    """`python -m saas_platform.devstack exec --dir <tmp_path> -- python -c <child>`, with no service given."""
    unset = {"DATABASE_URL", "REDIS_URL", ENABLE_ENV, URL_ENV}
    environment = {name: value for name, value in os.environ.items() if name not in unset}
    command = [sys.executable, "-m", "saas_platform.devstack", "exec", "--dir", str(tmp_path), "--"]
    try:
        return subprocess.run(
            [*command, sys.executable, "-c", child],
            env={**environment, **env},
            cwd=devstack.PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        shutil.rmtree(devstack.fallback_dir(tmp_path), ignore_errors=True)


def test_exec_starts_services_for_the_command_and_stops_them(tmp_path):
    try:
        devstack.find_pg_binaries()
        devstack.find_redis_server()
    except devstack.DevstackError as exc:
        pytest.skip(str(exc))

    result = devstack_exec(tmp_path, CHILD)

    assert result.returncode == 0, result.stdout + result.stderr
    ok, database_url, redis_url = result.stdout.split()
    assert ok == "OK"
    assert database_url.startswith("postgres://postgres@127.0.0.1:")
    assert database_url.endswith("/wirebook")
    assert redis_url.startswith("redis://127.0.0.1:")
    assert "devstack: PostgreSQL" in result.stderr
    assert "devstack: Redis" in result.stderr
    assert "devstack: stopped Redis, PostgreSQL" in result.stderr
    assert not accepts_connections(urlsplit(database_url).port)
    assert not accepts_connections(urlsplit(redis_url).port)


POOLED_CHILD = """
import os, psycopg
from saas_platform.devstack.pgbouncer import ADMIN_DATABASE, admin_command, pooled_url
url = os.environ["WIREBOOK_PGBOUNCER_URL"]
port = int(url.rsplit(":", 1)[1].split("/")[0])
with psycopg.connect(url, connect_timeout=5) as conn:
    pooled_database = conn.execute("SELECT current_database()").fetchone()[0]
config = dict(row[:2] for row in admin_command(pooled_url(url, port, ADMIN_DATABASE), "SHOW CONFIG"))
print("OK", os.environ["DATABASE_URL"], url, pooled_database, config["pool_mode"])
"""


def test_exec_with_pgbouncer_puts_a_transaction_pooler_before_postgresql(tmp_path):
    try:
        devstack.find_pg_binaries()
        devstack.find_redis_server()
        find_pgbouncer()
    except devstack.DevstackError as exc:
        if enabled(os.environ.get(ENABLE_ENV)):
            pytest.fail(str(exc))
        pytest.skip(str(exc))

    result = devstack_exec(tmp_path, POOLED_CHILD, **{ENABLE_ENV: "1", "PYTHONPATH": str(devstack.PROJECT_ROOT)})

    assert result.returncode == 0, result.stdout + result.stderr
    ok, database_url, pooled, pooled_database, pool_mode = result.stdout.split()
    assert ok == "OK"
    assert (pooled_database, pool_mode) == ("wirebook", "transaction")
    # DATABASE_URL still goes straight to PostgreSQL; the pooler is another port in front of it
    assert urlsplit(pooled).port != urlsplit(database_url).port
    assert "devstack: stopped Redis, PgBouncer, PostgreSQL" in result.stderr
    assert not accepts_connections(urlsplit(pooled).port)


def test_the_pooler_is_started_only_when_asked_for_and_not_given():
    assert needs_pooler({ENABLE_ENV: "1"})
    assert needs_pooler({ENABLE_ENV: "true", URL_ENV: " "})
    assert not needs_pooler({ENABLE_ENV: "1", URL_ENV: "postgres://me@db:6432/wirebook"})
    assert not needs_pooler({ENABLE_ENV: "0"})
    assert not needs_pooler({})


def test_pooled_urls_keep_the_credentials_and_change_the_address():
    url = "postgres://us%40er:p%3Ass@db.internal:5432/wirebook?sslmode=require"
    assert Upstream.from_url(url) == Upstream("db.internal", 5432, "us@er", "p:ss", "wirebook")
    assert pooled_url(url, 6432) == "postgres://us%40er:p%3Ass@127.0.0.1:6432/wirebook?sslmode=require"
    assert (
        pooled_url(url, 6432, "test_wirebook")
        == "postgres://us%40er:p%3Ass@127.0.0.1:6432/test_wirebook?sslmode=require"
    )
    with pytest.raises(devstack.DevstackError):
        Upstream.from_url("mysql://db/wirebook")
