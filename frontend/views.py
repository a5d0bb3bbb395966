from django.shortcuts import render
from django.utils.text import capfirst

from automation.models import Job
from core.context import acting_as
from core.querysets import count_each, restricted
from core.registry import MENUS, registry
from frontend.base_views import object_url, request_actor


def organization_home(request):
    """The overview: how many objects of each type the member can see, by menu (counted in one
    query, whatever the number of types), and recent jobs."""
    actor = request_actor(request)
    groups: dict[str, list[dict]] = {label: [] for label in MENUS}
    with acting_as(actor):
        specs = list(registry.in_menu_order())
        counts = count_each([restricted(spec.model, actor, "view") for spec in specs])
        for spec, count in zip(specs, counts, strict=True):
            groups.setdefault(spec.menu.group, []).append(
                {
                    "label": capfirst(spec.model._meta.verbose_name_plural),
                    "count": count,
                    "url": object_url(spec, "list"),
                }
            )
        recent_jobs = list(Job.objects.all()[:10])
    overview = [(label, items) for label, items in groups.items() if items]
    return render(request, "frontend/organization_home.html", {"overview": overview, "recent_jobs": recent_jobs})
