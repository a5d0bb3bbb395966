"""Writes of front and rear ports with their mappings: which position of a front port passes through to
which position of a rear port of the same device. A front port's `rear_ports` (or a rear port's
`front_ports`) replaces its mappings when written; only those that change are deleted and made (and
change-logged), as in NetBox. Their templates map the same way, within one device or module type; a
device or module made from the type gets the mappings between the ports made from them
(inventory.services.instantiation)."""

from collections.abc import Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.services import (
    ObjectWrite,
    WritesInvalid,
    objects_create,
    objects_delete,
    objects_insert,
    objects_update,
)
from inventory.cabling import ref_of
from inventory.models import (
    FrontPort,
    FrontPortTemplate,
    PortMapping,
    PortTemplateMapping,
    RearPort,
    RearPortTemplate,
)
from inventory.services.cables import paths_retrace

# For each side: the write's field, the opposite side, its model and the noun of its messages.
SIDES: dict[type, tuple[str, str, str, type[models.Model], Any]] = {
    FrontPort: ("rear_ports", "front_port", "rear_port", RearPort, gettext_lazy("Rear port")),
    RearPort: ("front_ports", "rear_port", "front_port", FrontPort, gettext_lazy("Front port")),
    FrontPortTemplate: ("rear_ports", "front_port", "rear_port", RearPortTemplate, gettext_lazy("Rear port template")),
    RearPortTemplate: (
        "front_ports",
        "rear_port",
        "front_port",
        FrontPortTemplate,
        gettext_lazy("Front port template"),
    ),
}
# What a mapping of each kind of port is, and what the two ports it maps must share.
MAPPING: dict[type, tuple[type[models.Model], tuple[str, ...]]] = {
    FrontPort: (PortMapping, ("device_id",)),
    RearPort: (PortMapping, ("device_id",)),
    FrontPortTemplate: (PortTemplateMapping, ("device_type_id", "module_type_id")),
    RearPortTemplate: (PortTemplateMapping, ("device_type_id", "module_type_id")),
}


def ports_create(writes: Sequence[ObjectWrite]) -> list:
    ports = objects_create(writes)
    _write_mappings(writes, ports)
    if ports:
        # A port mapped to a cabled port on the other side opens a new way for the paths through that port
        # (a rear port reached with no position to follow fans out to every front port mapped to it).
        field, _side, other, other_model, _noun = SIDES[type(ports[0])]
        opposite = ContentType.objects.get_for_model(other_model).pk
        mapped = {mapping[f"{other}_id"] for write in writes for mapping in write.extra.get(field, [])}
        if mapped:
            paths_retrace([(opposite, pk) for pk in sorted(mapped)])
    return ports


def ports_update(writes: Sequence[ObjectWrite]) -> list:
    ports = objects_update(writes)
    _write_mappings(writes, ports)
    field = "rear_ports" if ports and isinstance(ports[0], FrontPort) else "front_ports"
    remapped = [ref_of(ports[position]) for position, write in enumerate(writes) if field in write.extra]
    if remapped:  # the paths through a port whose mappings changed go elsewhere now
        paths_retrace(remapped)
    return ports


def port_templates_create(writes: Sequence[ObjectWrite]) -> list:
    templates = objects_create(writes)
    _write_mappings(writes, templates)
    return templates


def port_templates_update(writes: Sequence[ObjectWrite]) -> list:
    templates = objects_update(writes)
    _write_mappings(writes, templates)
    return templates


