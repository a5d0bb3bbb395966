"""Joins and prefetches derived from what a query selects: a list costs the same number of SQL
queries whatever its length.

Foreign keys on the path from the listed model are joined (`select_related`); many-to-many
fields and tags are prefetched; reverse relations are prefetched with their own restricted,
filtered and paginated queryset (one per distinct set of arguments), stored under a key the
resolver computes from the same arguments (`relation_key`).
"""

import enum
import hashlib
import json
from collections.abc import Callable, Iterable

from django.db import models
from django.db.models import Prefetch
from graphql import FieldNode, FragmentDefinitionNode, FragmentSpreadNode, GraphQLResolveInfo, InlineFragmentNode
from graphql.execution.values import get_argument_values

from core.fields import kind_of
from core.graphql.types import Relation, type_name
from core.models import TaggedItem
from core.registry import registry


def _plain(value):
    if isinstance(value, enum.Enum):
        return value.value
    return str(value)


def relation_key(name: str, arguments: dict) -> str:
    """Where the prefetched rows of a reverse relation with these arguments are kept."""
    canonical = json.dumps(arguments, sort_keys=True, default=_plain)
    return f"_graphql_{name}_{hashlib.sha256(canonical.encode()).hexdigest()[:16]}"


def selected(nodes: Iterable[FieldNode], fragments: dict[str, FragmentDefinitionNode]) -> list[FieldNode]:
    """The fields selected directly under `nodes`, through inline fragments and fragment spreads."""
    found: list[FieldNode] = []
    visited: set[str] = set()  # as graphql-core collects fields: each fragment once

    def walk(selection_set) -> None:
        if selection_set is None:
            return
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                found.append(selection)
            elif isinstance(selection, InlineFragmentNode):
                walk(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name not in visited and name in fragments:
                    visited.add(name)
                    walk(fragments[name].selection_set)

    for node in nodes:
        walk(node.selection_set)
    return found


TAGS = "_wb_tag_objects"


def preload_tags(objects: list) -> None:
    """Each object's tags (in `obj.__dict__[TAGS]`, as the `tags` resolver reads them): one query
    per model, however many objects."""
    from django.contrib.contenttypes.models import ContentType

    by_model: dict[type, dict] = {}
    for obj in objects:
        by_model.setdefault(type(obj), {}).setdefault(obj.pk, []).append(obj)
    for model, by_pk in by_model.items():
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=True)
        tags: dict[int, list] = {}
        items = TaggedItem.objects.filter(content_type=content_type, object_id__in=list(by_pk)).select_related("tag")
        for item in items:
            tags.setdefault(item.object_id, []).append(item.tag)
        for pk, same in by_pk.items():
            ordered = sorted(tags.get(pk, ()), key=lambda tag: (tag.weight, tag.name))
            for obj in same:
                obj.__dict__[TAGS] = ordered


