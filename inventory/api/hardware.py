"""NetBox's devices, virtual chassis, virtual device contexts, modules and MAC addresses (dcim/*).

A device's primary and out-of-band IP addresses and a virtual device context's are IPAM's addresses,
shown in their brief form. Its rendered config context comes from automation, which owns config contexts:
the device declares here what it is matched by (`ConfigContexts`), and automation derives the field and
render-config from it.
"""

from typing import Any

from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.core.exceptions import ValidationError
from django.db.models import Prefetch

from core.fields import BOOLEAN_VALUE, BRIEF_OBJECT, Rendered, json_object, list_of, nullable, renders
from core.registry import Api, ConfigContexts, Search, object_type_renderer, registry
from core.representation import render
from core.services import Services
from core.writes import WriteExtra, object_type_converter
from inventory.api.briefs import nested
from inventory.models import (
    Device,
    DeviceBay,
    Interface,
    MACAddress,
    Module,
    VirtualChassis,
    VirtualDeviceContext,
    VMInterface,
)
from inventory.models.interfaces import MAC_HOLDERS
from inventory.services.cables import devices_delete, modules_delete
from inventory.services.chassis import virtual_chassis_create, virtual_chassis_delete
from inventory.services.devices import devices_create, devices_update
from inventory.services.modules import modules_create, modules_update

TRAILER = ("owner", "comments", "tags", "custom_fields", "created", "last_updated")
# The components a device counts, NetBox's order; cooling components come later.
COMPONENT_COUNTS = {
    "console_port_count": "consoleports",
    "console_server_port_count": "consoleserverports",
    "power_port_count": "powerports",
    "power_outlet_count": "poweroutlets",
    "interface_count": "interfaces",
    "front_port_count": "frontports",
    "rear_port_count": "rearports",
    "device_bay_count": "devicebays",
    "module_bay_count": "modulebays",
    "inventory_item_count": "inventoryitems",
}
COOLING_COUNTS = ("cooling_intake_count", "cooling_outflow_count")
# NetBox's NestedDevice: how a device shows inside a virtual chassis or a device bay.
NESTED_DEVICE = ("id", "url", "display_url", "display", "name")
# Slots whose models do not exist yet: null until they do.
UNSET = Rendered(lambda obj, links: None, nullable(BRIEF_OBJECT))


def _address(name: str) -> Rendered:
    """A primary or out-of-band IP address in its brief form, with the NAT partners it shows (loaded once
    for a list)."""

    @renders(nullable(BRIEF_OBJECT), select=(f"{name}__nat_inside",), prefetch=(f"{name}__nat_outside",))
    def address(obj, links):
        value = getattr(obj, name)
        return None if value is None else render(value, links, brief=True)

    return address


@renders(
    nullable(BRIEF_OBJECT),
    select=("primary_ip4__nat_inside", "primary_ip6__nat_inside"),
    prefetch=("primary_ip4__nat_outside", "primary_ip6__nat_outside"),
)
def _primary_ip(obj, links):
    """NetBox's `primary_ip`: the IPv4 primary address if any (its PREFER_IPV4 default), else the IPv6 one."""
    value = obj.primary_ip
    return None if value is None else render(value, links, brief=True)


PRIMARY_IPS: dict[str, Any] = {
    "primary_ip": _primary_ip,
    "primary_ip4": _address("primary_ip4"),
    "primary_ip6": _address("primary_ip6"),
}


@renders(nullable(BRIEF_OBJECT), select=("parent_bay__device",))
def _parent_device(device, links):
    """The device whose bay holds this one, with the bay (NetBox's `parent_device`)."""
    try:
        bay = device.parent_bay
    except DeviceBay.DoesNotExist:
        return None
    shown = render(bay.device, links, only=set(NESTED_DEVICE))
    shown["device_bay"] = {
        **render(bay, links, only={"id", "url", "display_url", "display", "name"}),
        "device": render(bay.device, links, only=set(NESTED_DEVICE)),
    }
    return shown


def _members_prefetch():
    return Prefetch("members", queryset=Device._base_manager.select_related("virtual_chassis").order_by("vc_position"))


@renders(list_of(BRIEF_OBJECT), prefetch=(_members_prefetch(),))
def _members(chassis, links):
    return [render(member, links, only=set(NESTED_DEVICE)) for member in chassis.members.all()]


def _flag(value, actor) -> bool:
    if not isinstance(value, bool):
        raise ValidationError("Must be a valid boolean.")
    return value


registry.register(
    Device,
    images=True,
    api=Api(
        "dcim/devices",
        brief_fields=("id", "url", "display", "name", "description"),
        fields=(
            "id", "url", "display_url", "display", "name", "device_type", "role", "tenant", "platform", "serial",
            "asset_tag", "site", "location", "rack", "position", "face", "latitude", "longitude", "parent_device",
            "status", "airflow", "cooling_method", "primary_ip", "primary_ip4", "primary_ip6", "oob_ip", "cluster",
            "virtual_chassis", "vc_position", "vc_priority", "description", "owner", "comments", "config_template",
            "config_context", "local_context_data", "tags", "custom_fields", "created", "last_updated",
            "console_port_count", "console_server_port_count", "power_port_count", "power_outlet_count",
            *COOLING_COUNTS, "interface_count", "front_port_count", "rear_port_count", "device_bay_count",
            "module_bay_count", "inventory_item_count",
        ),
        renderers={
            "parent_device": _parent_device,
            **PRIMARY_IPS,
            "oob_ip": _address("oob_ip"),
            "config_context": Rendered(lambda device, links: {}, json_object()),
        },
        counts=COMPONENT_COUNTS,
        zero_counts=COOLING_COUNTS,
        display_uses=("device_type__manufacturer", "virtual_chassis"),
    ),
    search=Search(fields=("name", "asset_tag", "serial", "description", "comments")),
    services=Services(create=devices_create, update=devices_update, delete=devices_delete),
)  # fmt: skip


