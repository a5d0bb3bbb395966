"""Writes of virtual machines and their disks: a virtual machine takes its cluster's site when none is given
(NetBox's VirtualMachine.save), a new one the platform, vCPUs and memory of its type when given none (NetBox's
apply_type_defaults), and its disk is the total of its virtual disks whenever they change (NetBox's
virtual disk signal), recorded in the change log as a change of the machine."""

from collections.abc import Sequence

from django.db import models
from django.db.models import Sum

from core.services import ObjectWrite, instances_of, objects_create, objects_delete, objects_update
from inventory.models import Cluster, VirtualDisk, VirtualMachine, VirtualMachineType


def _value(write: ObjectWrite, name: str):
    if name in write.data:
        return write.data[name]
    return getattr(write.instance, name, None) if write.instance is not None else None


def _inherit_site(writes: Sequence[ObjectWrite]) -> None:
    for write in writes:
        cluster = _value(write, "cluster")
        if isinstance(cluster, Cluster) and cluster._site_id is not None and _value(write, "site") is None:
            write.data["site"] = cluster._site


# What a new machine takes from its type when given no value (or null): its field -> the type's.
TYPE_DEFAULTS = {"platform": "default_platform", "vcpus": "default_vcpus", "memory": "default_memory"}


def _apply_type_defaults(writes: Sequence[ObjectWrite]) -> None:
    for write in writes:
        kind = write.data.get("virtual_machine_type")
        if not isinstance(kind, VirtualMachineType):
            continue
        for name, default in TYPE_DEFAULTS.items():
            value = getattr(kind, default)
            if write.data.get(name) is None and value is not None:
                write.data[name] = value


def virtual_machines_create(writes: Sequence[ObjectWrite]) -> list[VirtualMachine]:
    _inherit_site(writes)
    _apply_type_defaults(writes)
    return instances_of(VirtualMachine, objects_create(writes))


def virtual_machines_update(writes: Sequence[ObjectWrite]) -> list[VirtualMachine]:
    _inherit_site(writes)
    return instances_of(VirtualMachine, objects_update(writes))


def _roll_up(machine_pks: set[int]) -> None:
    """Each machine's disk set to the total of its virtual disks (none left: no disk size), as NetBox does."""
    machine_pks = {pk for pk in machine_pks if pk is not None}
    if not machine_pks:
        return
    machines = VirtualMachine._base_manager.select_for_update(of=("self",)).filter(pk__in=machine_pks).order_by("pk")
    totals = dict(
        VirtualDisk._base_manager.filter(virtual_machine_id__in=machine_pks)
        .values("virtual_machine_id")
        .annotate(total=Sum("size"))
        .values_list("virtual_machine_id", "total")
        .order_by()
    )
    writes = [
        ObjectWrite(model=VirtualMachine, data={"disk": totals.get(machine.pk)}, instance=machine)
        for machine in machines
        if totals.get(machine.pk) != machine.disk
    ]
    if writes:
        objects_update(writes)


def _machines(disks: Sequence[models.Model]) -> set[int]:
    return {disk.virtual_machine_id for disk in instances_of(VirtualDisk, disks)}


def virtual_disks_create(writes: Sequence[ObjectWrite]) -> list[VirtualDisk]:
    disks = instances_of(VirtualDisk, objects_create(writes))
    _roll_up(_machines(disks))
    return disks


def virtual_disks_update(writes: Sequence[ObjectWrite]) -> list[VirtualDisk]:
    disks = instances_of(VirtualDisk, objects_update(writes))
    _roll_up(_machines(disks))
    return disks


def virtual_disks_delete(instances: Sequence[models.Model], *, message: str = "") -> None:
    machines = _machines(instances)
    objects_delete(instances, message=message)
    _roll_up(machines)
