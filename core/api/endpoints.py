"""The REST API: NetBox's endpoints for every registered model, on django-ninja.

Each registration gets `/api/<app>/<path>/` (list, bulk create/update/delete, OPTIONS) and
`/api/<app>/<path>/<id>/` (get, put, patch, delete). Handlers never filter by hand: every
query goes through `restrict(actor, action)`.
"""

import io
import json
import logging
import platform
import uuid
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

import orjson
from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import (
    ObjectDoesNotExist,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
    ValidationError,
)
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Count, ProtectedError, RestrictedError, Window
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.http.response import HttpResponseBase
from django.middleware.csrf import CsrfViewMiddleware

from core import filters, representation
from core.context import Actor, acting_as, actor_for
from core.exports import ExportUnavailable, list_exporter
from core.fields import kind_of
from core.permissions import NotPermitted, require
from core.querysets import restricted
from core.registry import AfterCommit, ObjectSpec, Route
from core.usecases import Item, WriteRefused, delete_objects, write_objects
from core.writes import WriteError, model_errors, writable_fields
from tenants.billing import BillingRefused
from tenants.errors import server_error_response
from tenants.inputs import MAX_BIGINT
from tenants.requests import OrganizationRequest

API_VERSION = settings.WIREBOOK_API_VERSION
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
logger = logging.getLogger(__name__)
READ_ONLY_TOKEN = "This token does not permit write operations."  # noqa: S105 (a message)


class ApiError(Exception):
    def __init__(self, status: int, body: dict):
        super().__init__(body)
        self.status = status
        self.body = body


def detail(status: int, message: str) -> ApiError:
    return ApiError(status, {"detail": message})


_DJANGO_JSON = DjangoJSONEncoder()
_ORJSON_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


def json_bytes(data: Any) -> bytes:
    """JSON as NetBox writes it (compact, UTF-8), encoded with orjson; values it does not know
    (lazy strings, datetimes no field kind rendered: core.fields) as Django's encoder writes them."""
    return orjson.dumps(data, default=_DJANGO_JSON.default, option=_ORJSON_OPTIONS)


