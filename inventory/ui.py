"""Inventory's models in the UI: under NetBox's Organization menu, by heading, in its order."""

from core.registry import Menu, Ui, registry
from inventory.models import (
    Contact,
    ContactAssignment,
    ContactGroup,
    ContactRole,
    Location,
    Region,
    Site,
    SiteGroup,
    Tenant,
    TenantGroup,
)

SITES = Menu("Organization", "Sites")
TENANCY = Menu("Organization", "Tenancy")
CONTACTS = Menu("Organization", "Contacts")

for model in (Site, Region, SiteGroup, Location):
    registry.extend(model, ui=Ui(menu=SITES))
for model in (Tenant, TenantGroup):
    registry.extend(model, ui=Ui(menu=TENANCY))
for model in (Contact, ContactGroup, ContactRole, ContactAssignment):
    registry.extend(model, ui=Ui(menu=CONTACTS))
