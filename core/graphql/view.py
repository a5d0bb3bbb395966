"""`/graphql/` inside an organization: graphene-django's view, answering as NetBox does.

The organization middleware has admitted the caller (session member or API token). Queries are
read-only, so a read-only token may POST them; a browser session's POST must carry the CSRF
token, as REST writes must. Query errors (syntax, validation, limits, resolvers) are HTTP 200
with `data` and `errors`; unexpected failures are logged and reported without internals.
"""

import logging
import uuid

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import DatabaseError, transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from graphene_django.views import GraphQLView, HttpError
from graphql import ExecutionResult, GraphQLError, parse, specified_rules

from core.api.endpoints import ApiError, check_write, json_bytes, json_response, request_actor
from core.context import Actor, acting_as
from core.graphql.fast import execution_context_for
from core.graphql.schema import Context, build_schema
from core.graphql.validation import (
    HiddenPluginFieldsRule,
    MaxAliasesRule,
    QueryDepthRule,
    cost_rule,
    list_argument_rule,
)
from tenants.requests import OrganizationRequest

logger = logging.getLogger(__name__)
UNEXPECTED = "An unexpected error occurred while processing the request."
VALIDATION_RULES = (*specified_rules, QueryDepthRule, MaxAliasesRule, HiddenPluginFieldsRule)


class ObjectBudget:
    """graphql-core middleware: stops a query once its lists have returned `limit` objects.

    The cost estimate bounds what a query may return by page sizes; this bounds what it does
    return, for what the estimate lets through: `{site_list{tenant{sites{tenant{sites{id}}}}}}`
    is estimated below the cost limit, yet walks sites³ objects when one tenant has them all.
    """

    def __init__(self, limit: int):
        self.limit = limit
        self.left = limit

    def resolve(self, next_, root, info, **arguments):
        result = next_(root, info, **arguments)
        if isinstance(result, list) and result and not isinstance(result[0], str | int | float | bool):
            if self.left < 0:
                return []  # already reported once: the rest of the lists are cut off quietly
            self.left -= len(result)
            if self.left < 0:
                raise GraphQLError(
                    f"The query returns more than {self.limit} objects: ask for fewer (pagination: {{limit: …}})."
                )
        return result


class OrganizationGraphQLView(GraphQLView):
    actor: Actor

    def dispatch(self, request: OrganizationRequest, *args, **kwargs) -> HttpResponse:
        request.wirebook_request_id = uuid.uuid4()
        try:
            self.actor = request_actor(request)
            if getattr(request, "api_token", None) is None:
                check_write(request)  # a session's POST needs the CSRF token; tokens need none
        except ApiError as error:
            response = json_response(error.body, error.status)
        else:
            with acting_as(self.actor):
                try:
                    response = super().dispatch(request, *args, **kwargs)
                except Exception:  # never a server error page: log it, answer in GraphQL's shape
                    logger.exception("unexpected error serving GraphQL")
                    if transaction.get_connection().in_atomic_block:
                        transaction.set_rollback(True)
                    response = json_response({"data": None, "errors": [{"message": UNEXPECTED}]})
        response["X-Request-ID"] = str(request.wirebook_request_id)
        return response

    def get_middleware(self, request: HttpRequest) -> list:
        return [ObjectBudget(settings.WIREBOOK_GRAPHQL_MAX_OBJECTS)]

    def get_context(self, request: HttpRequest) -> Context:
        return Context(request=request, actor=self.actor)

    def get_response(self, request, data, show_graphiql=False):
        query, variables, operation_name, _id = self.get_graphql_params(request, data)
        result = self.execute_graphql_request(request, data, query, variables, operation_name, show_graphiql)
        body: dict = {"data": result.data}
        if result.errors:
            body["errors"] = [self.format_error(error) for error in result.errors]
            failed = any(isinstance(_original(error), DatabaseError) for error in result.errors)
            if failed and transaction.get_connection().in_atomic_block:
                transaction.set_rollback(True)
        return self.json_encode(request, body), 200

    def execute_graphql_request(self, request, data, query, variables, operation_name, show_graphiql=False):
        """graphene-django's, with the document bounded before it is parsed (size, then tokens) and
        the cost and list-argument rules, which read this request's variables, before it runs."""
        if query:
            limit = settings.WIREBOOK_GRAPHQL_MAX_QUERY_BYTES
            size = len(query.encode("utf-8", "surrogatepass"))
            if size > limit:
                return ExecutionResult(
                    data=None,
                    errors=[GraphQLError(f"The query document is {size} bytes, more than the {limit} allowed.")],
                )
            try:
                parse(query, max_tokens=limit // 2)
            except GraphQLError as error:
                return ExecutionResult(data=None, errors=[error])
        self.validation_rules = (*VALIDATION_RULES, cost_rule(variables), list_argument_rule(variables))
        return super().execute_graphql_request(request, data, query, variables, operation_name, show_graphiql)

    def json_encode(self, request, d, pretty=False):
        """Compact UTF-8 JSON with orjson, as REST answers (`?pretty` keeps graphene's indented form)."""
        if pretty or self.pretty or request.GET.get("pretty"):
            return super().json_encode(request, d, pretty=True)
        return json_bytes(d)

    @staticmethod
    def format_error(error):
        if isinstance(error, HttpError):  # a malformed request: no query, bad JSON, a GET mutation
            return {"message": error.message}
        if not isinstance(error, GraphQLError):
            logger.error("unexpected GraphQL failure", exc_info=error)
            return {"message": UNEXPECTED}
        original = _original(error)
        if original is not None and not isinstance(original, GraphQLError | ObjectDoesNotExist):
            logger.error("unexpected error in a GraphQL resolver", exc_info=original)
            error = GraphQLError(UNEXPECTED, error.nodes, error.source, error.positions, error.path)
        return error.formatted


def _original(error) -> BaseException | None:
    return getattr(error, "original_error", None)


def graphql_view():
    """The view for `path("graphql/", ...)` in the organization URLs."""
    schema = build_schema()
    return csrf_exempt(
        OrganizationGraphQLView.as_view(
            schema=schema,
            # Lists of plain fields, forward relations, tags and custom fields skip the per-field
            # resolvers (core.graphql.fast); everything else runs through them.
            execution_context_class=execution_context_for(schema.derivation),
            # graphene-django adds its debug middleware when DEBUG is on; it needs a writable
            # context and would break every query on development servers.
            middleware=[],
            validation_rules=VALIDATION_RULES,
        )
    )
