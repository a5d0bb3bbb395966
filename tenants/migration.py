"""Migrating every organization schema: find the stale ones, migrate them in parallel."""

import multiprocessing
import os
import traceback
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from django.db import connection, connections

from tenants.models import Organization, SpareSchema
from tenants.schemas import expected_migrations, quote, schema_migrate

_CHUNK = 200
WITHDRAWN = "withdrawn-for-migration"  # a fingerprint no code computes: such spares are never handed out


@dataclass
class SchemaTarget:
    schema_name: str
    label: str  # what an operator recognises: the organization's name, or "spare"
    is_spare: bool = False


@dataclass
class SchemaResult:
    target: SchemaTarget
    error: str | None = None


def schema_targets(only: list[str] | None = None) -> list[SchemaTarget]:
    targets = [
        SchemaTarget(schema_name, f"{name} ({slug})")
        for schema_name, name, slug in Organization.objects.order_by("schema_name").values_list(
            "schema_name", "name", "slug"
        )
    ]
    targets += [
        SchemaTarget(s, "spare", is_spare=True) for s in SpareSchema.objects.values_list("schema_name", flat=True)
    ]
    if only:
        targets = [t for t in targets if t.schema_name in only]
    return targets


def stale_schemas(schema_names: list[str]) -> set[str]:
    """The schemas missing at least one expected migration, in one query per 200 schemas."""
    if not schema_names:
        return set()
    expected = expected_migrations()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_namespace n JOIN pg_class c ON c.relnamespace = n.oid "
            "WHERE c.relname = 'django_migrations' AND n.nspname = ANY(%s)",
            [list(schema_names)],
        )
        with_table = [row[0] for row in cursor.fetchall()]
        stale = set(schema_names) - set(with_table)
        values = ", ".join(["(%s, %s)"] * len(expected))
        flat = [part for pair in expected for part in pair]
        for start in range(0, len(with_table), _CHUNK):
            chunk = with_table[start : start + _CHUNK]
            counts = " UNION ALL ".join(
                f"SELECT %s, (SELECT count(*) FROM {quote(name)}.django_migrations m "  # noqa: S608 (quote() validates)
                "JOIN expected e ON m.app = e.app AND m.name = e.name)"
                for name in chunk
            )
            cursor.execute(f"WITH expected(app, name) AS (VALUES {values}) {counts}", flat + chunk)
            stale.update(name for name, count in cursor.fetchall() if count < len(expected))
    return stale


def spares_withdraw(targets: list[SchemaTarget]) -> list[SchemaTarget]:
    """Take the spares about to be migrated out of the pool, so no signup (of a web process still
    running the previous release, say) renames one mid-migration. Returns the targets left:
    a spare claimed before it could be withdrawn is now an organization's, migrated next time."""
    spares = [t.schema_name for t in targets if t.is_spare]
    if not spares:
        return targets
    SpareSchema.objects.filter(schema_name__in=spares).update(fingerprint=WITHDRAWN)
    remaining = set(SpareSchema.objects.filter(schema_name__in=spares).values_list("schema_name", flat=True))
    return [t for t in targets if not t.is_spare or t.schema_name in remaining]


def _migrate_one(schema_name: str) -> str | None:
    try:
        schema_migrate(schema_name)
    except Exception:
        return traceback.format_exc()
    return None


def _migrate_in_child(schema_name: str) -> str | None:
    try:
        return _migrate_one(schema_name)
    finally:
        connections.close_all()


def schemas_migrate(targets: list[SchemaTarget], *, jobs: int) -> list[SchemaResult]:
    """Migrate each target; a failure is recorded and the others carry on."""
    if jobs <= 1 or len(targets) <= 1:
        return [SchemaResult(target, _migrate_one(target.schema_name)) for target in targets]
    # Forked children must not share the parent's socket: close it before forking.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=min(jobs, len(targets)), mp_context=context) as pool:
        errors = pool.map(_migrate_in_child, [target.schema_name for target in targets])
        return [SchemaResult(target, error) for target, error in zip(targets, errors, strict=True)]


def default_jobs(configured: int) -> int:
    return configured if configured > 0 else (os.cpu_count() or 1)
