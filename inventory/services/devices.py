"""Writes of devices: what a new device takes from its type, where it may stand in a rack, the components
it is made with, and the child devices that follow their parent.

Rack space is checked per device by `Device.clean` (against the rack's other devices, as NetBox words
it) with the racks involved locked, so two writes cannot take the same units at once; devices of one
batch that would overlap each other refuse the batch, which the use case then writes one by one, each
seeing the ones before it.
"""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from core.services import ObjectWrite, instances_of, objects_create, objects_update
from inventory.models import Device, Rack
from inventory.services.instantiation import Build, components_instantiate

# What a new device takes from its type when the writer leaves it out (NetBox's Device.save).
INHERITED = {"airflow": "airflow", "cooling_method": "cooling_method", "platform": "default_platform"}
PLACEMENT = ("site_id", "location_id", "rack_id")


def _value(write: ObjectWrite, name: str):
    """The write's value of a field, else the object's (None for a new one)."""
    if name in write.data:
        return write.data[name]
    return getattr(write.instance, name, None) if write.instance is not None else None


def _inherit(write: ObjectWrite) -> None:
    device_type = write.data.get("device_type")
    if write.instance is None and isinstance(device_type, models.Model):
        for name, source in INHERITED.items():
            if not write.data.get(name):
                write.data[name] = getattr(device_type, source)
    rack = write.data.get("rack")
    if isinstance(rack, Rack) and rack.location_id is not None and not _value(write, "location"):
        write.data["location"] = rack.location


def _lock_racks(writes: Sequence[ObjectWrite]) -> None:
    """The racks the devices go to, locked until the transaction ends (one query), so that concurrent
    writes see each other's devices when they check rack space."""
    racks = set()
    for write in writes:
        rack = _value(write, "rack")
        if rack is not None:
            racks.add(rack.pk if isinstance(rack, models.Model) else rack)
    if racks:
        list(Rack._base_manager.select_for_update(of=("self",)).filter(pk__in=racks).order_by("pk").values("pk"))


def _refuse_overlaps(devices: Sequence[Device]) -> None:
    """Devices of one batch each fit their rack as it was; refuse the batch if they overlap each other."""
    if len(devices) < 2:
        return
    taken: dict[tuple[int, str | None], set] = {}
    for device in devices:
        if not (device.rack_id and device.position):
            continue
        units = set(device.units)
        faces = (None,) if device.device_type.is_full_depth else (device.face,)
        others = set()
        for (rack, face), used in taken.items():
            if rack == device.rack_id and (face is None or faces == (None,) or face in faces):
                others |= used
        if units & others:
            raise ValidationError(_("Devices of this request overlap in rack {rack}.").format(rack=device.rack))
        for face in faces:
            taken.setdefault((device.rack_id, face), set()).update(units)


def devices_create(writes: Sequence[ObjectWrite]) -> list[Device]:
    """Create the devices, each with the components of its type (NetBox's name tokens resolved)."""
    for write in writes:
        _inherit(write)
    _lock_racks(writes)
    devices = instances_of(Device, objects_create(writes))
    _refuse_overlaps(devices)
    components_instantiate([Build(device=device) for device in devices])
    return devices


def devices_update(writes: Sequence[ObjectWrite]) -> list[Device]:
    """Change the devices; child devices in their bays move with them."""
    for write in writes:
        _inherit(write)
    _lock_racks(writes)
    devices = instances_of(Device, objects_update(writes))
    _refuse_overlaps(devices)
    _move_children([device for device in devices if _moved(device)])
    return devices


def _moved(device: Device) -> bool:
    return any(device.loaded(name) != getattr(device, name) for name in PLACEMENT)


def _move_children(parents: Sequence[Device]) -> None:
    """Devices installed in the parents' bays take their site, location and rack (NetBox's Device.save)."""
    if not parents:
        return
    by_pk = {parent.pk: parent for parent in parents}
    children = (
        Device._base_manager.select_for_update(of=("self",))
        .filter(parent_bay__device__in=list(by_pk))
        .select_related("parent_bay")
        .order_by("pk")
    )
    writes = []
    for child in children:
        parent = by_pk[child.parent_bay.device_id]
        data = {"site": parent.site, "location": parent.location, "rack": parent.rack}
        writes.append(ObjectWrite(model=Device, data=data, instance=child))
    if writes:
        _move_children(
            [device for device in instances_of(Device, objects_update(writes)) if _moved(device)]
        )  # and their children
