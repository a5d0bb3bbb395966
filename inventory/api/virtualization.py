"""NetBox's virtualization (virtualization/*): cluster types and groups, clusters, virtual machine types,
virtual machines, their interfaces and virtual disks.

A cluster's scope is shown as NetBox shows it (`scope_type` "dcim.site", `scope_id`, the scope in its brief
form), with what its virtual machines are allocated (vCPUs, memory, disk) summed for a whole list at once. A
virtual machine's primary addresses are IPAM's, shown in their brief form like a device's; its config
template is its own (render-config falls back on its role's, then its platform's).
"""

import decimal
from typing import Any

from django.db.models import Prefetch

from core.fields import (
    BRIEF_OBJECT,
    INTEGER_VALUE,
    TEXT_VALUE,
    Rendered,
    ValueType,
    json_object,
    nullable,
    renders,
)
from core.registry import Api, ConfigContexts, Search, object_type_renderer, registry
from core.representation import render
from core.services import Services
from core.writes import WriteExtra, object_type_converter
from inventory.api.briefs import NAMED_BRIEF, NAMES, l2vpn_termination, linked_count
from inventory.api.components import _mac_address, _mac_addresses
from inventory.api.hardware import PRIMARY_IPS, cluster_keys, preferred_config_template, tree_node
from inventory.models import (
    Cluster,
    ClusterGroup,
    ClusterType,
    VirtualDisk,
    VirtualMachine,
    VirtualMachineType,
    VMInterface,
)
from inventory.models.virtualization import CLUSTER_SCOPE_TYPES
from inventory.services.interfaces import vm_interfaces_create, vm_interfaces_update
from inventory.services.virtualization import (
    virtual_disks_create,
    virtual_disks_delete,
    virtual_disks_update,
    virtual_machines_create,
    virtual_machines_update,
)

TRAILER = ("owner", "comments", "tags", "custom_fields", "created", "last_updated")
COMPONENT_TRAILER = ("owner", "tags", "custom_fields", "created", "last_updated")
NESTED_VM = ("id", "url", "display_url", "display", "name")
NESTED_VM_INTERFACE = ("id", "url", "display_url", "display", "name")
NUMBER_VALUE = ValueType({"type": "number", "format": "double"}, "Float")

registry.register(
    ClusterType,
    api=Api(
        "virtualization/cluster-types",
        brief_fields=NAMED_BRIEF,
        counts={"cluster_count": "clusters"},
        brief_counts=("cluster_count",),
    ),
    search=NAMES,
)
registry.register(
    ClusterGroup,
    api=Api(
        "virtualization/cluster-groups",
        brief_fields=NAMED_BRIEF,
        counts={"cluster_count": "clusters"},
        brief_counts=("cluster_count",),
    ),
    search=NAMES,
)


# The scope is one of the places a cluster (or wireless LAN) caches: the deepest of them (no query of its own).
CACHED_SCOPES = ("_location", "_site", "_site_group", "_region")


# A scope written as NetBox's label of a region, site group, site or location (clusters, wireless LANs).
SCOPE_TYPE = object_type_converter(
    lambda model: (spec := registry.find(model)) is not None and spec.type_label in CLUSTER_SCOPE_TYPES
)


@renders(nullable(BRIEF_OBJECT), select=CACHED_SCOPES)
def cached_scope(cluster, links):
    if cluster.scope_type_id is None:
        return None
    scope = next((place for place in (getattr(cluster, name) for name in CACHED_SCOPES) if place is not None), None)
    if scope is None:
        return None
    # Its brief form but the counts (a region's site_count): a count would cost a query per cluster.
    spec = registry.get(type(scope))
    return render(scope, links, only=set(spec.api.brief_fields) - set(spec.api.counts))


def _allocated_prefetch():
    return Prefetch(
        "virtual_machines",
        queryset=VirtualMachine._base_manager.only("pk", "cluster_id", "vcpus", "memory", "disk").order_by(),
        to_attr="allocated_machines",
    )


def _allocated(name: str, value_type) -> Rendered:
    """What the cluster's virtual machines are allocated of `name` (NetBox's allocated_vcpus...), summed."""

    def total(cluster, links):
        values = [getattr(machine, name) for machine in cluster.allocated_machines]
        found = [value for value in values if value is not None]
        if not found:
            return None
        summed = sum(found)
        return float(summed) if isinstance(summed, decimal.Decimal) else summed

    return Rendered(total, nullable(value_type), prefetch=(_allocated_prefetch(),))