def json_response(data: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(json_bytes(data), status=status, content_type="application/json")


# -- the actor ---------------------------------------------------------------------------------


def request_actor(request: OrganizationRequest) -> Actor:
    """Who calls: set by the organization middleware (session member or API token)."""
    membership = getattr(request, "membership", None)
    if membership is None:
        raise detail(403, "Authentication credentials were not provided.")
    return actor_for(
        request.user,
        membership,
        request_id=request.wirebook_request_id,
        token=getattr(request, "api_token", None),
    )


def _empty_response(request: HttpRequest) -> HttpResponse:
    return HttpResponse()


def check_write(request: HttpRequest) -> None:
    if request.method in SAFE_METHODS:
        return
    token = getattr(request, "api_token", None)
    if token is not None:
        if not token.write_enabled:
            raise detail(403, READ_ONLY_TOKEN)
        return
    # A session (browser) write must carry the CSRF token.
    failure = CsrfViewMiddleware(_empty_response).process_view(request, _empty_response, (), {})
    if failure is not None:
        raise detail(403, "CSRF Failed: CSRF token missing or incorrect.")


Answer = TypeVar("Answer", bound=HttpResponseBase)


def run(request: OrganizationRequest, handler: Callable[..., Answer], *args) -> Answer | HttpResponse:
    """Authenticate, act as the caller, translate errors to NetBox's shapes, add API headers."""
    if not hasattr(request, "wirebook_request_id"):
        request.wirebook_request_id = uuid.uuid4()
    response: Answer | HttpResponse
    try:
        actor = request_actor(request)
        check_write(request)
        with acting_as(actor):
            response = handler(*args, request, actor) if args else handler(request, actor)
    except ApiError as error:
        response = json_response(error.body, error.status)
    except NotPermitted as error:
        response = json_response({"detail": error.message}, 403)
    except filters.FilterError as error:
        response = json_response(error.errors, 400)
    except WriteError as error:
        response = json_response(error.errors, 400)
    except BillingRefused as error:
        response = json_response({"detail": " ".join(error.messages)}, 403)
    except ValidationError as error:
        response = json_response(model_errors(error), 400)
    except (ProtectedError, RestrictedError) as error:
        blocking = list(getattr(error, "protected_objects", None) or getattr(error, "restricted_objects", []))
        response = json_response(
            {
                "detail": f"Unable to delete object. {len(blocking)} dependent objects were found: "
                + ", ".join(f"{obj} ({obj.pk})" for obj in blocking[:10])
            },
            409,
        )
    except Exception:
        # Never half-apply: the request's transaction is rolled back, the error reported (Sentry
        # captures logged errors), and the client gets a 500 that names no internals.
        if transaction.get_connection().in_atomic_block:
            transaction.set_rollback(True)
        logger.exception("unexpected error in %s %s", request.method, request.path)
        # Unlike NetBox's, it names no exception class and no Python version (tenants.errors).
        response = server_error_response()
    response["API-Version"] = API_VERSION
    response["X-Request-ID"] = str(request.wirebook_request_id)
    return response


# -- reading -----------------------------------------------------------------------------------


def _flag(request: HttpRequest, name: str) -> bool:
    return request.GET.get(name, "").lower() in {"1", "true", "yes", "on"}


def _render_options(request: HttpRequest) -> dict:
    fields = request.GET.get("fields")
    # NetBox's `exclude=config_context` leaves out what is costly to compute; Wirebook's `omit` does it for any field.
    omit = ",".join(request.GET.getlist("omit") + request.GET.getlist("exclude"))
    return {
        "only": {name.strip() for name in fields.split(",") if name.strip()} if fields else None,
        "omit": {name.strip() for name in omit.split(",") if name.strip()} if omit and not fields else set(),
    }


def page_url(request: HttpRequest, **changes) -> str:
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    query = urlencode(sorted(params.lists()), doseq=True)
    return request.build_absolute_uri(request.path) + (f"?{query}" if query else "")


def int_param(request: HttpRequest, name: str, default: int, *, lenient: bool = False) -> int:
    """A non-negative integer parameter. `lenient` (NetBox's `limit` and `offset`): a value that is
    not one means the default, as NetBox's paginator reads it; otherwise it is a 400."""
    value = request.GET.get(name)
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number > MAX_BIGINT or (number < 0 and not lenient):  # beyond what PostgreSQL can count to: a 400
        raise detail(400, f"Invalid {name} parameter: {value}")
    return default if number < 0 else number


def paginate(request: HttpRequest, queryset, *, viewed_as: bool | None = None) -> tuple[list, dict]:
    """The page of `queryset` the request asks for and its `count`, `next` and `previous`. `viewed_as`: the
    queryset is a registered model's from `viewable(..., brief=viewed_as)`, whose rows are read by their keys
    (`representation.rows_by_ids`)."""
    limit = _page_size(request)
    if "start" in request.GET:
        if "offset" in request.GET:
            raise detail(400, "The offset and start parameters cannot be combined.")
        start = int_param(request, "start", 0)
        rows = list(queryset.filter(pk__gte=start).order_by("pk")[: limit + 1])
        more = len(rows) > limit
        rows = rows[:limit]
        following = page_url(request, start=rows[-1].pk + 1, limit=limit) if more else None
        return rows, {"count": None, "next": following, "previous": None}
    offset = int_param(request, "offset", 0, lenient=True)
    if viewed_as is None or queryset.query.distinct:
        rows = list(page_rows(queryset, offset, limit))
        # A page that ends the list tells its count.
        count = offset + len(rows) if len(rows) < limit and (rows or not offset) else queryset.count()
        return rows, _offset_page(request, offset, limit, count)
    ids, count = page_keys(queryset, offset, limit)
    rows = representation.rows_by_ids(queryset.model, ids, brief=viewed_as, listed=viewed_as)
    return rows, _offset_page(request, offset, limit, count)


def page_keys(queryset, offset: int, limit: int) -> tuple[list, int]:
    """The keys of the rows `offset` to `offset + limit` of `queryset` and how many rows it has, in one statement
    (`COUNT(*) OVER ()`), read before anything is joined to them (`page_rows`); a count statement only for a
    page past the end."""
    keys = _keys(queryset).annotate(_wb_total=Window(Count("*")))
    found = list(keys.values_list("pk", "_wb_total")[offset : offset + limit])
    if not found:
        return [], queryset.count() if offset else 0
    return [pk for pk, _ in found], found[0][1]


def _keys(queryset):
    """`queryset`'s keys alone, with no counts but those they are ordered by (a filter on a count has it in its
    WHERE)."""
    keys = queryset.values("pk")
    ordered_by = {name.lstrip("-") for name in keys.query.order_by if isinstance(name, str)}
    keys.query.annotations = {name: value for name, value in keys.query.annotations.items() if name in ordered_by}
    return keys


def page_rows(queryset, offset: int, limit: int):
    """The rows `offset` to `offset + limit` of `queryset`, chosen by their keys before anything is joined
    to them: PostgreSQL otherwise joins every row's related objects (and sorts those wide rows) to keep
    a page of them -- ~30 ms of a 50-device page out of 2,000 devices. In the same statement (a subquery).
    A DISTINCT queryset (object permissions with constraints) is sliced as it is: its keys alone cannot
    be ordered by its ordering."""
    if queryset.query.distinct:
        return queryset[offset : offset + limit]
    keys = _keys(queryset)[offset : offset + limit]
    return queryset.filter(_AmongKeys(models.F("pk"), ArraySubquery(keys)))


class _AmongKeys(models.Func):
    """`pk = ANY(ARRAY(<the page's keys>))`: PostgreSQL computes the keys once and looks the rows up by
    them first (an `IN (subquery)` becomes a semi-join it may run after joining every row)."""

    template = "%(expressions)s)"
    arg_joiner = " = ANY("
    output_field = models.BooleanField()


def _page_size(request: HttpRequest) -> int:
    limit = int_param(request, "limit", DEFAULT_PAGE_SIZE, lenient=True)
    return MAX_PAGE_SIZE if limit == 0 else min(limit, MAX_PAGE_SIZE)


def _offset_page(request: HttpRequest, offset: int, limit: int, count: int) -> dict:
    """NetBox's `count`, `next` and `previous` of the page at `offset` among `count` rows."""
    following = page_url(request, offset=offset + limit, limit=limit) if offset + limit < count else None
    if offset <= 0:
        previous = None
    elif offset - limit <= 0:
        previous = page_url(request, offset=None, limit=limit)
    else:
        previous = page_url(request, offset=offset - limit, limit=limit)
    return {"count": count, "next": following, "previous": previous}


def paginate_items(request: HttpRequest, items: list) -> dict:
    """A computed list (not a query) as a NetBox page: `limit`/`offset`, `count`, `next`, `previous`."""
    limit = _page_size(request)
    offset = int_param(request, "offset", 0, lenient=True)
    return {**_offset_page(request, offset, limit, len(items)), "results": items[offset : offset + limit]}


def route(
    spec: ObjectSpec, extra: Route, request: HttpRequest, actor: Actor, pk: int | None = None
) -> HttpResponseBase:
    """A registration's extra operation (core.registry.Route): the caller must hold its action on the
    model; on a detail route the object is found among those the action allows."""
    require(actor, spec.model, extra.action)
    # In the request's transaction (no savepoint: nothing after a failure needs the connection), or in one of its
    # own (Route.own_transaction: the request opened none; a savepoint only when called inside another one).
    # In the request's, the object is found first: a 404 leaves the caller's transaction usable. In its own, it is
    # found in that transaction, which a 404 rolls back (one transaction per request, not one more for the lookup).
    obj = None
    if extra.detail and not extra.own_transaction:
        assert pk is not None, "detail routes are mounted with the object's id"
        obj = get_object(spec, restricted(spec.model, actor, extra.action), pk)
    with transaction.atomic(savepoint=extra.own_transaction):
        if extra.detail and extra.own_transaction:
            assert pk is not None, "detail routes are mounted with the object's id"
            obj = get_object(spec, restricted(spec.model, actor, extra.action), pk)
        result = extra.handler(request, actor, obj) if extra.detail else extra.handler(request, actor)
    if isinstance(result, AfterCommit):  # committed by now (in its own transaction)
        result = result.answer()
    if isinstance(result, HttpResponseBase):  # a file (FileResponse streams) or a drawing
        return result
    if extra.paginated:
        result = paginate_items(request, list(result))
    return json_response(result, 201 if request.method == "POST" else 200)


def viewable(spec: ObjectSpec, actor: Actor, *, brief: bool, tags: bool = True):
    """The rows the actor may view, loaded for their full form or (`brief`) for a brief list's."""
    require(actor, spec.model, "view")
    queryset = restricted(spec.model, actor, "view")
    return representation.optimize(queryset, spec, brief=brief, listed=brief, tags=tags)


def get_object(spec: ObjectSpec, queryset, pk: int):
    try:
        return queryset.get(pk=pk)
    except ObjectDoesNotExist:
        raise detail(404, f"No {spec.model._meta.object_name} matches the given query.") from None


def list_objects(spec: ObjectSpec, request: HttpRequest, actor: Actor) -> HttpResponse:
    exporter = list_exporter()
    if request.GET.get("export") and exporter is not None:  # NetBox's export templates (core.exports)
        require(actor, spec.model, "view")
        viewed = filters.filter_queryset(restricted(spec.model, actor, "view"), spec, request.GET)
        viewed = filters.order_queryset(viewed, spec, request.GET)
        try:
            return exporter.respond(spec, actor, viewed, request.GET["export"])
        except ExportUnavailable as unavailable:
            raise detail(unavailable.status, unavailable.message) from None
    brief = _flag(request, "brief")
    queryset = viewable(spec, actor, brief=brief, tags=False)
    queryset = filters.order_queryset(filters.filter_queryset(queryset, spec, request.GET), spec, request.GET)
    rows, page = paginate(request, queryset, viewed_as=brief)
    page["results"] = representation.render_many(
        rows, representation.Links(request), brief=brief, listed=brief, **_render_options(request)
    )
    return json_response(page)


def get_one(spec: ObjectSpec, request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    brief = _flag(request, "brief")
    obj = get_object(spec, representation.counted_in_statement(viewable(spec, actor, brief=brief, tags=False)), pk)
    links = representation.Links(request)
    return json_response(
        representation.render_many([obj], links, brief=brief, listed=brief, **_render_options(request))[0]
    )


def _fresh(spec: ObjectSpec, pks: list[int]) -> list:
    """The objects a write just made or changed, as the response shows them (NetBox answers with
    the written object even when the writer may not view it), ready for `render_many`."""
    return representation.rows_by_ids(spec.model, pks)


# -- writing -----------------------------------------------------------------------------------


def _body(request: HttpRequest) -> Any:
    # Oversized and too deeply nested bodies were refused before (tenants.request_limits).
    if request.content_type == "multipart/form-data":
        return _form_body(request)
    try:
        return json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise detail(400, f"JSON parse error - {error}") from None


def _form_body(request: HttpRequest) -> dict[str, Any]:
    """A multipart/form-data body (NetBox's uploads: an image attachment's `image`) as one object: each
    field's last value, a string (converted as the JSON write converts strings), and each uploaded file."""
    try:
        if request.method == "POST":
            fields, files = request.POST, request.FILES
        else:  # Django parses the forms of POSTs only
            parser = MultiPartParser(request.META, io.BytesIO(request.body), request.upload_handlers, request.encoding)
            fields, files = parser.parse()  # type: ignore[assignment] # a mutable QueryDict, read the same way
    except (MultiPartParserError, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent) as error:
        raise detail(400, f"Multipart form parse error - {error}") from None
    return {**{key: fields[key] for key in fields}, **{key: files[key] for key in files}}


def bulk_limit(items: list) -> None:
    """One request writes at most WIREBOOK_MAX_BULK_OBJECTS objects (a 400 before any is written)."""
    limit = settings.WIREBOOK_MAX_BULK_OBJECTS
    if len(items) > limit:
        raise detail(400, f"Bulk operations are limited to {limit} objects per request ({len(items)} given).")


def _refused(spec: ObjectSpec, refused: WriteRefused, *, total: int | None, verb: str) -> ApiError:
    """NetBox's answer to a refused write: 404 for an object that is not there (or not the caller's
    to change), the item's errors for one object (`total` None), else the per-index errors."""
    if refused.missing:
        return detail(404, f"No {spec.model._meta.object_name} matches the given query.")
    if total is None:
        return ApiError(400, refused.errors[0]["errors"])
    return ApiError(
        400, {"detail": f"{len(refused.errors)} of {total} objects could not be {verb}.", "errors": refused.errors}
    )


def _written(spec: ObjectSpec, request: HttpRequest, objects: list) -> list:
    """The written objects as a list renders them (tags for all in two queries, related objects once)."""
    fresh = _fresh(spec, [obj.pk for obj in objects])
    return representation.render_many(fresh, representation.Links(request))


def create_objects(spec: ObjectSpec, request: HttpRequest, actor: Actor) -> HttpResponse:
    require(actor, spec.model, "add")
    payload = _body(request)
    many = isinstance(payload, list)
    items = payload if many else [payload]
    bulk_limit(items)
    try:
        created = write_objects(spec, actor, [Item(payload=item) for item in items])
    except WriteRefused as refused:
        raise _refused(spec, refused, total=len(items) if many else None, verb="created") from None
    rendered = _written(spec, request, created)
    return json_response(rendered if many else rendered[0], 201)


def _update(spec: ObjectSpec, request: HttpRequest, actor: Actor, changes: dict[int, Any], *, many: bool) -> list:
    items = [Item(payload=payload, pk=pk) for pk, payload in changes.items()]
    try:
        return write_objects(spec, actor, items, partial=request.method == "PATCH")
    except WriteRefused as refused:
        raise _refused(spec, refused, total=len(items) if many else None, verb="updated") from None


def update_one(spec: ObjectSpec, request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    require(actor, spec.model, "change")
    changed = _update(spec, request, actor, {pk: _body(request)}, many=False)
    return json_response(_written(spec, request, changed)[0])


def _ids(payload: Any, *, allow_empty: bool = False) -> list[int]:
    if isinstance(payload, list) and not payload and allow_empty:
        return []
    if not isinstance(payload, list) or not payload:
        raise detail(400, "Bulk operations require a list of objects, each with a numeric id.")
    bulk_limit(payload)
    ids = []
    for item in payload:
        if not isinstance(item, dict) or isinstance(item.get("id"), bool) or not isinstance(item.get("id"), int):
            raise detail(400, "Bulk operations require a list of objects, each with a numeric id.")
        ids.append(item["id"])
    return ids


def update_many(spec: ObjectSpec, request: HttpRequest, actor: Actor) -> HttpResponse:
    require(actor, spec.model, "change")
    payload = _body(request)
    ids = _ids(payload)
    # One change per object, as NetBox (its bulk update keys the items by id: the last one wins).
    by_id = {pk: {k: v for k, v in item.items() if k != "id"} for pk, item in zip(ids, payload, strict=True)}
    changed = _update(spec, request, actor, by_id, many=True)
    return json_response(_written(spec, request, changed))


def _delete(spec: ObjectSpec, actor: Actor, ids: list[int]) -> HttpResponse:
    try:
        delete_objects(spec, actor, ids)
    except WriteRefused as refused:
        raise _refused(spec, refused, total=None, verb="deleted") from None
    return HttpResponse(status=204)


def delete_one(spec: ObjectSpec, request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    require(actor, spec.model, "delete")
    return _delete(spec, actor, [pk])


def delete_many(spec: ObjectSpec, request: HttpRequest, actor: Actor) -> HttpResponse:
    require(actor, spec.model, "delete")
    # pynetbox deletes an empty selection with []; an id given twice is one deletion (and one
    # change-log entry), as NetBox.
    return _delete(spec, actor, _ids(_body(request), allow_empty=True))


def _option_choices(pairs) -> list[dict[str, str]]:
    """A field's (value, label) pairs as OPTIONS lists them (DRF's shape, which pynetbox and Ansible read)."""
    return [{"value": value, "display_name": str(label)} for value, label in pairs]


def options(spec: ObjectSpec, request: HttpRequest, actor: Actor) -> HttpResponse:
    post = {}
    for model_field in writable_fields(spec):
        description = {
            "type": kind_of(model_field).options_type,
            "required": not model_field.blank and not model_field.has_default() and not model_field.many_to_many,
            "read_only": False,
            "label": str(model_field.verbose_name).capitalize(),
        }
        if model_field.choices:
            description["choices"] = _option_choices(model_field.flatchoices)
        post[model_field.name] = description
    for name, extra in spec.api.write_extras.items():
        if extra.choices and name not in post:
            post[name] = {
                "type": "choice",
                "required": False,
                "read_only": False,
                "label": name.replace("_", " ").capitalize(),
                "choices": _option_choices(extra.choices),
            }
    return json_response(
        {
            "name": f"{str(spec.model._meta.verbose_name).title()} List",
            "description": "",
            "renders": ["application/json"],
            "parses": ["application/json"],
            "actions": {"POST": post},
        }
    )


def api_root_links(request: HttpRequest, specs) -> dict:
    """NetBox's API root: each app's root, `plugins` (whatever the organization enabled) and `status`."""
    root = request.build_absolute_uri(request.path)
    apps = sorted({spec.api_app for spec in specs} | {"plugins", "status"})
    return {app: f"{root}{app}/" for app in apps}


def app_root_links(request: HttpRequest, app: str, specs, extra: tuple[str, ...] = ()) -> dict:
    """An app's root (`/api/dcim/`): its list endpoints by path, as NetBox's app roots list them (a path
    under another one's, `scripts/upload`, is not listed)."""
    root = request.build_absolute_uri(request.path)
    paths = sorted({spec.api_path for spec in specs if spec.api_app == app and "/" not in spec.api_path} | set(extra))
    return {path: f"{root}{path}/" for path in paths}


def status_body(request: HttpRequest) -> dict:
    import django

    return {
        "django-version": django.get_version(),
        "hostname": request.get_host().rsplit(":", 1)[0],
        "installed_apps": {},
        "netbox-version": settings.WIREBOOK_NETBOX_COMPATIBLE_VERSION,
        "netbox-full-version": settings.WIREBOOK_NETBOX_COMPATIBLE_VERSION,
        "plugins": {},
        "python-version": platform.python_version(),
        "rq-workers-running": None,
        "wirebook-version": settings.WIREBOOK_VERSION,
    }
