"""Migrating thousands of schemas: run Django's migrate on one of them, replay its SQL in the others.

Django's migrate costs the same fixed work in every schema -- loading the graph, asking the
catalog which tables exist, rendering each operation, reading constraint names -- which is most
of the time when a release adds one column. Schemas in the same migration state are identical,
so that work is done once: Django's own migrate runs on one of them, the *pilot*, while every
statement its schema editor sends is recorded per migration (`tenants.db.schema`). That is the
plan. Every other schema in the same state then gets the plan's statements, its
`django_migrations` rows and the content types Django's post-migrate step created on the pilot,
in one transaction per schema, with no introspection.

A plan is replayed only when Django would do nothing else: a migration that runs Python
(`RunPython`, a data migration) or uses an operation that is not Django's own cannot be recorded
as SQL, so its schemas are migrated one by one by Django, as before (`runs_python`, and
`tests/tenants/test_migrate.py` lists those migrations so review sees each new one). A schema the
plan does not fit (its replay fails) is migrated by Django instead; only if that fails too is it
reported.

Migrations with `atomic = False` (concurrent index builds) are replayed statement by statement
outside a transaction, as Django runs them; their concurrent statements name the pilot's schema
(`tenants.db.schema`), which the replay replaces with the schema at hand.
"""

from dataclasses import dataclass, field

from django.core.management.commands import migrate as django_migrate
from django.db import router
from django.db.migrations.operations import RunPython, SeparateDatabaseAndState
from psycopg import sql

from tenants.context import connection, schema_context
from tenants.db.base import OUTSIDE_TRANSACTIONS
from tenants.schemas import names_schema, quote, schema_migrate

_SET_PATH = "SELECT pg_catalog.set_config('search_path', %s, true)"
# Operations whose whole effect on the database goes through the schema editor.
_SQL_ONLY_MODULES = ("django.db.migrations.operations.", "django.contrib.postgres.operations")


@dataclass(frozen=True)
class PlannedMigration:
    app: str
    name: str
    atomic: bool
    statements: tuple[str, ...]
    rows: tuple[tuple[str, str], ...]  # the django_migrations rows Django records (a squash: those it replaces)


@dataclass
class MigrationPlan:
    """What Django's migrate did on `pilot`, to be done again in schemas in the same state."""

    pilot: str
    migrations: list[PlannedMigration] = field(default_factory=list)
    content_types: tuple[tuple[str, str], ...] = ()  # the pilot's afterwards, in id order
    unreplayable: list[str] = field(default_factory=list)  # why the plan cannot be replayed, if it cannot

    @property
    def replayable(self) -> bool:
        return not self.unreplayable

    @property
    def statement_count(self) -> int:
        return sum(len(m.statements) for m in self.migrations)


def runs_python(migration) -> str | None:
    """Why `migration` cannot be replayed as recorded SQL in the current schema, or None."""
    operations = list(migration.operations)
    while operations:
        operation = operations.pop(0)
        if isinstance(operation, SeparateDatabaseAndState):
            operations[:0] = operation.database_operations
        elif isinstance(operation, RunPython):
            # RunPython itself skips apps that do not live in this schema (django-tenants' router).
            if router.allow_migrate(connection.alias, migration.app_label, **operation.hints):
                return f"{migration.app_label}.{migration.name} runs Python"
        elif not type(operation).__module__.startswith(_SQL_ONLY_MODULES):
            name = type(operation).__name__
            return f"{migration.app_label}.{migration.name} uses {name}, not one of Django's operations"
    return None


class _RecordingMigrate(django_migrate.Command):
    """Django's migrate, telling `plan` where each migration starts and ends."""

    def __init__(self, plan: MigrationPlan):
        super().__init__()
        self.plan = plan
        self.current: list[str] | None = None

    def migration_progress_callback(self, action, migration=None, fake=False):
        if action == "apply_start":
            self.current = []
            reason = runs_python(migration)
            if reason:
                self.plan.unreplayable.append(reason)
        elif action == "apply_success" and self.current is not None:
            rows = tuple(migration.replaces or [(migration.app_label, migration.name)])
            self.plan.migrations.append(
                PlannedMigration(migration.app_label, migration.name, migration.atomic, tuple(self.current), rows)
            )
            self.current = None
        super().migration_progress_callback(action, migration, fake)

    def statement(self, text: str) -> None:
        if self.current is None:
            return
        self.current.append(text)
        # A schema is named only as a qualifier (concurrent index statements), which the replay
        # replaces; named anywhere else, the statement is the pilot's own.
        if names_schema(text.replace(_qualifier(self.plan.pilot), ""), self.plan.pilot):
            self.plan.unreplayable.append(f"a statement names the schema {self.plan.pilot}: {text[:100]}")


