"""NetBox's Organization menu: the Sites, Tenancy and Contacts headings, in its order."""

from django.db import models

from core.fields import multiline_text, searchable_choice
from core.registry import Menu, Panel, Ui, registry
from frontend.tabs import related_objects_panel
from inventory.models import (
    Contact,
    ContactAssignment,
    ContactGroup,
    ContactRole,
    Device,
    Location,
    Rack,
    Region,
    Site,
    SiteGroup,
    Tenant,
    TenantGroup,
)
from inventory.models.sites import time_zones
from inventory.ui.tabs import SITE_VMS_TAB, contact_tabs

SITES = Menu("Organization", "Sites")
TENANCY = Menu("Organization", "Tenancy")
CONTACTS = Menu("Organization", "Contacts")


def _related(model: type[models.Model], pointer: str) -> Panel:
    """A table of the `model` objects whose `pointer` is the object (a site's racks), with an Add button."""
    return related_objects_panel(model, lambda spec, instance: {pointer: instance.pk})


model: type[models.Model]
# (Site first: the menu lists them in registration order.) Addresses keep their line breaks.
registry.extend(
    Site,
    ui=Ui(
        menu=SITES,
        tabs=(*contact_tabs(Site), SITE_VMS_TAB),
        breadcrumbs=("region", "group"),
        form_fields={
            **{name: multiline_text(Site, name) for name in ("physical_address", "shipping_address")},
            "time_zone": searchable_choice(Site, "time_zone", lambda: sorted(time_zones())),
        },
        panels=(_related(Location, "site"), _related(Rack, "site"), _related(Device, "site")),
        sections=(
            ("Site", ("name", "slug", "status", "region", "group", "facility", "time_zone", "description")),
            ("Tenancy", ("tenant",)),
            ("Contact info", ("physical_address", "shipping_address", "latitude", "longitude")),
        ),
    ),
)
for model in (Region, SiteGroup):
    registry.extend(model, ui=Ui(menu=SITES, tabs=contact_tabs(model)))
registry.extend(
    Location,
    ui=Ui(
        menu=SITES,
        tabs=contact_tabs(Location),
        breadcrumbs=("site",),
        panels=(_related(Rack, "location"), _related(Device, "location")),
    ),
)
registry.extend(Tenant, ui=Ui(menu=TENANCY, tabs=contact_tabs(Tenant), breadcrumbs=("group",)))
registry.extend(TenantGroup, ui=Ui(menu=TENANCY, tabs=contact_tabs(TenantGroup)))
for model in (Contact, ContactGroup, ContactRole, ContactAssignment):
    registry.extend(model, ui=Ui(menu=CONTACTS))
