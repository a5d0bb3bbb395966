"""IPAM's models (NetBox's ipam app): identity, REST representation, search and allocation routes, by area.

`core.registry.register_layers("addressing")` imports this package, which registers its modules in this
order (the order of the REST and GraphQL schemas)."""

import importlib

AREAS = ("vrfs", "ip", "vlans", "asns", "fhrp", "services", "vpn")

for _area in AREAS:
    importlib.import_module(f"{__name__}.{_area}")
