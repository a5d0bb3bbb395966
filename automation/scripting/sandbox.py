"""Run untrusted Python in a bubblewrap (`bwrap`) sandbox: a child process with nothing of the server.

What the child gets, and nothing else (docs/scripts.md, "The sandbox"):

- its own user, PID, network, IPC, UTS and cgroup namespaces (`--unshare-all`): no network at all, not even
  the loopback the server's PostgreSQL and Redis listen on; no view of the server's processes;
- an unprivileged user: every capability dropped, no further user namespaces, `--new-session`, and when
  the worker runs as root the sandbox runs as `SCRIPTS_SANDBOX_UID` instead;
- a read-only `/usr` (the Python standard library, `SCRIPTS_PYTHON`), a read-only `/wirebook` holding
  only the files of this run, a private empty `/tmp` (in memory, four times the file size limit), a
  minimal `/dev` and a `/proc` of its own namespace;
- an empty environment (`--clearenv`, and bwrap itself is started with none): no secrets;
- resource limits set before any of its code runs (runtime/launch.py): CPU seconds, address space, file
  size, processes, open files; the worker kills it after `SCRIPTS_WALL_SECONDS` and keeps at most
  `SCRIPTS_MAX_OUTPUT` bytes of its output;
- a seccomp filter refusing the few system calls left that could reach outside the script's own
  processes or widen the kernel surface (ptrace, keyrings, eBPF, io_uring...: automation.scripting.seccomp);
- optionally one directory (`socket_dir`, at `/run/wirebook`) through which it reaches a Unix socket the
  worker serves: the only way out.

If bwrap is missing or cannot create its namespaces, nothing runs: `SandboxUnavailable`.
"""

import contextlib
import json
import os
import selectors
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings

from automation.scripting.errors import SandboxUnavailable
from automation.scripting.seccomp import seccomp_program

if TYPE_CHECKING:
    from automation.scripting.gateway import Gateway

RUNTIME_DIR = Path(__file__).parent / "runtime"
FILES_MOUNT = "/wirebook"
SANDBOX_TMP = "/tmp"  # noqa: S108 -- the sandbox's own private tmpfs, not the host's
SOCKET_MOUNT = "/run/wirebook"
PYTHON_CANDIDATES = ("/usr/bin/python3", "/usr/local/bin/python3")
MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    cpu_seconds: int
    wall_seconds: float
    memory_bytes: int
    file_bytes: int
    processes: int
    open_files: int
    output_bytes: int

    @property
    def tmp_bytes(self) -> int:
        """The private /tmp is memory: a few files of the largest size, no more."""
        return 4 * self.file_bytes

    @classmethod
    def from_settings(cls, **overrides) -> "Limits":
        values = {
            "cpu_seconds": settings.SCRIPTS_CPU_SECONDS,
            "wall_seconds": settings.SCRIPTS_WALL_SECONDS,
            "memory_bytes": settings.SCRIPTS_MEMORY_MB * MEGABYTE,
            "file_bytes": settings.SCRIPTS_FILE_MB * MEGABYTE,
            "processes": settings.SCRIPTS_PROCESSES,
            "open_files": settings.SCRIPTS_OPEN_FILES,
            "output_bytes": settings.SCRIPTS_MAX_OUTPUT,
        }
        return cls(**(values | overrides))

    def rlimits(self) -> dict[str, int]:
        return {
            "cpu": self.cpu_seconds,
            "memory": self.memory_bytes,
            "file": self.file_bytes,
            "processes": self.processes,
            "open_files": self.open_files,
            "core": 0,
        }


