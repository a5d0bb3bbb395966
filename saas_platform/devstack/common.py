"""What every part of devstack uses: the project root, messages, errors, free ports and file lookups."""

from __future__ import annotations

import importlib.util
import os
import socket
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
NO_SYSTEM_ENV = "WIREBOOK_DEVSTACK_NO_SYSTEM"


class DevstackError(Exception):
    """A problem the user has to fix; printed without a traceback."""


def say(message: str) -> None:
    print(f"devstack: {message}", file=sys.stderr, flush=True)


def display_path(path: Path) -> str:
    try:
        return str(path.relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def log_tail(path: Path, lines: int = 20) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()[-lines:]
    except OSError:
        return "(no log)"
    return "\n".join("    " + line for line in text) or "    (log is empty)"


def read_from(path: Path, offset: int) -> str:
    try:
        with open(path, errors="replace") as handle:
            handle.seek(offset)
            return handle.read()
    except OSError:
        return ""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def no_system() -> bool:
    return os.environ.get(NO_SYSTEM_ENV, "").strip().lower() not in {"", "0", "false", "no", "off"}


def package_dir(name: str) -> Path | None:
    """Where an installed package lives, found without importing it (pgserver's import has side effects)."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


class ServiceFiles:
    """Where a service keeps its files in its state directory: <state_dir>/<stem>/ and <state_dir>/<stem>.log."""

    stem: str  # set by each service: "postgres", "redis"
    state_dir: Path

    @property
    def data_dir(self) -> Path:
        return self.state_dir / self.stem

    @property
    def log_file(self) -> Path:
        return self.state_dir / f"{self.stem}.log"
