"""The change log as people read it: a change's difference with field labels and related objects by name,
the changed object and its type by name. For the UI; the REST change log keeps NetBox's shapes.

Snapshots hold related objects by id (core.services.snapshot). The objects behind those ids are read for
a whole page of changes at once, one query per model, and only among those the viewer may see.
"""

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlsplit

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.text import capfirst

from core.models import ObjectChange
from core.querysets import restricted
from core.registry import registry
from core.representation import Links

# Snapshot keys that are no model field (core.services.snapshot).
_FEATURE_LABELS = {"custom_fields": "Custom fields", "tags": "Tags"}


def type_name(content_type_id: int) -> str:
    """A content type as people name it ("Site"), from the content type cache."""
    content_type = ContentType.objects.get_for_id(content_type_id)
    model = content_type.model_class()
    return str(capfirst(model._meta.verbose_name)) if model is not None else content_type.model


class Seen:
    """The objects among `wanted` ({model: ids}) that `actor` may see, one query per model, and which of the
    others still exist (one more query per model, only when some are not seen)."""

    def __init__(self, actor, wanted: dict[type[models.Model], set[int]], links: Links):
        self.links = links
        self.visible: dict[tuple[type[models.Model], int], models.Model] = {}
        self.gone: set[tuple[type[models.Model], int]] = set()
        for model, ids in wanted.items():
            spec = registry.find(model)
            if spec is None or not ids:
                continue
            queryset = restricted(model, actor, "view").filter(pk__in=ids)
            if spec.api.display_uses:
                queryset = queryset.select_related(*spec.api.display_uses)
            for obj in queryset:
                self.visible[(model, obj.pk)] = obj
            unseen = {pk for pk in ids if (model, pk) not in self.visible}
            if unseen:
                existing = set(model._base_manager.filter(pk__in=unseen).values_list("pk", flat=True))
                self.gone |= {(model, pk) for pk in unseen - existing}

    def part(self, model: type[models.Model], pk: Any) -> dict:
        """One related object as {text, url}: its name and page if seen, "#id (deleted)" when gone, else
        "#id" (it exists but the viewer may not see it)."""
        obj = self.visible.get((model, pk))
        if obj is not None:
            spec = registry.get(model)
            return {"text": spec.display(obj), "url": urlsplit(self.links.ui_url(spec, pk)).path}
        if (model, pk) in self.gone:
            return {"text": f"#{pk} (deleted)", "url": None}
        return {"text": f"#{pk}", "url": None}


def _field(model: type[models.Model] | None, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _related_model(field) -> type[models.Model] | None:
    """The model whose ids a snapshot holds for `field` (a foreign key or many-to-many), else None."""
    if field is None or not field.is_relation or field.auto_created:  # not a reverse relation
        return None
    return field.related_model if field.concrete or field.many_to_many else None


def _ids(value) -> list:
    if value is None or value == "":
        return []
    return list(value) if isinstance(value, list) else [value]


def _text(field, value) -> str:
    if value is None:
        return ""
    if field is not None and getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)  # "Landstraße", not "\\u00df"
    return str(value)


def readable_diffs(changes: Sequence[ObjectChange], actor, links: Links) -> list[list[dict]]:
    """Each change's difference as rows of {label, before, after}, a side being a list of parts
    {text, url}: related objects by name and linked where the viewer may see them."""
    diffs = [(ContentType.objects.get_for_id(change.changed_object_type_id).model_class(), change.diff())
             for change in changes]  # fmt: skip
    wanted: dict[type[models.Model], set[int]] = defaultdict(set)
    for model, rows in diffs:
        for row in rows:
            related = _related_model(_field(model, row["name"]))
            if related is not None and related is not ContentType:
                for value in (row["before"], row["after"]):
                    wanted[related].update(pk for pk in _ids(value) if isinstance(pk, int))
    seen = Seen(actor, wanted, links)
    return [[_row(model, row, seen) for row in rows] for model, rows in diffs]


def _row(model: type[models.Model] | None, row: dict, seen: Seen) -> dict:
    field = _field(model, row["name"])
    if field is not None:
        label = str(capfirst(field.verbose_name))
    else:
        label = _FEATURE_LABELS.get(row["name"], str(capfirst(row["name"].replace("_", " "))))
    return {"label": label, "before": _parts(field, row["before"], seen), "after": _parts(field, row["after"], seen)}


def _parts(field, value, seen: Seen) -> list[dict]:
    related = _related_model(field)
    if related is ContentType:
        return [{"text": type_name(pk), "url": None} for pk in _ids(value) if isinstance(pk, int)]
    if related is not None:
        return [seen.part(related, pk) if isinstance(pk, int) else {"text": str(pk), "url": None} for pk in _ids(value)]
    text = _text(field, value)
    return [{"text": text, "url": None}] if text else []


def present_changes(changes: Iterable[ObjectChange], rows: list[dict], links: Links, actor) -> None:
    """The change list's and change page's rows (representations) for people: the type by its name, the
    changed object linked to its page while it exists and the viewer may see it."""
    changes = list(changes)
    wanted: dict[type[models.Model], set[int]] = defaultdict(set)
    for change in changes:
        model = ContentType.objects.get_for_id(change.changed_object_type_id).model_class()
        if model is not None:
            wanted[model].add(change.changed_object_id)
    seen = Seen(actor, wanted, links)
    for change, data in zip(changes, rows, strict=True):
        data["changed_object_type"] = type_name(change.changed_object_type_id)
        model = ContentType.objects.get_for_id(change.changed_object_type_id).model_class()
        if model is not None and (model, change.changed_object_id) in seen.visible:
            spec = registry.get(model)
            data["object_repr"] = {"display": change.object_repr, "url": links.api_url(spec, change.changed_object_id)}
