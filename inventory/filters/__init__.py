"""Inventory's filters the generic ones (core.filters.filters_for) cannot derive, by area.

`core.registry.register_layers("inventory")` imports this package after every model is registered."""

import importlib

AREAS = (
    "contacts",
    "tenancy",
    "racks",
    "devices",
    "templates",
    "hardware",
    "components",
    "power",
    "cabling",
    "virtualization",
    "wireless",
)

for _area in AREAS:
    importlib.import_module(f"{__name__}.{_area}")
