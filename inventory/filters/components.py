"""Component filters the generic ones cannot derive (NetBox's DeviceComponentFilterSet): where the device
stands, the device by name, its type, role, chassis, status and tenant; whether a port is occupied;
interfaces by kind, VDC and MAC address; bays by what they hold; module bays by bay type and parent."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from core.filters import Filter, FilterError, flag_filter, number_filter, path_filters
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


def _carrying(path: str):
    """Interfaces carrying a VLAN (untagged, tagged or as their Q-in-Q service VLAN) by its `path` (`pk`,
    `vid`), each listed once."""

    def condition(values: list[int]) -> Q:
        lookup = f"{path}__in"
        carrying = Interface._base_manager.filter(
            Q(**{f"untagged_vlan__{lookup}": values})
            | Q(**{f"tagged_vlans__{lookup}": values})
            | Q(**{f"qinq_svlan__{lookup}": values})
        )
        return Q(pk__in=carrying.values("pk"))

    return condition


def _chassis_interfaces(key: str, *, masters_only: bool):
    """NetBox's `virtual_chassis_member[_or_master][_id]=`: the interfaces of the devices named by `key`
    and, when such a device is in a virtual chassis (as its master, with `masters_only`), the interfaces
    of every member of that chassis that are not for management only. Ansible's netbox modules find a
    device's interface this way."""

    def condition(values: list) -> Q:
        devices = Device._base_manager.filter(**{f"{key}__in": values})
        chassis = devices.filter(virtual_chassis__isnull=False)
        if masters_only:
            chassis = chassis.filter(vc_master_for__isnull=False)
        return Q(device__in=devices.values("pk")) | Q(
            mgmt_only=False, device__virtual_chassis__in=chassis.values("virtual_chassis")
        )

    return condition


def _by_device_name(condition) -> Filter:
    def apply(queryset, values):
        return queryset.filter(condition(values))

    return Filter(apply)


def _chassis_filters() -> dict[str, Filter]:
    filters = {}
    for suffix, masters_only in (("", False), ("_or_master", True)):
        name = f"virtual_chassis_member{suffix}"
        filters[name] = _by_device_name(_chassis_interfaces("name", masters_only=masters_only))
        filters[f"{name}_id"] = number_filter(f"{name}_id", _chassis_interfaces("pk", masters_only=masters_only))
    return filters


for model in COMPONENTS:
    registry.extend(model, filters=_of_device())
for model in CABLED:
    # A port is occupied with a cable or when marked connected.
    registry.extend(
        model,
        filters={
            "occupied": flag_filter("occupied", Q(mark_connected=True) | Q(cable__isnull=False)),
            "cabled": flag_filter("cabled", Q(cable__isnull=False)),
        },
    )
registry.extend(
    Interface,
    filters={
        "kind": Filter(_kind),
        "mac_address": Filter(_interface_macs),
        "vlan_id": number_filter("vlan_id", _carrying("pk")),
        "vlan": number_filter("vlan", _carrying("vid")),
        **path_filters("vdc", "vdcs", VirtualDeviceContext, attribute="name", many=True),
        **_chassis_filters(),
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
