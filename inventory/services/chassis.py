"""Writes of virtual chassis: a new chassis takes its master as member 1; deleting one lets its members go
(positions and priorities cleared), unless LAGs span its members."""

from collections.abc import Sequence

from django.db.models import F, ProtectedError
from django.utils.translation import gettext as _

from core.services import ObjectWrite, WritesInvalid, instances_of, objects_create, objects_delete, objects_update
from inventory.models import Device, Interface, VirtualChassis


def virtual_chassis_create(writes: Sequence[ObjectWrite]) -> list[VirtualChassis]:
    """Create the chassis; each one's master (if given) joins it at position 1, as in NetBox."""
    created = instances_of(VirtualChassis, objects_create(writes))
    masters = {chassis.master_id: position for position, chassis in enumerate(created) if chassis.master_id}
    if not masters:
        return created
    joining = []
    for device in Device._base_manager.select_for_update(of=("self",)).filter(pk__in=list(masters)).order_by("pk"):
        chassis = created[masters[device.pk]]
        joining.append(
            (
                masters[device.pk],
                ObjectWrite(model=Device, data={"virtual_chassis": chassis, "vc_position": 1}, instance=device),
            )
        )
    try:
        objects_update([write for _position, write in joining])
    except WritesInvalid as invalid:
        raise WritesInvalid({joining[index][0]: error for index, error in invalid.errors.items()}) from None
    return created


def virtual_chassis_delete(instances: Sequence[VirtualChassis], *, message: str = "") -> None:
    """Delete the chassis, their members kept (out of any chassis, positions and priorities cleared).

    Raises ProtectedError while a LAG of one member has interfaces of another."""
    pks = [chassis.pk for chassis in instances]
    spanning = list(
        Interface._base_manager.filter(device__virtual_chassis__in=pks, lag__isnull=False)
        .exclude(lag__device=F("device"))
        .select_related("device")[:10]
    )
    if spanning:
        raise ProtectedError(
            _(
                "Unable to delete virtual chassis {virtual_chassis}. One or more member interfaces form a "
                "cross-chassis LAG."
            ).format(virtual_chassis=", ".join(str(chassis) for chassis in instances)),
            set(spanning),
        )
    mastered = [
        ObjectWrite(model=VirtualChassis, data={"master": None}, instance=chassis)
        for chassis in VirtualChassis._base_manager.select_for_update(of=("self",))
        .filter(pk__in=pks, master__isnull=False)
        .order_by("pk")
    ]
    objects_update(mastered)
    members = Device._base_manager.select_for_update(of=("self",)).filter(virtual_chassis__in=pks).order_by("pk")
    cleared = {"virtual_chassis": None, "vc_position": None, "vc_priority": None}
    objects_update([ObjectWrite(model=Device, data=dict(cleared), instance=member) for member in members])
    objects_delete(list(VirtualChassis._base_manager.filter(pk__in=pks)), message=message)
