"""The connection fields of the components cables end on (NetBox's `cable`, `link_peers`,
`connected_endpoints`...) and the `trace` and `paths` routes, as the component registrations use them.
A wireless interface's link peer is the other radio of its wireless link, and a trace shows the link as
the segment's link."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch

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
from inventory.cabling import Loader, endpoint_queryset, terminations_prefetch
from inventory.models import Cable, CablePath, Interface, WirelessLink

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


class _RadioPrefetch(Prefetch):
    """One radio of an interface's wireless link, as its brief form needs it: the queryset is made when the
    prefetch runs (the interface's cabling is registered after this module is read); no query when no
    interface read has a link."""

    def get_current_querysets(self, level):
        if self.get_current_prefetch_to(level) == self.prefetch_to:
            return [endpoint_queryset(Interface)]
        return None


# (typed loosely: django-stubs' plugin fails on prefetches it cannot follow)
_radio: Any = _RadioPrefetch


@renders(
    list_of(BRIEF_OBJECT),
    prefetch=(
        terminations_prefetch(),
        _radio("wireless_link__interface_a"),
        _radio("wireless_link__interface_b"),
    ),
)
def _interface_link_peers(interface, links):
    """NetBox's `link_peers` of an interface: its cable's far end, or else the other radio of its wireless link."""
    if interface.cable_id is not None or interface.wireless_link_id is None:
        return _link_peers(interface, links)
    link = interface.wireless_link
    peer = link.interface_b if link.interface_a_id == interface.pk else link.interface_a
    return [render(peer, links, brief=True)]


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
# An interface's: its link peers are those of its wireless link too (their type stays null, as NetBox's, which
# reads it from the cable).
INTERFACE_CABLED = {**CABLED, "link_peers": _interface_link_peers}
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


def _traced_wireless_link(link: WirelessLink, links: Links) -> dict:
    """A wireless link as a trace shows it: the keys NetBox's trace gives one (its traced-cable form, whose
    cable-only fields a wireless link lacks), with the link's own URLs."""
    shown = render(link, links, only={"id", "url", "display_url"})
    return {**shown, "status": link.status, "length": None, "length_unit": None, "description": link.description}


def _traced_link(link, links: Links) -> dict | None:
    if link is None:
        return None
    return _traced_wireless_link(link, links) if isinstance(link, WirelessLink) else _traced_cable(link, links)


def _load_paths(paths) -> tuple[Loader, dict]:
    """Every object, cable and wireless link the paths show, one query per kind of object: the links by their
    segment key (a cable's id, a wireless link's "w<id>"). A segment's cable comes with the objects on its ends
    (their `cable`), so cables cost no query of their own."""
    loader = Loader()
    refs, keys = [], set()
    for path in paths:
        for near, key, far in path.segments:
            refs += [tuple(ref) for ref in near + far]
            if key is not None:
                keys.add(key)
    loader.load(refs)
    cable_ids = {key for key in keys if isinstance(key, int)}
    cables = {
        obj.cable_id: obj.cable  # type: ignore[attr-defined]
        for obj in loader.objects.values()
        if getattr(obj, "cable_id", None) in cable_ids
    }
    if missing := cable_ids - cables.keys():
        cables.update(Cable._base_manager.in_bulk(missing))
    loader.load_links(key for key in keys if not isinstance(key, int))
    shown: dict = {**cables, **{key: loader.link(key) for key in keys if not isinstance(key, int)}}
    return loader, shown


def _briefs(loader: Loader, refs, links) -> list:
    return [render(obj, links, brief=True) for ref in refs if (obj := loader.get(tuple(ref))) is not None]


def _briefs_or_none(loader: Loader, refs, links) -> list | None:
    return _briefs(loader, refs, links) or None


def _trace(request, actor, component):
    """NetBox's trace: each segment as [near objects, cable, far objects], branches of a split path one
    after the other. A path ending on a pass-through port with no cable ends with [[that port], null, null],
    as NetBox pads it (no objects on a side: null)."""
    path = CablePath.objects.filter(
        origin_type=ContentType.objects.get_for_model(type(component)), origin_id=component.pk
    ).first()
    if path is None:
        return []
    loader, hops = _load_paths([path])
    links = Links(request)
    return [
        [
            _briefs_or_none(loader, near, links),
            _traced_link(hops.get(key), links),
            _briefs_or_none(loader, far, links),
        ]
        for near, key, far in path.segments
    ]


def _paths(request, actor, port):
    """NetBox's paths through a front or rear port: each as levels of objects (origin, cable, far ends...)."""
    port_node = f"{ContentType.objects.get_for_model(type(port)).pk}:{port.pk}"
    paths = list(CablePath.objects.filter(nodes__contains=[port_node]).order_by("pk"))
    loader, hops = _load_paths(paths)
    links = Links(request)
    shown = []
    for path in paths:
        levels: list[list] = []
        for near, key, far in path.segments:
            if not levels or key is None:  # the origin; a pass-through port with no cable, where the path ends
                levels.append(_briefs(loader, near, links))
            if key is None:
                continue
            hop = hops.get(key)
            levels.append([] if hop is None else [render(hop, links, brief=True)])
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
