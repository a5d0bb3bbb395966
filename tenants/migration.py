"""Migrating every organization schema: find the stale ones, group them by the migrations they
lack, and migrate each group -- by replaying the SQL Django's migrate ran on one of them
(`tenants.migration_plan`), or one schema at a time where that cannot be done -- in parallel."""

import functools
import multiprocessing
import os
import traceback
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from django.db import connection, connections

from tenants.context import current_server, public_server_connection, server_context
from tenants.migration_plan import MigrationPlan, plan_on, plan_replay
from tenants.models import Organization, SpareSchema
from tenants.schemas import expected_migrations, quote, schema_migrate

_CHUNK = 200
_REPLAY_CHUNK = 100  # schemas per task of a replaying worker, which then reconnects (its catalog cache grows)
PILOT_ATTEMPTS = 3  # schemas tried as pilot before the rest of their group is migrated one by one
WITHDRAWN = "withdrawn-for-migration"  # a fingerprint no code computes: such spares are never handed out

Migrations = frozenset[tuple[str, str]]


@dataclass
class SchemaTarget:
    schema_name: str
    label: str  # what an operator recognises: the organization's name, or "spare"
    is_spare: bool = False
    server: str = "default"  # the database server holding the schema (tenants.servers)


@dataclass
class SchemaResult:
    target: SchemaTarget
    error: str | None = None
    note: str | None = None  # how it went, when not as planned


@dataclass
class MigrationRun:
    results: list[SchemaResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # one line per group of schemas: how it was migrated


def schema_targets(only: list[str] | None = None) -> list[SchemaTarget]:
    targets = [
        SchemaTarget(schema_name, f"{name} ({slug})", server=server)
        for schema_name, name, slug, server in Organization.objects.order_by("schema_name").values_list(
            "schema_name", "name", "slug", "database"
        )
    ]
    targets += [
        SchemaTarget(s, "spare", is_spare=True, server=server)
        for s, server in SpareSchema.objects.values_list("schema_name", "database")
    ]
    if only:
        targets = [t for t in targets if t.schema_name in only]
    return targets


def missing_migrations(schema_names: list[str]) -> dict[str, Migrations]:
    """The expected migrations each stale schema lacks (up-to-date schemas are left out), in one
    query per 200 schemas."""
    if not schema_names:
        return {}
    expected = expected_migrations()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_namespace n JOIN pg_class c ON c.relnamespace = n.oid "
            "WHERE c.relname = 'django_migrations' AND n.nspname = ANY(%s)",
            [list(schema_names)],
        )
        with_table = [row[0] for row in cursor.fetchall()]
        missing = dict.fromkeys(set(schema_names) - set(with_table), frozenset(expected))
        values = ", ".join(["(%s, %s)"] * len(expected))
        flat = [part for pair in expected for part in pair]
        for start in range(0, len(with_table), _CHUNK):
            chunk = with_table[start : start + _CHUNK]
            lacking = " UNION ALL ".join(
                "SELECT %s, ARRAY(SELECT ARRAY[e.app, e.name] FROM expected e WHERE NOT EXISTS "  # noqa: S608 (quote() validates)
                f"(SELECT FROM {quote(name)}.django_migrations m WHERE m.app = e.app AND m.name = e.name))"
                for name in chunk
            )
            cursor.execute(f"WITH expected(app, name) AS (VALUES {values}) {lacking}", flat + chunk)
            missing.update((name, frozenset(map(tuple, rows))) for name, rows in cursor.fetchall() if rows)
    return missing


def stale_schemas(schema_names: list[str]) -> set[str]:
    """The schemas missing at least one expected migration."""
    return set(missing_migrations(schema_names))


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


def _replay_or_migrate(plan: MigrationPlan, schema_name: str) -> tuple[str | None, str | None]:
    """(error, note): the plan replayed, or -- where it does not fit -- Django's migrate."""
    try:
        plan_replay(plan, schema_name)
    except Exception as exc:
        if connection.connection is not None and connection.connection.closed:
            connection.close()  # lost: the next schema reconnects
        note = f"the planned SQL failed ({type(exc).__name__}: {str(exc).strip().splitlines()[0][:200]}); "
        error = _migrate_one(schema_name)
        return error, note + ("Django's migrate failed too" if error else "migrated by Django's migrate instead")
    return None, None


