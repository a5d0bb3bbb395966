"""Virtualization filters the generic ones cannot derive: clusters by the places their scope lies in (NetBox's
cached region, site group, site and location); virtual machines, their interfaces and disks by cluster (its
group and type), by host device and by where they stand; VM interfaces by MAC address and VLAN."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q

from core.filters import Filter, flag_filter, number_filter, path_filters
from core.registry import registry
from inventory.models import (
    Cluster,
    ClusterGroup,
    ClusterType,
    Device,
    Location,
    MACAddress,
    Region,
    Site,
    SiteGroup,
    VirtualDisk,
    VirtualMachine,
    VMInterface,
)


def _of_cluster(prefix: str) -> dict[str, Filter]:
    """NetBox's filters on a cluster reached through `prefix` ("cluster__", "virtual_machine__cluster__")."""
    return {
        **path_filters("cluster", f"{prefix}cluster", Cluster, attribute="name"),
        **path_filters("cluster_group", f"{prefix}cluster__group", ClusterGroup),
        **path_filters("cluster_type", f"{prefix}cluster__type", ClusterType),
    }


def _of_machine() -> dict[str, Filter]:
    """What a VM interface or disk is filtered by: its virtual machine (by name) and the machine's cluster."""
    return {
        **path_filters("virtual_machine", "virtual_machine", VirtualMachine, attribute="name"),
        **_of_cluster("virtual_machine__"),
    }


def _vm_macs(queryset, values):
    """NetBox's `mac_address=` on VM interfaces: those holding one of the MAC addresses."""
    wanted = [value.upper().replace("-", ":") for value in values]
    macs = MACAddress._base_manager.filter(
        assigned_object_type=ContentType.objects.get_for_model(VMInterface), mac_address__in=wanted
    )
    return queryset.filter(pk__in=macs.values("assigned_object_id"))


def _machine_macs(queryset, values):
    """NetBox's `mac_address=` on virtual machines: those with an interface holding one of the MAC addresses."""
    holders = _vm_macs(VMInterface._base_manager.all(), values).values("virtual_machine_id")
    return queryset.filter(pk__in=holders)


def _carrying(path: str):
    """VM interfaces carrying a VLAN (untagged, tagged or as their Q-in-Q service VLAN), each listed once."""

    def condition(values: list[int]) -> Q:
        lookup = f"{path}__in"
        carrying = VMInterface._base_manager.filter(
            Q(**{f"untagged_vlan__{lookup}": values})
            | Q(**{f"tagged_vlans__{lookup}": values})
            | Q(**{f"qinq_svlan__{lookup}": values})
        )
        return Q(pk__in=carrying.values("pk"))

    return condition


registry.extend(
    Cluster,
    filters={
        **path_filters("region", "_region", Region),
        **path_filters("site_group", "_site_group", SiteGroup),
        **path_filters("site", "_site", Site),
        **path_filters("location", "_location", Location),
        **path_filters("type", "type", ClusterType),
        **path_filters("group", "group", ClusterGroup),
    },
)
registry.extend(
    VirtualMachine,
    filters={
        **_of_cluster(""),
        **path_filters("region", "site__region", Region),
        **path_filters("site_group", "site__group", SiteGroup),
        **path_filters("device", "device", Device, attribute="name"),
        "mac_address": Filter(_machine_macs),
        "has_primary_ip": flag_filter("has_primary_ip", Q(primary_ip4__isnull=False) | Q(primary_ip6__isnull=False)),
        "has_virtual_disks": flag_filter(
            "has_virtual_disks", Q(Exists(VirtualDisk._base_manager.filter(virtual_machine=OuterRef("pk"))))
        ),
    },
)
registry.extend(
    VMInterface,
    filters={
        **_of_machine(),
        "mac_address": Filter(_vm_macs),
        "vlan_id": number_filter("vlan_id", _carrying("pk")),
        "vlan": number_filter("vlan", _carrying("vid")),
    },
)
registry.extend(VirtualDisk, filters=_of_machine())
registry.extend(
    MACAddress,
    filters={
        **path_filters("vminterface", "vminterface", VMInterface, attribute="name"),
        **path_filters("virtual_machine", "vminterface__virtual_machine", VirtualMachine, attribute="name"),
    },
)
registry.extend(Device, filters=path_filters("cluster_group", "cluster__group", ClusterGroup))
