"""Config contexts, rendered as NetBox renders them, and config templates resolved per object.

Every model whose registration declares `ConfigContexts` (core.registry; DCIM's devices, virtualization's
machines) gets, derived here: its `config_context` field (REST and GraphQL) and its
`render-config` route. A page of objects costs one query for the active contexts with all their
assignments (each as an array), whatever its length; each object is matched in Python.

NetBox's rules: a context applies when it is active and, for every kind of assignment it has (regions,
sites, roles, clusters, tags, ...), the object's value is among them -- for trees (regions, site groups, locations,
roles, platforms, tenant groups) the assigned node or one above the object's. The applying contexts merge
by weight, then name, the later ones deeply over the earlier ones (dicts merge key by key, anything else is
replaced); the object's own `local_context_data` merges last.
"""

import functools
import json
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.aggregates import ArrayAgg, JSONBAgg
from django.db.models import OuterRef, Prefetch, Subquery
from django.db.models.functions import JSONArray
from mptt.models import MPTTModel

from automation.models import ConfigContext
from core.fields import Rendered, json_object
from core.models import TaggedItem

# An object's tags as contexts match them: loaded as a plain list for a page (Django's generic-relation prefetch
# otherwise builds a manager and a queryset per row, ~0.3 ms each).
CONTEXT_TAGS = "_wb_context_tags"
TAGGED_ITEMS = Prefetch("tagged_items", to_attr=CONTEXT_TAGS)

# The assignment relations of a config context.
ASSIGNMENTS = (
    "regions", "site_groups", "sites", "locations", "device_types", "roles", "platforms", "cluster_types",
    "cluster_groups", "clusters", "tenant_groups", "tenants",
)  # fmt: skip


def deep_merge(base: dict, update: dict) -> dict:
    """NetBox's `deepmerge`: `update` over `base`, dicts merged key by key, other values replaced."""
    merged = dict(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _assignment(name: str):
    field = ConfigContext._meta.get_field(name)
    through = field.remote_field.through  # type: ignore[union-attr]
    target = field.related_model
    column = f"{target._meta.model_name}"  # type: ignore[union-attr]
    rows = through.objects.filter(configcontext_id=OuterRef("pk")).order_by().values("configcontext_id")
    value: JSONBAgg | ArrayAgg
    if issubclass(target, MPTTModel):  # type: ignore[arg-type]
        value = JSONBAgg(JSONArray(f"{column}__tree_id", f"{column}__lft", f"{column}__rght"))
    else:
        value = ArrayAgg(f"{column}_id")
    return Subquery(rows.annotate(assigned=value).values("assigned")[:1])


def _tag_assignment():
    content_type = ContentType.objects.get_for_model(ConfigContext)
    rows = TaggedItem.objects.filter(content_type=content_type, object_id=OuterRef("pk")).order_by()
    return Subquery(rows.values("object_id").annotate(assigned=ArrayAgg("tag_id")).values("assigned")[:1])


class Candidate:
    """An active config context and its assignments: per relation a set of ids, or of tree nodes."""

    __slots__ = ("data", "flat", "tags", "trees")

    def __init__(self, context: ConfigContext):
        self.data = context.data if isinstance(context.data, dict) else {}
        self.flat: dict[str, set[int]] = {}
        self.trees: dict[str, list[tuple[int, int, int]]] = {}
        for name in ASSIGNMENTS:
            assigned = getattr(context, f"_wb_{name}")
            if not assigned:
                continue
            if isinstance(assigned, str):  # a tree's nodes, as JSON (the statement is run raw)
                assigned = json.loads(assigned)
            if isinstance(assigned[0], list):
                self.trees[name] = [(node[0], node[1], node[2]) for node in assigned]
            else:
                self.flat[name] = set(assigned)
        self.tags = set(context._wb_assigned_tags or ())  # type: ignore[attr-defined]

    def applies(self, keys: dict[str, Any]) -> bool:
        for name, ids in self.flat.items():
            if keys.get(name) not in ids:
                return False
        for name, nodes in self.trees.items():
            node = keys.get(name)
            if node is None or not any(tree == node[0] and left <= node[1] <= right for tree, left, right in nodes):
                return False
        return not self.tags or bool(self.tags & keys.get("tags", set()))


@functools.lru_cache(maxsize=16)
def _candidates_statement(content_type_id: int) -> tuple[str, tuple]:
    """The statement reading the active contexts with their assignments, built once per process (by the
    config context content type's id): building its ten subqueries took ~10 ms of every device list."""
    annotations = {f"_wb_{name}": _assignment(name) for name in ASSIGNMENTS}
    contexts = (
        ConfigContext._base_manager.filter(is_active=True)
        .annotate(**annotations, _wb_assigned_tags=_tag_assignment())
        .order_by("weight", "name")
    )
    return contexts.query.sql_with_params()


def candidates() -> list[Candidate]:
    """The active config contexts, by weight and name, with their assignments: one query."""
    sql, params = _candidates_statement(ContentType.objects.get_for_model(ConfigContext).pk)
    return [Candidate(context) for context in ConfigContext._base_manager.raw(sql, params)]


def _tag_ids(obj) -> set[int]:
    items = obj.__dict__.get(CONTEXT_TAGS)
    return {item.tag_id for item in (items if items is not None else obj.tagged_items.all())}


def config_context_for(obj, spec, memo: dict) -> dict:
    """The object's rendered config context; `memo` lives as long as one response (the contexts are read
    once for it)."""
    if "_config_contexts" not in memo:
        memo["_config_contexts"] = candidates()
    declared = spec.config_contexts
    merged: dict = {}
    if memo["_config_contexts"]:
        keys = {**declared.keys(obj), "tags": _tag_ids(obj)}
        for candidate in memo["_config_contexts"]:
            if candidate.applies(keys):
                merged = deep_merge(merged, candidate.data)
    local = getattr(obj, declared.local, None)
    if isinstance(local, dict):
        merged = deep_merge(merged, local)
    return merged


def config_context_renderer(spec) -> Rendered:
    declared = spec.config_contexts

    def render(obj, links):
        return config_context_for(obj, spec, links.__dict__)

    return Rendered(render, json_object(), select=declared.select, prefetch=(*declared.prefetch, TAGGED_ITEMS))
