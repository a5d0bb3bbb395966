"""GraphQL filter inputs (NetBox 4.5+'s style), applied by the REST filters.

Every registered model gets a `<Model>Filter` input: scalar fields take a lookup object
(`name: {i_contains: "ams"}`, `id: {in_list: [1, 2]}`, `status: {exact: STATUS_ACTIVE}`),
related objects an id (`tenant_id: 3`, or `region_id: {id: 3, match_type: SELF_AND_DESCENDANTS}`
on trees) or a nested filter (`region: {slug: {exact: "nl"}}`), tags a `TagFilter`, and `AND`,
`OR`, `NOT` combine filters. Each lookup is translated to the REST query parameter with the
same meaning (`name__ic=ams`) and applied by `core.filters.filter_queryset`, so GraphQL and
REST filter alike. Only lookups the REST filters offer for a field are offered here.
"""

import datetime
import enum
from collections.abc import Callable

import graphene
from django.db import models
from django.db.models import Q
from django.http import QueryDict
from graphql import GraphQLError

from core.customfields import supports_custom_fields
from core.fields import has_tags, kind_of
from core.filters import (
    CUSTOM_FIELD_PREFIX,
    FilterError,
    custom_field_filters,
    filter_queryset,
    filters_for,
)
from core.models import Tag
from core.registry import registry

# Lookup name -> suffix of the REST filter with the same meaning.
SUFFIXES = {
    "exact": "",
    "i_exact": "__ie",
    "i_contains": "__ic",
    "i_starts_with": "__isw",
    "i_ends_with": "__iew",
    "regex": "__regex",
    "i_regex": "__iregex",
    "gt": "__gt",
    "gte": "__gte",
    "lt": "__lt",
    "lte": "__lte",
}
TEXT_LOOKUPS = ("exact", "i_exact", "i_contains", "i_starts_with", "i_ends_with", "regex", "i_regex")
RANGE_LOOKUPS = ("gt", "gte", "lt", "lte")
LOGICAL = ("AND", "OR", "NOT")
MAX_NESTING = 10
SKIPPED_FIELDS = {"custom_field_data", "lft", "rght", "tree_id"}


def _text(value) -> str:
    """A GraphQL input value as the REST query string spells it."""
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def _lookup_input(name: str, scalar, lookups: tuple[str, ...], **extra) -> type[graphene.InputObjectType]:
    fields: dict = {lookup: graphene.InputField(scalar) for lookup in lookups}
    fields["in_list"] = graphene.InputField(graphene.List(graphene.NonNull(scalar)))
    fields.update(extra)
    return type(name, (graphene.InputObjectType,), fields)


def _comparison_input(prefix: str, scalar, *, nullable: bool = True) -> type[graphene.InputObjectType]:
    bounds = type(
        f"{prefix}RangeLookup",
        (graphene.InputObjectType,),
        {"start": graphene.InputField(scalar), "end": graphene.InputField(scalar)},
    )
    extra = {"range": graphene.InputField(bounds)}
    if nullable:
        extra["is_null"] = _null()
    return _lookup_input(f"{prefix}FilterLookup", scalar, ("exact", *RANGE_LOOKUPS), **extra)


def _null() -> graphene.InputField:
    return graphene.InputField(graphene.Boolean)


class TreeNodeMatch(graphene.Enum):
    EXACT = "exact"
    DESCENDANTS = "descendants"
    SELF_AND_DESCENDANTS = "self_and_descendants"
    CHILDREN = "children"
    SIBLINGS = "siblings"
    ANCESTORS = "ancestors"
    PARENT = "parent"


class TreeNodeFilter(graphene.InputObjectType):
    id = graphene.ID(required=True)
    match_type = TreeNodeMatch(required=True)


class OffsetPaginationInput(graphene.InputObjectType):
    offset = graphene.Int(default_value=0)
    limit = graphene.Int()
    start = graphene.Int()


# How one field of a filter input narrows a queryset: (queryset, value, nesting depth) -> queryset.
Handler = Callable[[models.QuerySet, object, int], models.QuerySet]


