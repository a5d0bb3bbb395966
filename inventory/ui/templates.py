"""Component templates in the UI. NetBox shows them on their device type's page; here they also have
their own lists, under the Devices menu."""

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

for model in (
    InterfaceTemplate, FrontPortTemplate, RearPortTemplate, ConsolePortTemplate, ConsoleServerPortTemplate,
    PowerPortTemplate, PowerOutletTemplate, ModuleBayTemplate, DeviceBayTemplate, InventoryItemTemplate,
):  # fmt: skip
    registry.extend(model, ui=Ui(menu=COMPONENT_TEMPLATES))
