"""The common GraphQL query answered without graphql-core's per-field machinery.

Most queries read lists of one type with its plain fields, the objects it points at, its tags and
its custom fields (`site_list { id name region { name } tags { name } custom_fields }`). For those
the answer is built from one `values_list` query over the same restricted, filtered, ordered and
paginated queryset the resolvers use, plus one query for the tags: no model instances and no
resolver call per field. The values are serialized by the schema's own scalar types, so the answer
is the one the resolvers give (tests/core/test_graphql_fast.py runs every shape both ways).

Anything else (single objects, reverse lists, `display`, fields a registration overrides, values
that would be errors) raises `Fallback` while planning or running, and graphql-core executes the
operation as usual: the fast path only ever answers what it knows it answers alike.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from graphql import (
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    OperationDefinitionNode,
    OperationType,
)
from graphql.execution.collect_fields import collect_fields
from graphql.execution.execute import ExecutionContext
from graphql.execution.values import get_argument_values

from core.filters import FilterError
from core.graphql.types import snake_name
from core.models import Tag, TaggedItem
from core.registry import ObjectSpec, registry
from core.representation import custom_field_shapes, custom_field_values

# A switch for tests comparing both ways; production keeps it on.
ENABLED = True


class Fallback(Exception):
    """The operation is not one the fast path answers: let graphql-core execute it."""


def _unchanged(value: Any) -> Any:
    return value


@dataclass
class Entry:
    """One response key of an object: how to produce its value from a row."""

    key: str
    kind: str  # "const", "column", "forward", "tags", "custom_fields"
    value: Any = None  # const: the value
    column: int = -1  # column / forward (the foreign key) / tags (the pk) / custom_fields
    serialize: Callable[[Any], Any] = _unchanged  # column, custom_fields: the value as GraphQL writes it
    required: bool = False
    entries: list["Entry"] = field(default_factory=list)  # forward: the related object's
    model: Any = None  # tags, custom_fields: the owning model


def _unwrap(graphql_type) -> tuple[Any, bool, bool]:
    """(the named type, required, a list of it)."""
    required = isinstance(graphql_type, GraphQLNonNull)
    if required:
        graphql_type = graphql_type.of_type
    many = isinstance(graphql_type, GraphQLList)
    if many:
        graphql_type = graphql_type.of_type
        if isinstance(graphql_type, GraphQLNonNull):
            graphql_type = graphql_type.of_type
    return graphql_type, required, many


def _scalar_serializer(scalar: GraphQLScalarType, many: bool) -> Callable[[Any], Any]:
    serialize = scalar.serialize
    if many:
        return lambda values: None if values is None else [serialize(value) for value in values]
    return lambda value: None if value is None else serialize(value)


class FastExecutionContext(ExecutionContext):
    """graphql-core's execution context, trying the fast path for each query operation first."""

    derivation: Any = None  # core.graphql.schema.Derivation, set by `execution_context_for`

    def execute_operation(self, operation: OperationDefinitionNode, root_value: Any):
        if ENABLED and operation.operation == OperationType.QUERY:
            try:
                return _Plan(self, operation).run()
            except Fallback:
                pass
        return super().execute_operation(operation, root_value)


def execution_context_for(derivation) -> type[ExecutionContext]:
    return type("WirebookExecutionContext", (FastExecutionContext,), {"derivation": derivation})


