"""Organization schemas as PostgreSQL objects: names, migration state, snapshots, build and drop.

A *snapshot* is the DDL and seed rows (`django_migrations`, content types) of a migrated template
schema, taken once per migration state (its *fingerprint*) from the template's own catalog entries
(`tenants.snapshots`). Replaying it under a new name builds a complete organization schema in one
transaction, far faster than migrating. The template itself is the previous state's snapshot with
only the new migrations applied, as every organization's schema is; from scratch when there is none
or a migration it recorded is gone.
"""

import functools
import hashlib
import logging
import threading
from contextlib import contextmanager

from django.core.management import call_command
from django.core.management.commands import migrate as django_migrate
from django.db import DatabaseError, transaction
from django.db.migrations.loader import MigrationLoader

from tenants.context import connection, schema_context
from tenants.db.base import PUBLIC_SCHEMA, check_schema_name
from tenants.models import SchemaSnapshot
from tenants.snapshots import SnapshotUnavailable, pg_dump_schema, snapshot_from_catalog

logger = logging.getLogger(__name__)

TEMPLATE_SCHEMA = "_wb_template"
SPARE_PREFIX = "_wb_spare_"
ORGANIZATION_PREFIX = "org_"


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


_plain_indexes_lock = threading.Lock()


@contextmanager
def _indexes_built_plainly():
    """Migrations' concurrent index builds (AddIndexConcurrently, for tables that hold data) run as
    plain ones: a new schema migrated inside the signup's transaction is empty, and PostgreSQL
    refuses CREATE INDEX CONCURRENTLY in a transaction. Only around that migrate (under a lock:
    the swap is the process's)."""
    from django.contrib.postgres.operations import AddIndexConcurrently
    from django.db.migrations.operations import AddIndex

    with _plain_indexes_lock:
        concurrent = AddIndexConcurrently.database_forwards
        AddIndexConcurrently.database_forwards = AddIndex.database_forwards  # type: ignore[method-assign]
        try:
            yield
        finally:
            AddIndexConcurrently.database_forwards = concurrent  # type: ignore[method-assign]


def schema_build(schema_name: str) -> None:
    """Build a complete organization schema inside the caller's transaction."""
    snapshot = SchemaSnapshot.objects.filter(fingerprint=current_fingerprint()).first()
    if snapshot is None:
        logger.warning("no schema snapshot for the current migrations; migrating %s instead", schema_name)
        with _indexes_built_plainly():
            schema_migrate(schema_name)
        return
    with connection.cursor() as cursor:
        cursor.execute(snapshot_sql_for(snapshot.sql, schema_name))


def snapshot_sql_for(sql: str, schema_name: str, *, source: str = TEMPLATE_SCHEMA) -> str:
    """The snapshot of `source` (the template's, by default) rewritten to build `schema_name`."""
    return schema_name_replaced(sql, check_schema_name(source), check_schema_name(schema_name))


def _name_spans(text: str, name: str):
    """Where `name` stands in `text` as a whole identifier (not inside a longer one)."""
    start = text.find(name)
    while start != -1:
        end = start + len(name)
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        if not (before.isalnum() or before in "_$") and not (after.isalnum() or after in "_$"):
            yield start, end
        start = text.find(name, end)


def names_schema(text: str, name: str) -> bool:
    return next(_name_spans(text, name), None) is not None


def schema_name_replaced(text: str, old: str, new: str) -> str:
    parts, position = [], 0
    for start, end in _name_spans(text, old):
        parts += [text[position:start], new]
        position = end
    return "".join(parts) + text[position:]


# -- taking a snapshot ------------------------------------------------------------------------


def snapshot_take(schema_name: str) -> str:
    """The snapshot of `schema_name`: read from its own catalog entries (a cost that does not grow
    with the number of organizations) or, when it holds something those do not rebuild, by pg_dump.
    Raises SnapshotUnavailable when neither works."""
    try:
        return snapshot_from_catalog(schema_name)
    except SnapshotUnavailable as exc:
        logger.warning("catalog snapshot refused (%s); trying pg_dump, whose cost follows the whole catalog", exc)
    return pg_dump_schema(schema_name)


def _template_from_previous_snapshot() -> bool:
    """Build the template from the stored snapshot of an earlier migration state when that state only
    lacks migrations (each one it recorded is still in the code): `migrate` then applies the new ones
    alone, in seconds where all of them take a minute. False, and no template, otherwise."""
    previous = SchemaSnapshot.objects.order_by("-created", "-id").first()
    if previous is None:
        return False
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(snapshot_sql_for(previous.sql, TEMPLATE_SCHEMA))
            cursor.execute(f"SELECT app, name FROM {quote(TEMPLATE_SCHEMA)}.django_migrations")  # noqa: S608 (ours)
            recorded = set(cursor.fetchall())
    except DatabaseError as exc:
        logger.warning("the previous schema snapshot does not build (%s); migrating the template from scratch", exc)
        return False
    gone = recorded - set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    if gone:
        logger.info("migrating the template from scratch: %d recorded migration(s) are gone", len(gone))
        schema_drop(TEMPLATE_SCHEMA)
        return False
    return True


def template_refresh(*, verbosity: int = 0, stdout=None) -> SchemaSnapshot | None:
    """Migrate the template schema (from the previous snapshot when there is one that fits) and store
    its snapshot for the current fingerprint."""
    fingerprint = current_fingerprint()
    existing = SchemaSnapshot.objects.filter(fingerprint=fingerprint).first()
    if existing is not None:
        return existing
    schema_drop(TEMPLATE_SCHEMA)
    _template_from_previous_snapshot()
    schema_migrate(TEMPLATE_SCHEMA, verbosity=verbosity, stdout=stdout)
    try:
        sql = snapshot_take(TEMPLATE_SCHEMA)
    except SnapshotUnavailable as exc:
        logger.warning("schema snapshot not taken (%s); new schemas will be built by migrating", exc)
        return None
    finally:
        schema_drop(TEMPLATE_SCHEMA)
    snapshot, _ = SchemaSnapshot.objects.update_or_create(fingerprint=fingerprint, defaults={"sql": sql})
    SchemaSnapshot.objects.exclude(fingerprint=fingerprint).delete()
    return snapshot
