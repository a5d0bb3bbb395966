"""Circuits in the UI: NetBox's Circuits menu and the circuit's page with its two ends (`menus`).
`core.registry.register_layers("circuits")` imports this package."""

import importlib

AREAS = ("menus",)

for _area in AREAS:
    importlib.import_module(f"{__name__}.{_area}")
