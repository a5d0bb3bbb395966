from inventory.models.contacts import Contact, ContactAssignment, ContactGroup, ContactGroupMembership, ContactRole
from inventory.models.sites import Location, Region, Site, SiteGroup
from inventory.models.tenancy import Tenant, TenantGroup

__all__ = [
    "Contact",
    "ContactAssignment",
    "ContactGroup",
    "ContactGroupMembership",
    "ContactRole",
    "Location",
    "Region",
    "Site",
    "SiteGroup",
    "Tenant",
    "TenantGroup",
]