class Optimizer:
    """Plans the loading of one root field's selection.

    `relations` maps a model to its GraphQL relation fields; `related_queryset(relation,
    arguments)` gives the rows a reverse relation may show (restricted, filtered, paginated).
    """

    def __init__(
        self,
        info: GraphQLResolveInfo,
        relations: dict[type[models.Model], dict[str, Relation]],
        related_queryset: Callable[[Relation, dict], models.QuerySet],
    ):
        self.info = info
        self.relations = relations
        self.related_queryset = related_queryset

    # Tags of the listed rows and of the objects joined to them are loaded by `load_tags` after
    # the rows are fetched, one query per model: Django's prefetch of the generic relation builds
    # a queryset for every row. Tags deeper down (in prefetched lists) are prefetched as usual.
    tag_paths: list[str]
    _depth = 0

    def optimize(self, queryset: models.QuerySet, model: type[models.Model], nodes: Iterable[FieldNode]):
        joins: dict[str, None] = {}
        prefetches: dict[str, str | Prefetch] = {}
        if self._depth == 0:
            self.tag_paths = []
        self._depth += 1
        try:
            self._plan(model, list(nodes), "", True, joins, prefetches)
        finally:
            self._depth -= 1
        if joins:
            queryset = queryset.select_related(*joins)
        if prefetches:
            queryset = queryset.prefetch_related(*prefetches.values())
        return queryset

    def load_tags(self, rows: list) -> list:
        """Give the rows (and the objects joined to them) the tags `optimize` left for later."""
        for path in getattr(self, "tag_paths", []):
            objects = rows
            for name in filter(None, path.split("__")):
                objects = [value for value in (getattr(obj, name) for obj in objects) if value is not None]
            preload_tags(objects)
        return rows

    def _plan(self, model, nodes, prefix: str, joinable: bool, joins: dict, prefetches: dict) -> None:
        relations = self.relations.get(model, {})
        by_name: dict[str, list[FieldNode]] = {}
        spec = registry.find(model)
        renderers = spec.api.renderers if spec is not None else {}
        for node in selected(nodes, self.info.fragments):
            if node.name.value in relations:
                by_name.setdefault(node.name.value, []).append(node)
            elif node.name.value == "display":
                self._plan_display(model, prefix, joinable, joins, prefetches)
            elif node.name.value in renderers:
                self._plan_rendered(renderers[node.name.value], prefix, joinable, joins, prefetches)
        for name, children in by_name.items():
            relation = relations[name]
            path = prefix + relation.lookup
            if relation.kind == "forward":
                if joinable:
                    joins[path] = None
                else:
                    prefetches.setdefault(path, path)
                self._plan(relation.model, children, f"{path}__", joinable, joins, prefetches)
            elif relation.kind == "many":
                prefetches.setdefault(path, path)
                self._plan(relation.model, children, f"{path}__", False, joins, prefetches)
            elif relation.kind == "tags":
                tag_relations = self.relations.get(relation.model, {})
                plain = not any(node.name.value in tag_relations for node in selected(children, self.info.fragments))
                if joinable and self._depth == 1 and plain:
                    self.tag_paths.append(prefix)
                    continue
                prefetches.setdefault(path, Prefetch(path, queryset=TaggedItem.objects.select_related("tag")))
                self._plan(relation.model, children, f"{path}__tag__", False, joins, prefetches)
            elif relation.kind == "reverse":
                self._plan_reverse(model, name, relation, children, path, prefetches)

    def _plan_rendered(self, renderer, prefix: str, joinable: bool, joins: dict, prefetches: dict) -> None:
        """What a registration's renderer reads beyond the row (core.fields.Rendered): joined, or prefetched
        (lookups of its own, with their querysets, only for the listed rows themselves)."""
        for path in getattr(renderer, "select", ()):
            if joinable:
                joins[prefix + path] = None
            else:
                prefetches.setdefault(prefix + path, prefix + path)
        for lookup in getattr(renderer, "prefetch", ()):
            if isinstance(lookup, str):
                prefetches.setdefault(prefix + lookup, prefix + lookup)
            elif not prefix:
                prefetches.setdefault(lookup.prefetch_to, lookup)

    def _plan_display(self, model, prefix: str, joinable: bool, joins: dict, prefetches: dict) -> None:
        """`display` is `str(obj)`, which may read related objects (a contact assignment names its
        contact and object): load every related object of the row with it, and what the registration
        says its display reads beyond them (`Api.display_uses`)."""
        spec = registry.find(model)
        for path in spec.api.display_uses if spec is not None else ():
            if joinable:
                joins[prefix + path] = None
            else:
                prefetches.setdefault(prefix + path, prefix + path)
        for field in model._meta.concrete_fields:
            if field.is_relation:
                path = prefix + field.name
                if joinable:
                    joins[path] = None
                else:
                    prefetches.setdefault(path, path)
        for field in model._meta.private_fields:
            if kind_of(field).relation == "generic_object":
                path = prefix + field.name
                prefetches.setdefault(path, path)

    def _plan_reverse(self, model, name: str, relation: Relation, nodes, path: str, prefetches: dict) -> None:
        field = self.info.schema.get_type(type_name(model)).fields[name]  # type: ignore[union-attr]
        groups: dict[str, tuple[dict, list[FieldNode]]] = {}
        for node in nodes:
            arguments = get_argument_values(field, node, self.info.variable_values)
            key = relation_key(name, arguments)
            groups.setdefault(key, (arguments, []))[1].append(node)
        for key, (arguments, group) in groups.items():
            queryset = self.optimize(self.related_queryset(relation, arguments), relation.model, group)
            prefetches[f"{path}->{key}"] = Prefetch(path, queryset=queryset, to_attr=key)
