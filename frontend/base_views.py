"""What every generic UI view shares: the acting user, permissions, the registration of the URL."""

import functools
import uuid
from urllib.parse import urlencode

from django.http import Http404, HttpRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from core.context import Actor, acting_as, actor_for
from core.permissions import allowed
from core.registry import ObjectSpec, Page
from tenants.billing import organization_read_only_reason
from tenants.context import current_organization
from tenants.requests import OrganizationRequest


def request_actor(request: OrganizationRequest) -> Actor:
    if not hasattr(request, "wirebook_request_id"):
        request.wirebook_request_id = uuid.uuid4()
    return actor_for(request.user, request.membership, request_id=request.wirebook_request_id)


def ui_view(view):
    """Run the view as the member making the request (the routing middleware checked membership)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if getattr(request, "membership", None) is None:
            raise Http404
        actor = request_actor(request)
        with acting_as(actor):
            return view(request, *args, actor=actor, **kwargs)

    return wrapper


def url_name(spec: ObjectSpec, action: str) -> str:
    return f"ui-{spec.url_name}-{action}"


def page_url_name(spec: ObjectSpec, extra: Page) -> str:
    """A registration's own page (core.registry.Page): `ui-dcim-rack-elevations`."""
    return f"ui-{spec.api_app}-{extra.name}"


def object_url(spec: ObjectSpec, action: str, pk=None, **query) -> str:
    """The URL of an action's page. A list or tuple in `query` repeats its parameter; any other value is
    one parameter, as text: an IP network is iterable (its addresses), so urlencode's `doseq` would
    spell out every address of a clone link's /8 or IPv6 prefix."""
    url = reverse(url_name(spec, action), kwargs={"pk": pk} if pk is not None else None)
    values = {name: value if isinstance(value, list | tuple) else str(value) for name, value in query.items()}
    return f"{url}?{urlencode(values, doseq=True)}" if query else url


def permissions(spec: ObjectSpec, actor: Actor) -> dict[str, bool]:
    """Which actions to offer: those the user's role or object permissions could allow, in an
    organization that takes writes (not read-only by status or billing)."""
    organization = current_organization()
    if spec.access.read_only or (organization is not None and organization_read_only_reason(organization)):
        return {"add": False, "change": False, "delete": False}
    return {action: allowed(actor, spec.model, action) for action in ("add", "change", "delete")}


def forbidden(request: HttpRequest, spec: ObjectSpec, actor: Actor, action: str):
    """The 403 page when `actor` may not `action` objects of `spec` here, else None."""
    if permissions(spec, actor)[action]:
        return None
    return page(request, "403.html", spec, actor, {}, status=403)


def safe_return_url(request: HttpRequest, fallback: str) -> str:
    url = request.POST.get("return_url") or request.GET.get("return_url")
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=False):
        return url
    return fallback


def page(request: HttpRequest, template: str, spec: ObjectSpec, actor: Actor, context: dict, status: int = 200):
    context = {
        "spec": spec,
        "model_name": spec.model._meta.verbose_name,
        "model_name_plural": spec.model._meta.verbose_name_plural,
        "list_url": object_url(spec, "list"),
        "can": permissions(spec, actor),
        "urls": {
            action: object_url(spec, action)
            for action in ("list", "add", "import", "bulk_edit", "bulk_delete", "bulk_rename")
            if (not spec.access.read_only or action == "list") and (action != "bulk_rename" or spec.ui.bulk_rename)
        },
        **context,
    }
    return render(request, template, context, status=status)
