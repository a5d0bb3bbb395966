"""Inventory's models in the UI: where each sits in NetBox's menus (in the heading's order), its list
columns, its tabs. `core.registry.register_layers("inventory")` imports this package."""

import importlib

AREAS = (
    "organization",
    "racks",
    "hardware",
    "devices",
    "components",
    "cabling",
    "power",
    "trace",
    "templates",
    "virtualization",
    "wireless",
)

for _area in AREAS:
    importlib.import_module(f"{__name__}.{_area}")
