"""The circuits' REST representations (NetBox's circuits app): identity, representation, search, by area.

`core.registry.register_layers("circuits")` imports this package, which registers its modules in this
order (the order of the REST and GraphQL schemas)."""

import importlib

AREAS = ("providers", "circuits", "virtual")

for _area in AREAS:
    importlib.import_module(f"{__name__}.{_area}")
