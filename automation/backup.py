"""Backup and restore of one organization: the `tables/` part of its export archive, read back.

An export archive (automation.export) holds, besides the REST-shaped files people read, every row
of every table of the organization's schema as PostgreSQL itself renders it (`tables/<table>.jsonl`,
one JSON object a line, from `row_to_json`), read in the export's one snapshot, and the migrations
that schema had applied (`manifest.json`: `migrations`). Restoring writes those rows back into a
new or empty organization, ids and all, in one transaction: every object, custom field, tag,
journal entry, change-log entry and the relations between them come back as they were.

The tables are not listed anywhere: they are those of the models of the organization's apps
(`settings.TENANT_APPS`, many-to-many tables included), so a model added later round-trips with no
code here. Two kinds of rows are not copied verbatim:

- content types: their ids differ between schemas, and every process caches a schema's content
  types for its life (tenants.content_types), so the target keeps its own and every reference to
  one (foreign keys, and the ids in change-log snapshots) is translated by (app label, model);
- jobs: they are the work of the organization the archive came from (their files are its files),
  they name the functions a worker runs, and the restore runs as one of the target's own.

An archive is restored only by the migration state that wrote it: one made by a newer Wirebook
(migrations unknown here) or an older one (migrations applied here since) is refused with the
difference named, before anything is written.
"""

import json
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction

from automation.models import Job

# The archive's formats this module reads (automation.export writes the newest).
RESTORABLE_FORMATS = {2}
TABLES_DIR = "tables/"
BATCH = 1000
MIGRATIONS_TABLE = "django_migrations"


def _not_restored() -> set[type[models.Model]]:
    """Models whose rows are not copied (the module's docstring says why)."""
    return {ContentType, Job}


class ArchiveRefused(ValidationError):
    """The archive cannot be restored here; the message says why and what to do."""


# --- what the organization's schema holds -------------------------------------------------------


def tenant_models() -> list[type[models.Model]]:
    """Every model with a table in an organization's schema, many-to-many tables included."""
    labels = {app.rsplit(".", 1)[-1] for app in settings.TENANT_APPS}
    found = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in labels and model._meta.managed and not model._meta.proxy
    ]
    return sorted(found, key=lambda model: model._meta.db_table)


def restored_models() -> list[type[models.Model]]:
    skipped = _not_restored()
    return [model for model in tenant_models() if model not in skipped]


