"""The public site's pages: the organization list, a new organization, the switcher, the emailed
invitation's accept page, and the load balancers' health check."""

import re

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import Resolver404, resolve, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from saas_platform.forms import OrganizationCreateForm
from tenants.members import INVALID, invitation_accept, invitation_find, invitation_problem, memberships_listed
from tenants.middleware import DELETION_CANCEL_PATH
from tenants.services import OrganizationQuotaExceeded, organization_create

# The invitation an anonymous visitor opened. Signing up, confirming the address and logging in
# loses `next` on the way (allauth starts a new login after the confirmation), so the login
# redirect (saas_platform.adapters) leads back to the invitation from here.
PENDING_INVITATION_SESSION_KEY = "wirebook_pending_invitation"


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def _redis_ok() -> bool:
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
        with client:
            return bool(client.ping())
    except redis.RedisError:
        return False


@require_GET
@transaction.non_atomic_requests
def favicon(request):
    """`/favicon.ico`, which browsers and tools ask for on their own: the icon among the static files."""
    return HttpResponsePermanentRedirect(static("frontend/favicon.ico"))


@never_cache
@require_GET
@transaction.non_atomic_requests  # must answer 503, not fail, when the database is down
def healthz(request):
    """Liveness and dependencies, for load balancers. Reports states only, never settings."""
    checks = {"database": _database_ok(), "redis": _redis_ok()}
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "unavailable", **{k: "ok" if v else "down" for k, v in checks.items()}}
    return JsonResponse(body, status=200 if healthy else 503)


def home(request):
    """`/`: a visitor sees what Wirebook is (sign up, log in, documentation); a member, their organizations."""
    if not request.user.is_authenticated:
        return render(request, "frontend/landing.html", {"docs_url": settings.WIREBOOK_DOCS_URL})
    memberships = list(
        memberships_listed(request.user).select_related("organization").order_by("organization__name", "pk")
    )
    if not memberships:
        # A new account's first stop: it has nothing to see until it has an organization.
        return redirect("organization_new")
    context = {"memberships": memberships, "deletion_cancel_path": DELETION_CANCEL_PATH}
    return render(request, "frontend/home.html", context)


@login_required
def organization_new(request):
    form = OrganizationCreateForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            organization = organization_create(
                name=form.cleaned_data["name"], slug=form.cleaned_data["slug"], owner=request.user
            )
        except ValidationError as error:
            form.add_service_errors(error)
        except OrganizationQuotaExceeded as error:
            form.add_error(None, str(error))
            status = 403
        else:
            return redirect(f"/o/{organization.slug}/")
    return render(request, "frontend/organization_new.html", {"form": form}, status=status)


@login_required
@require_GET
def organization_switch(request):
    """The organization switcher's target: `/switch/?to=<slug>&next=<path>` -> that organization, on the
    same kind of page as `next` (switch_target), for members
    it is listed to (an organization pending deletion: its owners only); anyone else gets the same
    404 as for an organization that does not exist."""
    slug = request.GET.get("to", "").strip().lower()
    if slug and memberships_listed(request.user).filter(organization__slug=slug).exists():
        return redirect(f"/o/{slug}{switch_target(request.GET.get('next', '/'))}")
    return render(request, "404.html", status=404)


# A page's path inside an organization: segments of word characters, dots and dashes, none a dot alone.
_ORGANIZATION_PATH = re.compile(r"^/(?:[\w-][\w.-]*/)*$")
# An object's pages (`/dcim/sites/5/`, its tabs, its edit form): the path up to its id is its list.
_OBJECT_PAGE = re.compile(r"^(?P<list>/(?:[\w-][\w.-]*/)*?)\d+/")


def switch_target(path: str) -> str:
    """Where the switcher leads in the organization chosen, from `path`, the page left in another: the same
    list or page, an object's list from its pages (its id means nothing there), the overview from anything
    else. The query is left behind (its filters name the other organization's objects)."""
    if not _ORGANIZATION_PATH.match(path):
        return "/"
    if (found := _OBJECT_PAGE.match(path)) is not None:
        path = found["list"]
    try:
        resolve(path, urlconf=settings.WIREBOOK_TENANT_URLCONF)
    except Resolver404:
        return "/"
    return path


def _accept_page(request, context: dict, status: int) -> HttpResponse:
    response = render(request, "frontend/members/invitation.html", context, status=status)
    # The token is in the URL: never hand it to another site in a Referer header. (Not
    # "no-referrer": browsers then send `Origin: null` with the accept form, which CSRF refuses.)
    response["Referrer-Policy"] = "same-origin"
    return response


@never_cache
def invitation_accept_view(request, token: str):
    """The emailed link. Anonymous visitors are offered login or signup and come back here;
    the invited person confirms with a POST; anyone else gets an error and nothing changes."""
    invitation = invitation_find(token=token)
    if invitation is None:
        return _accept_page(request, {"error": INVALID}, status=404)
    context = {"invitation": invitation, "next": request.path}
    if not request.user.is_authenticated:
        if request.method == "POST":
            return redirect_to_login(request.path)
        if invitation.accepted_at is None and not invitation.is_expired:
            request.session[PENDING_INVITATION_SESSION_KEY] = token
        return _accept_page(request, context, status=200)
    request.session.pop(PENDING_INVITATION_SESSION_KEY, None)  # back here: nothing is pending any more
    if request.method == "POST":
        try:
            membership = invitation_accept(token=token, user=request.user)
        except ValidationError as error:
            return _accept_page(request, {**context, "error": " ".join(error.messages)}, status=403)
        return redirect(f"/o/{membership.organization.slug}/")
    problem = invitation_problem(invitation=invitation, user=request.user)
    if problem is not None:
        return _accept_page(request, {**context, "error": problem}, status=403)
    return _accept_page(request, context, status=200)


def invitation_pending_url(request) -> str | None:
    """The accept page of the invitation this browser opened before logging in, while that
    invitation can still be accepted; forgotten once asked for."""
    token = request.session.pop(PENDING_INVITATION_SESSION_KEY, None)
    if not isinstance(token, str):
        return None
    invitation = invitation_find(token=token)
    if invitation is None or invitation.accepted_at is not None or invitation.is_expired:
        return None
    return reverse("invitation_accept", args=[token])