def tree_node(node) -> tuple[int, int] | None:
    """A tree node as config contexts match it (core.registry.ConfigContexts)."""
    return None if node is None else (node.tree_id, node.lft)


def cluster_keys(cluster) -> dict[str, Any]:
    """What config contexts match a device or virtual machine by for its cluster: the cluster, its type and
    its group (none without a cluster)."""
    return {
        "clusters": cluster.pk if cluster is not None else None,
        "cluster_types": cluster.type_id if cluster is not None else None,
        "cluster_groups": cluster.group_id if cluster is not None else None,
    }


def _context_keys(device: Device) -> dict[str, Any]:
    """What config contexts match a device by (NetBox's ConfigContextQuerySet.get_for_object)."""
    site, tenant = device.site, device.tenant
    return {
        **cluster_keys(device.cluster),
        "regions": tree_node(site.region),
        "site_groups": tree_node(site.group),
        "sites": device.site_id,
        "locations": tree_node(device.location),
        "device_types": device.device_type_id,
        "roles": tree_node(device.role),
        "platforms": tree_node(device.platform),
        "tenant_groups": tree_node(tenant.group if tenant is not None else None),
        "tenants": device.tenant_id,
    }


def preferred_config_template(machine):
    """NetBox's resolution for a device or a virtual machine: its own template, else its role's, else its
    platform's."""
    for holder in (machine, machine.role, machine.platform):
        if holder is not None and holder.config_template_id is not None:
            return holder.config_template
    return None


registry.extend(
    Device,
    config_contexts=ConfigContexts(
        keys=_context_keys,
        select=("site__region", "site__group", "location", "role", "platform", "tenant__group", "cluster"),
        config_template=preferred_config_template,
    ),
)
registry.register(
    VirtualChassis,
    api=Api(
        "dcim/virtual-chassis",
        brief_fields=("id", "url", "display", "name", "master", "description", "member_count"),
        fields=(
            "id", "url", "display_url", "display", "name", "domain", "master", "description", *TRAILER,
            "member_count", "members",
        ),
        renderers={"master": nested("master", NESTED_DEVICE), "members": _members},
        counts={"member_count": "members"},
    ),
    search=Search(fields=("name", "domain", "description", "comments")),
    services=Services(create=virtual_chassis_create, delete=virtual_chassis_delete),
)  # fmt: skip
registry.register(
    VirtualDeviceContext,
    api=Api(
        "dcim/virtual-device-contexts",
        brief_fields=("id", "url", "display", "name", "device", "identifier", "description"),
        fields=(
            "id", "url", "display_url", "display", "name", "device", "identifier", "tenant", "primary_ip",
            "primary_ip4", "primary_ip6", "status", "description", *TRAILER, "interface_count",
        ),
        renderers=PRIMARY_IPS,
        counts={"interface_count": "interfaces"},
    ),
    search=Search(fields=("name", "identifier", "description", "comments")),
)  # fmt: skip
registry.register(
    Module,
    api=Api(
        "dcim/modules",
        brief_fields=("id", "url", "display", "device", "module_bay", "module_type", "description"),
        fields=(
            "id", "url", "display_url", "display", "device", "module_bay", "module_type", "status", "serial",
            "asset_tag", "description", *TRAILER, "is_bay_compatible",
        ),
        renderers={
            "module_bay": nested("module_bay", ("id", "url", "display_url", "display", "name")),
            "is_bay_compatible": Rendered(
                lambda module, links: module.is_bay_compatible,
                BOOLEAN_VALUE,
                prefetch=("module_bay__module_bay_types", "module_type__module_bay_types"),
            ),
        },
        write_extras={
            "replicate_components": WriteExtra(
                _flag, BOOLEAN_VALUE, "Automatically populate components associated with this module type"
            ),
            "adopt_components": WriteExtra(_flag, BOOLEAN_VALUE, "Adopt already existing components"),
        },
    ),
    services=Services(create=modules_create, update=modules_update, delete=modules_delete),
    search=Search(fields=("serial", "asset_tag", "description", "comments")),
)  # fmt: skip


def _assigned_prefetch():
    return GenericPrefetch(
        "assigned_object",
        [
            Interface._base_manager.select_related("device"),
            VMInterface._base_manager.select_related("virtual_machine"),
        ],
    )


@renders(nullable(BRIEF_OBJECT), prefetch=(_assigned_prefetch(),))
def _assigned_object(mac, links):
    target = mac.assigned_object
    return None if target is None else render(target, links, brief=True)


registry.register(
    MACAddress,
    api=Api(
        "dcim/mac-addresses",
        brief_fields=("id", "url", "display", "mac_address", "description"),
        fields=(
            "id", "url", "display_url", "display", "mac_address", "assigned_object_type", "assigned_object_id",
            "assigned_object", "is_primary", "description", "owner", "comments", "tags", "custom_fields", "created",
            "last_updated",
        ),
        renderers={
            "assigned_object_type": object_type_renderer("assigned_object_type", null=True),
            "assigned_object": _assigned_object,
            "is_primary": Rendered(lambda mac, links: mac.is_primary, BOOLEAN_VALUE, prefetch=(_assigned_prefetch(),)),
        },
        write_converters={
            "assigned_object_type": object_type_converter(lambda model: model._meta.label_lower in MAC_HOLDERS)
        },
    ),
    search=Search(fields=("mac_address", "description", "comments")),
)  # fmt: skip
