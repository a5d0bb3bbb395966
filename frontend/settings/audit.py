"""The organization's platform audit log: `/o/<slug>/settings/audit/`.

Admins and owners only; the routing middleware has already answered 404 to non-members. Events are
read from the routed organization only, newest first, 50 a page, in a constant number of queries
(the actor's email is stored on the event, so no join is needed).
"""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

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
        page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = list(page.object_list)
    return render(request, "frontend/members/audit.html", {"page": page, "events": page.object_list})