def _write_mappings(writes: Sequence[ObjectWrite], ports: list) -> None:
    if not ports:
        return
    model = type(ports[0])
    field, side, other, other_model, noun = SIDES[model]
    mapping_model, shared = MAPPING[model]
    wanted = {position: write.extra[field] for position, write in enumerate(writes) if field in write.extra}
    errors: dict[int, ValidationError] = {}
    others = other_model._base_manager.in_bulk(
        {mapping[f"{other}_id"] for mappings in wanted.values() for mapping in mappings}
    )
    for position, mappings in wanted.items():
        try:
            _check(ports[position], mappings, side, other, others, noun, shared)
        except ValidationError as error:
            errors[position] = ValidationError({field: error.messages})
    if errors:
        raise WritesInvalid(errors)
    port_ids = [ports[position].pk for position in wanted]
    existing: dict[int, dict[int, Any]] = {}
    for mapping in mapping_model._base_manager.select_for_update(of=("self",)).filter(**{f"{side}__in": port_ids}):
        existing.setdefault(getattr(mapping, f"{side}_id"), {})[getattr(mapping, f"{side}_position")] = mapping
    stale, fresh = [], []
    for position, mappings in wanted.items():
        port = ports[position]
        have = existing.get(port.pk, {})
        desired = {mapping[f"{side}_position"]: mapping for mapping in mappings}
        for slot, mapping in have.items():
            target = desired.get(slot)
            if target is None or _target(mapping, other) != (target[f"{other}_id"], target[f"{other}_position"]):
                stale.append(mapping)
        for slot, target in desired.items():
            current = have.get(slot)
            if current is None or _target(current, other) != (target[f"{other}_id"], target[f"{other}_position"]):
                owner = {"device_id": port.device_id} if mapping_model is PortMapping else {}
                fresh.append(mapping_model(**owner, **{f"{side}_id": port.pk}, **target))
    if stale:
        objects_delete(stale)
    _refuse_taken(mapping_model, fresh, field, other, noun)
    objects_insert(fresh)
    _check_positions(model, ports)


def _target(mapping: Any, other: str) -> tuple[int, int]:
    return getattr(mapping, f"{other}_id"), getattr(mapping, f"{other}_position")


def _check(port, mappings: list[dict], side: str, other: str, others: dict, noun, shared: tuple[str, ...]) -> None:
    slots = [mapping[f"{side}_position"] for mapping in mappings]
    if len(set(slots)) != len(slots):
        raise ValidationError(_("Each position may be mapped only once."))
    for mapping in mappings:
        slot, far = mapping[f"{side}_position"], mapping[f"{other}_position"]
        target = others.get(mapping[f"{other}_id"])
        if target is None:
            raise ValidationError(
                _("Related object not found using the provided numeric ID: {id}").format(id=mapping[f"{other}_id"])
            )
        if any(getattr(target, name) != getattr(port, name) for name in shared):
            whole = _("device") if shared == ("device_id",) else _("device or module type")
            raise ValidationError(
                _("{noun} ({port}) must belong to the same {whole}").format(noun=noun, port=target, whole=whole)
            )
        if not 1 <= slot <= port.positions:
            raise ValidationError(
                _("Invalid position ({position}): {name} has only {positions} positions.").format(
                    position=slot, name=port.name, positions=port.positions
                )
            )
        if not 1 <= far <= target.positions:
            raise ValidationError(
                _("Invalid {noun} position ({position}): {noun} {name} has only {positions} positions.").format(
                    noun=noun.lower(), position=far, name=target.name, positions=target.positions
                )
            )


def _refuse_taken(mapping_model, fresh: list, field: str, other: str, noun) -> None:
    """A position of the opposite port passes through to one position only."""
    wanted = {_target(mapping, other) for mapping in fresh}
    if len(wanted) != len(fresh):
        raise ValidationError({field: _("A position of the {noun} is mapped twice.").format(noun=noun.lower())})
    if not wanted:
        return
    taken = mapping_model._base_manager.filter(**{f"{other}_id__in": {port for port, _slot in wanted}}).values_list(
        f"{other}_id", f"{other}_position"
    )
    clash = sorted(wanted & set(taken))
    if clash:
        raise ValidationError(
            {field: _("Position {position} of the {noun} is already mapped.").format(
                position=clash[0][1], noun=noun.lower()
            )}
        )  # fmt: skip


def _check_positions(model, ports: list) -> None:
    """NetBox's rule that a port keeps at least as many positions as it has mappings."""
    side = SIDES[model][1]
    counts = dict(
        MAPPING[model][0]
        ._base_manager.filter(**{f"{side}__in": [port.pk for port in ports]})
        .values_list(side)
        .annotate(count=Count("pk"))
        .values_list(side, "count")
    )
    errors = {}
    for position, port in enumerate(ports):
        if counts.get(port.pk, 0) > port.positions:
            errors[position] = ValidationError(
                {"positions": _(
                    "The number of positions cannot be less than the number of mapped {noun}s ({count})"
                ).format(noun=SIDES[model][4].lower(), count=counts[port.pk])}
            )  # fmt: skip
    if errors:
        raise WritesInvalid(errors)
