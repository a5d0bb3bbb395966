"""What creating or changing racks, rack types and module types does beyond setting fields, as NetBox
does it.

- A rack with a rack type takes the type's physical attributes, whatever the writer sends; changing a
  rack type's attributes changes every rack of that type (each change logged on the rack).
- A module type's `attributes` written to an existing module type are merged into the stored ones
  (NetBox's API lets a client change one attribute without sending the others); the result must
  follow the profile's schema (the model's validation).

Each service takes the whole batch and reads what it needs once for it, so a bulk write stays a
constant number of statements.
"""

import copy
from collections.abc import Sequence
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Max, Min
from django.utils.translation import gettext as _

from core.services import ObjectWrite, WritesInvalid, objects_create, objects_update
from inventory.models import Device, ModuleType, ModuleTypeProfile, Rack, RackType

M = TypeVar("M", bound=models.Model)


def _stored(write: ObjectWrite, model: type[M]) -> M:
    """The object an update changes (read for update by the use case)."""
    if not isinstance(write.instance, model):
        raise TypeError(f"an update of a {model._meta.verbose_name} names no {model._meta.verbose_name}")
    return write.instance


def _rack_types(writes: Sequence[ObjectWrite]) -> list[RackType | None]:
    """The rack type each written rack will have (the written one, else the stored one), read in one query."""
    chosen: list[RackType | int | None] = []
    for write in writes:
        if "rack_type" in write.data:
            chosen.append(write.data["rack_type"])
        else:
            chosen.append(_stored(write, Rack).rack_type_id if write.instance is not None else None)
    ids = {value for value in chosen if isinstance(value, int)}
    loaded = RackType._base_manager.in_bulk(ids) if ids else {}
    return [loaded.get(value) if isinstance(value, int) else value for value in chosen]


def _take_rack_type_attributes(writes: Sequence[ObjectWrite]) -> None:
    for write, rack_type in zip(writes, _rack_types(writes), strict=True):
        if rack_type is not None:
            write.data.update({name: getattr(rack_type, name) for name in Rack.RACK_TYPE_FIELDS})


def racks_create(writes: Sequence[ObjectWrite]) -> list[models.Model]:
    _take_rack_type_attributes(writes)
    return objects_create(writes)


def racks_update(writes: Sequence[ObjectWrite]) -> list[models.Model]:
    _take_rack_type_attributes(writes)
    _refuse_unhoused(writes)
    return objects_update(writes)


def _refuse_unhoused(writes: Sequence[ObjectWrite]) -> None:
    """Racks written too short (or numbered from too high) for the devices mounted in them refuse the write
    (Rack.check_houses); the devices of the whole batch are read in one query."""
    racks = [_stored(write, Rack) for write in writes]
    extents = {
        row["rack_id"]: (row["lowest"], row["top"])
        for row in Device._base_manager.filter(rack__in=[rack.pk for rack in racks], position__isnull=False)
        .order_by()
        .values("rack_id")
        .annotate(lowest=Min("position"), top=Max(F("position") + F("device_type__u_height")))
    }
    refusals: dict[int, ValidationError] = {}
    for index, (write, rack) in enumerate(zip(writes, racks, strict=True)):
        if rack.pk not in extents:
            continue
        written = copy.copy(rack)
        for name in ("u_height", "starting_unit", "rack_type"):
            if name in write.data:
                setattr(written, name, write.data[name])
        try:
            written.check_houses(*extents[rack.pk])
        except ValidationError as error:
            refusals[index] = error
    if refusals:
        raise WritesInvalid(refusals)


def rack_types_update(writes: Sequence[ObjectWrite]) -> list[models.Model]:
    """Change the rack types, then every rack of theirs whose physical attributes now differ (NetBox
    saves each rack of a changed type). A rack the new attributes do not suit refuses the type's write."""
    rack_types = objects_update(writes)
    by_id = {rack_type.pk: rack_type for rack_type in rack_types if isinstance(rack_type, RackType)}
    position = {rack_type.pk: index for index, rack_type in enumerate(rack_types)}
    racks = Rack._base_manager.select_for_update(of=("self",)).filter(rack_type__in=list(by_id)).order_by("pk")
    rack_writes = []
    for rack in racks:
        if rack.rack_type_id is None:  # none: the query asked for a type's racks
            continue
        rack_type = by_id[rack.rack_type_id]
        values = {name: getattr(rack_type, name) for name in Rack.RACK_TYPE_FIELDS}
        if any(getattr(rack, name) != value for name, value in values.items()):
            rack.rack_type = rack_type
            rack_writes.append(ObjectWrite(model=Rack, instance=rack, data=values))
    try:
        _refuse_unhoused(rack_writes)
        objects_update(rack_writes)
    except WritesInvalid as invalid:
        refusals: dict[int, ValidationError] = {}
        for index, error in invalid.errors.items():
            rack = _stored(rack_writes[index], Rack)
            messages = "; ".join(ValidationError(error).messages)
            refusals.setdefault(
                position[rack.rack_type_id],
                ValidationError(
                    _("Rack {rack} cannot take these attributes: {error}").format(rack=rack, error=messages)
                ),
            )
        raise WritesInvalid(refusals) from None
    return rack_types


def module_types_update(writes: Sequence[ObjectWrite]) -> list[models.Model]:
    """NetBox's AttributesField: attributes written to a module type that has some are merged into
    them (an empty value replaces them). The profiles the schemas come from are read once."""
    module_types = [_stored(write, ModuleType) for write in writes]
    for write, module_type in zip(writes, module_types, strict=True):
        written, stored = write.data.get("attribute_data"), module_type.attribute_data
        if written and isinstance(written, dict) and isinstance(stored, dict):
            write.data["attribute_data"] = {**stored, **written}
    unread = [
        module_type
        for write, module_type in zip(writes, module_types, strict=True)
        if "profile" not in write.data and module_type.profile_id is not None
    ]
    if unread:
        profiles = ModuleTypeProfile._base_manager.in_bulk({module_type.profile_id for module_type in unread})
        for module_type in unread:
            if module_type.profile_id in profiles:
                module_type.profile = profiles[module_type.profile_id]
    return objects_update(writes)