registry.register(
    Cluster,
    api=Api(
        "virtualization/clusters",
        brief_fields=("id", "url", "display", "name", "description"),
        fields=(
            "id", "url", "display_url", "display", "name", "type", "group", "status", "tenant", "scope_type",
            "scope_id", "scope", "description", *TRAILER, "device_count", "virtualmachine_count", "allocated_vcpus",
            "allocated_memory", "allocated_disk",
        ),
        renderers={
            "scope_type": object_type_renderer("scope_type", null=True),
            "scope": cached_scope,
            "allocated_vcpus": _allocated("vcpus", NUMBER_VALUE),
            "allocated_memory": _allocated("memory", INTEGER_VALUE),
            "allocated_disk": _allocated("disk", INTEGER_VALUE),
        },
        counts={"device_count": "devices", "virtualmachine_count": "virtual_machines"},
        brief_counts=("virtualmachine_count",),
        write_converters={
            "scope_type": SCOPE_TYPE
        },
    ),
    search=Search(fields=("name", "description", "comments")),
)  # fmt: skip
registry.register(
    VirtualMachineType,
    api=Api(
        "virtualization/virtual-machine-types",
        brief_fields=NAMED_BRIEF,
        fields=(
            "id", "url", "display_url", "display", "name", "slug", "default_platform", "default_vcpus",
            "default_memory", "description", "owner", "comments", "tags", "custom_fields", "created", "last_updated",
            "virtual_machine_count",
        ),
        counts={"virtual_machine_count": "virtual_machines"},
    ),
    search=NAMES,
)  # fmt: skip
registry.register(
    VirtualMachine,
    api=Api(
        "virtualization/virtual-machines",
        brief_fields=("id", "url", "display", "name", "description"),
        fields=(
            "id", "url", "display_url", "display", "name", "virtual_machine_type", "role", "status",
            "start_on_boot", "site", "cluster", "device", "platform", "primary_ip", "primary_ip4", "primary_ip6",
            "vcpus", "memory", "disk", "description", "serial", "tenant", "owner", "comments", "tags",
            "local_context_data", "config_template", "custom_fields", "created", "last_updated",
            "interface_count", "virtual_disk_count", "config_context",
        ),
        renderers={
            **PRIMARY_IPS,
            "config_context": Rendered(lambda machine, links: {}, json_object()),
        },
        counts={"interface_count": "interfaces", "virtual_disk_count": "virtualdisks"},
    ),
    search=Search(fields=("name", "serial", "description", "comments")),
    services=Services(create=virtual_machines_create, update=virtual_machines_update),
)  # fmt: skip


def _context_keys(machine: VirtualMachine) -> dict[str, Any]:
    """What config contexts match a virtual machine by: as a device, less what a VM lacks (device type,
    location); its site's region and group when it has a site; its cluster, the cluster's type and group."""
    site, tenant = machine.site, machine.tenant
    return {
        **cluster_keys(machine.cluster),
        "regions": tree_node(site.region if site is not None else None),
        "site_groups": tree_node(site.group if site is not None else None),
        "sites": machine.site_id,
        "roles": tree_node(machine.role),
        "platforms": tree_node(machine.platform),
        "tenant_groups": tree_node(tenant.group if tenant is not None else None),
        "tenants": machine.tenant_id,
    }


registry.extend(
    VirtualMachine,
    config_contexts=ConfigContexts(
        keys=_context_keys,
        select=("site__region", "site__group", "role", "platform", "tenant__group", "cluster"),
        config_template=preferred_config_template,
    ),
)


def _nested_interface(interface, links) -> dict:
    memo = links.__dict__.setdefault("_nested_vm_interfaces", {})
    if interface.pk not in memo:
        shown = render(interface, links, only=set(NESTED_VM_INTERFACE))
        shown["virtual_machine"] = render(interface.virtual_machine, links, only=set(NESTED_VM))
        memo[interface.pk] = shown
    return memo[interface.pk]


def _related_interface(name: str) -> Rendered:
    """A VM interface's parent or bridge, as NetBox's NestedVMInterface."""

    @renders(nullable(BRIEF_OBJECT), select=(f"{name}__virtual_machine",))
    def related(interface, links):
        other = getattr(interface, name)
        return None if other is None else _nested_interface(other, links)

    return related


registry.register(
    VMInterface,
    api=Api(
        "virtualization/interfaces",
        brief_fields=("id", "url", "display", "virtual_machine", "name", "description"),
        fields=(
            "id", "url", "display_url", "display", "virtual_machine", "name", "enabled", "parent", "bridge", "mtu",
            "mac_address", "primary_mac_address", "mac_addresses", "description", "mode", "untagged_vlan",
            "tagged_vlans", "qinq_svlan", "vlan_translation_policy", "vrf", "l2vpn_termination",
            *COMPONENT_TRAILER, "count_ipaddresses", "count_fhrp_groups",
        ),
        renderers={
            "parent": _related_interface("parent"),
            "bridge": _related_interface("bridge"),
            "mac_address": Rendered(
                lambda interface, links: interface.mac_address, nullable(TEXT_VALUE), select=("primary_mac_address",)
            ),
            "mac_addresses": _mac_addresses,
            "count_ipaddresses": linked_count(VMInterface, "ip_addresses"),
            "count_fhrp_groups": linked_count(VMInterface, "fhrp_group_assignments"),
            "l2vpn_termination": l2vpn_termination(VMInterface),
        },
        write_extras={"mac_address": WriteExtra(_mac_address, nullable(TEXT_VALUE), "The primary MAC address")},
    ),
    search=Search(fields=("name", "description")),
    services=Services(create=vm_interfaces_create, update=vm_interfaces_update),
)  # fmt: skip
registry.register(
    VirtualDisk,
    api=Api(
        "virtualization/virtual-disks",
        brief_fields=("id", "url", "display", "virtual_machine", "name", "description", "size"),
        fields=(
            "id", "url", "display_url", "display", "virtual_machine", "name", "description", "size",
            *COMPONENT_TRAILER,
        ),
    ),
    search=Search(fields=("name", "description")),
    services=Services(create=virtual_disks_create, update=virtual_disks_update, delete=virtual_disks_delete),
)  # fmt: skip
