"""A private PgBouncer in transaction pooling mode in front of a PostgreSQL server: finding Debian's
binary, writing its configuration, starting it, releasing a database's pooled server connections
and stopping it.

Wirebook applies an organization's schema transaction by transaction (tenants.db), so a server
connection handed from one client to another in between carries nothing of the first: this
pooler is how the test suite proves it (docs/operations.md, "PgBouncer").
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from saas_platform.devstack.common import (
    DevstackError,
    ServiceFiles,
    free_port,
    log_tail,
    no_system,
    read_from,
    say,
)
from saas_platform.devstack.processes import RunAs, restore_sigmask, take_stop_signal, terminate

ENABLE_ENV = "WIREBOOK_PGBOUNCER"
URL_ENV = "WIREBOOK_PGBOUNCER_URL"
ADMIN_DATABASE = "pgbouncer"  # PgBouncer's console: SHOW POOLS, KILL <db>, RESUME <db>...
DEFAULT_POOL_SIZE = 10
MAX_CLIENT_CONNECTIONS = 400


def enabled(value: str | None) -> bool:
    return (value or "").strip().lower() not in {"", "0", "false", "no", "off"}


def find_pgbouncer() -> Path:
    if not no_system():
        for candidate in (shutil.which("pgbouncer"), "/usr/sbin/pgbouncer", "/usr/local/sbin/pgbouncer"):
            if candidate and Path(candidate).is_file():
                return Path(candidate)
    raise DevstackError(
        f"{ENABLE_ENV}=1 asks for PgBouncer, but no pgbouncer binary was found. Install it with "
        "`apt-get install pgbouncer` (`make pgbouncer` does), or unset the variable."
    )


@dataclass(frozen=True)
class Upstream:
    """The PostgreSQL server PgBouncer hands connections to, read from a DATABASE_URL."""

    host: str
    port: int
    user: str
    password: str
    database: str

    @classmethod
    def from_url(cls, url: str) -> Upstream:
        parts = urlsplit(url)
        if parts.scheme not in {"postgres", "postgresql"} or not parts.path.strip("/"):
            raise DevstackError(f"PgBouncer needs a postgres://user@host:port/database URL, got {url!r}")
        return cls(
            host=unquote(parts.hostname or "127.0.0.1"),
            port=parts.port or 5432,
            user=unquote(parts.username or "postgres"),
            password=unquote(parts.password or ""),
            database=unquote(parts.path.lstrip("/")),
        )


def pooled_url(url: str, port: int, database: str | None = None) -> str:
    """`url` with its host and port replaced by the pooler's (and its database by `database`)."""
    parts = urlsplit(url)
    credentials = parts.netloc.rpartition("@")[0]
    netloc = f"{credentials}@127.0.0.1:{port}" if credentials else f"127.0.0.1:{port}"
    path = "/" + quote(database) if database else parts.path
    return urlunsplit((parts.scheme, netloc, path, parts.query, ""))


def _quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


