"""Device, module, virtual chassis, VDC and MAC address filters the generic ones cannot derive: where a
device stands (through its site), its type's manufacturer, its parent, what components it has; modules,
chassis and VDCs by their device; MAC addresses by interface."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q

from core.filters import Filter, flag_filter, path_filters
from core.registry import registry
from inventory.models import (
    ConsolePort,
    ConsoleServerPort,
    Device,
    DeviceBay,
    DeviceType,
    FrontPort,
    Interface,
    Location,
    MACAddress,
    Manufacturer,
    Module,
    ModuleBay,
    ModuleType,
    PowerOutlet,
    PowerPort,
    Rack,
    RearPort,
    Region,
    Site,
    SiteGroup,
    Tenant,
    VirtualChassis,
    VirtualDeviceContext,
)

# NetBox's "has …" filters on devices: the filter, and the components it looks for.
HAS_COMPONENTS = {
    "console_ports": (ConsolePort,),
    "console_server_ports": (ConsoleServerPort,),
    "power_ports": (PowerPort,),
    "power_outlets": (PowerOutlet,),
    "interfaces": (Interface,),
    "pass_through_ports": (FrontPort, RearPort),
    "module_bays": (ModuleBay,),
    "device_bays": (DeviceBay,),
}


def _has(models) -> Q:
    """Devices with at least one of the components (a subquery: no row per component)."""
    q = Q()
    for model in models:
        q |= Q(Exists(model._base_manager.filter(device=OuterRef("pk"))))
    return q


def where(prefix: str) -> dict[str, Filter]:
    """NetBox's filters on where a device (reached through `prefix`, "" for a device itself) stands."""
    return {
        **path_filters("region", f"{prefix}site__region", Region),
        **path_filters("site_group", f"{prefix}site__group", SiteGroup),
        **path_filters("site", f"{prefix}site", Site),
        **path_filters("location", f"{prefix}location", Location),
        **path_filters("rack", f"{prefix}rack", Rack, attribute="name"),
    }


def _mac_addresses(queryset, values):
    """NetBox's `mac_address=`: devices with an interface holding one of the MAC addresses."""
    interface = ContentType.objects.get_for_model(Interface)
    wanted = [value.upper().replace("-", ":") for value in values]
    macs = MACAddress._base_manager.filter(assigned_object_type=interface, mac_address__in=wanted)
    holders = Interface._base_manager.filter(pk__in=macs.values("assigned_object_id")).values("device_id")
    return queryset.filter(pk__in=holders)


registry.extend(
    Device,
    filters={
        **{name: flag_filter(name, _has(models)) for name, models in HAS_COMPONENTS.items()},
        **where(""),
        **path_filters("manufacturer", "device_type__manufacturer", Manufacturer),
        **path_filters("model", "device_type", DeviceType),
        **path_filters("parent_device", "parent_bay__device", Device, attribute="name"),
        **path_filters("parent_bay", "parent_bay", DeviceBay),
        "is_full_depth": flag_filter("is_full_depth", Q(device_type__is_full_depth=True)),
        "virtual_chassis_member": flag_filter("virtual_chassis_member", Q(virtual_chassis__isnull=False)),
        "has_virtual_device_context": flag_filter(
            "has_virtual_device_context", Q(Exists(VirtualDeviceContext._base_manager.filter(device=OuterRef("pk"))))
        ),
        "mac_address": Filter(_mac_addresses),
    },
)
registry.extend(
    Module,
    filters={
        **where("device__"),
        **path_filters("device", "device", Device, attribute="name"),
        **path_filters("manufacturer", "module_type__manufacturer", Manufacturer),
        **path_filters("module_type", "module_type", ModuleType, attribute="model"),
    },
)
registry.extend(
    VirtualChassis,
    filters={
        **where("master__"),
        **path_filters("master", "master", Device, attribute="name"),
        **path_filters("tenant", "master__tenant", Tenant),
    },
)
registry.extend(VirtualDeviceContext, filters=path_filters("device", "device", Device, attribute="name"))
registry.extend(
    MACAddress,
    filters={
        **path_filters("interface", "interface", Interface, attribute="name"),
        **path_filters("device", "interface__device", Device, attribute="name"),
    },
)
