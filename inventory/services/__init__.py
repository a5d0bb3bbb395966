"""Inventory's own writes, around the generic ones (core.services), one module per concern:

- `types`: what rack types and module types give (a rack takes its type's physical attributes; a
  module type's attributes are merged).
- `devices`, `modules`, `chassis`: devices built from their types, modules installed in bays,
  virtual chassis with their master.
- `instantiation`: a device type's (or module type's) templates made into components, in bulk.
- `interfaces`, `ports`: the components' own rules (LAG members, bridges, port mappings).

The registrations import the services from their modules; the type services are also importable from
the package, as they were before it had modules.
"""

from inventory.services.types import module_types_update, rack_types_update, racks_create, racks_update

__all__ = ["module_types_update", "rack_types_update", "racks_create", "racks_update"]