class FilterInputs:
    """The `<Model>Filter` input types of every registered model, and their application."""

    def __init__(self, enums: dict[tuple[type[models.Model], str], type[graphene.Enum]]):
        self.enums = enums
        self.inputs: dict[type[models.Model], type[graphene.InputObjectType]] = {}
        self.handlers: dict[type[models.Model], dict[str, Handler]] = {}
        self.strings = _lookup_input("StrFilterLookup", graphene.String, TEXT_LOOKUPS, is_null=_null())
        self.ids = _comparison_input("ID", graphene.ID, nullable=False)
        self.ints = _comparison_input("Int", graphene.Int)
        self.big_ints = _comparison_input("BigInt", graphene.BigInt)
        self.floats = _comparison_input("Float", graphene.Float)
        self.datetimes = _comparison_input("Datetime", graphene.DateTime)
        self.dates = _comparison_input("Date", graphene.Date)
        self.booleans = type("BoolFilterLookup", (graphene.InputObjectType,), {"exact": graphene.Boolean()})
        self.enum_lookups: dict[type[graphene.Enum], type[graphene.InputObjectType]] = {}
        self.custom_fields = self._custom_field_input()
        for spec in registry.installed():
            self._derive(spec.model)

    def input_for(self, model: type[models.Model]) -> type[graphene.InputObjectType]:
        return self.inputs[model]

    # -- deriving -----------------------------------------------------------------------------

    def _derive(self, model: type[models.Model]) -> None:
        available = filters_for(model)
        fields: dict = {}
        handlers: dict[str, Handler] = {}
        for field in model._meta.get_fields():
            if (field.auto_created and not field.concrete) or field.name in SKIPPED_FIELDS:
                continue
            if (field.is_relation and field.related_model is None) or kind_of(field).relation == "generic":
                continue  # generic links: no single type to filter by
            if field.is_relation:
                self._relation(model, field, available, fields, handlers)
                continue
            lookup = self._lookup_type(model, field)
            if lookup is None or field.name not in available:
                continue
            fields[field.name] = graphene.InputField(lookup)
            handlers[field.name] = _lookups(model, field.name)
        if supports_custom_fields(model):
            fields["custom_field_data"] = graphene.InputField(self.custom_fields)
            handlers["custom_field_data"] = _custom_field(model)
        if has_tags(model):
            fields["tags"] = graphene.InputField(lambda: self.inputs[Tag])
            handlers["tags"] = self._tags(model)
        for name in LOGICAL:
            fields[name] = graphene.InputField(lambda model=model: self.inputs[model])
        self.inputs[model] = type(f"{model.__name__}Filter", (graphene.InputObjectType,), fields)
        self.handlers[model] = handlers

    def _custom_field_input(self) -> type[graphene.InputObjectType]:
        """NetBox's `custom_field_data: {path: "<field>", lookup: {<kind>_lookup: {...}}}`."""
        lookup = type(
            "JSONLookup",
            (graphene.InputObjectType,),
            {
                "string_lookup": graphene.InputField(self.strings),
                "int_comparison_lookup": graphene.InputField(self.big_ints),
                "float_comparison_lookup": graphene.InputField(self.floats),
                "date_lookup": graphene.InputField(self.dates),
                "datetime_lookup": graphene.InputField(self.datetimes),
                "boolean_lookup": graphene.InputField(self.booleans),
            },
        )
        return type(
            "JSONFilter",
            (graphene.InputObjectType,),
            {"path": graphene.String(required=True), "lookup": graphene.InputField(lookup, required=True)},
        )

    def _lookup_type(self, model, field):
        """The lookup input of a field, by its kind's GraphQL filter (core.fields)."""
        if field.primary_key:
            return self.ids
        family = kind_of(field).graphql_filter
        if family == "choice":
            choices = self.enums[(model, field.name)]
            if choices not in self.enum_lookups:
                self.enum_lookups[choices] = _lookup_input(
                    f"{choices._meta.name}FilterLookup", choices, ("exact",), is_null=_null()
                )
            return self.enum_lookups[choices]
        if family is None:
            return None
        lookups = {
            "text": self.strings,
            "int": self.ints,
            "big_int": self.big_ints,
            "float": self.floats,
            "datetime": self.datetimes,
            "date": self.dates,
            "boolean": self.booleans,
        }
        return lookups.get(family)

    def _relation(self, model, field, available, fields, handlers) -> None:
        related = field.related_model
        if registry.find(related) is None:
            return
        id_name = f"{field.name}_id"
        if id_name in available:
            if kind_of(field).graphql_filter == "tree":
                fields[id_name] = graphene.InputField(TreeNodeFilter)
                handlers[id_name] = _tree_node(model, field.name, related)
            else:
                fields[id_name] = graphene.InputField(graphene.ID)
                handlers[id_name] = _single(model, id_name)
        fields[field.name] = graphene.InputField(lambda: self.inputs[related])
        handlers[field.name] = self._nested(model, field)

    def _nested(self, model, field):
        related, name, many = field.related_model, field.name, field.many_to_many

        def apply(queryset, value, depth):
            matching = self.apply(related._default_manager.all(), related, value, depth + 1)
            if many:
                within = model._default_manager.filter(**{f"{name}__in": matching}).values("pk")
                return queryset.filter(pk__in=within)
            return queryset.filter(**{f"{name}__in": matching})

        return apply

    def _tags(self, model):
        def apply(queryset, value, depth):
            tags = self.apply(Tag.objects.all(), Tag, value, depth + 1)
            return queryset.filter(pk__in=model._default_manager.filter(tagged_items__tag__in=tags).values("pk"))

        return apply

    # -- applying -----------------------------------------------------------------------------

    def apply(self, queryset: models.QuerySet, model: type[models.Model], value, depth: int = 0) -> models.QuerySet:
        """Narrow `queryset` by a `<Model>Filter` value. Raises FilterError for bad values."""
        if not value:
            return queryset
        if depth > MAX_NESTING:
            raise GraphQLError(f"Filters may be nested at most {MAX_NESTING} levels deep.")
        handlers = self.handlers[model]
        unfiltered = queryset
        for name, item in value.items():
            if item is None or name in LOGICAL:
                continue
            queryset = handlers[name](queryset, item, depth)
        everything = model._default_manager.all()
        if value.get("AND"):
            queryset = self.apply(queryset, model, value["AND"], depth + 1)
        if value.get("NOT"):
            queryset = queryset.exclude(pk__in=self.apply(everything, model, value["NOT"], depth + 1).values("pk"))
        if value.get("OR"):
            alternative = self.apply(everything, model, value["OR"], depth + 1)
            queryset = unfiltered.filter(Q(pk__in=queryset.values("pk")) | Q(pk__in=alternative.values("pk")))
        return queryset


