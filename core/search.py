"""The organization's global search: a PostgreSQL full-text index over every registered model.

Each object's registered `search_fields` (weight A for the first -- usually the name -- and B
for the rest) and its custom field values (C) form one `tsvector`, written in the same
transaction as the object by core.services. Queries match every word as a prefix ("ams" finds
"AMS1"), rank with `ts_rank`, and only return objects the actor may view.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection, models
from django.db.models import F

from core.context import Actor
from core.models.search import SearchEntry
from core.querysets import restricted
from core.registry import registry

CONFIG = "simple"  # no stemming or stop words: names, serials and addresses are not prose
WORD = re.compile(r"[\w.:/-]+", re.UNICODE)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return " ".join(_text(item) for item in value)
    if isinstance(value, dict):
        return " ".join(_text(item) for item in value.values())
    return str(value)


def search_index(instances: Sequence[models.Model]) -> None:
    """Write (or rewrite) the entries of `instances` (of one model), in one statement. Call inside
    the transaction that saved them.

    The rows travel as five arrays (ids, displays and the A, B and C texts) and PostgreSQL builds
    every document: one short statement whatever the number of objects, where an expression per
    row would cost Django ~1 ms each to compile."""
    if not instances:
        return
    spec = registry.find(type(instances[0]))
    if spec is None or not spec.search.fields:
        return
    content_type = ContentType.objects.get_for_model(instances[0], for_concrete_model=True)
    ids: list[int] = []
    displays: list[str] = []
    first: list[str] = []
    rest: list[str] = []
    custom: list[str] = []
    for instance in instances:
        fields = [_text(getattr(instance, name, "")) for name in spec.search.fields]
        ids.append(instance.pk)
        displays.append(spec.display(instance)[:200])
        first.append(fields[0])
        rest.append(" ".join(fields[1:]))
        custom.append(_text(getattr(instance, "custom_field_data", {}) or {}))
    table = connection.ops.quote_name(SearchEntry._meta.db_table)
    document = " || ".join(
        f"setweight(to_tsvector('{CONFIG}'::regconfig, item.{column}), '{weight}')"
        for column, weight in (("first", "A"), ("rest", "B"), ("custom", "C"))
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (object_type_id, object_id, display, document) "  # noqa: S608 -- names are ours
            f"SELECT %s, item.id, item.display, {document} "
            "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[]) "
            "AS item(id, display, first, rest, custom) "
            "ON CONFLICT (object_type_id, object_id) "
            "DO UPDATE SET display = EXCLUDED.display, document = EXCLUDED.document",
            [content_type.pk, ids, displays, first, rest, custom],
        )


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
        if model is None or registry.find(model) is None:
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
