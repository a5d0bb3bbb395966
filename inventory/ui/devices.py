"""NetBox's Devices menu: device roles and platforms, the device type catalogue, inventory item roles."""

from core.registry import Menu, Ui, registry
from inventory.models import (
    DeviceRole,
    DeviceType,
    InventoryItemRole,
    Manufacturer,
    ModuleBayType,
    ModuleType,
    ModuleTypeProfile,
    Platform,
)
from inventory.ui.tabs import contact_tabs, template_tabs

DEVICES = Menu("Devices", "Devices")
DEVICE_TYPES = Menu("Devices", "Device Types")
DEVICE_COMPONENTS = Menu("Devices", "Device Components")

registry.extend(DeviceRole, ui=Ui(menu=DEVICES))
registry.extend(Platform, ui=Ui(menu=DEVICES))
registry.extend(
    DeviceType,
    ui=Ui(
        menu=DEVICE_TYPES,
        table_columns=("model", "manufacturer", "part_number", "u_height", "is_full_depth", "device_count"),
        tabs=template_tabs("device_type"),
    ),
)
registry.extend(
    ModuleType,
    ui=Ui(
        menu=DEVICE_TYPES,
        table_columns=("model", "manufacturer", "part_number", "profile"),
        tabs=template_tabs("module_type"),
    ),
)
registry.extend(ModuleTypeProfile, ui=Ui(menu=DEVICE_TYPES))
registry.extend(ModuleBayType, ui=Ui(menu=DEVICE_TYPES))
registry.extend(Manufacturer, ui=Ui(menu=DEVICE_TYPES, tabs=contact_tabs(Manufacturer)))
registry.extend(InventoryItemRole, ui=Ui(menu=DEVICE_COMPONENTS))
