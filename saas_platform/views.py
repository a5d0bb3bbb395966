import redis
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from saas_platform.forms import OrganizationCreateForm
from tenants.models import Membership
from tenants.services import OrganizationQuotaExceeded, organization_create


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


@never_cache
@require_GET
@transaction.non_atomic_requests  # must answer 503, not fail, when the database is down
def healthz(request):
    """Liveness and dependencies, for load balancers. Reports states only, never settings."""
    checks = {"database": _database_ok(), "redis": _redis_ok()}
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "unavailable", **{k: "ok" if v else "down" for k, v in checks.items()}}
    return JsonResponse(body, status=200 if healthy else 503)


@login_required
def home(request):
    memberships = list(Membership.objects.filter(user=request.user).select_related("organization"))
    if not memberships:
        # A new account's first stop: it has nothing to see until it has an organization.
        return redirect("organization_new")
    return render(request, "frontend/home.html", {"memberships": memberships})


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
    """The organization switcher's target: `/switch/?to=<slug>` -> that organization, for members;
    anyone else gets the same 404 as for an organization that does not exist."""
    slug = request.GET.get("to", "").strip().lower()
    if slug and Membership.objects.filter(user=request.user, organization__slug=slug).exists():
        return redirect(f"/o/{slug}/")
    return render(request, "404.html", status=404)
