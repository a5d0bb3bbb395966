"""Component filters the generic ones cannot derive (NetBox's DeviceComponentFilterSet): where the device
stands, the device by name, its type, role, chassis, status and tenant; whether a port is occupied;
interfaces by kind, VDC and MAC address; bays by what they hold; module bays by bay type and parent."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from core.filters import Filter, FilterError, flag_filter, path_filters
from core.registry import registry
from inventory.component_types import VIRTUAL_INTERFACE_TYPES, WIRELESS_INTERFACE_TYPES
from inventory.filters.hardware import where
from inventory.models import (
    ConsolePort,
    ConsoleServerPort,
    Device,
    DeviceBay,
    DeviceRole,
    DeviceType,
    FrontPort,
    Interface,
    InventoryItem,
    MACAddress,
    Module,
    ModuleBay,
    ModuleBayType,
    PowerOutlet,
    PowerPort,
    RearPort,
    Tenant,
    VirtualChassis,
    VirtualDeviceContext,
)
from inventory.models.hardware import DeviceStatus

CABLED = (ConsolePort, ConsoleServerPort, PowerPort, PowerOutlet, Interface, FrontPort, RearPort)
COMPONENTS = (*CABLED, ModuleBay, DeviceBay, InventoryItem)
# NetBox's `kind=` of interfaces.
KINDS = {
    "virtual": Q(type__in=VIRTUAL_INTERFACE_TYPES),
    "wireless": Q(type__in=WIRELESS_INTERFACE_TYPES),
    "physical": ~Q(type__in=VIRTUAL_INTERFACE_TYPES | WIRELESS_INTERFACE_TYPES),
}


def _device_status(queryset, values):
    valid = {value for value, _label in DeviceStatus.choices}
    for value in values:
        if value not in valid:
            raise FilterError(
                {"device_status": [f"Select a valid choice. {value} is not one of the available choices."]}
            )
    return queryset.filter(device__status__in=values)


def _of_device() -> dict[str, Filter]:
    return {
        **where("device__"),
        **path_filters("device", "device", Device, attribute="name"),
        **path_filters("device_type", "device__device_type", DeviceType, attribute="model"),
        **path_filters("device_role", "device__role", DeviceRole),
        **path_filters("virtual_chassis", "device__virtual_chassis", VirtualChassis, attribute="name"),
        **path_filters("tenant", "device__tenant", Tenant),
        "device_status": Filter(_device_status),
    }


def _kind(queryset, values):
    q = Q()
    for value in values:
        if value not in KINDS:
            raise FilterError({"kind": [f"Select a valid choice. {value} is not one of the available choices."]})
        q |= KINDS[value]
    return queryset.filter(q)


def _interface_macs(queryset, values):
    wanted = [value.upper().replace("-", ":") for value in values]
    macs = MACAddress._base_manager.filter(
        assigned_object_type=ContentType.objects.get_for_model(Interface), mac_address__in=wanted
    )
    return queryset.filter(pk__in=macs.values("assigned_object_id"))


for model in COMPONENTS:
    registry.extend(model, filters=_of_device())
for model in CABLED:
    # Until cables are recorded, a port is occupied when marked connected.
    registry.extend(
        model,
        filters={
            "occupied": flag_filter("occupied", Q(mark_connected=True)),
            "cabled": flag_filter("cabled", Q(pk__in=[])),
        },
    )
registry.extend(
    Interface,
    filters={
        "kind": Filter(_kind),
        "mac_address": Filter(_interface_macs),
        **path_filters("vdc", "vdcs", VirtualDeviceContext, attribute="name", many=True),
    },
)
registry.extend(
    ModuleBay,
    filters={
        **path_filters("parent", "module__module_bay", ModuleBay),
        **path_filters("installed_module", "installed_module", Module),
        **path_filters("module_bay_type", "module_bay_types", ModuleBayType, many=True),
        **path_filters("module_bay_types", "module_bay_types", ModuleBayType, many=True),
    },
)
registry.extend(DeviceBay, filters=path_filters("installed_device", "installed_device", Device, attribute="name"))