class _Plan:
    def __init__(self, context: FastExecutionContext, operation: OperationDefinitionNode):
        self.context = context
        self.schema = context.schema
        self.operation = operation
        self.budget = settings.WIREBOOK_GRAPHQL_MAX_OBJECTS
        self.roots = {f"{snake_name(spec.model)}_list": spec for spec in registry}
        self.built_tags: dict[tuple[int, int], dict] = {}

    def run(self) -> dict:
        root_type = self.schema.query_type
        if root_type is None:
            raise Fallback
        fields = collect_fields(
            self.schema, self.context.fragments, self.context.variable_values, root_type, self.operation.selection_set
        )
        planned = []
        for key, nodes in fields.items():
            name = nodes[0].name.value
            if name not in self.roots or any(node.name.value != name for node in nodes):
                raise Fallback
            spec = self.roots[name]
            field_def = root_type.fields[name]
            arguments = get_argument_values(field_def, nodes[0], self.context.variable_values)
            if any(get_argument_values(field_def, node, self.context.variable_values) != arguments for node in nodes):
                raise Fallback
            object_type, _required, _many = _unwrap(field_def.type)
            columns: list[str] = []
            entries = self._object(spec.model, object_type, nodes, "", columns)
            planned.append((key, spec, arguments, columns, entries))
        return {
            key: self._list(spec, arguments, columns, entries) for key, spec, arguments, columns, entries in planned
        }

    # -- planning ----------------------------------------------------------------------------

    def _column(self, columns: list[str], path: str) -> int:
        if path not in columns:
            columns.append(path)
        return columns.index(path)

    def _object(self, model, object_type: GraphQLObjectType, nodes, prefix: str, columns: list[str]) -> list[Entry]:
        spec = registry.find(model)
        if spec is None:
            raise Fallback
        relations = self.context.derivation.types.relations.get(model, {})
        subfields = self.context.collect_subfields(object_type, list(nodes))
        entries = []
        for key, field_nodes in subfields.items():
            name = field_nodes[0].name.value
            if any(node.arguments for node in field_nodes) or any(node.name.value != name for node in field_nodes):
                raise Fallback
            if name == "__typename":
                entries.append(Entry(key, "const", value=object_type.name))
                continue
            if name in spec.graphql.fields or name == "display":
                raise Fallback  # a registration's own resolver, or `display` (a Python method)
            if name in spec.api.renderers and name not in {f.name for f in model._meta.concrete_fields}:
                raise Fallback  # resolved by the registration's renderer, as REST shows it
            field_def = object_type.fields.get(name)
            if field_def is None:
                raise Fallback
            named, required, many = _unwrap(field_def.type)
            if name == "id":
                entries.append(
                    Entry(
                        key,
                        "column",
                        column=self._column(columns, prefix + "pk"),
                        serialize=_scalar_serializer(named, False),
                        required=True,
                    )
                )
            elif name == "class_type":
                entries.append(Entry(key, "const", value=model.__name__))
            elif name == "custom_fields":
                column = self._column(columns, prefix + "custom_field_data")
                entries.append(Entry(key, "custom_fields", column=column, model=model, serialize=named.serialize))
            elif name in relations:
                entries.append(
                    self._relation(model, key, name, relations[name], field_def, field_nodes, prefix, columns)
                )
            elif isinstance(named, GraphQLScalarType):
                attname = self._attname(model, name)
                column = self._column(columns, prefix + attname)
                entries.append(
                    Entry(key, "column", column=column, serialize=_scalar_serializer(named, many), required=required)
                )
            else:
                raise Fallback
        return entries

    def _attname(self, model, name: str) -> str:
        if name == "level":
            return "level"
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            # a foreign key to an unregistered model is exposed as its id (`<name>_id`)
            for model_field in model._meta.concrete_fields:
                if model_field.attname == name:
                    return name
            raise Fallback from None
        if not model_field.concrete or model_field.many_to_many:
            raise Fallback
        return model_field.attname

    def _relation(self, model, key, name, relation, field_def, field_nodes, prefix, columns) -> Entry:
        named, required, _many = _unwrap(field_def.type)
        if relation.kind == "forward":
            model_field = model._meta.get_field(relation.lookup)
            column = self._column(columns, prefix + model_field.attname)
            entries = self._object(relation.model, named, field_nodes, f"{prefix}{relation.lookup}__", columns)
            return Entry(key, "forward", column=column, entries=entries, required=required)
        if relation.kind == "tags":
            column = self._column(columns, prefix + "pk")
            return Entry(key, "tags", column=column, model=model, entries=self._tag_entries(named, field_nodes))
        raise Fallback  # many-to-many and reverse lists: the resolvers' prefetches

    def _tag_entries(self, tag_type: GraphQLObjectType, nodes) -> list[Entry]:
        entries = []
        subfields = self.context.collect_subfields(tag_type, list(nodes))
        for key, field_nodes in subfields.items():
            name = field_nodes[0].name.value
            if name == "__typename":
                entries.append(Entry(key, "const", value=tag_type.name))
                continue
            if name == "class_type":
                entries.append(Entry(key, "const", value=Tag.__name__))
                continue
            field_def = tag_type.fields.get(name)
            if field_def is None or any(node.arguments for node in field_nodes) or name == "display":
                raise Fallback
            named, required, many = _unwrap(field_def.type)
            if not isinstance(named, GraphQLScalarType) or name in registry.get(Tag).graphql.fields:
                raise Fallback
            attname = "pk" if name == "id" else self._attname(Tag, name)
            entries.append(
                Entry(
                    key,
                    "column",
                    value=attname,
                    serialize=_scalar_serializer(named, many),
                    required=required or name == "id",
                )
            )
        return entries

    # -- running -----------------------------------------------------------------------------

    def _list(self, spec: ObjectSpec, arguments: dict, columns: list[str], entries: list[Entry]) -> list[dict]:
        from core.graphql.schema import paginate

        actor = self.context.context_value.actor
        try:
            queryset = self.context.derivation.queryset(spec, actor, arguments.get("filters"))
        except FilterError:
            raise Fallback from None
        rows = list(paginate(queryset, arguments.get("pagination")).values_list(*columns))
        self._spend(len(rows))
        tags = self._tags(entries, rows)
        memo = self.context.context_value.memo.setdefault("custom_fields", {})
        return [self._build(entries, row, tags, memo) for row in rows]

    def _spend(self, count: int) -> None:
        self.budget -= count
        if self.budget < 0:
            raise Fallback  # the resolvers report it, as they always have

    def _tags(self, entries: list[Entry], rows: list[tuple]) -> dict:
        """{(model, pk): [Tag, ...]} for every tags entry: one query per model for which object has
        which tag, one for the tags themselves (a handful, however many rows carry them)."""
        wanted: dict[Any, set] = {}

        def walk(entries: list[Entry], row_values) -> None:
            for entry in entries:
                if entry.kind == "tags":
                    wanted.setdefault(entry.model, set()).update(
                        row[entry.column] for row in row_values if row[entry.column] is not None
                    )
                elif entry.kind == "forward":
                    walk(entry.entries, [row for row in row_values if row[entry.column] is not None])

        walk(entries, rows)
        tag_ids: dict = {}
        for model, pks in wanted.items():
            content_type = ContentType.objects.get_for_model(model, for_concrete_model=True)
            pairs = TaggedItem.objects.filter(content_type=content_type, object_id__in=pks)
            for object_id, tag_id in pairs.values_list("object_id", "tag_id"):
                tag_ids.setdefault((model, object_id), []).append(tag_id)
        distinct = {tag_id for ids in tag_ids.values() for tag_id in ids}
        tags = {tag.pk: tag for tag in Tag.objects.filter(pk__in=distinct)} if distinct else {}
        ordered = sorted(tags.values(), key=lambda tag: (tag.weight, tag.name))
        order = {tag.pk: position for position, tag in enumerate(ordered)}
        return {key: [tags[pk] for pk in sorted(ids, key=order.__getitem__)] for key, ids in tag_ids.items()}

    def _build(self, entries: list[Entry], row: tuple, tags: dict, memo: dict) -> dict:
        built: dict[str, Any] = {}
        for entry in entries:
            if entry.kind == "const":
                built[entry.key] = entry.value
            elif entry.kind == "column":
                value = entry.serialize(row[entry.column])
                if value is None and entry.required:
                    raise Fallback  # graphql-core reports the null, with its path
                built[entry.key] = value
            elif entry.kind == "forward":
                if row[entry.column] is None:
                    if entry.required:
                        raise Fallback
                    built[entry.key] = None
                else:
                    built[entry.key] = self._build(entry.entries, row, tags, memo)
            elif entry.kind == "tags":
                objects = tags.get((entry.model, row[entry.column]), [])
                self._spend(len(objects))
                built[entry.key] = [self._tag(entry, tag) for tag in objects]
            else:  # custom_fields
                built[entry.key] = entry.serialize(
                    custom_field_values(row[entry.column], custom_field_shapes(entry.model, memo))
                )
        return built

    def _tag(self, entry: Entry, tag: Tag) -> dict:
        """A tag as `entry` selects it, built once per response however many rows carry it."""
        key = (id(entry), tag.pk)
        if key not in self.built_tags:
            built: dict[str, Any] = {}
            for inner in entry.entries:
                if inner.kind == "const":
                    built[inner.key] = inner.value
                    continue
                value = inner.serialize(getattr(tag, inner.value))
                if value is None and inner.required:
                    raise Fallback
                built[inner.key] = value
            self.built_tags[key] = built
        return self.built_tags[key]
