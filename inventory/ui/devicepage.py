"""A device's page as NetBox lays it out: where it stands, how it is managed, its virtual chassis and power
beside the attributes, and a tab (with its count) per kind of component."""

from dataclasses import replace

from django.utils.html import format_html
from django.utils.safestring import mark_safe

from core.registry import Panel, registry
from frontend.base_views import object_url
from frontend.tabs import related_objects_tab
from inventory.choices import SubdeviceRole
from inventory.models import (
    ConsolePort,
    ConsoleServerPort,
    DeviceBay,
    FrontPort,
    Interface,
    InventoryItem,
    ModuleBay,
    PowerOutlet,
    PowerPort,
    RearPort,
    Site,
)

NONE = mark_safe('<span class="text-body-secondary">&mdash;</span>')
# The component tabs, NetBox's order: (model, tab name, label).
COMPONENT_TABS = (
    (Interface, "interfaces", "Interfaces"),
    (FrontPort, "front-ports", "Front ports"),
    (RearPort, "rear-ports", "Rear ports"),
    (ConsolePort, "console-ports", "Console ports"),
    (ConsoleServerPort, "console-server-ports", "Console server ports"),
    (PowerPort, "power-ports", "Power ports"),
    (PowerOutlet, "power-outlets", "Power outlets"),
    (ModuleBay, "module-bays", "Module bays"),
    (DeviceBay, "device-bays", "Device bays"),
    (InventoryItem, "inventory", "Inventory"),
)


def _link(obj, name=None) -> dict:
    return {"url": object_url(registry.get(type(obj)), "detail", obj.pk), "name": name or str(obj)}


def _of_device(spec, device) -> dict:
    return {"device_id": device.pk}


def component_tabs() -> tuple:
    tabs = []
    for model, name, label in COMPONENT_TABS:
        tab = related_objects_tab(model, name, label, _of_device)
        if model is DeviceBay:  # only parents have bays for child devices
            tab = replace(tab, visible=lambda device: device.device_type.subdevice_role == SubdeviceRole.ROLE_PARENT)
        tabs.append(tab)
    return tuple(tabs)


def _location(request, spec, actor, device) -> dict:
    site = Site.objects.select_related("region").get(pk=device.site_id)
    regions = list(site.region.get_ancestors(include_self=True)) if site.region_id else []
    locations = list(device.location.get_ancestors(include_self=True)) if device.location_id else []
    parent = None
    bay = DeviceBay._base_manager.filter(installed_device=device).select_related("device").first()
    if bay is not None:
        parent = {**_link(bay.device), "bay": bay.name}
    gps = (
        f"{device.latitude}, {device.longitude}" if device.latitude is not None and device.longitude is not None else ""
    )
    return {
        "regions": [_link(region) for region in regions],
        "site": _link(site),
        "locations": [_link(location) for location in locations],
        "rack": _link(device.rack) if device.rack_id else None,
        "position": device.position,
        "face": device.get_face_display(),
        "parent": parent,
        "gps": gps,
    }


def _management(request, spec, actor, device) -> dict:
    def linked(obj):
        return format_html('<a href="{}">{}</a>', _link(obj)["url"], obj) if obj is not None else NONE

    return {
        "rows": [
            ("Status", format_html('<span class="badge text-bg-secondary">{}</span>', device.get_status_display())),
            ("Role", linked(device.role)),
            ("Platform", linked(device.platform)),
            ("Primary IPv4", linked(device.primary_ip4)),
            ("Primary IPv6", linked(device.primary_ip6)),
            ("Out-of-band IP", linked(device.oob_ip)),
            ("Cluster", linked(device.cluster)),
            # Config templates are recorded by automation.
            ("Config template", NONE),
        ]
    }


def _chassis(request, spec, actor, device) -> dict:
    if device.virtual_chassis_id is None:
        return {"chassis": None}
    chassis = device.virtual_chassis
    members = [
        {
            **_link(member),
            "position": member.vc_position,
            "priority": member.vc_priority,
            "master": member.pk == chassis.master_id,
            "current": member.pk == device.pk,
        }
        for member in device.chassis_members().select_related("device_type__manufacturer", "virtual_chassis")
    ]
    return {"chassis": _link(chassis), "members": members}


def _power(request, spec, actor, device) -> dict:
    ports = [
        {**_link(port, port.name), "outlets": port.outlet_count, "allocated": port.allocated_draw,
         "maximum": port.maximum_draw}
        for port in device.power_inputs()
    ]  # fmt: skip
    return {
        "ports": ports,
        "outlets": sum(port["outlets"] for port in ports),
        "allocated": sum(port["allocated"] or 0 for port in ports),
        "maximum": sum(port["maximum"] or 0 for port in ports),
    }


PANELS = (
    Panel("inventory/device/_location_panel.html", context=_location, column="left"),
    Panel("inventory/device/_management_panel.html", context=_management, column="left"),
    Panel("inventory/device/_chassis_panel.html", context=_chassis, column="right"),
    Panel("inventory/device/_power_panel.html", context=_power, column="right"),
)
