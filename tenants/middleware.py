"""Route each request to the public site or to one organization (DESIGN §2).

Order: (1) the host is a `Domain` row (custom domain or `<slug>.<base domain>`); (2) the path
starts with `/o/<slug>/`; (3) otherwise the public schema serves the platform. Platform paths
(login, logout, health) are public on every host.

An organization request is served only to its members. Anyone else gets exactly what they
would get for an organization that does not exist: anonymous callers are sent to log in,
logged-in non-members get the 404 page. Nothing tells the two cases apart.

An organization pending deletion is closed to its members (a page or a 403 saying so, after
the usual membership check); its owners may still reach `DELETION_CANCEL_PATH`.
"""

import re
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db import connections
from django.http import HttpResponsePermanentRedirect, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import get_script_prefix, get_urlconf, set_script_prefix, set_urlconf
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode

from tenants import authcache
from tenants.api import PROVISION_PATH, token_provision
from tenants.context import tenant_context
from tenants.models import Membership, MembershipRole, Organization, OrganizationStatus
from tenants.sso import sso_session_required
from tenants.tokens import TokenAuthenticationFailed, TokenForAnotherOrganization, authenticate_token, token_cache_reads

PATH_PREFIX_RE = re.compile(r"^/o/(?P<slug>[a-z0-9-]{1,50})(?P<rest>/.*)?\Z", re.DOTALL)
PLATFORM_PATHS = (
    "/login/", "/logout/", "/accounts/", "/healthz", "/static/", "/switch/", "/invitations/", "/organizations/new/",
    "/api/platform/",
)  # fmt: skip


@dataclass
class OrganizationRoute:
    """Where a request was sent. `organization` is None when no such organization exists."""

    organization: Organization | None
    slug: str
    script_prefix: str | None = None


API_PATHS = ("/api/", "/graphql/")
SSO_LOGIN_PATH = "/login/sso/"
# Served without credentials, as NetBox serves its schema (pynetbox's strict_filters reads it).
ANONYMOUS_API_PATHS = ("/api/schema/",)
# The one page of an organization pending deletion its owners may use (frontend/tenant_urls.py).
DELETION_CANCEL_PATH = "/settings/danger/cancel/"
PENDING_DELETION = "This organization is scheduled for deletion."


def is_api_request(request) -> bool:
    """Inside an organization, API paths answer in NetBox's JSON shapes instead of pages."""
    return request.path_info.startswith(API_PATHS)


HTML_TYPES = ("text/html", "application/xhtml+xml")
JSON_TYPES = ("application/json", "application/*")


def _accepted(header: str) -> list[tuple[str, float]]:
    """The media ranges of an Accept header with their quality, in the client's order."""
    ranges = []
    for item in header.split(","):
        media, *parameters = (part.strip() for part in item.split(";"))
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media:
            ranges.append((media.lower(), quality))
    return ranges


def browser_wants_html(request) -> bool:
    """A browser's GET of an API path: it names HTML in its Accept header before JSON (or with a higher
    quality), as browsers do, and does not ask for `?format=json`; `?format=api` asks for the page
    whatever the header, as in Django REST framework. API clients send `*/*` (curl, requests,
    pynetbox) or `application/json` (the Ansible collection, go-netbox): they get JSON."""
    if request.method not in ("GET", "HEAD"):
        return False
    requested = request.GET.get("format", "").lower()
    if requested:
        return requested == "api"
    html = json = None
    for position, (media, quality) in enumerate(_accepted(request.META.get("HTTP_ACCEPT", ""))):
        if media in HTML_TYPES and (html is None or quality > html[0]):
            html = (quality, -position)
        elif media in JSON_TYPES and (json is None or quality > json[0]):
            json = (quality, -position)
    return html is not None and html[0] > 0 and (json is None or html > json)


def not_found(request):
    if is_api_request(request) and not browser_wants_html(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "404.html", status=404)


def not_authenticated(request):
    if is_api_request(request) and not browser_wants_html(request):
        return JsonResponse({"detail": "Authentication credentials were not provided."}, status=403)
    return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)


def sso_required(request, organization):
    """The member must sign in through the organization's identity provider first."""
    if is_api_request(request) and not browser_wants_html(request):
        return JsonResponse({"detail": "This organization requires single sign-on."}, status=403)
    return HttpResponseRedirect(f"{SSO_LOGIN_PATH}?{urlencode({'organization': organization.slug})}")


def _host_without_port(request) -> str:
    host = request.get_host().lower()
    if host.startswith("["):
        return host.split("]")[0] + "]"
    return host.rsplit(":", 1)[0] if ":" in host else host