def _replay_chunk(plan: MigrationPlan, schema_names: list[str]) -> list[tuple[str | None, str | None]]:
    try:
        return [_replay_or_migrate(plan, name) for name in schema_names]
    finally:
        connections.close_all()  # the catalog cache of a hundred schemas goes with the connection


def _on_server(server: str, function, item):
    with server_context(server):
        return function(item)


def _in_processes(function, items: list, jobs: int) -> list:
    """`function` applied to each item, by `jobs` forked processes (or in this one), on the current
    database server."""
    if jobs <= 1 or len(items) <= 1:
        return [function(item) for item in items]
    function = functools.partial(_on_server, current_server(), function)
    # Forked children must not share the parent's sockets: close them before forking (the public
    # server's too, while another server's connection stands in for it).
    connections.close_all()
    public_server_connection().close()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=min(jobs, len(items)), mp_context=context) as pool:
        return list(pool.map(function, items))


def _one_by_one(targets: list[SchemaTarget], jobs: int) -> list[SchemaResult]:
    errors = _in_processes(_migrate_in_child, [t.schema_name for t in targets], jobs)
    return [SchemaResult(target, error) for target, error in zip(targets, errors, strict=True)]


def _replayed(plan: MigrationPlan, targets: list[SchemaTarget], jobs: int) -> list[SchemaResult]:
    names = [t.schema_name for t in targets]
    chunks = [names[start : start + _REPLAY_CHUNK] for start in range(0, len(names), _REPLAY_CHUNK)]
    outcomes = [o for chunk in _in_processes(functools.partial(_replay_chunk, plan), chunks, jobs) for o in chunk]
    return [SchemaResult(target, error, note) for target, (error, note) in zip(targets, outcomes, strict=True)]


def _migrate_group(group: list[SchemaTarget], jobs: int, run: MigrationRun) -> None:
    """Migrate schemas lacking the same migrations: plan on the first that migrates (a spare,
    preferably), replay the plan in the others."""
    plan = None
    tried = 0
    while plan is None and tried < min(PILOT_ATTEMPTS, len(group)):
        pilot = group[tried]
        tried += 1
        try:
            plan = plan_on(pilot.schema_name)
        except Exception:
            run.results.append(SchemaResult(pilot, traceback.format_exc()))
        else:
            run.results.append(SchemaResult(pilot, note="pilot: migrated by Django's migrate, its SQL recorded"))
    rest = group[tried:]
    if not rest:
        return
    if plan is None:
        run.notes.append(
            f"{len(rest)} schema(s) migrated one by one: the same migrations failed in the first {tried} tried"
        )
        run.results += _one_by_one(rest, jobs)
    elif not plan.replayable:
        run.notes.append(f"{len(rest)} schema(s) migrated one by one: {'; '.join(plan.unreplayable)}")
        run.results += _one_by_one(rest, jobs)
    else:
        run.notes.append(
            f"{len(rest)} schema(s) migrated by replaying the SQL of {len(plan.migrations)} migration(s) "
            f"({plan.statement_count} statement(s)) recorded on {plan.pilot}"
        )
        run.results += _replayed(plan, rest, jobs)


def by_server(targets: list[SchemaTarget]) -> dict[str, list[SchemaTarget]]:
    """The targets grouped by the database server holding them, the public server's first."""
    grouped: dict[str, list[SchemaTarget]] = {}
    for target in sorted(targets, key=lambda t: t.server != "default"):
        grouped.setdefault(target.server, []).append(target)
    return grouped


def schemas_migrate(
    targets: list[SchemaTarget], *, jobs: int, missing: dict[str, Migrations] | None = None
) -> MigrationRun:
    """Migrate each target (all on the current database server); a failure is recorded and the
    others carry on."""
    if missing is None:
        missing = missing_migrations([t.schema_name for t in targets])
    groups: dict[Migrations, list[SchemaTarget]] = {}
    for target in sorted(targets, key=lambda t: not t.is_spare):  # a spare pilots before organizations
        groups.setdefault(missing.get(target.schema_name, frozenset()), []).append(target)
    run = MigrationRun()
    for group in groups.values():
        _migrate_group(group, jobs, run)
    return run


def default_jobs(configured: int) -> int:
    return configured if configured > 0 else (os.cpu_count() or 1)