def _rest(queryset, model, name: str, values: list[str]):
    spec = registry.get(model)
    if name.startswith(CUSTOM_FIELD_PREFIX):
        available = custom_field_filters(spec, [name])
        unsupported = "No filterable custom field with this name takes this lookup."
    else:
        available = filters_for(model)  # a registration may have replaced a derived filter
        unsupported = "This lookup is not supported here."
    if name not in available:
        raise FilterError({name: [unsupported]})
    params = QueryDict(mutable=True)
    params.setlist(name, values)
    return filter_queryset(queryset, spec, params)


def _lookups(model, name: str):
    def apply(queryset, lookups, depth):
        for lookup, value in lookups.items():
            if value is None:
                continue
            if lookup == "in_list":
                if not value:
                    return queryset.none()
                queryset = _rest(queryset, model, name, [_text(item) for item in value])
            elif lookup == "is_null":
                queryset = _rest(queryset, model, name if value else f"{name}__n", ["null"])
            elif lookup == "range":
                if value.get("start") is not None:
                    queryset = _rest(queryset, model, f"{name}__gte", [_text(value["start"])])
                if value.get("end") is not None:
                    queryset = _rest(queryset, model, f"{name}__lte", [_text(value["end"])])
            else:
                queryset = _rest(queryset, model, name + SUFFIXES[lookup], [_text(value)])
        return queryset

    return apply


def _custom_field(model):
    """`custom_field_data: {path: "rack_count", lookup: {int_comparison_lookup: {gt: 3}}}` is REST's
    `cf_rack_count__gt=3`: the field's own filters, with its filter logic."""

    def apply(queryset, value, depth):
        lookups = [item for item in value["lookup"].values() if item is not None]
        if len(lookups) != 1:
            raise GraphQLError("Give exactly one lookup for a custom field.")
        return _lookups(model, f"{CUSTOM_FIELD_PREFIX}{value['path']}")(queryset, lookups[0], depth)

    return apply


def _single(model, name: str):
    return lambda queryset, value, depth: _rest(queryset, model, name, [_text(value)])


def _tree_node(model, name: str, related):
    """`region_id: {id, match_type}`: SELF_AND_DESCENDANTS is REST's `region_id=`; the others
    pick nodes relative to the given one."""

    def apply(queryset, value, depth):
        match = _text(value["match_type"])
        if match == "self_and_descendants":
            return _rest(queryset, model, f"{name}_id", [_text(value["id"])])
        try:
            node = related._default_manager.filter(pk=int(value["id"])).first()
        except ValueError:
            raise FilterError({f"{name}_id": [f"“{value['id']}” is not a valid value."]}) from None
        if node is None:
            return queryset.none()
        nodes = {
            "exact": lambda: related._default_manager.filter(pk=node.pk),
            "descendants": node.get_descendants,
            "children": node.get_children,
            "siblings": node.get_siblings,
            "ancestors": node.get_ancestors,
            "parent": lambda: related._default_manager.filter(pk=node.parent_id),
        }[match]()
        return queryset.filter(**{f"{name}__in": nodes})

    return apply