def _domain_host(request) -> str | None:
    """The request's host when it may be an organization's domain (not the base domain, not an address)."""
    host = _host_without_port(request)
    if host == settings.WIREBOOK_BASE_DOMAIN or host.startswith("[") or host.replace(".", "").isdigit():
        return None
    return host


def route_by_host(request) -> OrganizationRoute | None:
    """The organization a request's host addresses (a custom domain or `<slug>.<base domain>`),
    or None when the host serves the public site."""
    host = _domain_host(request)
    base = settings.WIREBOOK_BASE_DOMAIN
    if host is None:
        return None
    domain = authcache.domain_by_host(host)
    if domain is not None:
        return OrganizationRoute(organization=domain.tenant, slug=domain.tenant.slug)
    if host.endswith("." + base) and host.count(".") == base.count(".") + 1:
        # <slug>.<base domain> with no such organization.
        return OrganizationRoute(organization=None, slug=host[: -len(base) - 1])
    return None


class StatementCountMiddleware:
    """Benchmarks only (`WIREBOOK_COUNT_STATEMENTS`): `X-Wirebook-Statements` is the number of SQL
    statements the request sent, transaction control and schema selection included, to every database
    server (tenants.servers). Outermost."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = _statements_sent()
        response = self.get_response(request)
        response["X-Wirebook-Statements"] = str(_statements_sent() - start)
        return response


def _statements_sent() -> int:
    return sum(getattr(server, "statements", 0) for server in connections.all(initialized_only=True))


class ApiErrorShapesMiddleware:
    """An API path answers in JSON even where no API view ran: a path that matches nothing (an app
    root's typo, a non-numeric id: 404) or a method its path does not take (405), in NetBox's
    shapes. Innermost, so that it sees the path inside the organization."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code not in (404, 405) or not is_api_request(request):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        if response.status_code == 404:
            return JsonResponse({"detail": "Not found."}, status=404)
        shaped = JsonResponse({"detail": f'Method "{request.method}" not allowed.'}, status=405)
        if "Allow" in response:
            shaped["Allow"] = response["Allow"]
        return shaped


class OrganizationRoutingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.organization = None
        request.membership = None
        if request.path_info.startswith(PLATFORM_PATHS):
            return self.get_response(request)

        try:
            return self._route(request)
        finally:
            authcache.prefetch_end()

    def _route(self, request):
        host = _domain_host(request)
        match = PATH_PREFIX_RE.match(request.path_info)
        routed_by = (host, match["slug"] if match is not None and match["rest"] else "")
        if routed_by != (None, ""):
            _prefetch(request, routed_by, match)
        route = route_by_host(request)
        if route is None:
            if match is None:
                return self.get_response(request)
            if not match["rest"]:
                return HttpResponsePermanentRedirect(
                    request.get_full_path().replace(request.path, request.path + "/", 1)
                )
            slug = match["slug"]
            route = OrganizationRoute(
                organization=authcache.organization_by_slug(slug),
                slug=slug,
                script_prefix=f"{get_script_prefix()}o/{slug}/",
            )
            request.path_info = match["rest"]
        if route.organization is not None:
            _remember_schema(routed_by, route.organization)

        request.organization_route = route
        request.urlconf = settings.WIREBOOK_TENANT_URLCONF
        if route.organization is None:
            return self.get_response(request)

        # The organization's schema is selected only once the caller is admitted
        # (OrganizationMembershipMiddleware): sessions, users, memberships and tokens are
        # public rows, read without opening a transaction for the schema.
        previous_prefix = get_script_prefix()
        if route.script_prefix:
            set_script_prefix(route.script_prefix)
        try:
            return self.get_response(request)
        finally:
            set_script_prefix(previous_prefix)


# The schema of the organization a host or a slug routed to, as last seen by this process: whose cache
# entries a request reads ahead with the organization's (a guess: a wrong one costs that request one more
# round trip, never a wrong entry, since the keys carry the schema).
_schemas: dict[tuple[str | None, str], str] = {}
_SCHEMAS_MAX = 10_000


def _remember_schema(routed_by: tuple[str | None, str], organization) -> None:
    if _schemas.get(routed_by) != organization.schema_name:
        if len(_schemas) >= _SCHEMAS_MAX:
            _schemas.clear()
        _schemas[routed_by] = organization.schema_name


def _prefetch(request, routed_by: tuple[str | None, str], match) -> None:
    """Read what routing and admitting the request will look up in the cache in one round trip
    (tenants.authcache.prefetch): the host's domain, the organization of the `/o/<slug>/` path, the API
    token, the organization's configuration generations."""
    host, slug = routed_by
    keys = [authcache.domain_key(host)] if host is not None else []
    if slug:
        keys.append(authcache.organization_key(slug))
    marks: list[tuple[str, float]] = []
    path = match["rest"] if slug else request.path_info
    if path.startswith(API_PATHS) and "HTTP_AUTHORIZATION" in request.META:
        token_keys, marks = token_cache_reads(request.META["HTTP_AUTHORIZATION"])
        keys += token_keys
    authcache.prefetch(keys=keys, schema_name=_schemas.get(routed_by), marks=marks)


class OrganizationMembershipMiddleware:
    """Admit members only; must come after AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        route = getattr(request, "organization_route", None)
        if route is None:
            return self.get_response(request)
        if not is_api_request(request):
            return self._dispatch(request, route)
        # Every API answer, refusals included, carries NetBox's headers (pynetbox reads
        # API-Version even from a 403).
        request.wirebook_request_id = uuid.uuid4()
        response = self._dispatch(request, route)
        response.setdefault("API-Version", settings.WIREBOOK_API_VERSION)
        response.setdefault("X-Request-ID", str(request.wirebook_request_id))
        # Browsers get pages where API clients get JSON (browser_wants_html).
        patch_vary_headers(response, ["Accept"])
        return response

    def _dispatch(self, request, route: OrganizationRoute):
        if request.path_info in ANONYMOUS_API_PATHS:
            # The same document for every organization, existing or not: it reveals nothing.
            return self.get_response(request)
        if request.path_info == PROVISION_PATH:
            organization = route.organization
            if organization is not None and organization.status == OrganizationStatus.PENDING_DELETION:
                organization = None  # refused like an unknown organization: nothing is revealed
            return token_provision(request, organization)
        if is_api_request(request) and "HTTP_AUTHORIZATION" in request.META:
            return self._admit_token(request, route)
        if not request.user.is_authenticated:
            return not_authenticated(request)
        membership = None
        if route.organization is not None:
            membership = authcache.membership_of(request.user.pk, route.organization.pk)
        if membership is None:
            return not_found(request)
        if sso_session_required(request.session, membership):
            return sso_required(request, route.organization)
        return self._admit(request, route, membership)

    def _admit_token(self, request, route: OrganizationRoute):
        try:
            auth = authenticate_token(
                request.META["HTTP_AUTHORIZATION"],
                organization=route.organization,
                client_ip=request.META.get("REMOTE_ADDR", ""),
            )
        except TokenForAnotherOrganization:
            return not_found(request)
        except TokenAuthenticationFailed as failure:
            return JsonResponse({"detail": failure.detail}, status=403)
        request.api_token = auth.token
        if auth.user is None:
            # A token bound to no user acts for the organization itself: an editor, or a viewer
            # when it may not write.
            role = MembershipRole.EDITOR if auth.token.write_enabled else MembershipRole.VIEWER
            return self._admit(request, route, Membership(organization=route.organization, role=role))
        # The token was checked together with its user's membership (tenants.tokens).
        membership = Membership(
            id=auth.membership_id,
            user=auth.user,
            organization=route.organization,
            role=auth.role or MembershipRole.VIEWER,  # always set for a member; never more than a viewer
        )
        request.user = auth.user
        return self._admit(request, route, membership)

    def _admit(self, request, route: OrganizationRoute, membership):
        organization = route.organization
        if organization is None:  # callers admit to existing organizations only
            return not_found(request)
        request.organization = organization
        request.membership = membership
        _tag_error_reports(organization)
        with tenant_context(organization):
            if organization.status == OrganizationStatus.PENDING_DELETION:
                return self._pending_deletion(request, membership)
            return self.get_response(request)

    def _pending_deletion(self, request, membership):
        if is_api_request(request):
            return JsonResponse({"detail": PENDING_DELETION}, status=403)
        is_owner = membership.pk is not None and membership.role == MembershipRole.OWNER
        if is_owner and request.path_info == DELETION_CANCEL_PATH:
            return self.get_response(request)
        context = {"is_owner": is_owner, "cancel_url": get_script_prefix() + DELETION_CANCEL_PATH.lstrip("/")}
        # The page's layout links inside the organization: reverse() with its URLs, as views do.
        previous = get_urlconf()
        set_urlconf(getattr(request, "urlconf", None))
        try:
            return render(request, "organization_pending_deletion.html", context, status=403)
        finally:
            set_urlconf(previous)


def _tag_error_reports(organization) -> None:
    try:
        import sentry_sdk
    except ImportError:
        return
    sentry_sdk.set_tag("organization", organization.slug)