@dataclass
class PgBouncer(ServiceFiles):
    binary: Path
    upstream: Upstream
    state_dir: Path
    runas: RunAs | None = None
    pool_size: int = DEFAULT_POOL_SIZE
    port: int = 0
    process: subprocess.Popen | None = None
    locks: list[TextIO] = field(default_factory=list)

    name = "PgBouncer"
    stem = "pgbouncer"  # configuration in <state_dir>/pgbouncer/, log in <state_dir>/pgbouncer.log

    @property
    def config_file(self) -> Path:
        return self.data_dir / "pgbouncer.ini"

    @property
    def auth_file(self) -> Path:
        return self.data_dir / "userlist.txt"

    def url(self, database: str | None = None) -> str:
        """What a client connects to: the upstream's user and database (or `database`), through the pooler."""
        up = self.upstream
        credentials = quote(up.user, safe="") + (":" + quote(up.password, safe="") if up.password else "")
        return f"postgres://{credentials}@127.0.0.1:{self.port}/{quote(database or up.database)}"

    def config(self) -> str:
        up = self.upstream
        return "\n".join(
            [
                "[databases]",
                # Any database name goes to the same server: `wirebook` and the tests' `test_wirebook_gw0`...
                f"* = host={up.host} port={up.port}",
                "",
                "[pgbouncer]",
                "listen_addr = 127.0.0.1",
                f"listen_port = {self.port}",
                "unix_socket_dir =",
                "pool_mode = transaction",
                f"default_pool_size = {self.pool_size}",
                "min_pool_size = 0",
                "reserve_pool_size = 0",
                f"max_client_conn = {MAX_CLIENT_CONNECTIONS}",
                # Nothing of a transaction may stay on a server connection; no reset query is run
                # between clients in transaction mode, so none is configured to hide a leak.
                "server_reset_query =",
                "server_reset_query_always = 0",
                # The application asks for its default schema in the startup packet (`options`); the
                # pooler cannot replay startup options per client, so the server's default applies.
                "ignore_startup_parameters = options,extra_float_digits",
                "auth_type = trust",
                f"auth_file = {self.auth_file}",
                f"admin_users = {up.user}",
                "logfile =",
                "pidfile =",
                "log_connections = 0",
                "log_disconnections = 0",
                "",
            ]
        )

    def write_files(self) -> None:
        self.data_dir.mkdir(mode=0o700, exist_ok=True)
        self.config_file.write_text(self.config())
        self.auth_file.write_text(f"{_quoted(self.upstream.user)} {_quoted(self.upstream.password)}\n")
        self.auth_file.chmod(0o600)
        if self.runas:
            self.runas.chown(self.data_dir, recursive=True)

    def start(self) -> None:
        for attempt in range(3):
            self.port = free_port()
            self.write_files()
            log_size = self.log_file.stat().st_size if self.log_file.exists() else 0
            with open(self.log_file, "ab") as log:
                self.process = subprocess.Popen(  # noqa: S603
                    [str(self.binary), str(self.config_file)],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    process_group=0,
                    preexec_fn=restore_sigmask,
                    **(self.runas.popen_kwargs() if self.runas else {}),
                )
            if self.wait_ready():
                return
            new_log = read_from(self.log_file, log_size)
            if "Address already in use" in new_log and attempt < 2:
                continue
            raise DevstackError(f"pgbouncer did not start; end of {self.log_file}:\n{log_tail(self.log_file)}")

    def wait_ready(self, timeout: float = 15) -> bool:
        process = self.process
        assert process is not None, "start() launches pgbouncer before waiting for it"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            take_stop_signal()
            if process.poll() is not None:
                return False
            try:
                self.admin("SHOW VERSION")
                return True
            except OSError:
                time.sleep(0.05)
        self.stop()
        return False

    def admin(self, command: str) -> list[tuple]:
        """Run a command on PgBouncer's console (simple query protocol, as it requires)."""
        return admin_command(self.url(ADMIN_DATABASE), command)

    def stop(self) -> None:
        try:
            terminate(self.process)  # on SIGTERM PgBouncer closes every connection and exits
        finally:
            for handle in self.locks:
                handle.close()


def admin_command(admin_url: str, command: str) -> list[tuple]:
    """`command` on the console of the PgBouncer at `admin_url` (its `pgbouncer` database).

    Raises OSError when nothing answers there (psycopg's OperationalError is turned into one)."""
    import psycopg

    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=2) as conn:
            # A query without parameters goes out with the simple query protocol, the only one the console speaks.
            cursor = conn.execute(command.encode())
            return cursor.fetchall() if cursor.description else []
    except psycopg.OperationalError as exc:
        raise ConnectionRefusedError(str(exc)) from exc


def release_database(admin_url: str, database: str) -> None:
    """Close the pooled server connections to `database` (so it can be dropped) and let clients in again."""
    with contextlib.suppress(OSError):
        admin_command(admin_url, f"KILL {database}")
    admin_command(admin_url, f"RESUME {database}")


def start_pgbouncer(database_url: str, state_dir: Path, runas: RunAs | None, locks: list[TextIO]) -> PgBouncer:
    """PgBouncer in front of the server of `database_url`, its files in `state_dir` (which `runas`,
    the user it runs as when devstack runs as root, can reach; `locks` are released when it stops)."""
    pooler = PgBouncer(find_pgbouncer(), Upstream.from_url(database_url), state_dir, runas=runas, locks=locks)
    try:
        pooler.start()
    except BaseException:
        pooler.stop()
        raise
    say(f"PgBouncer (transaction pooling) at {pooler.url()} ({pooler.binary})")
    return pooler
