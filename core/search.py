"""The organization's global search: a PostgreSQL full-text index over every registered model.

Each object's registered `search_fields` (weight A for the first -- usually the name -- and B
for the rest, fields of related objects too: `contact__name`) and its custom field values (C) form
one `tsvector`, built by PostgreSQL from the saved rows and written in the same transaction as the
objects by core.services (one statement per batch). Queries match every word as a prefix ("ams" finds
"AMS1"), rank with `ts_rank`, and only return objects the actor may view.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorCombinable,
    SearchVectorField,
)
from django.db import connection, models
from django.db.models import Expression, F, Func

from core.context import Actor
from core.models.search import SearchEntry
from core.querysets import restricted
from core.registry import registry

CONFIG = "simple"  # no stemming or stop words: names, serials and addresses are not prose
WORD = re.compile(r"[\w.:/-]+", re.UNICODE)


class _CustomFieldText(SearchVectorCombinable, Func):
    """The custom field values of a row (`custom_field_data`'s strings, numbers and booleans) as a
    tsvector of weight C."""

    template = (
        "setweight(jsonb_to_tsvector(%(config)s::regconfig, %(expressions)s, "
        '\'["string", "numeric", "boolean"]\'), \'C\')'
    )
    output_field = SearchVectorField()

    def __init__(self, expression):
        super().__init__(expression, config=f"'{CONFIG}'")


def _document(spec, model: type[models.Model]):
    """The row's tsvector: the first search field (weight A), the others (B), custom fields (C).
    Fields may follow relations (`contact__name`)."""
    first, *rest = spec.search.fields
    document: Expression = SearchVector(first, weight="A", config=CONFIG)
    if rest:
        document = document + SearchVector(*rest, weight="B", config=CONFIG)
    if any(field.name == "custom_field_data" for field in model._meta.concrete_fields):
        document = document + _CustomFieldText(F("custom_field_data"))
    return document


def search_index(instances: Sequence[models.Model]) -> None:
    """Write (or rewrite) the entries of `instances` (of one model, saved), in one statement that
    builds every document from the rows in PostgreSQL. Call inside the transaction that saved them.
    The display text is the registration's (Python), the rest is read from the rows."""
    statement = search_index_statement(instances)
    if statement is not None:
        with connection.cursor() as cursor:
            cursor.execute(*statement)


def search_index_statement(instances: Sequence[models.Model]) -> tuple[str, list] | None:
    """The statement `search_index` sends (None: nothing to index), for a writer that sends it along with
    another in one round trip (core.services: with the change log's INSERT)."""
    if not instances:
        return None
    model = type(instances[0])
    spec = registry.find(model)
    if spec is None or not spec.search.fields:
        return None
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=True)
    pks = [instance.pk for instance in instances]
    displays = [spec.display(instance)[:200] for instance in instances]
    rows = model._base_manager.filter(pk__in=pks).order_by().annotate(_wb_document=_document(spec, model))
    select, params = rows.values_list("pk", "_wb_document").query.sql_with_params()
    table = connection.ops.quote_name(SearchEntry._meta.db_table)
    sql = (
        f"INSERT INTO {table} (object_type_id, object_id, display, document) "  # noqa: S608 (names from models)
        f"SELECT %s, entry.id, shown.display, entry.document FROM ({select}) AS entry (id, document) "
        "JOIN unnest(%s::bigint[], %s::varchar[]) AS shown (id, display) ON shown.id = entry.id "
        "ON CONFLICT (object_type_id, object_id) DO UPDATE SET display = EXCLUDED.display, document = EXCLUDED.document"
    )
    return sql, [content_type.pk, *params, pks, displays]


def search_unindex(model: type[models.Model], pks: list) -> None:
    """Drop the entries of these objects (being deleted, in the same transaction)."""
    if registry.find(model) is None or not pks:
        return
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=True)
    SearchEntry.objects.filter(object_type=content_type, object_id__in=pks).delete()


def search_query(text: str) -> SearchQuery | None:
    """Every word of `text` as a prefix match, all required; None when there is nothing to find."""
    words = [word.replace("'", "") for word in WORD.findall(text.lower())][:10]
    words = [word for word in words if word]
    if not words:
        return None
    return SearchQuery(" & ".join(f"'{word}':*" for word in words), search_type="raw", config=CONFIG)


@dataclass(frozen=True)
class Hit:
    object: models.Model
    rank: float


def search(actor: Actor, text: str, *, object_types: list[ContentType] | None = None, limit: int = 50, offset: int = 0):
    """(hits, total) for `text`, best first, among objects `actor` may view."""
    query = search_query(text)
    if query is None:
        return [], 0
    entries = SearchEntry.objects.filter(document=query)
    if object_types:
        entries = entries.filter(object_type__in=object_types)
    entries = entries.annotate(rank=SearchRank(F("document"), query)).order_by("-rank", "display", "pk")
    # Permissions are per type: keep only rows the actor may view (one query per type present).
    visible_ids = {}
    for type_id in entries.values_list("object_type", flat=True).distinct():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None or registry.visible(model) is None:  # gone, or a plugin's not enabled here
            continue
        visible_ids[type_id] = restricted(model, actor, "view").values("pk")
    if not visible_ids:
        return [], 0
    condition = models.Q()
    for type_id, ids in visible_ids.items():
        condition |= models.Q(object_type_id=type_id, object_id__in=ids)
    entries = entries.filter(condition)
    total = entries.count()
    page = list(entries[offset : offset + limit])
    objects = _load(page)
    hits = [
        Hit(objects[(entry.object_type_id, entry.object_id)], entry.rank)
        for entry in page
        if (entry.object_type_id, entry.object_id) in objects
    ]
    return hits, total


def _load(entries) -> dict:
    by_type: dict[int, list[int]] = {}
    for entry in entries:
        by_type.setdefault(entry.object_type_id, []).append(entry.object_id)
    loaded = {}
    for type_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None:  # a type whose model is gone: search() keeps none of its entries
            continue
        for obj in model._base_manager.filter(pk__in=ids):
            loaded[(type_id, obj.pk)] = obj
    return loaded
