"""Organization schemas as PostgreSQL objects: names, migration state, snapshots, build and drop.

A *snapshot* is the DDL and seed rows (`django_migrations`, content types) of a freshly migrated
template schema, dumped once per migration state (its *fingerprint*). Replaying it under a new
name builds a complete organization schema in one transaction, far faster than migrating.
"""

import functools
import glob
import hashlib
import importlib.util
import logging
import os
import re
import shutil
import subprocess

from django.core.management import call_command
from django.core.management.commands import migrate as django_migrate
from django.db.migrations.loader import MigrationLoader

from tenants.context import connection, schema_context
from tenants.db.base import PUBLIC_SCHEMA, check_schema_name
from tenants.models import SchemaSnapshot

logger = logging.getLogger(__name__)

TEMPLATE_SCHEMA = "_wb_template"
SPARE_PREFIX = "_wb_spare_"
ORGANIZATION_PREFIX = "org_"


class SnapshotUnavailable(Exception):
    """pg_dump is missing or failed; callers fall back to migrating."""


def organization_schema_name(slug: str) -> str:
    return check_schema_name(ORGANIZATION_PREFIX + slug.replace("-", "_"))


def quote(schema_name: str) -> str:
    return '"' + check_schema_name(schema_name) + '"'


@functools.cache
def expected_migrations() -> tuple[tuple[str, str], ...]:
    """The `django_migrations` rows a fully migrated organization schema has.

    Every app's migrations are recorded in every schema (the router only skips the operations
    of apps that live elsewhere), so this is the whole migration graph.
    """
    loader = MigrationLoader(None, ignore_no_migrations=True)
    rows: set[tuple[str, str]] = set()
    for key, migration in loader.graph.nodes.items():
        rows.update(migration.replaces or [key])
    return tuple(sorted(rows))


@functools.cache
def current_fingerprint() -> str:
    text = "\n".join(f"{app}.{name}" for app, name in expected_migrations())
    return hashlib.sha256(text.encode()).hexdigest()


def schema_exists(schema_name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema_name])
        return cursor.fetchone() is not None


def schema_drop(schema_name: str) -> None:
    if schema_name == PUBLIC_SCHEMA:
        raise ValueError("refusing to drop the public schema")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {quote(schema_name)} CASCADE")


def schema_rename(old: str, new: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER SCHEMA {quote(old)} RENAME TO {quote(new)}")


def schema_migrate(schema_name: str, *, verbosity: int = 0, stdout=None, command=None) -> None:
    """Create the schema if needed and apply every tenant migration to it (with Django's migrate,
    or `command`, a subclass of it)."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {quote(schema_name)}")
    with schema_context(schema_name, include_public=False):
        call_command(
            command or django_migrate.Command(),
            interactive=False,
            verbosity=verbosity,
            skip_checks=True,
            stdout=stdout,
        )


def schema_build(schema_name: str) -> None:
    """Build a complete organization schema inside the caller's transaction."""
    snapshot = SchemaSnapshot.objects.filter(fingerprint=current_fingerprint()).first()
    if snapshot is None:
        logger.warning("no schema snapshot for the current migrations; migrating %s instead", schema_name)
        schema_migrate(schema_name)
        return
    with connection.cursor() as cursor:
        cursor.execute(snapshot_sql_for(snapshot.sql, schema_name))


def snapshot_sql_for(sql: str, schema_name: str) -> str:
    return re.sub(rf"\b{TEMPLATE_SCHEMA}\b", check_schema_name(schema_name), sql)


# -- taking a snapshot ------------------------------------------------------------------------


def pg_dump_path() -> str | None:
    """pg_dump from PATH, the Debian PostgreSQL packages, or the pip-installed `pgserver`."""
    candidates = [os.environ.get("PG_DUMP")]
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"), reverse=True)
    candidates.append(shutil.which("pg_dump"))
    pgserver = importlib.util.find_spec("pgserver")  # found, not imported: importing it has side effects
    if pgserver is not None and pgserver.origin:
        candidates.append(os.path.join(os.path.dirname(pgserver.origin), "pginstall", "bin", "pg_dump"))
    server_major = connection.pg_version // 10000
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK) and _major_version(candidate) >= server_major:
            return candidate
    return None


def _major_version(binary: str) -> int:
    try:
        output = subprocess.run(  # noqa: S603 (our own binary path, no shell)
            [binary, "--version"], capture_output=True, text=True, check=True, timeout=10
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return 0
    return pg_dump_major_version(output)


_VERSION_AFTER_PRODUCT = re.compile(r"\(PostgreSQL\)\s+(\d+)")
_FIRST_NUMBER = re.compile(r"\b(\d+)(?:\.\d+)*")


def pg_dump_major_version(output: str) -> int:
    """The major version `pg_dump --version` printed, 0 if none: "pg_dump (PostgreSQL) 16.4",
    "pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)", "pg_dump (PostgreSQL) 17beta1",
    "pg_dump (PostgreSQL) 9.6.24" (9: servers before 10 report 90624 // 10000 too)."""
    match = _VERSION_AFTER_PRODUCT.search(output) or _FIRST_NUMBER.search(output)
    return int(match.group(1)) if match else 0


_SESSION_LINE = re.compile(r"^(SET |SELECT pg_catalog\.set_config\(|\\)")


def snapshot_dump() -> str:
    """Dump the template schema's DDL and rows as SQL that can be replayed inside one transaction."""
    connection.ensure_connection()
    binary = pg_dump_path()
    if binary is None:
        raise SnapshotUnavailable("no pg_dump at least as new as the server was found")
    params = connection.get_connection_params()
    env = {**os.environ, "PGPASSWORD": str(params.get("password") or ""), "PGOPTIONS": ""}
    command = [binary, "--schema", TEMPLATE_SCHEMA, "--inserts", "--no-owner", "--no-privileges", "--no-comments"]
    for flag, key in (("--host", "host"), ("--port", "port"), ("--username", "user"), ("--dbname", "dbname")):
        if params.get(key):
            command += [flag, str(params[key])]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300, check=False)  # noqa: S603
    if result.returncode != 0:
        raise SnapshotUnavailable(f"pg_dump failed: {result.stderr.strip()[:500]}")
    lines = [line for line in result.stdout.splitlines() if not line.startswith("--") and not _SESSION_LINE.match(line)]
    return "\n".join(line for line in lines if line.strip())


def template_refresh(*, verbosity: int = 0, stdout=None) -> SchemaSnapshot | None:
    """Migrate a fresh template schema and store its snapshot for the current fingerprint."""
    fingerprint = current_fingerprint()
    existing = SchemaSnapshot.objects.filter(fingerprint=fingerprint).first()
    if existing is not None:
        return existing
    schema_drop(TEMPLATE_SCHEMA)
    schema_migrate(TEMPLATE_SCHEMA, verbosity=verbosity, stdout=stdout)
    try:
        sql = snapshot_dump()
    except SnapshotUnavailable as exc:
        logger.warning("schema snapshot not taken (%s); new schemas will be built by migrating", exc)
        return None
    finally:
        schema_drop(TEMPLATE_SCHEMA)
    snapshot, _ = SchemaSnapshot.objects.update_or_create(fingerprint=fingerprint, defaults={"sql": sql})
    SchemaSnapshot.objects.exclude(fingerprint=fingerprint).delete()
    return snapshot
