"""NetBox's Organization menu: the Sites, Tenancy and Contacts headings, in its order."""

from django.db import models

from core.fields import multiline_text
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
from inventory.ui.tabs import SITE_VMS_TAB, contact_tabs

SITES = Menu("Organization", "Sites")
TENANCY = Menu("Organization", "Tenancy")
CONTACTS = Menu("Organization", "Contacts")

model: type[models.Model]
# (Site first: the menu lists them in registration order.) Addresses keep their line breaks.
registry.extend(
    Site,
    ui=Ui(
        menu=SITES,
        tabs=(*contact_tabs(Site), SITE_VMS_TAB),
        form_fields={name: multiline_text(Site, name) for name in ("physical_address", "shipping_address")},
    ),
)
for model in (Region, SiteGroup, Location):
    registry.extend(model, ui=Ui(menu=SITES, tabs=contact_tabs(model)))
for model in (Tenant, TenantGroup):
    registry.extend(model, ui=Ui(menu=TENANCY, tabs=contact_tabs(model)))
for model in (Contact, ContactGroup, ContactRole, ContactAssignment):
    registry.extend(model, ui=Ui(menu=CONTACTS))