@dataclass
class SandboxResult:
    returncode: int
    stdout: bytes
    stderr: bytes
    timed_out: bool = False
    truncated: bool = False
    elapsed: float = 0.0
    limits: Limits | None = field(default=None, repr=False)

    @property
    def signal(self) -> int | None:
        """The signal that ended the child (bwrap reports it as 128 + the signal's number)."""
        if self.returncode < 0:
            return -self.returncode
        if self.returncode > 128:
            return self.returncode - 128
        return None

    def failure(self) -> str | None:
        """Why the run ended abnormally, in words for the job's log, or None when it exited normally."""
        seconds = self.limits.wall_seconds if self.limits else "the allowed"
        if self.timed_out:
            return f"The script ran longer than {seconds:g} seconds and was stopped."
        if self.signal in (signal.SIGXCPU, signal.SIGKILL) and self.limits:
            return f"The script was stopped: it used more than {self.limits.cpu_seconds} seconds of CPU time."
        if self.signal == signal.SIGXFSZ:
            return "The script was stopped: it wrote a file larger than allowed."
        if self.signal is not None:
            return f"The script was stopped by signal {signal.Signals(self.signal).name}."
        return None


def python_path() -> str:
    if settings.SCRIPTS_PYTHON:
        return settings.SCRIPTS_PYTHON
    for candidate in PYTHON_CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    raise SandboxUnavailable("No Python interpreter for scripts: set SCRIPTS_PYTHON.")


def _bwrap_path() -> str:
    path = shutil.which("bwrap")
    if path is None:
        raise SandboxUnavailable(
            "Scripts cannot run: bubblewrap (bwrap) is not installed on this worker "
            "(Debian: apt-get install bubblewrap)."
        )
    return path


def _filesystem(python: str) -> list[str]:
    argv = ["--ro-bind", "/usr", "/usr"]
    for link in ("bin", "lib", "lib64", "sbin"):
        target = Path("/") / link
        if target.is_symlink():
            argv += ["--symlink", os.readlink(target), f"/{link}"]
        elif target.is_dir() and link != "sbin":
            argv += ["--ro-bind", str(target), f"/{link}"]
    prefix = Path(os.path.realpath(python)).parent.parent
    if not str(prefix).startswith("/usr"):
        argv += ["--ro-bind", str(prefix), str(prefix)]
    return argv


def _user() -> dict:
    """Run as an unprivileged user: the sandbox's uid when the worker is root (so that the kernel's
    per-user process count applies to it), the worker's own otherwise."""
    if os.geteuid() != 0:
        return {}
    uid = settings.SCRIPTS_SANDBOX_UID
    return {"user": uid, "group": uid, "extra_groups": []}


def bwrap_argv(*, files_dir: str, socket_dir: str | None, entry: str, limits: Limits, seccomp_fd: int) -> list[str]:
    python = python_path()
    argv = [
        _bwrap_path(),
        "--seccomp",
        str(seccomp_fd),
        "--unshare-all",
        "--unshare-user",
        "--disable-userns",
        "--die-with-parent",
        "--new-session",
        "--cap-drop",
        "ALL",
        "--clearenv",
        "--setenv",
        "PATH",
        "/usr/bin:/bin",
        "--setenv",
        "HOME",
        SANDBOX_TMP,
        "--setenv",
        "LANG",
        "C.UTF-8",
        "--setenv",
        "PYTHONDONTWRITEBYTECODE",
        "1",
        "--hostname",
        "sandbox",
        *_filesystem(python),
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--size",
        str(limits.tmp_bytes),
        "--tmpfs",
        SANDBOX_TMP,
        "--ro-bind",
        files_dir,
        FILES_MOUNT,
        "--chdir",
        SANDBOX_TMP,
    ]
    if socket_dir is not None:
        argv += ["--ro-bind", socket_dir, SOCKET_MOUNT]
    # -I: isolated mode (no user site, no PYTHON* variables, no script directory on sys.path).
    argv += [
        python,
        "-I",
        f"{FILES_MOUNT}/launch.py",
        json.dumps(limits.rlimits()),
        f"{FILES_MOUNT}/{entry}",
    ]
    return argv


