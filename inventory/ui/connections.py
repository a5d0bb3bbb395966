"""NetBox's connection lists (/dcim/console-connections/, /dcim/power-connections/,
/dcim/interface-connections/) and a device's neighbours tab, read from the traced paths: each endpoint
that has a path, beside the far ends it reaches, and whether they are reachable.

The lists filter as the endpoints' own lists do (`site`, `site_id`, `device`, `device_id`…); a page of
rows is read in a fixed number of queries (the endpoints with their devices, their paths, the far ends by
kind)."""

from django.db.models import Prefetch

from core.registry import Page, Tab, registry
from frontend import listing, pagination
from frontend.base_views import object_url
from inventory.models import CablePath, ConsolePort, Interface, PowerPort

PER_PAGE = 50


def _link(obj) -> dict | None:
    if obj is None:
        return None
    spec = registry.find(type(obj))
    return {"url": object_url(spec, "detail", obj.pk) if spec is not None else None, "name": str(obj)}


def _parent(obj):
    """What a far end belongs to (a device, or a power feed's panel), as its registration names it."""
    cabling = registry.get(type(obj)).cabling
    return getattr(obj, cabling.parent) if cabling is not None else None


def _paths():
    return Prefetch("cable_paths", queryset=CablePath.objects.with_destinations())


def connection_rows(endpoints) -> list[dict]:
    """Per endpoint (loaded with `_paths()` and its device): its device, itself, and each far end with
    what it belongs to."""
    rows = []
    for endpoint in endpoints:
        paths = endpoint.cable_paths.all()
        path = paths[0] if paths else None
        ends = path.destination_objects if path is not None else []
        rows.append(
            {
                "device": _link(endpoint.device),
                "endpoint": _link(endpoint),
                "peers": [{"parent": _link(_parent(end)), "endpoint": _link(end)} for end in ends],
                "reachable": path is not None and path.is_active and bool(ends),
            }
        )
    return rows


def _connections(model, template_title: str, near: str, far_parent: str, far: str):
    def view(request, spec, actor) -> tuple[str, dict]:
        endpoint_spec = registry.get(model)
        params = request.GET
        result = listing.filtered(endpoint_spec, actor, params)
        queryset = (
            result.queryset.filter(cable_paths__isnull=False)
            .select_related("device")
            .prefetch_related(_paths())
            .order_by("device__name", "name", "pk")
        )
        size = pagination.per_page(params, {"per_page": PER_PAGE})
        page_obj = pagination.paginate(queryset, params, size)
        return "inventory/connections/list.html", {
            "title": template_title,
            "columns": ("Device", near, far_parent, far, "Reachable"),
            "rows": connection_rows(page_obj.object_list),
            **pagination.footer(page_obj, params, size),
            "filter_errors": result.errors,
            "filters": {name: params.get(name, "") for name in ("site", "device")},
        }

    return view


CONNECTION_PAGES = (
    Page(
        "console-connections",
        "Console Connections",
        _connections(ConsolePort, "Console connections", "Console port", "Console server", "Port"),
    ),
    Page(
        "power-connections",
        "Power Connections",
        _connections(PowerPort, "Power connections", "Power port", "PDU", "Outlet"),
    ),
    Page(
        "interface-connections",
        "Interface Connections",
        _connections(Interface, "Interface connections", "Interface A", "Device B", "Interface B"),
    ),
)


def _neighbours(request, spec, actor, device) -> tuple[str, dict]:
    """NetBox's LLDP-style neighbours of a device: each of its cabled interfaces and where it leads."""
    interfaces = (
        Interface.objects.restrict(actor, "view")
        .filter(device=device, cable_paths__isnull=False)
        .select_related("device")
        .prefetch_related(_paths())
        .order_by("name", "pk")
    )
    return "inventory/connections/_neighbours.html", {"neighbours": connection_rows(interfaces)}


NEIGHBOURS = Tab("neighbours", "Neighbours", _neighbours)