def _qualifier(schema_name: str) -> str:
    return f"{quote(schema_name)}."


def plan_on(schema_name: str) -> MigrationPlan:
    """Migrate `schema_name` with Django's migrate and return what it did, as a plan for schemas
    in the same state. Raises what migrate raises."""
    plan = MigrationPlan(pilot=schema_name)
    command = _RecordingMigrate(plan)
    with connection.observe_schema_statements(command.statement):
        schema_migrate(schema_name, command=command)
    with schema_context(schema_name, include_public=False), connection.cursor() as cursor:
        cursor.execute("SELECT app_label, model FROM django_content_type ORDER BY id")
        plan.content_types = tuple(cursor.fetchall())
    return plan


# -- replaying ----------------------------------------------------------------------------------


def plan_replay(plan: MigrationPlan, schema_name: str) -> None:
    """Do in `schema_name` what Django's migrate did in the pilot: the recorded statements, the
    `django_migrations` rows and the missing content types. Consecutive atomic migrations run in one
    transaction; raises (having rolled it back) when a statement fails."""
    if not plan.replayable:
        raise ValueError(f"this plan cannot be replayed: {'; '.join(plan.unreplayable)}")
    if connection.in_atomic_block:
        raise RuntimeError("a plan is replayed in autocommit mode, one transaction per schema")
    connection.ensure_connection()
    raw = connection.connection
    path = quote(schema_name)

    def in_transaction(statements: list[str]) -> None:
        with raw.transaction():
            raw.execute(_SET_PATH, [path])
            # One simple query (no parameters); a semicolon on its own line survives a trailing -- comment.
            raw.execute("\n;\n".join(statements))

    pending: list[str] = []
    for migration in plan.migrations:
        statements = [text.replace(_qualifier(plan.pilot), _qualifier(schema_name)) for text in migration.statements]
        if migration.atomic:
            pending += [*statements, _record_sql(migration)]
            continue
        if pending:
            in_transaction(pending)
            pending = []
        for statement in statements:  # as Django runs them: each alone, concurrent ones outside a transaction
            if OUTSIDE_TRANSACTIONS.match(statement):
                raw.execute(statement)
            else:
                in_transaction([statement])
        in_transaction([_record_sql(migration)])
    in_transaction([*pending, _content_types_sql(plan.content_types)])


def _record_sql(migration: PlannedMigration) -> str:
    values = sql.SQL(", ").join(
        sql.SQL("({}, {}, now())").format(sql.Literal(app), sql.Literal(name)) for app, name in migration.rows
    )
    return sql.SQL("INSERT INTO django_migrations (app, name, applied) VALUES {}").format(values).as_string(None)


def _content_types_sql(content_types: tuple[tuple[str, str], ...]) -> str:
    """Insert the content types the schema lacks, in the pilot's order (so they get the ids Django
    would have given them), as Django's post-migrate step does."""
    if not content_types:
        return "SELECT 1"
    values = sql.SQL(", ").join(
        sql.SQL("({}, {}, {})").format(sql.Literal(app_label), sql.Literal(model), sql.Literal(position))
        for position, (app_label, model) in enumerate(content_types)
    )
    return (
        sql.SQL(
            "INSERT INTO django_content_type (app_label, model) "
            "SELECT v.app_label, v.model FROM (VALUES {}) AS v(app_label, model, position) "
            "WHERE NOT EXISTS "
            "(SELECT FROM django_content_type c WHERE c.app_label = v.app_label AND c.model = v.model) "
            "ORDER BY v.position"
        )
        .format(values)
        .as_string(None)
    )
