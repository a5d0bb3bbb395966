"""A live Wirebook server for tests that talk to it over real HTTP (tests/compat/, tests/e2e/).

`live_server(...)` starts gunicorn (threaded) serving `saas_platform.wsgi` on the *test*
database and Redis -- through PgBouncer in transaction pooling mode when the dev stack runs one
(`WIREBOOK_PGBOUNCER=1`, as `make test` does: docs/operations.md, "PgBouncer") -- on a socket
bound here on a free port and handed over by file descriptor (no race for the port), waits until
`/healthz` answers, and stops it when the block ends. The server is another process: it sees only
committed data (use the `committed` fixture or commit in a session fixture), and its log goes to a
file that `attach_server_log` adds to the report of a failing test (see the hook in tests/conftest.py).
"""

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import requests
from django.conf import settings
from django.db import connection

from saas_platform.devstack import pgbouncer

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 30.0


@dataclass(frozen=True)
class LiveServer:
    base_url: str  # http://127.0.0.1:<port>
    log: Path

    def url(self, path: str) -> str:
        return self.base_url + path

    def organization_url(self, slug: str) -> str:
        return f"{self.base_url}/o/{slug}"


def database_url() -> str:
    db = connection.settings_dict
    assert db["NAME"].startswith("test_"), "refusing to serve anything but the test database"
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(db['NAME'])}"


def pgbouncer_url() -> str | None:
    """The dev stack's PgBouncer (`WIREBOOK_PGBOUNCER=1`), if it runs one: live servers go through it."""
    return os.environ.get(pgbouncer.URL_ENV, "").strip() or None


def pooled_database_url(pooler_url: str) -> str:
    """The test database through the PgBouncer at `pooler_url`."""
    return pgbouncer.pooled_url(database_url(), urlsplit(pooler_url).port or 6432)


def pgbouncer_admin_url(pooler_url: str) -> str:
    return pgbouncer.pooled_url(pooler_url, urlsplit(pooler_url).port or 6432, pgbouncer.ADMIN_DATABASE)


def release_pooled_connections(pooler_url: str) -> None:
    """Close PgBouncer's server connections to the test database, which can then be dropped.

    Only when no live server uses it any more (before the database is dropped): PgBouncer drops
    the clients of a killed database too."""
    pgbouncer.release_database(pgbouncer_admin_url(pooler_url), connection.settings_dict["NAME"])


def _log_tail(log: Path, characters: int = 4000) -> str:
    try:
        return log.read_text(errors="replace")[-characters:]
    except OSError:
        return "(no server log)"


def _wait_until_healthy(base_url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    last_error = ""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the Wirebook server exited with code {process.returncode}:\n{_log_tail(log)}")
        try:
            response = requests.get(f"{base_url}/healthz", timeout=2)
            if response.status_code == 200:
                return
            last_error = f"{response.status_code} {response.text[:200]}"
        except requests.RequestException as error:
            last_error = str(error)
        time.sleep(0.1)
    pytest.fail(f"the Wirebook server did not become healthy in {START_TIMEOUT} s ({last_error}):\n{_log_tail(log)}")


@contextlib.contextmanager
def live_server(
    directory: Path,
    *,
    env: Mapping[str, str] | None = None,
    threads: int = 8,
    workers: int = 1,
    pooler_url: str | None = None,
) -> Iterator[LiveServer]:
    """Serve Wirebook until the block ends; `directory` gets the server log, `env` adds to or
    overrides the server's environment (settings are env-only: docs/configuration.md); `workers`
    processes of `threads` threads each.

    The server reaches the database through the PgBouncer at `pooler_url`, else the dev stack's
    (if any), else directly."""
    pooler_url = pooler_url or pgbouncer_url()
    log = directory / "server.log"
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    listener.set_inheritable(True)
    port = listener.getsockname()[1]
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "saas_platform.settings",
        "DATABASE_URL": pooled_database_url(pooler_url) if pooler_url else database_url(),
        # A server-side cursor outside a transaction would outlive it on a pooled connection.
        "DATABASE_DISABLE_SERVER_SIDE_CURSORS": "true" if pooler_url else "false",
        "REDIS_URL": settings.REDIS_URL,
        "DEBUG": "true",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Emailed links (tenants.public_urls) point at this server.
        "WIREBOOK_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "WIREBOOK_SPARE_SCHEMAS": "0",
        # Tokens are made here and checked there: both sides must digest with the same pepper.
        "SECRET_KEY": settings.SECRET_KEY,
        "API_TOKEN_PEPPER": settings.API_TOKEN_PEPPER,
        "SENTRY_DSN": "",
        # The identity providers of the tests (tests/identity_providers.py) listen on loopback.
        "OUTBOUND_ALLOW_PRIVATE_NETWORKS": "true",
        **(env or {}),
    }
    command = [
        sys.executable, "-m", "gunicorn", "saas_platform.wsgi:application",
        "--bind", f"fd://{listener.fileno()}",
        "--worker-class", "gthread", "--workers", str(workers), "--threads", str(threads),
        "--timeout", "120", "--graceful-timeout", "5",
        "--access-logfile", "-", "--error-logfile", "-", "--log-level", "info",
    ]  # fmt: skip
    with log.open("w") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT, pass_fds=(listener.fileno(),)
        )
    listener.close()  # the server holds its own copy
    server = LiveServer(base_url=f"http://127.0.0.1:{port}", log=log)
    try:
        _wait_until_healthy(server.base_url, process, log)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def attach_server_log(request: pytest.FixtureRequest, server: LiveServer) -> None:
    """Add what the server logs from now on to the report of this test, should it fail."""
    request.node.wirebook_server_log = (server.log, server.log.stat().st_size)


def server_log_section(item: pytest.Item) -> str | None:
    server_log = getattr(item, "wirebook_server_log", None)
    if server_log is None:
        return None
    log, start = server_log
    with contextlib.suppress(OSError), log.open(errors="replace") as lines:
        lines.seek(start)
        return lines.read()[-20000:]
    return None
