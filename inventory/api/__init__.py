"""Inventory's models (NetBox's dcim and tenancy): identity, REST representation and search, by area.

`core.registry.register_layers("inventory")` imports this package, which registers its modules in
this order (the order of the REST and GraphQL schemas).
"""

import importlib

AREAS = (
    "sites",
    "tenancy",
    "contacts",
    "racks",
    "devices",
    "templates",
    "hardware",
    "components",
    "cabling",
    "power",
    "virtualization",
    "wireless",
)

for _area in AREAS:
    importlib.import_module(f"{__name__}.{_area}")
