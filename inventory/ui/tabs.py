"""Tabs inventory's objects share: NetBox's Contacts tab on every object that takes contacts, and the
component template tabs of device and module types."""

from django.contrib.contenttypes.models import ContentType

from frontend.tabs import related_objects_tab
from inventory.models import (
    ConsolePortTemplate,
    ConsoleServerPortTemplate,
    ContactAssignment,
    DeviceBayTemplate,
    FrontPortTemplate,
    InterfaceTemplate,
    InventoryItemTemplate,
    ModuleBayTemplate,
    PowerOutletTemplate,
    PowerPortTemplate,
    RearPortTemplate,
    VirtualMachine,
)
from inventory.models.contacts import takes_contacts

# The object's contact assignments, with an Add that fills in the object.
CONTACTS_TAB = related_objects_tab(
    ContactAssignment,
    "contacts",
    "Contacts",
    lambda spec, instance: {"object_type": ContentType.objects.get_for_model(spec.model), "object_id": instance.pk},
)


# A site's virtual machines (NetBox lists them among the site's related objects).
SITE_VMS_TAB = related_objects_tab(
    VirtualMachine, "virtual-machines", "Virtual Machines", lambda spec, instance: {"site": instance.pk}
)


def contact_tabs(model) -> tuple:
    return (CONTACTS_TAB,) if takes_contacts(model) else ()


# NetBox's tabs of a device or module type's templates, in its order: (template, tab, label, the
# count the type's representation carries). Module types have no device bays or inventory items.
TEMPLATE_TABS = (
    (ConsolePortTemplate, "console-ports", "Console Ports", "console_port_template_count"),
    (ConsoleServerPortTemplate, "console-server-ports", "Console Server Ports", "console_server_port_template_count"),
    (PowerPortTemplate, "power-ports", "Power Ports", "power_port_template_count"),
    (PowerOutletTemplate, "power-outlets", "Power Outlets", "power_outlet_template_count"),
    (InterfaceTemplate, "interfaces", "Interfaces", "interface_template_count"),
    (FrontPortTemplate, "front-ports", "Front Ports", "front_port_template_count"),
    (RearPortTemplate, "rear-ports", "Rear Ports", "rear_port_template_count"),
    (ModuleBayTemplate, "module-bays", "Module Bays", "module_bay_template_count"),
    (DeviceBayTemplate, "device-bays", "Device Bays", "device_bay_template_count"),
    (InventoryItemTemplate, "inventory-items", "Inventory Items", "inventory_item_template_count"),
)
OWNERS = ("device_type", "module_type")


def _template_tab(model, name: str, label: str, count: str, owner: str):
    """The type's templates of one kind, badged with the count the type's page loads with it (NetBox's
    counter), out of the row while there are none."""
    return related_objects_tab(
        model,
        name,
        label,
        lambda spec, instance: {owner: instance.pk},
        count=lambda instance: getattr(instance, count),
        hide_if_empty=True,
        hidden_columns=OWNERS,
    )


def template_tabs(owner: str) -> tuple:
    """The template tabs of a device type (`owner` "device_type") or a module type ("module_type")."""
    return tuple(
        _template_tab(model, name, label, count, owner)
        for model, name, label, count in TEMPLATE_TABS
        if any(field.name == owner for field in model._meta.concrete_fields)
    )
