"""The services one invocation starts: only those whose variable is missing (and PgBouncer when asked for),
stopped again whatever happens."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TextIO

from saas_platform.devstack.common import DevstackError, display_path, say
from saas_platform.devstack.pgbouncer import ENABLE_ENV, URL_ENV, PgBouncer, enabled, start_pgbouncer
from saas_platform.devstack.postgres import Postgres, reachable_state_dir, start_postgres
from saas_platform.devstack.processes import Interrupted, RunAs, lock_dir, take_stop_signal
from saas_platform.devstack.redis import Redis, start_redis


class Stack:
    """The services one invocation started; stop() stops exactly those, newest first."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.services: list[Postgres | Redis | PgBouncer] = []
        self.env = dict(os.environ)
        self._lock: TextIO | None = None

    def start(self) -> None:
        need_db = not os.environ.get("DATABASE_URL", "").strip()
        need_redis = not os.environ.get("REDIS_URL", "").strip()
        need_pooler = needs_pooler(os.environ)
        if not (need_db or need_redis or need_pooler):
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        self._lock = lock_dir(self.directory, display_path(self.directory))
        postgres = None
        if need_db:
            postgres = start_postgres(self.directory)
            self.services.append(postgres)
            self.env["DATABASE_URL"] = postgres.url
        take_stop_signal()
        if need_pooler:
            locks: list[TextIO] = []
            if postgres is not None:  # its files go beside PostgreSQL's, which its user can reach
                state_dir, runas = postgres.state_dir, postgres.runas
            else:
                runas = RunAs.for_postgres()
                state_dir, locks = reachable_state_dir(self.directory, runas, "PgBouncer")
            pooler = start_pgbouncer(self.env["DATABASE_URL"], state_dir, runas, locks)
            self.services.append(pooler)
            self.env[URL_ENV] = pooler.url()
        take_stop_signal()
        if need_redis:
            redis = start_redis(self.directory)
            self.services.append(redis)
            self.env["REDIS_URL"] = redis.url
        take_stop_signal()

    def stop(self) -> None:
        errors = []
        stopped = []
        while self.services:
            service = self.services.pop()
            try:
                service.stop()
                stopped.append(service.name)
            except Exception as exc:  # keep stopping the others
                errors.append(f"{service.name}: {exc}")
        if stopped:
            say(f"stopped {', '.join(stopped)}")
        if self._lock:
            self._lock.close()
            self._lock = None
        if errors:
            raise DevstackError("\n".join(errors))


def needs_pooler(environ: Mapping[str, str]) -> bool:
    """WIREBOOK_PGBOUNCER=1 asks for a PgBouncer, unless WIREBOOK_PGBOUNCER_URL names one already."""
    return enabled(environ.get(ENABLE_ENV)) and not environ.get(URL_ENV, "").strip()


def with_stack(directory: Path, body: Callable[[dict[str, str]], int]) -> int:
    """Start the missing services, run body(env) and stop the services again, whatever happens."""
    stack = Stack(directory)
    code = 1
    try:
        stack.start()
        code = body(stack.env)
    except Interrupted as exc:
        say(f"got {signal.Signals(exc.signum).name}, stopping")
        code = 128 + exc.signum
    except DevstackError as exc:
        say(f"error: {exc}")
        code = 1
    finally:
        try:
            stack.stop()
        except DevstackError as exc:
            say(f"error while stopping: {exc}")
            code = code or 1
    return code
