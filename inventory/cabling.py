"""Cable endpoints as their registrations declare them (`core.registry.Cabling`), and path tracing.

Which models a cable may end on, which kinds may be cabled together and how a trace passes through an
object (a front port to its rear port, a circuit termination to the circuit's other end) come from the
registry: inventory does not know the models other apps register (circuit terminations).

A trace is computed from one endpoint and may fan out: a breakout cable ending on four interfaces, a
multi-position rear port reached with no position to follow. Every branch is followed to its far end
(NetBox stops at the first fan-out: netbox#10355, #17400). A wireless interface's link (`Interface.wireless_link`)
is a hop like a cable: from one radio to the other. Objects, cables and port mappings are read
through a `Loader` shared by the traces of one change, and the traces advance side by side, a hop at a
time (`trace_many`), so re-tracing many paths through the same patch panel reads each row once and costs
the same statements for 3 paths or 48.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from core.registry import Cabling, ObjectSpec, registry

# How deep a trace may go before it is refused as a loop.
MAX_SEGMENTS = 256


def endpoint_specs() -> list[ObjectSpec]:
    """The registrations of every model a cable may end on."""
    return [spec for spec in registry if spec.cabling is not None]


def cabling_of(model: type[models.Model]) -> Cabling | None:
    spec = registry.find(model)
    return spec.cabling if spec is not None else None


def is_endpoint_model(model: type[models.Model]) -> bool:
    return cabling_of(model) is not None


def compatible(a: Cabling, b: Cabling) -> bool:
    return b.kind in a.compatible or a.kind in b.compatible


def endpoint_queryset(model: type[models.Model]):
    """Rows of a cable endpoint as their brief form needs them: with their parent (and what its display
    and its own brief form read: a circuit's provider) and their cable."""
    cabling = cabling_of(model)
    assert cabling is not None, f"{model._meta.label} is no cable endpoint"
    select = [cabling.parent, "cable"]
    parent_model = model._meta.get_field(cabling.parent).related_model
    parent_spec = registry.find(parent_model) if isinstance(parent_model, type) else None
    if parent_spec is not None:
        select += [f"{cabling.parent}__{path}" for path in parent_spec.api.display_uses]
        parent_fields = parent_spec.model._meta.get_fields()
        for name in parent_spec.api.brief_fields:
            field = next((f for f in parent_fields if f.name == name), None)
            if field is not None and field.many_to_one and field.concrete:
                select.append(f"{cabling.parent}__{name}")
    return model._base_manager.select_related(*select)


class EndpointPrefetch(GenericPrefetch):
    """A generic prefetch of cable endpoints (a termination's object), whose querysets are those of the
    models registered as endpoints when it runs: apps registering later (circuits) are included."""

    def __init__(self, lookup, querysets=None, to_attr=None):
        super().__init__(lookup, [], to_attr=to_attr)

    def get_current_querysets(self, level):
        if self.get_current_prefetch_to(level) == self.prefetch_to:
            return [endpoint_queryset(spec.model) for spec in endpoint_specs()]
        return None


def terminations_prefetch(lookup: str = "cable__terminations") -> models.Prefetch:
    """A cable's terminations with the objects they land on (one query per kind of object)."""
    from inventory.models import CableTermination

    # (typed loosely: django-stubs' plugin fails on prefetches it cannot follow)
    endpoints: Any = EndpointPrefetch
    objects = endpoints("termination")
    rows: Any = CableTermination.objects.order_by("cable_end", "pk")
    prefetch: Any = models.Prefetch
    return prefetch(lookup, queryset=rows.prefetch_related(objects))


Ref = tuple[int, int]  # (content type id, object id)


def ref_of(obj: models.Model) -> Ref:
    return ContentType.objects.get_for_model(type(obj)).pk, obj.pk


def node_name(ref: Ref) -> str:
    return f"{ref[0]}:{ref[1]}"


def cable_node(cable_id: int) -> str:
    return f"c{cable_id}"


def wireless_node(link_id: int) -> str:
    return f"w{link_id}"


# What joins an object to the next hop, as a path's segment records it: a cable by its id, a wireless link by
# its node name ("w<id>").
LinkKey = int | str


def link_key(obj: models.Model) -> LinkKey | None:
    """The cable or wireless link `obj` is on, if any (a cable first, as NetBox's `Interface.link`)."""
    cable_id = getattr(obj, "cable_id", None)
    if cable_id is not None:
        return cable_id
    link_id = getattr(obj, "wireless_link_id", None)
    return wireless_node(link_id) if link_id is not None else None


def link_node(key: LinkKey) -> str:
    """The node name of a segment's link."""
    return cable_node(key) if isinstance(key, int) else key


def wireless_link_id(key: LinkKey) -> int | None:
    return int(key[1:]) if isinstance(key, str) and key.startswith("w") else None


class Loader:
    """Rows a trace reads, each read once per change: endpoints by reference, cables with their
    terminations, wireless links."""

    def __init__(self):
        self.objects: dict[Ref, models.Model] = {}
        self.missing: set[Ref] = set()  # asked for and not found (deleted): not asked for again
        self.cables: dict[int, Any] = {}
        self.wireless: dict[int, Any] = {}
        self.ends: dict[int, list[tuple[str, Ref]]] = {}
        self.memo: dict[Any, Any] = {}  # for `Cabling.through` functions: their own reads, by key

    def load(self, refs: Iterable[Ref]) -> None:
        wanted: dict[int, set[int]] = defaultdict(set)
        for ref in refs:
            if ref not in self.objects and ref not in self.missing:
                wanted[ref[0]].add(ref[1])
        for type_id, ids in wanted.items():
            self.missing.update((type_id, pk) for pk in ids)
            model = ContentType.objects.get_for_id(type_id).model_class()
            if model is None or cabling_of(model) is None:
                continue
            # (unordered: a model's ordering through its device would cost a join and a third of the compilation)
            for obj in endpoint_queryset(model).filter(pk__in=ids).order_by():
                self.objects[(type_id, obj.pk)] = obj
                self.missing.discard((type_id, obj.pk))

    def get(self, ref: Ref) -> models.Model | None:
        if ref not in self.objects and ref not in self.missing:
            self.load([ref])
        return self.objects.get(ref)

    def remember(self, objects: Iterable[models.Model]) -> None:
        for obj in objects:
            ref = ref_of(obj)
            self.objects[ref] = obj
            self.missing.discard(ref)

    def load_cables(self, cable_ids: Iterable[int]) -> None:
        from inventory.models import Cable, CableTermination

        wanted = {pk for pk in cable_ids if pk not in self.cables}
        if not wanted:
            return
        for cable in Cable._base_manager.filter(pk__in=wanted).order_by():
            self.cables[cable.pk] = cable
            self.ends[cable.pk] = []
        rows = CableTermination.objects.filter(cable_id__in=wanted).order_by("cable_end", "pk")
        for cable_id, end, type_id, object_id in rows.values_list(
            "cable_id", "cable_end", "termination_type_id", "termination_id"
        ):
            self.ends[cable_id].append((end, (type_id, object_id)))

    def far_end(self, cable_id: int, near_end: str) -> list[Ref]:
        self.load_cables([cable_id])
        return [ref for end, ref in self.ends.get(cable_id, []) if end != near_end]

    def load_links(self, keys: Iterable[LinkKey]) -> None:
        """The cables and wireless links of segments (by their keys)."""
        from inventory.models import WirelessLink

        keys = list(keys)
        self.load_cables([key for key in keys if isinstance(key, int)])
        wanted = {pk for key in keys if (pk := wireless_link_id(key)) is not None and pk not in self.wireless}
        if wanted:
            self.wireless.update(WirelessLink._base_manager.in_bulk(wanted))

    def link(self, key: LinkKey) -> Any:
        """A segment's cable or wireless link (None once deleted)."""
        link_id = wireless_link_id(key)
        if link_id is None:
            return self.cables.get(int(key))
        return self.wireless.get(link_id)

    def across(self, key: LinkKey, near: Sequence[Ref], near_end: str) -> list[Ref]:
        """The far ends of a link from `near`: the other end of a cable, the other radio of a wireless link."""
        if isinstance(key, int):
            return self.far_end(key, near_end)
        link = self.link(key)
        if link is None:
            return []
        from inventory.models import Interface

        type_id = ContentType.objects.get_for_model(Interface).pk
        ids = {object_id for _type, object_id in near}
        others = [pk for pk in (link.interface_a_id, link.interface_b_id) if pk not in ids]
        return [(type_id, pk) for pk in others]


@dataclass
class Trace:
    """A traced path: segments (near refs, link key, far refs) in order, branches one after another; a
    branch ending on a pass-through port with no cable ends with that port's segment (no link, no far end)."""

    segments: list[tuple[list[Ref], LinkKey | None, list[Ref]]] = field(default_factory=list)
    destinations: list[Ref] = field(default_factory=list)
    nodes: set[str] = field(default_factory=set)
    is_active: bool = True
    is_complete: bool = False
    is_split: bool = False


class PathLoops(ValidationError):
    pass


@dataclass
class _Tracing:
    """One path being traced: its result so far, the hops still to follow (refs and position stack), the
    pass-through ports it went through (a second time is a loop) and its branches that end short."""

    result: Trace
    frontier: list[tuple[list[Ref], tuple[int, ...]]]
    seen: set[Ref]
    ends_open: int = 0


def trace(origin: models.Model, loader: Loader) -> Trace:
    """Follow the cables (and wireless links) from `origin` to every far end."""
    return trace_many([origin], loader)[0]


def trace_many(origins: Sequence[models.Model], loader: Loader) -> list[Trace]:
    """`trace` for every origin, side by side, one hop at a time: each hop reads the objects, the links and
    the pass-throughs (port mappings, a circuit's other end) of every path at once, so re-tracing the 48
    paths through a patch panel costs the statements of one (each path's hops come out in the order a
    trace of its own gives them)."""
    states = []
    for origin in origins:
        origin_ref = ref_of(origin)
        loader.remember([origin])
        state = _Tracing(Trace(), [([origin_ref], ())], {origin_ref})
        state.result.nodes.add(node_name(origin_ref))
        states.append(state)
    while any(state.frontier for state in states):
        level = [(state, hop) for state in states for hop in state.frontier]
        for state in states:
            state.frontier = []
        loader.load(ref for _state, (near, _stack) in level for ref in near)
        leaving = []
        for state, (near, stack) in level:
            by_link: dict[LinkKey | None, list[Ref]] = defaultdict(list)
            ends: dict[LinkKey | None, str] = {}
            for ref in near:
                obj = loader.get(ref)
                if obj is None:
                    continue
                key = link_key(obj)
                by_link[key].append(ref)
                ends[key] = getattr(obj, "cable_end", "") or ""
            leaving += [(state, stack, key, group, ends[key]) for key, group in by_link.items()]
        loader.load_links(key for _state, _stack, key, _group, _end in leaving if key is not None)
        hops = [
            (state, stack, key, group, [] if key is None else loader.across(key, group, end))
            for state, stack, key, group, end in leaving
        ]
        loader.load(ref for *_rest, far in hops for ref in far)
        _read_pass_throughs([ref for *_rest, far in hops for ref in far], loader)
        for state, stack, key, group, far in hops:
            _follow(state, stack, key, group, far, loader)
    for state in states:
        result = state.result
        result.is_complete = bool(result.destinations) and state.ends_open == 0
        if not result.segments:
            result.is_active = False
    return [state.result for state in states]


def _read_pass_throughs(refs: Sequence[Ref], loader: Loader) -> None:
    """Read what passing through the objects a hop reached needs, for all of them at once: a registration's
    `through` reads for every object it is given and keeps the rows in the loader's memo, so the calls per
    path that follow read nothing."""
    by_model: dict[type[models.Model], dict[Ref, models.Model]] = defaultdict(dict)
    for ref in refs:
        obj = loader.get(ref)
        if obj is not None:
            by_model[type(obj)][ref] = obj
    for model, objects in by_model.items():
        cabling = cabling_of(model)
        if cabling is not None and cabling.through is not None:
            cabling.through(list(objects.values()), (), loader)


def _follow(
    state: _Tracing, stack: tuple[int, ...], key: LinkKey | None, group: list[Ref], far: list[Ref], loader: Loader
) -> None:
    """One hop of a path: the segment over link `key` from `group` to `far`, and where the path goes on. A
    pass-through port with no cable on (a front port mapped to a rear port nothing is plugged into) ends the
    path there, short of an endpoint: its segment has no link and no far end, as NetBox's trace shows it."""
    result = state.result
    if key is None:
        result.segments.append((group, None, []))
        state.ends_open += 1
        return
    link = loader.link(key)
    result.segments.append((group, key, far))
    if len(result.segments) > MAX_SEGMENTS:
        raise PathLoops(_("This cable would make a cable path loop."))
    result.nodes.add(link_node(key))
    if link is not None and link.status != "connected":
        result.is_active = False
    if not far:
        state.ends_open += 1
        return
    far_objects = [obj for ref in far if (obj := loader.get(ref)) is not None]
    result.nodes.update(node_name(ref) for ref in far)
    cabling = cabling_of(type(far_objects[0])) if far_objects else None
    if cabling is None or cabling.through is None:
        if len(far) > 1:
            result.is_split = True
        result.destinations.extend(ref for ref in far if ref not in result.destinations)
        return
    branches = cabling.through(far_objects, stack, loader)
    if not branches:
        state.ends_open += 1
    if len(branches) > 1:
        result.is_split = True
    for objects, positions in branches:
        loader.remember(objects)
        refs = [ref_of(obj) for obj in objects]
        for ref in refs:
            if ref in state.seen:
                raise PathLoops(_("This cable would make a cable path loop."))
            state.seen.add(ref)
            result.nodes.add(node_name(ref))
        state.frontier.append((refs, tuple(positions)))


def group_refs(refs: Sequence[Ref]) -> dict[int, list[int]]:
    grouped: dict[int, list[int]] = defaultdict(list)
    for type_id, object_id in refs:
        grouped[type_id].append(object_id)
    return grouped


# -- passing through front and rear ports ------------------------------------------------------------------------------


def _mappings(loader: Loader, side: str, ports: Sequence[models.Model]) -> dict[int, list]:
    """The port mappings of `ports` (by port id), with the ports on their other side and those ports'
    devices and cables, read once per change."""
    from inventory.models import PortMapping

    memo = loader.memo.setdefault(("mappings", side), {})
    wanted = [port.pk for port in ports if port.pk not in memo]
    if wanted:
        other = "rear_port" if side == "front_port" else "front_port"
        for port_id in wanted:
            memo[port_id] = []
        rows = PortMapping._base_manager.filter(**{f"{side}_id__in": wanted}).select_related(
            f"{other}__device", f"{other}__cable"
        )
        for mapping in rows.order_by(f"{side}_position", "pk"):
            memo[getattr(mapping, f"{side}_id")].append(mapping)
    return {port.pk: memo[port.pk] for port in ports}


def _pass_through(side: str, other: str):
    """A front port's way to its rear port (or a rear port's to its front ports): the positions a
    multi-position port carries are kept on a stack, pushed on the way in and popped on the way out, so
    a path through two patch panels comes out at the position it went in. A multi-position port reached
    with no position to follow fans out to every mapped position (a split path)."""

    def through(ports, stack, loader: Loader) -> list:
        branches = []
        mappings = _mappings(loader, side, ports)
        for port in ports:
            chosen = mappings[port.pk]
            rest = tuple(stack)
            if port.positions > 1 and rest:
                position, rest = rest[-1], rest[:-1]
                chosen = [m for m in chosen if getattr(m, f"{side}_position") == position]
            for mapping in chosen:
                target = getattr(mapping, other)
                positions = (*rest, getattr(mapping, f"{other}_position")) if target.positions > 1 else rest
                branches.append(([target], positions))
        return branches

    return through


front_port_through = _pass_through("front_port", "rear_port")
rear_port_through = _pass_through("rear_port", "front_port")


def load_destinations(paths: Sequence[Any]) -> None:
    """Give each path its far ends (`destination_objects`, in order): one query per kind of far end."""
    wanted: dict[int, set[int]] = defaultdict(set)
    for path in paths:
        if path.destination_type_id is not None:
            wanted[path.destination_type_id].update(path.destination_ids)
    loaded: dict[Ref, models.Model] = {}
    for type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None or cabling_of(model) is None:
            continue
        for obj in endpoint_queryset(model).filter(pk__in=ids).order_by():
            loaded[(type_id, obj.pk)] = obj
    for path in paths:
        path.destination_objects = [
            obj for pk in path.destination_ids if (obj := loaded.get((path.destination_type_id, pk))) is not None
        ]