def applied_migrations() -> dict[str, list[str]]:
    """The migrations applied in the current schema, by app."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT app, name FROM {MIGRATIONS_TABLE} ORDER BY app, name")  # noqa: S608 (a constant)
        rows = cursor.fetchall()
    applied: dict[str, list[str]] = {}
    for app, name in rows:
        applied.setdefault(app, []).append(name)
    return applied


# --- writing: the tables part of an export -------------------------------------------------------


def tables_holding_rows(tables: Iterable[str]) -> set[str]:
    """Which of `tables` (of the current schema) hold at least one row, in one statement however many
    they are: most of an organization's tables are empty, and a statement per table to find that out
    would be most of an export's or a restore's time. (pg_class.reltuples is an estimate, not an answer.)"""
    names = sorted(set(tables))
    if not names:
        return set()
    quote = connection.ops.quote_name
    query = " UNION ALL ".join(
        f"SELECT {number} WHERE EXISTS (SELECT 1 FROM {quote(name)})"  # noqa: S608 (numbers and names)
        for number, name in enumerate(names)
    )
    with connection.cursor() as cursor:
        cursor.execute(query)
        return {names[number] for (number,) in cursor.fetchall()}


def tables_write(archive: zipfile.ZipFile, holding: set[str] | None = None) -> dict[str, int]:
    """Write every table of the current schema into `archive` (inside the export's snapshot); the
    count of rows of each. Read in primary-key order, BATCH rows at a time; the tables not in
    `holding` (`tables_holding_rows`, read in the same snapshot) get their empty entry unread."""
    models = tenant_models()
    if holding is None:
        holding = tables_holding_rows(model._meta.db_table for model in models)
    counts = {}
    for model in models:
        table = model._meta.db_table
        pk = model._meta.pk.column
        quoted, quoted_pk = connection.ops.quote_name(table), connection.ops.quote_name(pk)
        count = 0
        with archive.open(f"{TABLES_DIR}{table}.jsonl", "w", force_zip64=True) as entry:
            last = None
            while table in holding:
                with connection.cursor() as cursor:
                    after = f"WHERE t.{quoted_pk} > %s" if last is not None else ""
                    cursor.execute(
                        f"SELECT t.{quoted_pk}, row_to_json(t)::text FROM {quoted} t {after} "  # noqa: S608 (names)
                        f"ORDER BY t.{quoted_pk} LIMIT {BATCH}",
                        [last] if last is not None else [],
                    )
                    rows = cursor.fetchall()
                for _pk, text in rows:
                    entry.write(text.encode() + b"\n")
                if rows:
                    last = rows[-1][0]
                count += len(rows)
                if len(rows) < BATCH:
                    break
        counts[table] = count
    return counts


# --- reading an archive ----------------------------------------------------------------------------


@dataclass
class Archive:
    """An export archive opened for restoring, its manifest checked against this schema."""

    zip: zipfile.ZipFile
    manifest: dict

    def total(self, models: list[type[models.Model]]) -> int:
        return sum(self.manifest["tables"][model._meta.db_table] for model in models)

    def rows(self, table: str) -> Iterator[dict[str, Any]]:
        with self.zip.open(f"{TABLES_DIR}{table}.jsonl") as entry:
            for line in entry:
                if line.strip():
                    yield json.loads(line)


def archive_open(file: IO[bytes]) -> Archive:
    """Open and check an archive (a binary file); ArchiveRefused says what is wrong with it."""
    try:
        archive = zipfile.ZipFile(file)
        manifest = json.loads(archive.read("manifest.json"))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise ArchiveRefused("This is not a Wirebook export archive (a .zip with a manifest.json).") from error
    if not isinstance(manifest, dict):
        raise ArchiveRefused("This is not a Wirebook export archive: its manifest.json is not an object.")
    fmt = manifest.get("format")
    if fmt not in RESTORABLE_FORMATS:
        raise ArchiveRefused(
            f"This archive has format {fmt!r}, which cannot be restored: only archives exported by Wirebook "
            f"{settings.WIREBOOK_VERSION} or later (format {max(RESTORABLE_FORMATS)}) hold the tables a restore needs."
        )
    _migration_state_check(manifest.get("migrations"))
    tables = manifest.get("tables")
    expected = {model._meta.db_table for model in tenant_models()}
    if not isinstance(tables, dict) or set(tables) != expected:
        raise ArchiveRefused("The archive's list of tables does not match its migrations: it is damaged.")
    names = set(archive.namelist())
    missing = sorted(table for table in expected if f"{TABLES_DIR}{table}.jsonl" not in names)
    if missing:
        raise ArchiveRefused(f"The archive is damaged: it lacks the rows of {', '.join(missing)}.")
    return Archive(zip=archive, manifest=manifest)


def _migration_state_check(recorded) -> None:
    if not isinstance(recorded, dict):
        raise ArchiveRefused("The archive does not say which migrations made it: it is damaged.")
    here = applied_migrations()
    theirs = {(app, name) for app, names in recorded.items() for name in names}
    ours = {(app, name) for app, names in here.items() for name in names}
    newer = sorted(theirs - ours)
    if newer:
        raise ArchiveRefused(
            "This archive was made by a newer version of Wirebook (its data has migrations this server has "
            f"not applied: {_named(newer)}). Restore it on a server running that version or later."
        )
    older = sorted(ours - theirs)
    if older:
        raise ArchiveRefused(
            "This archive was made before this server's last upgrade (migrations applied here since: "
            f"{_named(older)}). Archives are restored by the version that made them: restore it on a server "
            "of that version, upgrade, and export again."
        )


def _named(migrations: list[tuple[str, str]], shown: int = 5) -> str:
    names = [f"{app}.{name}" for app, name in migrations[:shown]]
    more = len(migrations) - shown
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")


# --- restoring ---------------------------------------------------------------------------------------


def organization_restore(archive: Archive, *, progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Write the archive's rows into the current organization, which must be empty, in one
    transaction: all of it, or (on any error) nothing. Returns the count of rows of each table."""
    from automation.events import event_rules_changed  # automation.events needs the services, which need this

    restored = restored_models()
    with transaction.atomic():
        event_rules_changed()  # the restored rules apply from the commit on, in every process
        _lock(restored)
        require_empty(restored)
        content_types = _content_type_map(archive)
        total, done, counts = archive.total(restored), 0, {}
        for model in restored:
            table = model._meta.db_table
            translate = _content_type_translator(model, content_types)
            count = 0
            batch: list[dict] = []
            for row in archive.rows(table):
                batch.append(translate(row))
                if len(batch) >= BATCH:
                    count += _insert(table, batch)
                    batch = []
                    if progress is not None:
                        progress(done + count, total)
            count += _insert(table, batch)
            if count != archive.manifest["tables"].get(table):
                raise ArchiveRefused(f"The archive is damaged: {table} holds {count} rows, not what its manifest says.")
            counts[table] = count
            done += count
            if progress is not None:
                progress(done, total)
        _sequences_advance(restored)
    ContentType.objects.clear_cache()
    return counts


def _lock(restored: list[type[models.Model]]) -> None:
    """No one writes to the organization while it is restored (reads go on)."""
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in restored)
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")


