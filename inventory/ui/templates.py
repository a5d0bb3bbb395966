"""Component templates in the UI. NetBox shows them on their device type's page (the tabs are in
inventory.ui.tabs); here they also have their own lists, under the Devices menu, with NetBox's columns."""

from core.registry import Menu, Ui, registry
from inventory.models import (
    ConsolePortTemplate,
    ConsoleServerPortTemplate,
    DeviceBayTemplate,
    FrontPortTemplate,
    InterfaceTemplate,
    InventoryItemTemplate,
    ModuleBayTemplate,
    PowerOutletTemplate,
    PowerPortTemplate,
    RearPortTemplate,
)

COMPONENT_TEMPLATES = Menu("Devices", "Component Templates")
MODULAR = ("name", "device_type", "module_type", "label")

# In the menu's order: each kind's list columns (NetBox's template tables, with the types they belong to).
COLUMNS = {
    InterfaceTemplate: (*MODULAR, "type", "enabled", "mgmt_only", "poe_mode", "poe_type", "description"),
    FrontPortTemplate: (*MODULAR, "type", "color", "positions", "description"),
    RearPortTemplate: (*MODULAR, "type", "color", "positions", "description"),
    ConsolePortTemplate: (*MODULAR, "type", "description"),
    ConsoleServerPortTemplate: (*MODULAR, "type", "description"),
    PowerPortTemplate: (*MODULAR, "type", "maximum_draw", "allocated_draw", "description"),
    PowerOutletTemplate: (*MODULAR, "type", "power_port", "feed_leg", "description"),
    ModuleBayTemplate: (*MODULAR, "position", "enabled", "module_bay_types", "description"),
    DeviceBayTemplate: ("name", "device_type", "label", "enabled", "description"),
    InventoryItemTemplate: (
        "name", "device_type", "label", "role", "manufacturer", "part_id", "component", "description",
    ),
}  # fmt: skip

for model, columns in COLUMNS.items():
    registry.extend(model, ui=Ui(menu=COMPONENT_TEMPLATES, table_columns=columns))
