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


def test_exec_starts_services_for_the_command_and_stops_them(tmp_path):
    try:
        devstack.find_pg_binaries()
        devstack.find_redis_server()
    except devstack.DevstackError as exc:
        pytest.skip(str(exc))
    env = {name: value for name, value in os.environ.items() if name not in {"DATABASE_URL", "REDIS_URL"}}
    command = [sys.executable, "-m", "saas_platform.devstack", "exec", "--dir", str(tmp_path), "--"]
    try:
        result = subprocess.run(
            [*command, sys.executable, "-c", CHILD],
            env=env,
            cwd=devstack.PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        shutil.rmtree(devstack.fallback_dir(tmp_path), ignore_errors=True)

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
