"""Component template filters the generic ones cannot derive: NetBox's `console_ports=true` (and the
like) on device and module types, module bay templates by bay type."""

from django.db.models import Exists, OuterRef, Q

from core.filters import flag_filter, path_filters
from core.registry import registry
from inventory.models import (
    ConsolePortTemplate,
    ConsoleServerPortTemplate,
    DeviceBayTemplate,
    DeviceType,
    FrontPortTemplate,
    InterfaceTemplate,
    InventoryItemTemplate,
    ModuleBayTemplate,
    ModuleBayType,
    ModuleType,
    PowerOutletTemplate,
    PowerPortTemplate,
    RearPortTemplate,
)

# NetBox's "has …" filters on types: the filter, and the templates it looks for.
HAS_TEMPLATES = {
    "console_ports": (ConsolePortTemplate,),
    "console_server_ports": (ConsoleServerPortTemplate,),
    "power_ports": (PowerPortTemplate,),
    "power_outlets": (PowerOutletTemplate,),
    "interfaces": (InterfaceTemplate,),
    "pass_through_ports": (FrontPortTemplate, RearPortTemplate),
    "module_bays": (ModuleBayTemplate,),
    "device_bays": (DeviceBayTemplate,),
    "inventory_items": (InventoryItemTemplate,),
}
MODULE_TYPES_LACK = ("device_bays", "inventory_items")


def _has(owner: str, templates) -> Q:
    """Types with at least one of the templates (a subquery: no row per template)."""
    q = Q()
    for model in templates:
        q |= Q(Exists(model._base_manager.filter(**{owner: OuterRef("pk")})))
    return q


registry.extend(
    DeviceType,
    filters={name: flag_filter(name, _has("device_type", templates)) for name, templates in HAS_TEMPLATES.items()},
)
registry.extend(
    ModuleType,
    filters={
        name: flag_filter(name, _has("module_type", templates))
        for name, templates in HAS_TEMPLATES.items()
        if name not in MODULE_TYPES_LACK
    },
)
registry.extend(
    ModuleBayTemplate,
    filters={
        # A template in several matching bay types is listed once (the derived plural names would join).
        **path_filters("module_bay_type", "module_bay_types", ModuleBayType, many=True),
        **path_filters("module_bay_types", "module_bay_types", ModuleBayType, many=True),
    },
)
