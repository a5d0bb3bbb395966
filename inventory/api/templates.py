"""NetBox's component templates (dcim/*-templates): what a device or module type gives its devices or modules."""

from core.fields import BRIEF_OBJECT, INTEGER_VALUE, Rendered, list_of, nullable, renders
from core.registry import Api, Search, object_type_renderer, registry
from core.representation import render
from core.services import Services
from core.writes import WriteExtra, object_type_converter
from inventory.api.components import (
    MAPPING,
    REVERSE_MAPPING,
    front_ports_rendered,
    mappings_converter,
    rear_ports_rendered,
)
from inventory.models import (
    ConsolePortTemplate,
    ConsoleServerPortTemplate,
    DeviceBayTemplate,
    FrontPortTemplate,
    InterfaceTemplate,
    InventoryItemTemplate,
    ModuleBayTemplate,
    PowerOutletTemplate,
    PowerPortTemplate,
    RearPortTemplate,
)
from inventory.models.templates import INVENTORY_COMPONENT_TEMPLATES
from inventory.services.ports import port_templates_create, port_templates_update

BRIEF = ("id", "url", "display", "name", "description")
OWNERS = ("id", "url", "display", "device_type", "module_type", "name", "label")
TRAILER = ("description", "created", "last_updated")
NAMES = Search(fields=("name", "label", "description"))
# NetBox's templates take no tags and no custom fields (nor, so, a journal).
NO_EXTRAS = {"tags": False, "custom_fields": False}


def _template(model, path: str, *fields: str, brief=BRIEF, services=None, **options) -> None:
    """A modular template's registration: NetBox's order, its own fields before the description unless
    they place it."""
    trailer = [name for name in TRAILER if name not in fields]
    registry.register(
        model,
        api=Api(f"dcim/{path}", brief_fields=brief, fields=(*OWNERS, *fields, *trailer), **options),
        search=NAMES,
        **({"services": services} if services is not None else {}),
        **NO_EXTRAS,
    )


# The templates an inventory item template may stand for, written as NetBox's "dcim.interfacetemplate".
_component_type = object_type_converter(lambda model: model._meta.label_lower in INVENTORY_COMPONENT_TEMPLATES)


@renders(nullable(BRIEF_OBJECT))
def _component(item, links):
    component = item.component_object
    return None if component is None else render(component, links, brief=True)


_template(ConsolePortTemplate, "console-port-templates", "type")
_template(ConsoleServerPortTemplate, "console-server-port-templates", "type")
_template(PowerPortTemplate, "power-port-templates", "type", "maximum_draw", "allocated_draw")
_template(PowerOutletTemplate, "power-outlet-templates", "type", "color", "power_port", "feed_leg")
_template(
    InterfaceTemplate,
    "interface-templates",
    "type", "channels", "channel_id", "enabled", "mgmt_only", "description", "parent", "bridge", "poe_mode",
    "poe_type", "rf_role",
)  # fmt: skip
# The port mappings as the ports show and take them (inventory.api.components), between the type's templates.
PORT_TEMPLATE_SERVICES = Services(create=port_templates_create, update=port_templates_update)
_template(
    FrontPortTemplate, "front-port-templates", "type", "color", "positions", "rear_ports",
    renderers={"rear_ports": rear_ports_rendered}, services=PORT_TEMPLATE_SERVICES,
    write_extras={
        "rear_ports": WriteExtra(
            mappings_converter("front_port", "rear_port"), list_of(MAPPING), "Rear port template positions"
        ),
    },
)  # fmt: skip
_template(
    RearPortTemplate, "rear-port-templates", "type", "color", "positions", "front_ports",
    renderers={"front_ports": front_ports_rendered}, services=PORT_TEMPLATE_SERVICES,
    write_extras={
        "front_ports": WriteExtra(
            mappings_converter("rear_port", "front_port"), list_of(REVERSE_MAPPING), "Front port template positions"
        ),
    },
)  # fmt: skip
_template(
    ModuleBayTemplate,
    "module-bay-templates",
    "position", "enabled", "description", "module_bay_types",
    brief=("id", "url", "display", "name", "enabled", "description"),
)  # fmt: skip
registry.register(
    DeviceBayTemplate,
    api=Api(
        "dcim/device-bay-templates",
        brief_fields=("id", "url", "display", "name", "enabled", "description"),
        fields=("id", "url", "display", "device_type", "name", "label", "enabled", *TRAILER),
    ),
    search=NAMES,
    **NO_EXTRAS,
)
registry.register(
    InventoryItemTemplate,
    api=Api(
        "dcim/inventory-item-templates",
        brief_fields=("id", "url", "display", "name", "description", "_depth"),
        fields=(
            "id", "url", "display", "device_type", "parent", "name", "label", "role", "manufacturer", "part_id",
            "description", "component_type", "component_id", "component", "created", "last_updated", "_depth",
        ),
        renderers={
            # NetBox shows the parent by its id alone
            "parent": Rendered(lambda item, links: item.parent_id, nullable(INTEGER_VALUE)),
            "component_type": object_type_renderer("component_type"),
            "component": _component,
        },
        write_converters={"component_type": _component_type},
    ),
    search=Search(fields=("name", "label", "part_id", "description")),
    **NO_EXTRAS,
)  # fmt: skip
