"""Writes of interfaces: NetBox's `mac_address` shortcut, which sets an interface's primary MAC address
by its value (finding it among the interface's MAC addresses, or making one) in the same write."""

from collections.abc import Sequence

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.context import current_actor
from core.permissions import require
from core.services import ObjectWrite, WritesInvalid, instances_of, objects_create, objects_update
from inventory.models import Interface, MACAddress


def interfaces_create(writes: Sequence[ObjectWrite]) -> list[Interface]:
    _refuse_conflicts(writes)
    interfaces = instances_of(Interface, objects_create(writes))
    _set_primary_macs(writes, interfaces)
    return interfaces


def interfaces_update(writes: Sequence[ObjectWrite]) -> list[Interface]:
    _refuse_conflicts(writes)
    interfaces = instances_of(Interface, objects_update(writes))
    _set_primary_macs(writes, interfaces)
    return interfaces


def _refuse_conflicts(writes: Sequence[ObjectWrite]) -> None:
    """The shortcut and `primary_mac_address` both set the primary MAC: they must agree when both are given
    (a client writing back what it read sends both)."""
    errors = {}
    for position, write in enumerate(writes):
        if "mac_address" not in write.extra or "primary_mac_address" not in write.data:
            continue
        primary = write.data["primary_mac_address"]
        if (primary.mac_address if primary is not None else None) != write.extra["mac_address"]:
            errors[position] = ValidationError(
                {"mac_address": _("The provided 'mac_address' and 'primary_mac_address' values conflict.")}
            )
        else:
            del write.extra["mac_address"]
    if errors:
        raise WritesInvalid(errors)


def _set_primary_macs(writes: Sequence[ObjectWrite], interfaces: list[Interface]) -> None:
    wanted = {
        position: write.extra["mac_address"] for position, write in enumerate(writes) if "mac_address" in write.extra
    }
    if not wanted:
        return
    kind = ContentType.objects.get_for_model(Interface)
    held = {
        (mac.assigned_object_id, mac.mac_address): mac
        for mac in MACAddress._base_manager.filter(
            assigned_object_type=kind, assigned_object_id__in=[interfaces[position].pk for position in wanted]
        )
    }
    missing = {
        position: value
        for position, value in wanted.items()
        if value is not None and (interfaces[position].pk, value) not in held
    }
    if missing:
        require(current_actor(), MACAddress, "add")
        made = instances_of(
            MACAddress,
            objects_create(
                [
                    ObjectWrite(
                        model=MACAddress,
                        data={
                            "mac_address": value,
                            "assigned_object_type": kind,
                            "assigned_object_id": interfaces[position].pk,
                        },
                    )
                    for position, value in missing.items()
                ]
            ),
        )
        held.update({(mac.assigned_object_id, mac.mac_address): mac for mac in made})
    changes = []
    for position, value in wanted.items():
        interface = interfaces[position]
        mac = None if value is None else held[(interface.pk, value)]
        if interface.primary_mac_address_id != (mac.pk if mac is not None else None):
            locked = Interface._base_manager.select_for_update(of=("self",)).get(pk=interface.pk)
            changes.append((position, ObjectWrite(model=Interface, data={"primary_mac_address": mac}, instance=locked)))
    if changes:
        updated = instances_of(Interface, objects_update([write for _position, write in changes]))
        for (position, _write), interface in zip(changes, updated, strict=True):
            interfaces[position].primary_mac_address = interface.primary_mac_address
