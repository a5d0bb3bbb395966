"""The APIs in a browser: the browsable REST API, Swagger UI and GraphiQL (docs/api.md, docs/graphql.md).

- A browser's GET of `/api/…` (`tenants.middleware.browser_wants_html`) gets the JSON the API
  answered, pretty-printed with its URLs as links, in the organization's layout: the page is made
  from the API's own response, after its authentication, permissions and filters, so it shows
  exactly what the JSON does, status included. API clients get the JSON as before.
- `/api/schema/swagger-ui/` (NetBox's path) is Swagger UI over the organization's OpenAPI document;
  its requests carry the session cookie and, for writes, the CSRF token.
- A browser's GET of `/graphql/` is GraphiQL, posting queries to the same path with the session
  and the CSRF token; API clients' GETs and POSTs reach the GraphQL view as before.

No page holds inline code: frontend/static/frontend/api.js starts Swagger UI and GraphiQL from
`data-*` attributes (saas_platform.security has the one relaxation GraphiQL needs).
"""

import json
from collections.abc import Callable
from http import HTTPStatus

import orjson
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import get_script_prefix, reverse
from django.utils.html import escape
from django.views.decorators.csrf import csrf_exempt

from tenants.middleware import browser_wants_html, is_api_request

GRAPHQL_PATH = "/graphql/"
# Headers of the API's answer shown above the JSON, as Django REST framework's browsable API does.
SHOWN_HEADERS = ("Allow", "API-Version", "Content-Type", "Vary")
INDENT = "    "


def _is_json(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip().lower() == "application/json"


class BrowsableApiMiddleware:
    """Turns an admitted member's JSON answers of the REST API into pages for browsers.

    Sits inside the membership middleware: refusals made before admission (anonymous callers, other
    organizations' members, unknown organizations) are the middleware's own, the same for every
    organization, existing or not."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "organization_route", None) is None or not is_api_request(request):
            return response  # the public site's pages and platform API
        if request.path_info.startswith(GRAPHQL_PATH):
            return response  # with_graphiql answers browsers there
        if getattr(request, "organization", None) is None or getattr(request, "membership", None) is None:
            return response
        if response.streaming or not _is_json(response) or not browser_wants_html(request):
            return response
        return browsable_page(request, response)


def browsable_page(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    data = orjson.loads(response.content) if response.content else None
    shown = [(name, response[name]) for name in SHOWN_HEADERS if name in response]
    try:
        reason = HTTPStatus(response.status_code).phrase
    except ValueError:
        reason = ""
    page = render(
        request,
        "frontend/api/browse.html",
        {
            "status": response.status_code,
            "reason": reason,
            "headers": shown,
            "body": json_html(data),
            "breadcrumbs": breadcrumbs(request),
            "json_url": _with_format(request, "json"),
        },
        status=response.status_code,
    )
    for name in ("API-Version", "X-Request-ID", "Allow"):
        if name in response:
            page[name] = response[name]
    return page


def _with_format(request: HttpRequest, value: str) -> str:
    params = request.GET.copy()
    params["format"] = value
    return f"{request.path}?{params.urlencode()}"


def breadcrumbs(request: HttpRequest) -> list[tuple[str, str]]:
    """(label, URL) of each level of the path: API root, app, list, object, route."""
    prefix = get_script_prefix().rstrip("/")
    parts = [part for part in request.path_info.strip("/").split("/") if part]
    return [(part, f"{prefix}/{'/'.join(parts[: index + 1])}/") for index, part in enumerate(parts)]


def json_html(value) -> str:
    """`value` as indented JSON, escaped for HTML, with http(s) URLs as links and the parts tagged for
    colours (wirebook.css)."""
    out: list[str] = []
    _write(value, 0, out)
    return "".join(out)


def _string(text: str) -> str:
    quoted = escape(json.dumps(text, ensure_ascii=False))
    if text.startswith(("http://", "https://")) and not any(char.isspace() for char in text):
        return f'<a class="wb-json-string" href="{escape(text)}" rel="nofollow noopener">{quoted}</a>'
    return f'<span class="wb-json-string">{quoted}</span>'


def _write(value, depth: int, out: list[str]) -> None:
    if isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        out.append("{\n")
        for index, (key, item) in enumerate(value.items()):
            out.append(INDENT * (depth + 1))
            out.append(f'<span class="wb-json-key">{escape(json.dumps(str(key), ensure_ascii=False))}</span>: ')
            _write(item, depth + 1, out)
            out.append(",\n" if index < len(value) - 1 else "\n")
        out.append(INDENT * depth + "}")
    elif isinstance(value, list):
        if not value:
            out.append("[]")
            return
        out.append("[\n")
        for index, item in enumerate(value):
            out.append(INDENT * (depth + 1))
            _write(item, depth + 1, out)
            out.append(",\n" if index < len(value) - 1 else "\n")
        out.append(INDENT * depth + "]")
    elif isinstance(value, str):
        out.append(_string(value))
    elif value is None or isinstance(value, bool):
        out.append(f'<span class="wb-json-literal">{json.dumps(value)}</span>')
    else:
        out.append(f'<span class="wb-json-number">{escape(json.dumps(value))}</span>')


def swagger_ui(request: HttpRequest) -> HttpResponse:
    """Swagger UI over the organization's OpenAPI document (`/api/schema/`)."""
    return render(request, "frontend/api/swagger_ui.html", {"schema_url": reverse("api:schema")})


def with_graphiql(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """`view` (the GraphQL endpoint), except that a browser's GET gets GraphiQL (with `?query=…`
    filled in). `?raw` keeps the endpoint's answer, as graphene-django's own GraphiQL does."""

    @csrf_exempt  # the GraphQL view checks a session's CSRF token itself (core.graphql.view)
    def graphql(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if browser_wants_html(request) and "raw" not in request.GET:
            return render(request, "frontend/api/graphiql.html", {"graphql_url": request.path})
        return view(request, *args, **kwargs)

    return graphql
