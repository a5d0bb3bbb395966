"""The GraphQL schema, derived from the registry: `<model>(id:)` and `<model>_list(filters:,
pagination:)` for every registered model, as NetBox names them (`site`, `site_list`,
`tenant_group_list`, ...).

Every query goes through `Model.objects.restrict(actor, "view")`; lists are capped at
MAX_PAGE_SIZE like NetBox's; what a query selects decides its joins and prefetches.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import graphene
from django.db import models
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.http import HttpRequest, QueryDict
from graphql import GraphQLError, GraphQLResolveInfo

from core.api.endpoints import MAX_PAGE_SIZE
from core.context import Actor
from core.filters import FilterError, order_queryset
from core.graphql.filters import FilterInputs, OffsetPaginationInput
from core.graphql.optimizer import Optimizer, relation_key
from core.graphql.types import ObjectTypes, Relation, choice_enums, snake_name
from core.querysets import restricted
from core.registry import ObjectSpec, registry


@dataclass(frozen=True)
class Context:
    """`info.context` of every resolver: the request and who makes it."""

    request: HttpRequest
    actor: Actor
    # What resolvers share within one request (custom field definitions, ...).
    memo: dict = field(default_factory=dict, compare=False)


def paginate(queryset: models.QuerySet, pagination, *, partition: str = "") -> models.QuerySet:
    """NetBox's `pagination: {offset, limit}` or `{start, limit}`; at most MAX_PAGE_SIZE rows.

    With `partition` (the column a prefetch groups rows by, e.g. a generic relation's object id, whose
    prefetch cannot take a sliced query), the rows are numbered within each group and the page taken
    in every group at once."""
    pagination = pagination or {}
    offset = pagination.get("offset") or 0
    limit = pagination.get("limit")
    start = pagination.get("start")
    if limit is None or limit < 0 or limit > MAX_PAGE_SIZE:
        limit = MAX_PAGE_SIZE
    if offset < 0:
        raise GraphQLError("`offset` must be greater than or equal to zero.")
    if start is not None:
        if offset:
            raise GraphQLError("Cannot specify both `start` and `offset` in pagination.")
        if start < 0:
            raise GraphQLError("`start` must be greater than or equal to zero.")
        queryset = queryset.filter(pk__gte=start).order_by("pk")
    if partition:
        ordering = [*(queryset.query.order_by or queryset.model._meta.ordering or []), "pk"]
        numbered = queryset.annotate(_wb_row=Window(RowNumber(), partition_by=F(partition), order_by=ordering))
        return numbered.filter(_wb_row__gt=offset, _wb_row__lte=offset + limit)
    return queryset[offset : offset + limit]


def _filter_message(errors: dict[str, list[str]]) -> str:
    return " ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items())


def _graphql_errors(resolve: Callable) -> Callable:
    """Bad filter values are the caller's error: a GraphQL error naming the filter."""

    @functools.wraps(resolve)
    def resolver(*args, **kwargs):
        try:
            return resolve(*args, **kwargs)
        except FilterError as error:
            raise GraphQLError(_filter_message(error.errors)) from None

    return resolver


class Derivation:
    """The schema's parts: object types, filter inputs, and the queries they share."""

    def __init__(self) -> None:
        self.filters = FilterInputs(choice_enums())
        self.types = ObjectTypes(
            filter_input=self.filters.input_for,
            pagination_input=OffsetPaginationInput,
            reverse_resolver=self._reverse_resolver,
        )

    def queryset(self, spec: ObjectSpec, actor: Actor, filters) -> models.QuerySet:
        queryset: models.QuerySet = restricted(spec.model, actor, "view")
        queryset = self.filters.apply(queryset, spec.model, filters)
        return order_queryset(queryset, spec, QueryDict())

    def optimizer(self, info: GraphQLResolveInfo) -> Optimizer:
        actor = info.context.actor

        def related(relation: Relation, arguments: dict) -> models.QuerySet:
            queryset = self.queryset(registry.get(relation.model), actor, arguments.get("filters"))
            return paginate(queryset, arguments.get("pagination"), partition=relation.partition)

        return Optimizer(info, self.types.relations, related)

    def _reverse_resolver(self, name: str, relation: Relation) -> Callable:
        @_graphql_errors
        def resolve(obj, info: GraphQLResolveInfo, **arguments):
            prefetched = getattr(obj, relation_key(name, arguments), None)
            if prefetched is not None:
                return prefetched
            # Not planned ahead (the optimizer reaches every selected relation; this is a safety net).
            spec = registry.get(relation.model)
            queryset = self.queryset(spec, info.context.actor, arguments.get("filters"))
            pointing = (
                {relation.remote: obj} if relation.remote else {"pk__in": getattr(obj, relation.lookup).values("pk")}
            )
            queryset = paginate(queryset.filter(**pointing), arguments.get("pagination"))
            optimizer = self.optimizer(info)
            return optimizer.load_tags(list(optimizer.optimize(queryset, relation.model, info.field_nodes)))

        return resolve

    def root_fields(self, spec: ObjectSpec) -> dict[str, graphene.Field]:
        model = spec.model
        object_type = self.types.types[model]

        @_graphql_errors
        def resolve_one(root, info: GraphQLResolveInfo, id):
            missing = GraphQLError(f"{model.__name__} matching query does not exist.")
            try:
                pk = int(id)
            except (TypeError, ValueError):
                raise missing from None
            queryset = restricted(spec.model, info.context.actor, "view").filter(pk=pk)
            optimizer = self.optimizer(info)
            found = optimizer.load_tags(list(optimizer.optimize(queryset, model, info.field_nodes)))
            if not found:
                raise missing
            return found[0]

        @_graphql_errors
        def resolve_list(root, info: GraphQLResolveInfo, filters=None, pagination=None):
            queryset = paginate(self.queryset(spec, info.context.actor, filters), pagination)
            optimizer = self.optimizer(info)
            return optimizer.load_tags(list(optimizer.optimize(queryset, model, info.field_nodes)))

        name = snake_name(model)
        return {
            name: graphene.Field(object_type, required=True, id=graphene.ID(required=True), resolver=resolve_one),
            f"{name}_list": graphene.Field(
                graphene.List(graphene.NonNull(object_type)),
                required=True,
                filters=graphene.Argument(self.filters.input_for(model)),
                pagination=graphene.Argument(OffsetPaginationInput),
                resolver=resolve_list,
            ),
        }


@functools.cache
def build_schema() -> graphene.Schema:
    derivation = Derivation()
    fields: dict[str, graphene.Field] = {}
    for spec in registry.installed():
        fields.update(derivation.root_fields(spec))
    query = type("Query", (graphene.ObjectType,), fields)
    schema = graphene.Schema(query=query, auto_camelcase=False)
    schema.derivation = derivation  # the fast path's planner reads it
    return schema
