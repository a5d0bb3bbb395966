"""GraphQL object types derived from registered models, shaped like NetBox 4.x's.

`<Model>Type` carries `id`, `display`, `class_type`, the model's fields (choice fields as their
plain value, related objects as nested types, reverse relations as filterable lists), `tags`,
`custom_fields` (JSON) and, on trees, `level`. Fields a registration renders itself (`renderers=`)
are there too, typed as their renderer declares and resolved by it, so they read as in REST. Each
relation is also recorded as a `Relation`, which the optimizer reads to turn a selection into
joins and prefetches.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import graphene
from django.contrib.contenttypes.models import ContentType
from django.db import models
from graphene.types.generic import GenericScalar
from mptt.models import MPTTModel

from core.fields import CUSTOM_FIELDS, has_tags, kind_of, own_field, typed_renderer
from core.models import ImageAttachment, Tag
from core.registry import ObjectSpec, registry
from core.representation import Links, custom_field_shapes, custom_field_values, field_names

SKIPPED_FIELDS = {"id", "custom_field_data", "lft", "rght", "tree_id", "level", "tagged_items"}


class JSON(GenericScalar):
    """Any JSON value, passed through as it is (`custom_fields`, change snapshots)."""


class ContentTypeType(graphene.ObjectType):
    id = graphene.ID(required=True)
    app_label = graphene.String(required=True)
    model = graphene.String(required=True)


@dataclass(frozen=True)
class Relation:
    """A field that reaches other rows: how to load it for many rows at once.

    kind: "forward" (foreign key), "many" (many-to-many), "reverse" (the rows pointing here),
    "tags". `lookup` is the ORM path from the owning model; `remote` the foreign key on the
    related model that points back (reverse relations).
    """

    kind: str
    lookup: str
    model: type[models.Model]
    remote: str = ""
    # A generic relation's object id field: its prefetch pages the rows per object by this column.
    partition: str = ""


def snake_name(model: type[models.Model]) -> str:
    """`SiteGroup` -> `site_group`, `IPAddress` -> `ip_address` (NetBox's query names)."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", model.__name__).lower()


def type_name(model: type[models.Model]) -> str:
    return f"{model.__name__}Type"


def choice_enums() -> dict[tuple[type[models.Model], str], type[graphene.Enum]]:
    """One enum per choice field (`SiteStatusEnum`: STATUS_ACTIVE = "active"), for filters."""
    enums: dict[tuple[type[models.Model], str], type[graphene.Enum]] = {}
    for spec in registry.installed():
        for field in spec.model._meta.concrete_fields:
            if not field.choices or field.is_relation:
                continue
            members = []
            for value, _label in field.flatchoices:
                member = re.sub(r"\W+", "_", f"{field.name}_{value}").upper()
                members.append((member, value))
            camel = "".join(part.capitalize() for part in field.name.split("_"))
            enums[(spec.model, field.name)] = graphene.Enum(f"{spec.model.__name__}{camel}Enum", members)
    return enums


SCALARS: dict[str, Any] = {
    "String": graphene.String,
    "Int": graphene.Int,
    "BigInt": graphene.BigInt,
    "Float": graphene.Float,
    "Decimal": graphene.Decimal,
    "Boolean": graphene.Boolean,
    "DateTime": graphene.DateTime,
    "Date": graphene.Date,
    "Time": graphene.Time,
    "UUID": graphene.UUID,
    "ID": graphene.ID,
    "JSON": JSON,
}


def graphql_type(written: str) -> Any:
    """A type as the field kinds write it, in GraphQL's schema language (`[String!]`): graphene's."""
    if written.endswith("!"):
        return graphene.NonNull(graphql_type(written[:-1]))
    if written.startswith("[") and written.endswith("]"):
        return graphene.List(graphql_type(written[1:-1]))
    if written not in SCALARS:
        raise ValueError(f"Unknown GraphQL type {written!r} (core.graphql.types.SCALARS)")
    return SCALARS[written]


def _custom_fields(obj, info) -> dict:
    """As REST shows them (NetBox 4.7 does the same): every defined field, selections as {value, label}."""
    shapes = custom_field_shapes(type(obj), info.context.memo.setdefault("custom_fields", {}))
    return custom_field_values(obj.custom_field_data, shapes)


def _tags(obj, info) -> list:
    preloaded = obj.__dict__.get("_wb_tag_objects")  # core.graphql.optimizer.preload_tags
    return obj.tags if preloaded is None else preloaded


def _attribute(name: str) -> Callable:
    return lambda obj, info, **arguments: getattr(obj, name)


def _links(info) -> Links:
    """The request's URL prefixes, for renderers (nested objects carry their REST `url`), once per request."""
    memo = info.context.memo
    if "links" not in memo:
        memo["links"] = Links(info.context.request)
    return memo["links"]


def _rendered(function: Callable) -> Callable:
    return lambda obj, info: function(obj, _links(info))


def rendered_field(of: str | type[graphene.ObjectType], function: Callable) -> graphene.Field:
    """A field resolved by `function(obj, links)`, as a registration's REST renderers are (URLs of the request):
    of a type written as the field kinds write theirs (`"String!"`), or of an object type (never null)."""
    made = graphql_type(of) if isinstance(of, str) else graphene.NonNull(of)
    return graphene.Field(made, resolver=_rendered(function))


class ImageFileType(graphene.ObjectType):
    """An image file, shaped as NetBox's GraphQL shows one (`image { url width height }`): `url` is where the
    organization's API serves it to those who may view it (REST's `image`), `name` the file's own name; no
    `path` (a server's file path, which S3 has not)."""

    name = graphene.String(required=True)
    size = graphene.Int(required=True)
    url = graphene.String(required=True)
    width = graphene.Int(required=True)
    height = graphene.Int(required=True)


class ObjectTypes:
    """`<Model>Type` for every registered model, with the relations the optimizer follows.

    `reverse_resolver(name, relation)` and `filters`/`pagination` arguments come from the schema
    builder, which owns the queries.
    """

    def __init__(self, *, filter_input: Callable, pagination_input: Any, reverse_resolver: Callable):
        self.filter_input = filter_input
        self.pagination_input = pagination_input
        self.reverse_resolver = reverse_resolver
        self.types: dict[type[models.Model], type[graphene.ObjectType]] = {}
        self.relations: dict[type[models.Model], dict[str, Relation]] = {}
        for spec in registry.installed():
            self.types[spec.model] = self._derive(spec)

    def _derive(self, spec: ObjectSpec) -> type[graphene.ObjectType]:
        model = spec.model
        relations: dict[str, Relation] = {}
        fields: dict[str, Any] = {
            "id": graphene.Field(graphene.ID, required=True, resolver=lambda obj, info: obj.pk),
            "display": graphene.Field(graphene.String, required=True, resolver=lambda obj, info: spec.display(obj)),
            "class_type": graphene.Field(graphene.String, required=True, resolver=lambda obj, info: model.__name__),
        }
        for field in model._meta.get_fields():
            if field.name in SKIPPED_FIELDS:
                continue
            kind = kind_of(field)
            if kind.relation in ("generic", "generic_object"):
                continue  # no single type: tags are below, a generic object is a registration's renderer
            if kind.relation == "reverse":
                self._reverse(field, fields, relations)
            elif kind.relation == "many":
                self._many(field, fields, relations)
            elif kind.relation == "one":
                self._forward(field, fields, relations)
            elif kind.graphql is not None:
                value = own_field(field)
                fields[field.name] = graphene.Field(
                    graphql_type(kind.graphql), required=not value.null, resolver=_attribute(value.attname)
                )
        if has_tags(model):
            tag_type = graphene.NonNull(lambda: self.types[Tag])
            fields["tags"] = graphene.Field(graphene.List(tag_type), required=True, resolver=_tags)
            relations["tags"] = Relation("tags", "tagged_items", Tag)
        if spec.custom_fields and any(kind_of(field) is CUSTOM_FIELDS for field in model._meta.get_fields()):
            fields["custom_fields"] = graphene.Field(JSON, required=True, resolver=_custom_fields)
        if issubclass(model, MPTTModel):
            fields["level"] = graphene.Field(graphene.Int, required=True, resolver=_attribute("level"))
        if spec.images:
            # NetBox's `image_attachments`: the object's images (core.models.ImageAttachmentsMixin.images).
            relation = Relation("reverse", "images", ImageAttachment, partition="object_id")
            fields["image_attachments"] = self.reverse_list("image_attachments", relation)
            relations["image_attachments"] = relation
        for name in field_names(spec):
            if name in spec.api.renderers and name not in fields:  # a model field keeps its GraphQL type
                rendered = typed_renderer(spec, name)
                fields[name] = graphene.Field(
                    graphql_type(rendered.type.graphql),
                    required=not rendered.type.nullable,
                    resolver=_rendered(rendered.function),
                )
        for name, override in spec.graphql.fields.items():
            # The registration's own fields (core.registry.GraphQL) replace derived ones.
            relations.pop(name, None)
            made = override if isinstance(override, graphene.Field) else override(self, name)
            if isinstance(made, tuple):
                made, relations[name] = made
            fields[name] = made
        self.relations[model] = relations
        return type(type_name(model), (graphene.ObjectType,), fields)

    def _target(self, related: type[models.Model]) -> Any:
        if related is ContentType:
            return ContentTypeType
        if registry.find(related) is not None:
            return lambda: self.types[related]
        return None

    def _forward(self, field, fields: dict, relations: dict) -> None:
        target = self._target(field.related_model)
        if target is None:  # a model with no GraphQL type: its id
            fields[field.attname] = graphene.Field(graphene.ID, resolver=_attribute(field.attname))
            return
        fields[field.name] = graphene.Field(target, required=not field.null, resolver=_attribute(field.name))
        relations[field.name] = Relation("forward", field.name, field.related_model)

    def _many(self, field, fields: dict, relations: dict) -> None:
        if self._target(field.related_model) is None:
            return
        fields[field.name], relations[field.name] = self.many_list(field.name, field.related_model)

    def many_list(self, accessor: str, related: type[models.Model]) -> tuple[graphene.Field, Relation]:
        """The objects of a many-to-many relation, either side of it (`accessor`: a site's `asns`, the other
        side of ASN.sites), loaded for many rows at once."""
        field = graphene.Field(
            graphene.List(graphene.NonNull(self._target(related))),
            required=True,
            resolver=lambda obj, info: list(getattr(obj, accessor).all()),
        )
        return field, Relation("many", accessor, related)

    def _reverse(self, field, fields: dict, relations: dict) -> None:
        related = field.related_model
        if not field.one_to_many or registry.find(related) is None or not hasattr(field, "get_accessor_name"):
            return
        accessor = field.get_accessor_name()
        name = f"{related._meta.model_name}s" if accessor.endswith("_set") else accessor
        relation = Relation("reverse", accessor, related, remote=field.field.name)
        relations[name] = relation
        fields[name] = self.reverse_list(name, relation)

    def reverse_list(self, name: str, relation: Relation) -> graphene.Field:
        """A list of the rows that point at the object (`relation.lookup` is the accessor: a reverse
        foreign key or a generic relation), filterable and paginated like a root list; the optimizer
        prefetches it, restricted to what the caller may view, when the relation is recorded."""
        related = relation.model
        return graphene.Field(
            graphene.List(graphene.NonNull(lambda: self.types[related])),
            required=True,
            filters=graphene.Argument(lambda: self.filter_input(related)),
            pagination=graphene.Argument(self.pagination_input),
            resolver=self.reverse_resolver(name, relation),
        )
