"""What a change of a custom field's definition does to the values objects store (NetBox's behaviour).

Values live in each object's `custom_field_data` under the field's name, so a definition change
rewrites them:

- a field created, or given to more object types: its default fills the objects of those types
  that have no value for it (NetBox's `populate_initial_data`; with no default, the objects show
  the field empty, as before);
- a changed default fills the objects of the field's types that have no value for it yet (objects
  older than the field); a value an object holds, even an empty one, is never overwritten;
- a field renamed: the objects keep their values, under the new name;
- a field deleted, or taken from object types: its values are dropped from those objects.

Each rewrite is one SQL statement per table over all its rows, with jsonb operators (`||`, `-`,
`?`) -- never a save per object -- or, for a background job, one per slice of rows
(`rewrite_values(..., chunk=...)`). The objects whose searchable text changed are indexed again in
the same transaction. This module only rewrites; when (inline or as a job) and the guard against
overlapping changes are the caller's (automation.customfields).
"""

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, cast

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction

from core.customfields import supports_custom_fields
from core.models import CustomField
from core.search import search_index

FILL, DROP, RENAME = "fill", "drop", "rename"


@dataclass(frozen=True)
class FieldState:
    """What of a definition decides the stored values: its name, default and object types (ids)."""

    name: str
    default: Any
    object_types: frozenset[int]


@dataclass(frozen=True)
class ValueRewrite:
    """One rewrite of the values of objects of `object_types` (content type ids): `fill` `name` with
    `value` where objects have none, `drop` `name`, or `rename` `name` to `new_name`. JSON-able
    (`as_json`), so a job can carry it."""

    action: str
    name: str
    object_types: tuple[int, ...]
    value: Any = None
    new_name: str = ""

    def as_json(self) -> dict:
        return {**asdict(self), "object_types": list(self.object_types)}

    @classmethod
    def from_json(cls, data: dict) -> "ValueRewrite":
        return cls(**{**data, "object_types": tuple(data["object_types"])})

    @property
    def names(self) -> set[str]:
        """The names whose values it touches."""
        return {self.name, self.new_name} - {""}

    def describe(self, count: int | None = None) -> str:
        objects = "" if count is None else f" on {count} object{'s' if count != 1 else ''}"
        if self.action == RENAME:
            return f"renamed from '{self.name}'{objects}"
        if self.action == FILL:
            return f"filled with the default{objects}"
        return f"dropped{objects}"


def field_states(fields: Sequence[models.Model]) -> dict[int, FieldState]:
    """The state of each saved custom field, by pk (one query for the object types of all of them)."""
    saved = [cast(CustomField, field) for field in fields]
    through = CustomField.object_types.through.objects.filter(customfield_id__in=[field.pk for field in saved])
    types: dict[int, set[int]] = {}
    for field_id, type_id in through.values_list("customfield_id", "contenttype_id"):
        types.setdefault(field_id, set()).add(type_id)
    return {field.pk: FieldState(field.name, field.default, frozenset(types.get(field.pk, ()))) for field in saved}


def value_rewrites(before: FieldState | None, after: FieldState | None) -> list[ValueRewrite]:
    """The rewrites a definition change calls for: `before` None for a created field, `after` None
    for a deleted one. Drops come first, then the rename, then the fills (under the new name)."""
    rewrites: list[ValueRewrite] = []
    if before is None and after is None:
        return rewrites
    if after is None:
        assert before is not None
        return [ValueRewrite(DROP, before.name, _ids(before.object_types))] if before.object_types else []
    if before is None:
        added, kept = after.object_types, frozenset[int]()
    else:
        removed = before.object_types - after.object_types
        if removed:
            rewrites.append(ValueRewrite(DROP, before.name, _ids(removed)))
        added, kept = after.object_types - before.object_types, after.object_types & before.object_types
        if kept and before.name != after.name:
            rewrites.append(ValueRewrite(RENAME, before.name, _ids(kept), new_name=after.name))
        if after.default == before.default:
            kept = frozenset()  # only a changed default fills the types the field had
    filled = added | kept
    if after.default is not None and filled:
        rewrites.append(ValueRewrite(FILL, after.name, _ids(filled), value=after.default))
    return rewrites


def _ids(types: Iterable[int]) -> tuple[int, ...]:
    return tuple(sorted(types))


def rewrite_tables(rewrite: ValueRewrite) -> list[type[models.Model]]:
    """The models whose rows hold values of the rewrite's object types."""
    found = []
    for type_id in rewrite.object_types:
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is not None and supports_custom_fields(model):
            found.append(model)
    return found


