"""Cable writes: a cable with the objects its A and B ends land on, checked by NetBox's rules, and the
paths it changes traced again in the same transaction.

`a_terminations` / `b_terminations` (the registration's write extras) arrive as lists of (content type,
id). A cable's components keep the cable and the end on their own row (`Cabled.cable`, `cable_end`).
After any change the paths that start on the cable's ends, or that passed through the cable or any
object on its ends, are traced again (`paths_retrace`), each path's rows read once for the whole batch.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from core.services import ObjectWrite, WritesInvalid, instances_of, objects_create, objects_delete, objects_update
from inventory.cabling import (
    Loader,
    PathLoops,
    Ref,
    cable_node,
    cabling_of,
    compatible,
    endpoint_queryset,
    endpoint_specs,
    group_refs,
    link_key,
    node_name,
    ref_of,
    trace_many,
)
from inventory.models import Cable, CablePath, CableTermination

ENDS = (("A", "a_terminations"), ("B", "b_terminations"))


def cables_create(writes: Sequence[ObjectWrite]) -> list:
    wanted = _wanted_ends(writes)
    errors: dict[int, ValidationError] = {}
    for position, _write in enumerate(writes):
        if not wanted[position].get("A") or not wanted[position].get("B"):
            errors[position] = ValidationError(_("Must define A and B terminations when creating a new cable."))
    if errors:
        raise WritesInvalid(errors)
    objects = _load(wanted)
    _check(writes, wanted, objects, current={})
    cables = objects_create(writes)
    touched = _attach(instances_of(Cable, cables), wanted, objects)
    paths_retrace(touched, cables=[cable.pk for cable in cables])
    return cables


def cables_update(writes: Sequence[ObjectWrite]) -> list:
    wanted = _wanted_ends(writes)
    current = _current_ends([write.target.pk for write in writes])
    objects = _load(wanted)
    _check(writes, wanted, objects, current=current)
    cables = instances_of(Cable, objects_update(writes))
    # Ends that change: the old objects are let go, the new ones attached.
    released: list[Ref] = []
    changed: dict[int, dict[str, list]] = {}
    for position, cable in enumerate(cables):
        for end, _name in ENDS:
            if end in wanted[position]:
                old = current.get(cable.pk, {}).get(end, [])
                new = [ref for ref, _obj in wanted[position][end]]
                if old != new:
                    changed.setdefault(position, {})[end] = wanted[position][end]
                    released += [ref for ref in old if ref not in new]
    if changed:
        for position, ends in changed.items():
            cable = cables[position]
            CableTermination.objects.filter(cable=cable, cable_end__in=list(ends)).delete()
        _release(released)
        touched = _attach(
            [cables[position] for position in changed], [changed[position] for position in changed], objects
        )
    else:
        touched = []
    statuses = [cable.pk for cable in cables]  # a status change makes paths (in)active
    paths_retrace([*touched, *released], cables=statuses)
    return cables


def cables_delete(instances: Sequence[models.Model], *, message: str = "") -> None:
    cable_ids = [cable.pk for cable in instances]
    ends = [ref for cable_ends in _current_ends(cable_ids).values() for refs in cable_ends.values() for ref in refs]
    affected = _origins_through([cable_node(pk) for pk in cable_ids])
    _release(ends)
    objects_delete(instances, message=message)
    paths_retrace(ends, origins=affected)


# -- reading and checking what a write asks for -------------------------------------------------------------------


def _wanted_ends(writes: Sequence[ObjectWrite]) -> list[dict[str, list]]:
    """Per write, the ends it sets: {"A": [((type id, id), None), ...]} (objects filled in by `_load`)."""
    wanted = []
    for write in writes:
        ends = {}
        for end, name in ENDS:
            if name in write.extra:
                ends[end] = [((content_type.pk, object_id), None) for content_type, object_id in write.extra[name]]
        wanted.append(ends)
    return wanted


def _load(wanted: list[dict[str, list]]) -> dict[Ref, models.Model]:
    """The objects the writes name, locked for the write (one query per kind)."""
    by_type: dict[int, set[int]] = defaultdict(set)
    for ends in wanted:
        for refs in ends.values():
            for (type_id, object_id), _obj in refs:
                by_type[type_id].add(object_id)
    objects: dict[Ref, models.Model] = {}
    for type_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        assert model is not None
        rows = endpoint_queryset(model).select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk")
        for obj in rows:
            objects[(type_id, obj.pk)] = obj
    for ends in wanted:
        for end, refs in ends.items():
            ends[end] = [(ref, objects.get(ref)) for ref, _obj in refs]
    return objects


def _current_ends(cable_ids: Iterable[int]) -> dict[int, dict[str, list[Ref]]]:
    current: dict[int, dict[str, list[Ref]]] = defaultdict(lambda: {"A": [], "B": []})
    rows = CableTermination.objects.filter(cable_id__in=list(cable_ids)).order_by("cable_end", "pk")
    for cable_id, end, type_id, object_id in rows.values_list(
        "cable_id", "cable_end", "termination_type_id", "termination_id"
    ):
        current[cable_id][end].append((type_id, object_id))
    return current


def _check(writes, wanted, objects, *, current) -> None:
    """NetBox's rules for a cable's ends, per write; an object is taken by one cable (or one write) only."""
    errors: dict[int, ValidationError] = {}
    claimed: dict[Ref, int] = {}
    for position, write in enumerate(writes):
        cable_pk = write.instance.pk if write.instance is not None else None
        ends = {end: [obj for _ref, obj in refs] for end, refs in wanted[position].items()}
        for end, _name in ENDS:
            if end not in ends and cable_pk is not None:
                ends[end] = [objects.get(ref) or _fetch(ref, objects) for ref in current.get(cable_pk, {}).get(end, [])]
        try:
            for end, name in ENDS:
                for ref, obj in wanted[position].get(end, []):
                    if obj is None:
                        raise ValidationError(
                            {name: _("Related object not found using the provided numeric ID: {id}").format(id=ref[1])}
                        )
                    _check_termination(obj, cable_pk, claimed, position)
                    claimed[ref] = position
            _check_ends(ends.get("A", []), ends.get("B", []))
        except ValidationError as error:
            errors[position] = error
    if errors:
        raise WritesInvalid(errors)


def _fetch(ref: Ref, objects: dict) -> models.Model:
    model = ContentType.objects.get_for_id(ref[0]).model_class()
    assert model is not None
    obj = endpoint_queryset(model).get(pk=ref[1])
    objects[ref] = obj
    return obj


def _check_termination(obj, cable_pk, claimed: dict, position: int) -> None:
    cabling = cabling_of(type(obj))
    assert cabling is not None
    taken_by = getattr(obj, "cable_id", None)
    if (taken_by is not None and taken_by != cable_pk) or claimed.get(ref_of(obj), position) != position:
        raise ValidationError(
            _("Duplicate termination found for {app_label}.{model} {termination_id}: cable {cable_pk}").format(
                app_label=obj._meta.app_label,
                model=obj._meta.model_name,
                termination_id=obj.pk,
                cable_pk=taken_by if taken_by is not None else cable_pk,
            )
        )
    if cabling.refuse is not None and (message := cabling.refuse(obj)):
        raise ValidationError(message)


def _check_ends(a_objects: list, b_objects: list) -> None:
    for objects in (a_objects, b_objects):
        if len({type(obj) for obj in objects}) > 1:
            raise ValidationError(_("Cannot connect different termination types to same end of cable."))
    if not a_objects or not b_objects:
        return
    a_cabling, b_cabling = cabling_of(type(a_objects[0])), cabling_of(type(b_objects[0]))
    assert a_cabling is not None and b_cabling is not None
    if not compatible(a_cabling, b_cabling):
        raise ValidationError(
            _("Incompatible termination types: {type_a} and {type_b}").format(
                type_a=a_objects[0]._meta.model_name, type_b=b_objects[0]._meta.model_name
            )
        )
    if type(a_objects[0]) is type(b_objects[0]) and {obj.pk for obj in a_objects} & {obj.pk for obj in b_objects}:
        raise ValidationError(_("A and B terminations cannot connect to the same object."))


# -- writing the ends ---------------------------------------------------------------------------------------------


def _attach(cables: Sequence[Cable], wanted: Sequence[dict[str, list]], objects) -> list[Ref]:
    """Record the cables' ends: their termination rows and each object's cable and end."""
    rows, touched = [], []
    changed: dict[type[models.Model], list[models.Model]] = defaultdict(list)
    for cable, ends in zip(cables, wanted, strict=True):
        for end, refs in ends.items():
            for ref, obj in refs:
                rows.append(
                    CableTermination(cable=cable, cable_end=end, termination_type_id=ref[0], termination_id=ref[1])
                )
                obj.cable, obj.cable_end = cable, end
                changed[type(obj)].append(obj)
                touched.append(ref)
    CableTermination.objects.bulk_create(rows)
    for model, changed_objects in changed.items():
        model._base_manager.bulk_update(changed_objects, ["cable", "cable_end"])
    return touched


def _release(refs: Sequence[Ref]) -> None:
    for type_id, ids in group_refs(refs).items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        assert model is not None
        model._base_manager.filter(pk__in=ids).update(cable=None, cable_end="")


# -- paths --------------------------------------------------------------------------------------------------------


def _origins_through(nodes: Sequence[str]) -> list[Ref]:
    if not nodes:
        return []
    rows = CablePath.objects.filter(nodes__overlap=list(nodes)).values_list("origin_type_id", "origin_id")
    return [(type_id, object_id) for type_id, object_id in rows]


def paths_retrace(refs: Sequence[Ref], *, cables: Sequence[int] = (), origins: Sequence[Ref] = ()) -> None:
    """Trace again every path a change touches: those starting on `refs` (objects whose cable or wireless
    link changed) and those passing through them, or through `cables`, plus `origins`. Paths of objects no
    longer cabled (nor linked) are dropped. A path that would loop refuses the change."""
    nodes = [node_name(ref) for ref in refs] + [cable_node(pk) for pk in cables]
    affected = list(dict.fromkeys([*refs, *origins, *_origins_through(nodes)]))
    loader = Loader()
    loader.load(affected)
    origins_found = [
        obj
        for ref in affected
        if (obj := loader.get(ref)) is not None
        and (cabling := cabling_of(type(obj))) is not None
        and cabling.through is None
    ]
    found_refs = {ref_of(obj) for obj in origins_found}
    stale = [ref for ref in affected if ref not in found_refs]
    loader.load_links([key for obj in origins_found if (key := link_key(obj)) is not None])
    linked = [origin for origin in origins_found if link_key(origin) is not None]
    stale += [ref_of(origin) for origin in origins_found if link_key(origin) is None]
    try:
        traces = trace_many(linked, loader)
    except PathLoops as error:
        raise ValidationError(error.messages) from None
    paths = [_path(origin, found) for origin, found in zip(linked, traces, strict=True)]
    for type_id, ids in group_refs([*stale, *[(p.origin_type_id, p.origin_id) for p in paths]]).items():
        CablePath.objects.filter(origin_type_id=type_id, origin_id__in=ids).delete()
    CablePath.objects.bulk_create(paths)


def _path(origin, found) -> CablePath:
    type_id, object_id = ref_of(origin)
    destination_type = found.destinations[0][0] if found.destinations else None
    return CablePath(
        origin_type_id=type_id,
        origin_id=object_id,
        destination_type_id=destination_type,
        destination_ids=[pk for kind, pk in found.destinations if kind == destination_type],
        segments=[[list(map(list, near)), key, list(map(list, far))] for near, key, far in found.segments],
        nodes=sorted(found.nodes),
        is_active=found.is_active,
        is_complete=found.is_complete,
        is_split=found.is_split,
    )


def cabled_delete(instances: Sequence[models.Model], *, message: str = "") -> None:
    """Delete objects cables end on (components, power feeds): their cable terminations go with them (the
    cable stays, one end the shorter, as in NetBox), and every path that started on, ended on or passed
    through them is traced again in the same transaction -- cut short where it went through them."""
    if not instances:
        return
    peers, affected = _cut([ref_of(obj) for obj in instances])
    objects_delete(instances, message=message)
    paths_retrace(peers, origins=affected)


def devices_delete(instances: Sequence[models.Model], *, message: str = "") -> None:
    """Delete devices: as `cabled_delete` for every cable endpoint on them (their components go with them)."""
    if not instances:
        return
    _owned_delete(instances, "device", [device.pk for device in instances], message=message)


def modules_delete(instances: Sequence[models.Model], *, message: str = "") -> None:
    """Delete modules: as `cabled_delete` for every cable endpoint on them and on the modules installed in
    their bays (all go with them), one query per level of nesting and per kind of endpoint."""
    if not instances:
        return
    from inventory.models import Module

    module_ids, level = [module.pk for module in instances], [module.pk for module in instances]
    while level:
        level = list(Module._base_manager.filter(module_bay__module_id__in=level).values_list("pk", flat=True))
        module_ids += level
    _owned_delete(instances, "module", module_ids, message=message)


def _owned_delete(instances: Sequence[models.Model], owner: str, owner_ids: Sequence[int], *, message: str) -> None:
    """Delete `instances`, whose cable endpoints (those whose `owner` is one of `owner_ids`) go with them."""
    refs: list[Ref] = []
    for spec in endpoint_specs():
        if "device" not in dict(spec.cabling.places):  # type: ignore[union-attr]
            continue  # endpoints not on devices (power feeds, circuit terminations) belong to no device or module
        if not any(f.name == owner for f in spec.model._meta.get_fields()):
            continue
        type_id = ContentType.objects.get_for_model(spec.model).pk
        rows = spec.model._base_manager.filter(**{f"{owner}_id__in": owner_ids})
        refs += [(type_id, pk) for pk in rows.values_list("pk", flat=True)]
    peers, affected = _cut(refs)
    objects_delete(instances, message=message)
    paths_retrace(peers, origins=affected)


def _cut(refs: Sequence[Ref]) -> tuple[list[Ref], list[Ref]]:
    """Before `refs` are deleted: drop their cable terminations; answer the objects on the far ends of
    their cables and the origins of the paths through them (not theirs), to trace again once they are gone."""
    gone = set(refs)
    affected = [ref for ref in _origins_through([node_name(ref) for ref in refs]) if ref not in gone]
    rows = CableTermination.objects.none()
    for type_id, ids in group_refs(refs).items():
        rows |= CableTermination.objects.filter(termination_type_id=type_id, termination_id__in=ids)
    cable_ids = set(rows.values_list("cable_id", flat=True))
    peers = [
        ref
        for ends in _current_ends(cable_ids).values()
        for end_refs in ends.values()
        for ref in end_refs
        if ref not in gone
    ]
    rows.delete()
    return peers, affected
