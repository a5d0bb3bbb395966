"""Batched row writes as one SQL statement each, with plain VALUES lists.

Django's `bulk_update` sets every column with a `CASE WHEN id = … THEN …` expression per row, built
and compiled as expression trees (most of a 100-object PATCH's time went there), and its
`bulk_create` prepares each value through the insert compiler. These write the same rows with
statements written once per batch:

    INSERT INTO t (a, b) SELECT * FROM unnest(%s::integer[], %s::text[])   (objects: one array per column)
    INSERT INTO t (a, b) VALUES (%s::integer, %s::text), (…)               (the change log; array columns)
    UPDATE t SET a = v.a, b = v.b FROM (VALUES (%s::bigint, %s::integer, %s::text), (…)) AS v (id, a, b)
        WHERE t.id = v.id

Values are prepared by their model field (`get_db_prep_save`, as Django's own writes do), and
each placeholder is cast to its column's type, so PostgreSQL never guesses one from a literal. No
model method or signal runs; an INSERT fills `auto_now_add` times (`pre_save`), an UPDATE writes
the values as they are (core.services sets `auto_now` times itself).
"""

from collections.abc import Sequence
from typing import Any

from django.db import connection, models


def _column(field: models.Field) -> str:
    return connection.ops.quote_name(field.column)


def _placeholder(field: models.Field) -> str:
    return f"%s::{field.db_type(connection)}"


def _prepared(field: models.Field, value):
    return field.get_db_prep_save(value, connection)


def _unnested(fields: Sequence[models.Field]) -> bool:
    """Whether the columns can be sent as one array each (`unnest`): not when a column is an array itself
    (unnest would flatten it)."""
    return not any((field.db_type(connection) or "").endswith("]") for field in fields)


def _insert(
    model: type[models.Model], instances: Sequence[models.Model], fields: Sequence[models.Field], *, arrays: bool
) -> tuple[str, list]:
    """The INSERT of `fields` of the instances' rows: one array per column (`unnest`), so the statement and its
    few placeholders are the same for any number of rows (psycopg parses a statement once and caches it; a VALUES
    list of thousands of placeholders was parsed anew every time), else one VALUES row per instance."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(_column(field) for field in fields)
    prepared = [[_prepared(field, field.pre_save(instance, add=True)) for field in fields] for instance in instances]
    if arrays and _unnested(fields):
        typed = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
        params: list = [list(column) for column in zip(*prepared, strict=True)]
        return f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({typed})", params  # noqa: S608 (names)
    row = "(" + ", ".join(_placeholder(field) for field in fields) + ")"
    values = ", ".join([row] * len(instances))
    return f"INSERT INTO {table} ({columns}) VALUES {values}", [value for row in prepared for value in row]  # noqa: S608


def insert_rows(
    model: type[models.Model], instances: Sequence[models.Model], *, along: tuple[str, Sequence] | None = None
) -> None:
    """INSERT the instances' concrete fields (all but an auto primary key) in one statement. The
    new rows' ids are not read back: for rows nobody refers to in the same request (the change log).
    `along`: another data-modifying statement (sql, params) sent in the same one (a CTE of it, run even
    when there are no instances): one round trip for both."""
    if not instances:
        if along is not None:
            with connection.cursor() as cursor:
                cursor.execute(along[0], along[1])
        return
    fields = [field for field in model._meta.concrete_fields if not getattr(field, "db_returning", False)]  # serial
    # VALUES: the change log's rows are mostly JSON snapshots, whose every quote psycopg escapes one by one (a
    # regular expression's substitution) inside an array literal -- dearer than parsing the placeholders.
    sql, params = _insert(model, instances, fields, arrays=False)
    if along is not None:
        sql, params = f"WITH along AS ({along[0]}) {sql}", [*along[1], *params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def create_rows(model: type[models.Model], instances: Sequence[models.Model]) -> None:
    """INSERT new objects as `bulk_create` does (no `save()`, no signal), in one statement whatever their number:
    their ids are read back (or kept, when every instance has one already: core.services.reserve_ids) and they
    become saved objects."""
    if not instances:
        return
    pk = model._meta.pk
    keep_ids = all(instance.pk is not None for instance in instances)
    if not getattr(pk, "db_returning", False) or (
        not keep_ids and any(instance.pk is not None for instance in instances)
    ):
        model._base_manager.bulk_create(instances)  # ids of another kind, or some given: Django's ways
        return
    for instance in instances:
        saving: Any = instance
        saving._prepare_related_fields_for_save(operation_name="bulk_create")  # as bulk_create checks them
    fields = [field for field in model._meta.concrete_fields if keep_ids or field is not pk]
    sql, params = _insert(model, instances, fields, arrays=True)
    with connection.cursor() as cursor:
        if keep_ids:
            cursor.execute(sql, params)
        else:
            cursor.execute(f"{sql} RETURNING {_column(pk)}", params)
            for instance, (value,) in zip(instances, cursor.fetchall(), strict=True):
                setattr(instance, pk.attname, value)
    for instance in instances:
        instance._state.adding = False
        instance._state.db = connection.alias


def update_rows(model: type[models.Model], instances: Sequence[models.Model], names: Sequence[str]) -> None:
    """UPDATE the named fields of the instances' rows, each to its instance's value, in one statement."""
    if not instances or not names:
        return
    concrete = {field.name: field for field in model._meta.concrete_fields}
    pk = concrete[model._meta.pk.name]
    fields = [concrete[name] for name in names]
    row = "(" + ", ".join(_placeholder(field) for field in (pk, *fields)) + ")"
    params: list = []
    for instance in instances:
        params += [_prepared(field, getattr(instance, field.attname)) for field in (pk, *fields)]
    table = connection.ops.quote_name(model._meta.db_table)
    assignments = ", ".join(f"{_column(field)} = v.{_column(field)}" for field in fields)
    columns = ", ".join(_column(field) for field in (pk, *fields))
    values = ", ".join([row] * len(instances))
    sql = (
        f"UPDATE {table} SET {assignments} FROM (VALUES {values}) AS v ({columns}) "  # noqa: S608 (names from models)
        f"WHERE {table}.{_column(pk)} = v.{_column(pk)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
