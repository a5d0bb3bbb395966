from inventory.models.contacts import Contact, ContactAssignment, ContactGroup, ContactGroupMembership, ContactRole
from inventory.models.devices import (
    DeviceRole,
    DeviceType,
    InventoryItemRole,
    Manufacturer,
    ModuleBayType,
    ModuleType,
    ModuleTypeProfile,
    Platform,
)
from inventory.models.racks import Rack, RackGroup, RackReservation, RackRole, RackType
from inventory.models.sites import Location, Region, Site, SiteGroup
from inventory.models.tenancy import Tenant, TenantGroup

__all__ = [
    "Contact",
    "ContactAssignment",
    "ContactGroup",
    "ContactGroupMembership",
    "ContactRole",
    "DeviceRole",
    "DeviceType",
    "InventoryItemRole",
    "Location",
    "Manufacturer",
    "ModuleBayType",
    "ModuleType",
    "ModuleTypeProfile",
    "Platform",
    "Rack",
    "RackGroup",
    "RackReservation",
    "RackRole",
    "RackType",
    "Region",
    "Site",
    "SiteGroup",
    "Tenant",
    "TenantGroup",
]
