"""The organization's platform audit log: `/o/<slug>/settings/audit/`.

Admins and owners only; the routing middleware has already answered 404 to non-members. Events are
read from the routed organization only, newest first, 50 a page (or as many as the member asks for), in a
constant number of queries (the actor's email is stored on the event, so no join is needed).
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from frontend import pagination
from tenants.context import public_context
from tenants.members import is_manager
from tenants.models import AuditEvent

AUDIT_PAGE_SIZE = 50


@never_cache
def audit_log(request) -> HttpResponse:
    if not is_manager(request.membership):
        return HttpResponse("Only admins and owners see the audit log.", status=403, content_type="text/plain")
    with public_context():
        events = AuditEvent.objects.filter(organization=request.organization).order_by("-time", "-id")
        size = pagination.per_page(request.GET, {"per_page": AUDIT_PAGE_SIZE})
        page = pagination.paginate(events, request.GET, size)
        page.object_list = list(page.object_list)
    return render(
        request,
        "frontend/members/audit.html",
        {"events": page.object_list, **pagination.footer(page, request.GET, size)},
    )