def require_empty(restored: list[type[models.Model]]) -> None:
    tables = tables_holding_rows(model._meta.db_table for model in restored)
    holding = [model for model in restored if model._meta.db_table in tables]
    if holding:
        names = ", ".join(sorted({str(model._meta.verbose_name_plural) for model in holding})[:5])
        raise ArchiveRefused(
            f"An archive is restored into a new or empty organization only; this one holds {names}. "
            "Create a new organization and restore into it."
        )


def _content_type_map(archive: Archive) -> dict[int, int]:
    """The archive's content type ids, translated to this schema's (created here if missing)."""
    mapping = {}
    for row in archive.rows(ContentType._meta.db_table):
        here, _created = ContentType.objects.get_or_create(app_label=row["app_label"], model=row["model"])
        mapping[row["id"]] = here.pk
    return mapping


def _content_type_translator(model: type[models.Model], mapping: dict[int, int]) -> Callable[[dict], dict]:
    columns = [
        field.column
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is ContentType
    ]
    snapshots = _snapshot_columns(model)
    if all(old == new for old, new in mapping.items()) or not (columns or snapshots):
        return lambda row: row

    def translate(row: dict) -> dict:
        for column in columns:
            if row.get(column) is not None:
                row[column] = _mapped(mapping, row[column])
        for type_column, data_columns in snapshots:
            if row.get(type_column) is None:
                continue
            for column in data_columns:
                if isinstance(row.get(column), dict):
                    row[column] = _snapshot_translated(row[column], row[type_column], mapping)
        return row

    return translate


def _mapped(mapping: dict[int, int], old: int) -> int:
    try:
        return mapping[old]
    except KeyError:
        raise ArchiveRefused(f"The archive is damaged: it refers to a content type it does not hold ({old}).") from None


def _snapshot_columns(model: type[models.Model]) -> list[tuple[str, list[str]]]:
    """Change-log snapshots hold their object's fields by name, content type ids among them: a
    model declaring `snapshot_fields = {"<content type field>": ["<snapshot field>", ...]}` has
    them translated too (core.ObjectChange)."""
    declared = getattr(model, "snapshot_fields", None) or {}
    return [
        (_column(model, type_field), [_column(model, name) for name in names]) for type_field, names in declared.items()
    ]


def _column(model: type[models.Model], name: str) -> str:
    column = getattr(model._meta.get_field(name), "column", None)
    if not column:
        raise TypeError(f"{model._meta.label}.snapshot_fields names {name}, which has no column")
    return column


def _snapshot_translated(data: dict, content_type_id: int, mapping: dict[int, int]) -> dict:
    """`data`, a snapshot of an object whose type is `content_type_id` (this schema's, already
    translated), with the ids of its content-type fields translated."""
    described = ContentType.objects.get_for_id(content_type_id).model_class()
    if described is None:
        return data
    for field in described._meta.get_fields():
        if not (field.is_relation and field.related_model is ContentType) or field.name not in data:
            continue
        value = data[field.name]
        if isinstance(value, list):
            data[field.name] = [_mapped(mapping, item) if isinstance(item, int) else item for item in value]
        elif isinstance(value, int):
            data[field.name] = _mapped(mapping, value)
    return data


def _insert(table: str, rows: list[dict]) -> int:
    """INSERT the rows, given as PostgreSQL rendered them (row_to_json), into `table` as they were."""
    if not rows:
        return 0
    quoted = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quoted} SELECT * FROM json_populate_recordset(NULL::{quoted}, %s::json)",  # noqa: S608
            [json.dumps(rows)],
        )
    return len(rows)


def _sequences_advance(restored: list[type[models.Model]]) -> None:
    """Ids given out after the restore follow the restored ones, in every table at once: one statement
    (a table whose key has no sequence: pg_get_serial_sequence is NULL, and so is the setval)."""
    selects, parameters = [], []
    for model in restored:
        table, column = connection.ops.quote_name(model._meta.db_table), model._meta.pk.column
        quoted = connection.ops.quote_name(column)
        selects.append(
            f"SELECT setval(pg_get_serial_sequence(%s, %s), COALESCE(MAX({quoted}), 1), "  # noqa: S608 (names)
            f"MAX({quoted}) IS NOT NULL) FROM {table}"
        )
        parameters += [table, column]
    if selects:
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(selects), parameters)
