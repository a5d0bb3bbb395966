"""`GET /api/search/?q=…` (a Wirebook extension): the organization's ranked global search.

`type=dcim.site` (repeatable) narrows the object types; `limit`/`offset` page as elsewhere.
"""

from django.http import HttpRequest, HttpResponse

from core import representation
from core.api.endpoints import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, detail, int_param, json_response, page_url
from core.context import Actor
from core.registry import object_type_for, registry
from core.search import search


def search_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    text = request.GET.get("q", "")
    types = []
    for label in request.GET.getlist("type"):
        content_type = object_type_for(label)
        if content_type is None or registry.visible(content_type.model_class()) is None:
            raise detail(400, f"Unknown object type: {label}")
        types.append(content_type)
    limit = min(int_param(request, "limit", DEFAULT_PAGE_SIZE, lenient=True) or MAX_PAGE_SIZE, MAX_PAGE_SIZE)
    offset = int_param(request, "offset", 0, lenient=True)
    hits, total = search(actor, text, object_types=types or None, limit=limit, offset=offset)
    links = representation.Links(request)
    results = []
    for hit in hits:
        spec = registry.get(type(hit.object))
        results.append(
            {
                "object_type": spec.type_label,
                "object_id": hit.object.pk,
                "display": spec.display(hit.object),
                "rank": round(hit.rank, 4),
                "object": representation.render(hit.object, links, brief=True),
            }
        )
    following = page_url(request, offset=offset + limit, limit=limit) if offset + limit < total else None
    previous = page_url(request, offset=max(offset - limit, 0) or None, limit=limit) if offset > 0 else None
    return json_response({"count": total, "next": following, "previous": previous, "results": results})