def rows_at_least(rewrites: Sequence[ValueRewrite], limit: int) -> int:
    """How many rows the rewrites go over, counted up to `limit` (one bounded query per table)."""
    tables = sorted({model._meta.db_table for rewrite in rewrites for model in rewrite_tables(rewrite)})
    total = 0
    with connection.cursor() as cursor:
        for table in tables:
            if total >= limit:
                break
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM {quoted} LIMIT %s) AS counted", [limit - total])  # noqa: S608
            total += cursor.fetchone()[0]
    return total


def _statement(rewrite: ValueRewrite) -> tuple[str, list[Any]]:
    """(SET … WHERE …, parameters) of the rewrite: jsonb operators over a table's rows."""
    data = "custom_field_data"
    if rewrite.action == DROP:
        return f"SET {data} = {data} - %s::text WHERE {data} ? %s::text", [rewrite.name, rewrite.name]
    if rewrite.action == RENAME:
        old, new = rewrite.name, rewrite.new_name
        # An object written meanwhile under the new name (a background rename) keeps what it was given.
        return (
            f"SET {data} = CASE WHEN {data} ? %s::text THEN {data} - %s::text "
            f"ELSE ({data} - %s::text) || jsonb_build_object(%s::text, {data} -> %s::text) END "
            f"WHERE {data} ? %s::text",
            [new, old, old, new, old, old],
        )
    value = json.dumps(rewrite.value, cls=DjangoJSONEncoder)
    return (
        f"SET {data} = {data} || jsonb_build_object(%s::text, %s::jsonb) WHERE NOT {data} ? %s::text",
        [rewrite.name, value, rewrite.name],
    )


def _rewrite_rows(model: type[models.Model], rewrite: ValueRewrite, bounds: tuple[int, int | None] | None) -> int:
    """Apply the rewrite to the model's rows (those with ids in (low, high] when `bounds`), index
    again those whose searchable text changed; how many rows it changed."""
    table = connection.ops.quote_name(model._meta.db_table)
    change, parameters = _statement(rewrite)
    if bounds is not None:
        low, high = bounds
        change += " AND id > %s" + (" AND id <= %s" if high is not None else "")
        parameters += [low] + ([high] if high is not None else [])
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} {change} RETURNING id", parameters)
        changed = [row[0] for row in cursor.fetchall()]
    if changed and rewrite.action != RENAME:  # a rename changes no value, so no searchable text
        search_index(list(model._base_manager.filter(pk__in=changed)))
    return len(changed)


def _slices(model: type[models.Model], chunk: int) -> Iterable[tuple[int, int | None]]:
    """(low, high] id bounds of consecutive slices of `chunk` rows, the last one open (high None)."""
    low = 0
    table = connection.ops.quote_name(model._meta.db_table)
    while True:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {table} WHERE id > %s ORDER BY id OFFSET %s LIMIT 1", [low, chunk - 1])  # noqa: S608
            row = cursor.fetchone()
        if row is None:
            yield low, None
            return
        yield low, row[0]
        low = row[0]


def rewrite_values(
    rewrites: Sequence[ValueRewrite],
    *,
    chunk: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[tuple[ValueRewrite, int]]:
    """Apply the rewrites in order; each with how many objects it changed.

    Without `chunk`: one statement per rewrite and table, in the caller's transaction. With it: the
    rows of each table in slices of `chunk`, each slice in a transaction of its own (a job then holds
    no lock for long), and `progress(done, total)` told how many rows have been gone over."""
    work = [(index, model) for index, rewrite in enumerate(rewrites) for model in rewrite_tables(rewrite)]
    changed = [0] * len(rewrites)
    if chunk is None:
        for index, model in work:
            changed[index] += _rewrite_rows(model, rewrites[index], None)
        return list(zip(rewrites, changed, strict=True))
    sizes = [model._base_manager.count() for _index, model in work]
    total, done = sum(sizes), 0
    for (index, model), size in zip(work, sizes, strict=True):
        start = done
        for bounds in _slices(model, chunk):
            with transaction.atomic():
                changed[index] += _rewrite_rows(model, rewrites[index], bounds)
            done = min(start + size, done + chunk)
            if progress is not None:
                progress(done, total)
        done = start + size
    if progress is not None:
        progress(total, total)
    return list(zip(rewrites, changed, strict=True))
