"""Inventory's models in the UI: under NetBox's Organization menu, by heading, in its order; the
Contacts tab of the objects that take contacts."""

from django.contrib.contenttypes.models import ContentType

from core.registry import Menu, Ui, registry
from frontend.tabs import related_objects_tab
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
from inventory.models.contacts import takes_contacts

SITES = Menu("Organization", "Sites")
TENANCY = Menu("Organization", "Tenancy")
CONTACTS = Menu("Organization", "Contacts")

# NetBox's Contacts tab: the object's contact assignments, with an Add that fills in the object.
CONTACTS_TAB = related_objects_tab(
    ContactAssignment,
    "contacts",
    "Contacts",
    lambda spec, instance: {"object_type": ContentType.objects.get_for_model(spec.model), "object_id": instance.pk},
)


def _tabs(model) -> tuple:
    return (CONTACTS_TAB,) if takes_contacts(model) else ()


for model in (Site, Region, SiteGroup, Location):
    registry.extend(model, ui=Ui(menu=SITES, tabs=_tabs(model)))
for model in (Tenant, TenantGroup):
    registry.extend(model, ui=Ui(menu=TENANCY, tabs=_tabs(model)))
for model in (Contact, ContactGroup, ContactRole, ContactAssignment):
    registry.extend(model, ui=Ui(menu=CONTACTS))
