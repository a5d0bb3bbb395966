"""NetBox's Devices menu: device roles and platforms, the device type catalogue, inventory item roles."""

from core.registry import Export, Importer, Menu, Ui, registry
from inventory.library import components_of, export_yaml
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
from inventory.ui.library import import_types
from inventory.ui.tabs import contact_tabs, template_tabs

DEVICES = Menu("Devices", "Devices")
DEVICE_TYPES = Menu("Devices", "Device Types")
DEVICE_COMPONENTS = Menu("Devices", "Device Components")
# NetBox's "Export > YAML" of device and module types: the device-type library's documents.
LIBRARY_YAML = Export("library", "YAML (device-type library)", export_yaml)


def _library_import(model) -> Importer:
    """Imports of types with their component templates in lists, as the device-type library writes them."""
    return Importer(import_types, keys=tuple(component.key for component in components_of(model)))


registry.extend(DeviceRole, ui=Ui(menu=DEVICES))
registry.extend(Platform, ui=Ui(menu=DEVICES))
registry.extend(
    DeviceType,
    ui=Ui(
        menu=DEVICE_TYPES,
        sections=(
            ("Device type", ("manufacturer", "model", "slug", "default_platform", "description")),
            (
                "Chassis",
                (
                    "u_height",
                    "exclude_from_utilization",
                    "is_full_depth",
                    "part_number",
                    "subdevice_role",
                    "airflow",
                    "cooling_method",
                    "end_of_life",
                ),
            ),
            ("Weight", ("weight", "weight_unit")),
        ),
        table_columns=("model", "manufacturer", "part_number", "u_height", "is_full_depth", "device_count"),
        tabs=template_tabs("device_type"),
        importer=_library_import(DeviceType),
        exports=(LIBRARY_YAML,),
    ),
)
registry.extend(
    ModuleType,
    ui=Ui(
        menu=DEVICE_TYPES,
        table_columns=("model", "manufacturer", "part_number", "profile"),
        tabs=template_tabs("module_type"),
        importer=_library_import(ModuleType),
        exports=(LIBRARY_YAML,),
    ),
)
registry.extend(ModuleTypeProfile, ui=Ui(menu=DEVICE_TYPES))
registry.extend(ModuleBayType, ui=Ui(menu=DEVICE_TYPES))
registry.extend(Manufacturer, ui=Ui(menu=DEVICE_TYPES, tabs=contact_tabs(Manufacturer)))
registry.extend(InventoryItemRole, ui=Ui(menu=DEVICE_COMPONENTS))
