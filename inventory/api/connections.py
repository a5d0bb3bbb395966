"""The connection fields of the components cables end on (NetBox's `cable`, `link_peers`,
`connected_endpoints`...) and the `trace` and `paths` routes, as the component registrations use them."""

from django.contrib.contenttypes.models import ContentType

from core.fields import (
    BOOLEAN_VALUE,
    BRIEF_OBJECT,
    TEXT_VALUE,
    Rendered,
    list_of,
    listed,
    listed_prefetch,
    nullable,
    renders,
)
from core.registry import Route, object_type_label
from core.representation import Links, render
from inventory.cabling import Loader, terminations_prefetch
from inventory.models import Cable, CablePath

# -- the connection fields of cabled components ----------------------------------------------------------------------


@renders(list_of(BRIEF_OBJECT), prefetch=(terminations_prefetch(),))
def _link_peers(component, links):
    if component.cable_id is None:
        return []
    return [
        render(termination.termination, links, brief=True)
        for termination in component.cable.terminations.all()
        if termination.cable_end != component.cable_end and termination.termination is not None
    ]


@renders(nullable(TEXT_VALUE), prefetch=(terminations_prefetch(),))
def _link_peers_type(component, links):
    if component.cable_id is None:
        return None
    for termination in component.cable.terminations.all():
        if termination.cable_end != component.cable_end:
            return object_type_label(ContentType.objects.get_for_id(termination.termination_type_id))
    return None


def _paths_prefetch():
    return listed_prefetch("cable_paths", CablePath.objects.with_destinations())


def _path(component) -> CablePath | None:
    paths = listed(component, "cable_paths")
    return paths[0] if paths else None


@renders(nullable(list_of(BRIEF_OBJECT)), prefetch=(_paths_prefetch(),))
def _connected_endpoints(component, links):
    path = _path(component)
    if path is None or not path.destination_objects:
        return None
    return [render(obj, links, brief=True) for obj in path.destination_objects]


@renders(nullable(TEXT_VALUE), prefetch=(_paths_prefetch(),))
def _connected_endpoints_type(component, links):
    path = _path(component)
    if path is None or path.destination_type_id is None or not path.destination_ids:
        return None
    return object_type_label(ContentType.objects.get_for_id(path.destination_type_id))


@renders(BOOLEAN_VALUE, prefetch=(_paths_prefetch(),))
def _connected_endpoints_reachable(component, links):
    path = _path(component)
    # A split path some of whose branches end short of an endpoint still reaches those it reaches.
    return path is not None and path.is_active and bool(path.destination_ids)


CABLED = {
    "cable_end": Rendered(lambda component, links: component.cable_end or None, nullable(TEXT_VALUE)),
    "link_peers": _link_peers,
    "link_peers_type": _link_peers_type,
}
CONNECTED = {
    "connected_endpoints": _connected_endpoints,
    "connected_endpoints_type": _connected_endpoints_type,
    "connected_endpoints_reachable": _connected_endpoints_reachable,
}

# -- trace and paths -----------------------------------------------------------------------------------------------


def _traced_cable(cable: Cable, links: Links) -> dict:
    """A cable as a trace shows it (NetBox's TracedCable: plain values, no labels)."""
    shown = render(cable, links, only={"id", "url", "display_url"})
    return {
        **shown,
        "type": cable.type,
        "status": cable.status,
        "label": cable.label,
        "color": cable.color,
        "length": None if cable.length is None else float(cable.length),
        "length_unit": cable.length_unit or None,
        "description": cable.description,
    }


def _load_paths(paths) -> tuple[Loader, dict]:
    """Every object and cable the paths show, one query per kind."""
    loader = Loader()
    refs, cable_ids = [], set()
    for path in paths:
        for near, cable_id, far in path.segments:
            refs += [tuple(ref) for ref in near + far]
            cable_ids.add(cable_id)
    loader.load(refs)
    cables = Cable._base_manager.select_related("tenant").in_bulk(cable_ids)
    return loader, cables


def _briefs(loader: Loader, refs, links) -> list:
    return [render(obj, links, brief=True) for ref in refs if (obj := loader.get(tuple(ref))) is not None]


def _trace(request, actor, component):
    """NetBox's trace: each segment as [near objects, cable, far objects], branches of a split path one
    after the other."""
    path = CablePath.objects.filter(
        origin_type=ContentType.objects.get_for_model(type(component)), origin_id=component.pk
    ).first()
    if path is None:
        return []
    loader, cables = _load_paths([path])
    links = Links(request)
    segments = []
    for near, cable_id, far in path.segments:
        cable = cables.get(cable_id)
        shown = None if cable is None else _traced_cable(cable, links)
        segments.append([_briefs(loader, near, links), shown, _briefs(loader, far, links)])
    return segments


def _paths(request, actor, port):
    """NetBox's paths through a front or rear port: each as levels of objects (origin, cable, far ends...)."""
    port_node = f"{ContentType.objects.get_for_model(type(port)).pk}:{port.pk}"
    paths = list(CablePath.objects.filter(nodes__contains=[port_node]).order_by("pk"))
    loader, cables = _load_paths(paths)
    links = Links(request)
    shown = []
    for path in paths:
        levels: list[list] = []
        for near, cable_id, far in path.segments:
            if not levels:
                levels.append(_briefs(loader, near, links))
            cable = cables.get(cable_id)
            levels.append([] if cable is None else [render(cable, links, brief=True)])
            levels.append(_briefs(loader, far, links))
        shown.append(
            {"id": path.pk, "path": levels, "is_active": path.is_active, "is_complete": path.is_complete,
             "is_split": path.is_split}
        )  # fmt: skip
    return shown


TRACE = Route(
    "trace",
    _trace,
    summary="Trace a complete cable path and return each segment as a three-tuple of (termination, cable, "
    "termination).",
    response={"type": "array", "items": {"type": "array", "items": {}}},
)
PATHS = Route(
    "paths",
    _paths,
    summary="Return all CablePaths which traverse a given pass-through port.",
    response={
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "path": {"type": "array", "items": {"type": "array", "items": {"type": "object"}}},
                "is_active": {"type": "boolean"},
                "is_complete": {"type": "boolean"},
                "is_split": {"type": "boolean"},
            },
        },
    },
)
