"""IPAM in the UI: NetBox's IPAM menu (`menus`), and the pages of IP space (`space`): a prefix's child
prefixes and addresses with the free space between them, utilization, "next available" buttons, a VLAN
group's free VLAN IDs. `core.registry.register_layers("addressing")` imports this package."""

import importlib

AREAS = ("menus", "vpn")

for _area in AREAS:
    importlib.import_module(f"{__name__}.{_area}")
