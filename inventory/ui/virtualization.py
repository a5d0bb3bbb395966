"""NetBox's Virtualization menu: the Virtual Machines and Clusters headings, in its order; the tabs listing a
cluster's hosts and virtual machines, a virtual machine type's machines, a virtual machine's interfaces and
disks (a site's virtual machines: inventory.ui.tabs)."""

from core.registry import Menu, Ui, registry
from frontend.tabs import related_objects_tab
from inventory.models import (
    Cluster,
    ClusterGroup,
    ClusterType,
    Device,
    VirtualDisk,
    VirtualMachine,
    VirtualMachineType,
    VMInterface,
)
from inventory.ui.tabs import contact_tabs

VIRTUAL_MACHINES = Menu("Virtualization", "Virtual Machines")
CLUSTERS = Menu("Virtualization", "Clusters")


def _pointing(field: str):
    return lambda spec, instance: {field: instance.pk}


def _counted(name: str):
    """A count the object's representation annotates (the page loads the object with it)."""
    return lambda instance: getattr(instance, name)


registry.extend(
    VirtualMachine,
    ui=Ui(
        menu=VIRTUAL_MACHINES,
        sections=(
            (
                "Virtual machine",
                ("name", "role", "status", "virtual_machine_type", "start_on_boot", "description", "serial"),
            ),
            ("Site/cluster", ("site", "cluster", "device")),
            ("Tenancy", ("tenant",)),
            ("Management", ("platform", "primary_ip4", "primary_ip6", "config_template")),
            ("Resources", ("vcpus", "memory", "disk")),
            ("Config context", ("local_context_data",)),
        ),
        table_columns=("name", "status", "site", "cluster", "role", "tenant", "vcpus", "memory", "disk"),
        tabs=(
            related_objects_tab(
                VMInterface,
                "interfaces",
                "Interfaces",
                _pointing("virtual_machine"),
                count=_counted("interface_count"),
            ),
            related_objects_tab(
                VirtualDisk,
                "virtual-disks",
                "Virtual Disks",
                _pointing("virtual_machine"),
                count=_counted("virtual_disk_count"),
            ),
            *contact_tabs(VirtualMachine),
        ),
    ),
)
registry.extend(
    VMInterface,
    ui=Ui(
        menu=VIRTUAL_MACHINES,
        table_columns=("name", "virtual_machine", "enabled", "mtu", "mode", "description"),
        sections=(
            ("Interface", ("virtual_machine", "name", "description")),
            ("Addressing", ("vrf", "primary_mac_address")),
            ("Operation", ("mtu", "enabled")),
            ("Related interfaces", ("parent", "bridge")),
            ("802.1Q switching", ("mode", "untagged_vlan", "tagged_vlans", "qinq_svlan", "vlan_translation_policy")),
        ),
    ),
)
registry.extend(
    VirtualDisk, ui=Ui(menu=VIRTUAL_MACHINES, table_columns=("name", "virtual_machine", "size", "description"))
)
registry.extend(
    VirtualMachineType,
    ui=Ui(
        menu=VIRTUAL_MACHINES,
        table_columns=("name", "default_platform", "default_vcpus", "default_memory", "virtual_machine_count"),
        tabs=(
            related_objects_tab(
                VirtualMachine,
                "virtual-machines",
                "Virtual Machines",
                _pointing("virtual_machine_type"),
                count=_counted("virtual_machine_count"),
            ),
        ),
    ),
)
registry.extend(
    Cluster,
    ui=Ui(
        menu=CLUSTERS,
        sections=(
            ("Cluster", ("name", "type", "group", "status", "description")),
            ("Scope", ("scope_type", "scope_id")),
            ("Tenancy", ("tenant",)),
        ),
        table_columns=("name", "type", "group", "status", "tenant", "scope", "device_count", "virtualmachine_count"),
        tabs=(
            related_objects_tab(
                VirtualMachine,
                "virtual-machines",
                "Virtual Machines",
                _pointing("cluster"),
                count=_counted("virtualmachine_count"),
            ),
            related_objects_tab(
                Device,
                "devices",
                "Devices",
                _pointing("cluster"),
                count=_counted("device_count"),
            ),
            *contact_tabs(Cluster),
        ),
    ),
)
registry.extend(ClusterType, ui=Ui(menu=CLUSTERS))
registry.extend(ClusterGroup, ui=Ui(menu=CLUSTERS, tabs=contact_tabs(ClusterGroup)))
