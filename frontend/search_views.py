"""The organization's global search: ranked hits from the search index, grouped by object type."""

from django.contrib.contenttypes.models import ContentType
from django.shortcuts import render

from core.registry import registry
from core.search import search
from frontend.base_views import object_url, ui_view

PAGE_SIZE = 100


@ui_view
def search_page(request, *, actor):
    text = request.GET.get("q", "").strip()
    wanted = request.GET.get("type", "")
    spec = registry.find_label(wanted) if wanted else None
    types = [ContentType.objects.get_for_model(spec.model)] if spec is not None else None
    hits, total = search(actor, text, object_types=types, limit=PAGE_SIZE) if text else ([], 0)
    groups: dict[str, dict] = {}
    for hit in hits:
        hit_spec = registry.get(type(hit.object))
        group = groups.setdefault(
            hit_spec.type_label,
            {
                "label": hit_spec.model._meta.verbose_name_plural,
                "type": hit_spec.type_label,
                "hits": [],
                "best": hit.rank,
            },
        )
        group["hits"].append(
            {
                "display": hit_spec.display(hit.object),
                "url": object_url(hit_spec, "detail", hit.object.pk),
                "rank": hit.rank,
            }
        )
    type_choices = sorted(
        ((s.type_label, s.model._meta.verbose_name_plural) for s in registry),
        key=lambda choice: str(choice[1]),
    )
    return render(
        request,
        "frontend/search.html",
        {
            "q": text,
            "type": wanted,
            "type_choices": type_choices,
            "groups": sorted(groups.values(), key=lambda group: -group["best"]),
            "total": total,
            "shown": len(hits),
        },
    )