def _files_write(directory: Path, files: Mapping[str, str | bytes]) -> None:
    """The run's files, readable (not writable) by the sandbox's user, whoever that is."""
    directory.chmod(0o755)
    everything = {path.relative_to(RUNTIME_DIR).as_posix(): path.read_bytes() for path in RUNTIME_DIR.rglob("*.py")}
    for name, content in (everything | dict(files)).items():
        target = directory / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.parent.chmod(0o755)
        target.write_bytes(content.encode() if isinstance(content, str) else content)
        target.chmod(0o644)


def sandbox_run(
    *,
    entry: str,
    files: Mapping[str, str | bytes] = {},
    limits: Limits | None = None,
    gateway: "Gateway | None" = None,
) -> SandboxResult:
    """Run `entry` (one of `files`, or of the runtime's) in the sandbox and wait for it, at most the
    wall-time limit, answering its API requests through `gateway` meanwhile (in this thread). Raises
    SandboxUnavailable when bwrap cannot run here."""
    socket_dir = str(gateway.directory) if gateway is not None else None
    limits = limits or Limits.from_settings()
    with tempfile.TemporaryDirectory(prefix="wirebook-script-") as files_dir, tempfile.TemporaryFile() as seccomp:
        _files_write(Path(files_dir), files)
        seccomp.write(seccomp_program())
        seccomp.seek(0)
        argv = bwrap_argv(
            files_dir=files_dir, socket_dir=socket_dir, entry=entry, limits=limits, seccomp_fd=seccomp.fileno()
        )
        started = time.monotonic()
        process = subprocess.Popen(  # noqa: S603 -- a fixed program with arguments built above
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={},
            close_fds=True,
            pass_fds=(seccomp.fileno(),),
            start_new_session=True,
            **_user(),
        )
        stdout, stderr, timed_out, truncated = _collect(
            process, started + limits.wall_seconds, limits.output_bytes, gateway
        )
        returncode = process.wait()
    result = SandboxResult(
        returncode=returncode,
        stdout=stdout,
        stderr=stderr,
        timed_out=timed_out,
        truncated=truncated,
        elapsed=time.monotonic() - started,
        limits=limits,
    )
    if returncode == 1 and not stdout and stderr.startswith(b"bwrap:"):
        raise SandboxUnavailable(
            f"Scripts cannot run: the sandbox failed to start ({stderr.decode(errors='replace').strip()})."
        )
    return result


def _collect(
    process: subprocess.Popen, deadline: float, cap: int, gateway: "Gateway | None"
) -> tuple[bytes, bytes, bool, bool]:
    """Read the child's stdout and stderr until both close or the deadline passes (then kill it), keeping
    at most `cap` bytes of each and discarding the rest; answer the gateway's connections meanwhile."""
    assert process.stdout is not None and process.stderr is not None
    out, err = process.stdout.fileno(), process.stderr.fileno()
    chunks: dict[int, bytearray] = {out: bytearray(), err: bytearray()}
    truncated = timed_out = False
    with selectors.DefaultSelector() as selector:
        for stream in (process.stdout, process.stderr):
            selector.register(stream, selectors.EVENT_READ)
        if gateway is not None:
            selector.register(gateway.listener, selectors.EVENT_READ, data="gateway")
        while len(selector.get_map()) > (gateway is not None):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                timed_out = True
                _kill(process)
                break
            for key, _ in selector.select(timeout=remaining):
                if key.data == "gateway":
                    assert gateway is not None
                    gateway.accept()
                    continue
                data = os.read(key.fd, 65536)
                if not data:
                    selector.unregister(key.fileobj)
                    continue
                kept = chunks[key.fd]
                room = cap - len(kept)
                if len(data) > room:
                    truncated = True
                kept += data[: max(room, 0)]
    process.stdout.close()
    process.stderr.close()
    return bytes(chunks[out]), bytes(chunks[err]), timed_out, truncated


def _kill(process: subprocess.Popen) -> None:
    """bwrap leads its own session; killing it takes its children down (--die-with-parent, and the PID
    namespace dies with its first process)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
