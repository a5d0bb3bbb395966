"""Project-local PostgreSQL and Redis for `make run` and `make test`.

`python -m saas_platform.devstack --help` (the docstring of cli.py) tells what it does. The modules:

  cli        the command line: `exec` and `run`
  stack      starts the services whose variables are missing, and stops exactly those again
  postgres   a private PostgreSQL server
  redis      a private redis-server
  processes  signals, child processes and process groups, directory locks, the OS user for PostgreSQL
  common     the project root, messages, errors and the layout of a service's files

Standard library and psycopg only (psycopg is imported when PostgreSQL is waited for): nothing
here imports Django, Celery or other project packages.
"""

from saas_platform.devstack.cli import main
from saas_platform.devstack.common import PROJECT_ROOT, DevstackError
from saas_platform.devstack.postgres import fallback_dir, find_pg_binaries
from saas_platform.devstack.redis import find_redis_server

__all__ = ["PROJECT_ROOT", "DevstackError", "fallback_dir", "find_pg_binaries", "find_redis_server", "main"]
