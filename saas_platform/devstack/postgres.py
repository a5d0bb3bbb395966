"""A private PostgreSQL server: finding its binaries, creating and starting it, stopping it (and
servers an earlier, killed devstack left behind)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from saas_platform.devstack.common import (
    DevstackError,
    ServiceFiles,
    display_path,
    free_port,
    log_tail,
    no_system,
    package_dir,
    read_from,
    say,
)
from saas_platform.devstack.processes import (
    RunAs,
    lock_dir,
    process_alive,
    run_tool,
    take_stop_signal,
    wait_gone,
)

DATABASE_NAME = "wirebook"
DATABASE_USER = "postgres"
FALLBACK_MARKER = "devstack-origin"


@dataclass
class PgBinaries:
    initdb: Path
    pg_ctl: Path
    postgres: Path
    source: str

    @classmethod
    def in_dir(cls, bindir: Path, source: str) -> PgBinaries:
        return cls(bindir / "initdb", bindir / "pg_ctl", bindir / "postgres", source=source)


def find_pg_binaries() -> PgBinaries:
    names = ("initdb", "pg_ctl", "postgres")
    if not no_system():
        initdb, pg_ctl, postgres = (shutil.which(name) for name in names)
        if initdb and pg_ctl and postgres:
            return PgBinaries(Path(initdb), Path(pg_ctl), Path(postgres), source="PATH")

        def version_key(path: Path) -> list[int]:
            return [int(part) if part.isdigit() else 0 for part in path.parent.name.split(".")]

        candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version_key, reverse=True)
        for bindir in candidates:
            if all((bindir / name).is_file() for name in names):
                return PgBinaries.in_dir(bindir, source=str(bindir))
    pkg = package_dir("pgserver")
    if pkg is not None:
        bindir = pkg / "pginstall" / "bin"
        if all((bindir / name).is_file() for name in names):
            return PgBinaries.in_dir(bindir, source="pip package pgserver")
    raise DevstackError(
        "no PostgreSQL binaries found (initdb, pg_ctl, postgres). Install them with "
        "`apt-get install postgresql` (or your system's package manager), or the bundled build with "
        "`pip install -e '.[embedded]'`, or point DATABASE_URL at an existing server."
    )


def major_version(version_output: str) -> str:
    match = re.search(r"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?", version_output)
    if not match:
        raise DevstackError(f"cannot read the PostgreSQL version from {version_output.strip()!r}")
    major, minor = int(match.group(1)), match.group(2)
    return str(major) if major >= 10 else f"{major}.{minor}"


def fallback_dir(directory: Path) -> Path:
    """Where PostgreSQL's files go when devstack runs as root and the server's user cannot reach <dir>."""
    directory = Path(os.path.abspath(directory))
    digest = hashlib.sha256(str(directory).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"wirebook-{digest}-{directory.name}"


def _short_socket_dir(candidate: Path) -> tuple[Path, bool]:
    # A Unix socket path (<dir>/.s.PGSQL.<port>) must fit in sun_path, ~107 bytes.
    if len(os.fsencode(candidate)) + len("/.s.PGSQL.65535") <= 100:
        return candidate, False
    return Path(tempfile.mkdtemp(prefix="wb-pg-")), True


@dataclass
class Postgres(ServiceFiles):
    bins: PgBinaries
    runas: RunAs | None
    state_dir: Path
    version: str = ""
    port: int = 0
    socket_dir: Path | None = None
    socket_dir_is_temp: bool = False
    started: bool = False
    locks: list[TextIO] = field(default_factory=list)

    name = "PostgreSQL"
    stem = "postgres"  # data in <state_dir>/postgres, log in <state_dir>/postgres.log

    @property
    def url(self) -> str:
        return f"postgres://{DATABASE_USER}@127.0.0.1:{self.port}/{DATABASE_NAME}"

    def tool(self, *args, timeout: float = 120) -> subprocess.CompletedProcess:
        return run_tool(list(args), self.runas, cwd=self.state_dir, timeout=timeout)

    # -- stale servers --

    def _postmaster_pid(self) -> int | None:
        try:
            return int((self.data_dir / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def is_running(self) -> bool:
        """Whether a server runs on this data directory (e.g. one left behind by a killed devstack)."""
        pid = self._postmaster_pid()
        if pid is None:
            return False
        # The postmaster's working directory is its data directory. Checking that (where /proc
        # allows it) keeps a reused pid from being taken for our server; root can see any process,
        # which pg_ctl (kill(pid, 0) as the unprivileged user) cannot when the owner changed.
        try:
            return os.readlink(f"/proc/{pid}/cwd") == os.path.realpath(self.data_dir)
        except FileNotFoundError:
            if Path("/proc/self/cwd").exists():
                return False  # no such process
        except OSError:
            pass
        return self.tool(self.bins.pg_ctl, "-D", self.data_dir, "status").returncode == 0

    def stop_server(self) -> None:
        result = self.tool(self.bins.pg_ctl, "-D", self.data_dir, "-m", "fast", "-w", "-t", "30", "stop", timeout=60)
        if result.returncode == 0 or not self.is_running():
            return
        pid = self._postmaster_pid()
        if pid and process_alive(pid):  # last resort: fast shutdown, then immediate, then kill
            for sig, wait in ((signal.SIGINT, 15), (signal.SIGQUIT, 5), (signal.SIGKILL, 5)):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, sig)
                if wait_gone(pid, wait):
                    return
        raise DevstackError(f"could not stop PostgreSQL on {self.data_dir}:\n{result.stdout}{result.stderr}")

    # -- start --

    def prepare(self) -> None:
        version = self.tool(self.bins.postgres, "--version")
        if version.returncode != 0:
            who = f" as user {self.runas.name}" if self.runas else ""
            raise DevstackError(
                f"{self.bins.postgres} --version failed{who}:\n{version.stdout}{version.stderr}".rstrip()
                + ("\n(the binary must be readable and executable by that user)" if self.runas else "")
            )
        self.version = major_version(version.stdout)

        if self.is_running():
            say(f"stopping a PostgreSQL left running on {display_path(self.data_dir)} by an earlier run")
            self.stop_server()

        pg_version = self.data_dir / "PG_VERSION"
        if pg_version.exists():
            existing = pg_version.read_text().strip()
            if existing != self.version:
                say(f"{display_path(self.data_dir)} is from PostgreSQL {existing}, not {self.version}: re-creating it")
                shutil.rmtree(self.data_dir)
        elif self.data_dir.exists():
            shutil.rmtree(self.data_dir)  # a half-finished initdb; the data is throwaway anyway

        if self.runas:
            # The unprivileged user needs to own the data directory and be able to write the log.
            self.data_dir.mkdir(mode=0o700, exist_ok=True)
            if self.data_dir.stat().st_uid != self.runas.uid:
                self.runas.chown(self.data_dir, recursive=True)
            self.log_file.touch()
            self.runas.chown(self.log_file)

        if not pg_version.exists():
            self.initdb()

    def initdb(self) -> None:
        help_text = self.tool(self.bins.initdb, "--help").stdout
        args = [self.bins.initdb, "-D", self.data_dir, "-U", DATABASE_USER]
        # --no-sync: like fsync=off below, durability does not matter for throwaway dev/test data.
        for flag in ("--auth=trust", "--encoding=UTF8", "--no-instructions", "--no-sync"):
            if flag.split("=")[0] in help_text:
                args.append(flag)
        result = self.tool(*args)
        if result.returncode != 0:
            raise DevstackError(f"initdb failed:\n{result.stdout}{result.stderr}".rstrip())

    def start(self) -> None:
        self.socket_dir, self.socket_dir_is_temp = _short_socket_dir(self.state_dir / "sock")
        self.socket_dir.mkdir(mode=0o700, exist_ok=True)
        if self.runas:
            self.runas.chown(self.socket_dir)
        self.started = True  # from here on, stop() runs pg_ctl stop even if start fails half-way
        for attempt in range(3):
            self.port = free_port()
            # fsync, full_page_writes and synchronous_commit are off: this is throwaway dev/test
            # data, and a crash may lose it. That makes migrations and tests much faster.
            options = (
                f"-p {self.port} -k {shlex.quote(str(self.socket_dir))} -c listen_addresses=127.0.0.1 "
                "-c fsync=off -c full_page_writes=off -c synchronous_commit=off "
                # Creating or dropping an organization's schema locks every table, index and sequence
                # in it within one transaction; PostgreSQL's default (64 per connection) runs out
                # when two test workers do that at once. 1024 is what production is told to use.
                "-c max_locks_per_transaction=1024"
            )
            log_size = self.log_file.stat().st_size if self.log_file.exists() else 0
            start = [self.bins.pg_ctl, "-D", self.data_dir, "-l", self.log_file, "-o", options, "-w", "-t", "30"]
            result = self.tool(*start, "start", timeout=60)
            if result.returncode == 0:
                break
            new_log = read_from(self.log_file, log_size)
            if "could not bind" in new_log and attempt < 2:
                continue  # somebody took the port between free_port() and the bind; try another one
            raise DevstackError(
                f"PostgreSQL did not start:\n{result.stdout}{result.stderr}".rstrip()
                + f"\n  last lines of {self.log_file}:\n{log_tail(self.log_file)}"
            )
        self.wait_ready()

    def wait_ready(self, timeout: float = 30) -> None:
        import psycopg

        deadline = time.monotonic() + timeout
        while True:
            take_stop_signal()
            try:
                with psycopg.connect(
                    host="127.0.0.1",
                    port=self.port,
                    user=DATABASE_USER,
                    dbname="postgres",
                    connect_timeout=2,
                    autocommit=True,
                ) as conn:
                    exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
                    if not exists:
                        conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
                    return
            except psycopg.OperationalError as exc:
                if time.monotonic() > deadline:
                    raise DevstackError(
                        f"PostgreSQL on port {self.port} does not accept connections: {exc}\n"
                        f"  last lines of {self.log_file}:\n{log_tail(self.log_file)}"
                    ) from exc
                time.sleep(0.1)

    def stop(self) -> None:
        try:
            if self.started:
                self.stop_server()
        finally:
            if self.socket_dir_is_temp and self.socket_dir:
                shutil.rmtree(self.socket_dir, ignore_errors=True)
            for handle in self.locks:
                handle.close()


def sweep_fallback_dirs(bins: PgBinaries, runas: RunAs) -> None:
    """Delete root-fallback data dirs whose origin directory is gone (e.g. an old pytest tmp_path)."""
    for candidate in Path(tempfile.gettempdir()).glob("wirebook-*"):
        marker = candidate / FALLBACK_MARKER
        try:
            origin = marker.read_text().strip()
        except OSError:
            continue
        if not origin or Path(origin).exists():
            continue
        try:
            lock = lock_dir(candidate, str(candidate))
        except (DevstackError, OSError):
            continue
        try:
            stale = Postgres(bins, runas, candidate)
            if stale.is_running():
                stale.stop_server()
            shutil.rmtree(candidate, ignore_errors=True)
        except DevstackError:
            pass
        finally:
            lock.close()


def reachable_state_dir(directory: Path, runas: RunAs | None, what: str) -> tuple[Path, list[TextIO]]:
    """Where a service running as `runas` keeps its files: <dir>, or the fallback directory (locked
    while in use) when that user cannot reach <dir>."""
    if runas is None or runas.can_traverse(directory):
        return directory, []
    state_dir = fallback_dir(directory)
    state_dir.mkdir(mode=0o700, exist_ok=True)
    runas.chown(state_dir)
    (state_dir / FALLBACK_MARKER).write_text(str(directory) + "\n")
    locks = [lock_dir(state_dir, str(state_dir))]
    say(f"user {runas.name} cannot reach {display_path(directory)}; keeping {what}'s files in {state_dir} instead")
    return state_dir, locks


def start_postgres(directory: Path) -> Postgres:
    bins = find_pg_binaries()
    runas = RunAs.for_postgres()
    if runas:
        sweep_fallback_dirs(bins, runas)
    state_dir, locks = reachable_state_dir(directory, runas, "PostgreSQL")
    server = Postgres(bins, runas, state_dir, locks=locks)
    try:
        server.prepare()
        server.start()
    except BaseException:
        server.stop()
        raise
    as_user = f", running as {runas.name}" if runas else ""
    say(f"PostgreSQL {server.version} at {server.url} (data in {display_path(server.data_dir)}{as_user})")
    return server
