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
from inventory.ui.components import port_mappings_field

COMPONENT_TEMPLATES = Menu("Devices", "Component Templates")
MODULAR = ("name", "device_type", "module_type", "label")

# In the menu's order: each kind's list columns (NetBox's template tables, with the types they belong to).
COLUMNS = {
    InterfaceTemplate: (*MODULAR, "type", "enabled", "mgmt_only", "poe_mode", "poe_type", "description"),
    FrontPortTemplate: (*MODULAR, "type", "color", "positions", "rear_ports", "description"),
    RearPortTemplate: (*MODULAR, "type", "color", "positions", "front_ports", "description"),
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

# The port mappings between a type's templates, written as the API takes them (as the ports' own).
FORM_FIELDS: dict[type, dict] = {
    FrontPortTemplate: {
        "rear_ports": port_mappings_field(
            "Rear port templates", '[{"position": 1, "rear_port": 7, "rear_port_position": 1}]'
        )
    },
    RearPortTemplate: {
        "front_ports": port_mappings_field(
            "Front port templates", '[{"position": 1, "front_port": 7, "front_port_position": 1}]'
        )
    },
}

for model, columns in COLUMNS.items():
    registry.extend(
        model, ui=Ui(menu=COMPONENT_TEMPLATES, table_columns=columns, form_fields=FORM_FIELDS.get(model, {}))
    )
