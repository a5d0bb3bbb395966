"""Writes of interfaces: NetBox's `mac_address` shortcut, which sets an interface's primary MAC address
by its value (finding it among the interface's MAC addresses, or making one) in the same write; and
NetBox's 802.1Q rules, which read the write as a whole (the mode, the VLANs given, those the interface
has): tagged VLANs only in tagged (or Q-in-Q) mode and of the device's site or global, a service VLAN
only in Q-in-Q mode, no VLAN without a mode; tagged VLANs cleared when the mode leaves tagged.

A virtual machine's interfaces follow the same rules (their parent is the virtual machine, whose site
the VLANs must match): `vm_interfaces_create` and `vm_interfaces_update`."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.context import current_actor
from core.permissions import require
from core.services import ObjectWrite, WritesInvalid, instances_of, objects_create, objects_update
from inventory.choices import InterfaceMode
from inventory.models import Device, Interface, MACAddress, VirtualMachine, VMInterface

NO_TAGGED = {"", InterfaceMode.ACCESS, InterfaceMode.TAGGED_ALL}


@dataclass(frozen=True)
class Kind:
    """An interface model and what it belongs to (a device, a virtual machine), whose site its VLANs match."""

    model: Any  # Interface or VMInterface
    parent: str
    parent_model: Any  # Device or VirtualMachine
    noun: str


DEVICE_INTERFACE = Kind(Interface, "device", Device, "device")
VM_INTERFACE = Kind(VMInterface, "virtual_machine", VirtualMachine, "virtual machine")


def interfaces_create(writes: Sequence[ObjectWrite]) -> list[Interface]:
    return _create(DEVICE_INTERFACE, writes)


def interfaces_update(writes: Sequence[ObjectWrite]) -> list[Interface]:
    return _update(DEVICE_INTERFACE, writes)


def vm_interfaces_create(writes: Sequence[ObjectWrite]) -> list[VMInterface]:
    return _create(VM_INTERFACE, writes)


def vm_interfaces_update(writes: Sequence[ObjectWrite]) -> list[VMInterface]:
    return _update(VM_INTERFACE, writes)


def _create(kind: Kind, writes: Sequence[ObjectWrite]) -> list:
    _refuse_conflicts(writes)
    _check_vlans(kind, writes)
    interfaces: list = instances_of(kind.model, objects_create(writes))
    _set_primary_macs(kind, writes, interfaces)
    return interfaces


def _update(kind: Kind, writes: Sequence[ObjectWrite]) -> list:
    _refuse_conflicts(writes)
    _check_vlans(kind, writes)
    interfaces: list = instances_of(kind.model, objects_update(writes))
    _set_primary_macs(kind, writes, interfaces)
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


def _value(write: ObjectWrite, name: str):
    """A field's value after the write: the one given, else the interface's (None for a new one)."""
    if name in write.data:
        value = write.data[name]
        return getattr(value, "pk", value)
    if write.instance is None:
        return None
    field = write.instance._meta.get_field(name)
    return getattr(write.instance, getattr(field, "attname", name))


def _tagged_now(kind: Kind, writes: Sequence[ObjectWrite]) -> dict[int, set[int]]:
    """The tagged VLANs (ids) of the interfaces changed without naming them, in one query."""
    pks = [write.instance.pk for write in writes if write.instance is not None and "tagged_vlans" not in write.data]
    if not pks:
        return {}
    column = f"{kind.model._meta.model_name}_id"
    through = kind.model.tagged_vlans.through._default_manager
    held: dict[int, set[int]] = {}
    for interface, vlan in through.filter(**{f"{column}__in": pks}).values_list(column, "vlan_id"):
        held.setdefault(interface, set()).add(vlan)
    return held


def _check_vlans(kind: Kind, writes: Sequence[ObjectWrite]) -> None:
    """NetBox's rules for an interface's mode and VLANs (its API's wording), for the whole batch; an interface
    leaving tagged mode loses its tagged VLANs (NetBox's Interface.save)."""
    held = _tagged_now(kind, writes)
    devices = _parents(kind, writes)
    errors = {}
    for position, write in enumerate(writes):
        mode = _value(write, "mode") or ""
        given = "tagged_vlans" in write.data
        tagged = list(write.data["tagged_vlans"] or []) if given else []
        has_tagged = bool(tagged) if given else bool(write.instance is not None and held.get(write.instance.pk))
        problems = {}
        if mode != InterfaceMode.Q_IN_Q and _value(write, "qinq_svlan") is not None:
            problems["qinq_svlan"] = _("Interface mode does not support q-in-q service vlan")
        if not mode and _value(write, "untagged_vlan") is not None:
            problems["untagged_vlan"] = _("Interface mode does not support untagged vlan")
        if mode in NO_TAGGED and has_tagged:
            problems["tagged_vlans"] = _("Interface mode does not support tagged vlans")
        device = devices.get(_value(write, kind.parent))
        site = device.site_id if device is not None else None
        for vlan in tagged if device is not None and not problems else ():
            if vlan.site_id not in (site, None):
                problems["tagged_vlans"] = _(
                    "VLAN {vlan} must belong to the same site as the interface's parent {noun}, or it must be global."
                ).format(vlan=vlan, noun=kind.noun)
                break
        if problems:
            errors[position] = ValidationError(problems)
        elif write.instance is not None and mode != InterfaceMode.TAGGED and not given and held.get(write.instance.pk):
            write.data["tagged_vlans"] = []
    if errors:
        raise WritesInvalid(errors)


def _parents(kind: Kind, writes: Sequence[ObjectWrite]) -> dict:
    """The interfaces' devices (or virtual machines) by id (read once), for the sites their tagged VLANs must
    match."""
    wanted = {_value(write, kind.parent) for write in writes if write.data.get("tagged_vlans")}
    wanted.discard(None)
    return kind.parent_model._base_manager.only("pk", "site_id").in_bulk(wanted) if wanted else {}


def _set_primary_macs(kind: Kind, writes: Sequence[ObjectWrite], interfaces: list) -> None:
    wanted = {
        position: write.extra["mac_address"] for position, write in enumerate(writes) if "mac_address" in write.extra
    }
    if not wanted:
        return
    model = kind.model
    content_type = ContentType.objects.get_for_model(model)
    held = {
        (mac.assigned_object_id, mac.mac_address): mac
        for mac in MACAddress._base_manager.filter(
            assigned_object_type=content_type, assigned_object_id__in=[interfaces[position].pk for position in wanted]
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
                            "assigned_object_type": content_type,
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
            locked = model._base_manager.select_for_update(of=("self",)).get(pk=interface.pk)
            changes.append((position, ObjectWrite(model=model, data={"primary_mac_address": mac}, instance=locked)))
    if changes:
        updated: list = instances_of(model, objects_update([write for _position, write in changes]))
        for (position, _write), interface in zip(changes, updated, strict=True):
            interfaces[position].primary_mac_address = interface.primary_mac_address
