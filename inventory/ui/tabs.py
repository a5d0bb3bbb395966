"""Tabs inventory's objects share: NetBox's Contacts tab on every object that takes contacts."""

from django.contrib.contenttypes.models import ContentType

from frontend.tabs import related_objects_tab
from inventory.models import ContactAssignment
from inventory.models.contacts import takes_contacts

# The object's contact assignments, with an Add that fills in the object.
CONTACTS_TAB = related_objects_tab(
    ContactAssignment,
    "contacts",
    "Contacts",
    lambda spec, instance: {"object_type": ContentType.objects.get_for_model(spec.model), "object_id": instance.pk},
)


def contact_tabs(model) -> tuple:
    return (CONTACTS_TAB,) if takes_contacts(model) else ()
