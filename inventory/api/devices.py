"""NetBox's device catalogue: manufacturers, platforms, device roles, device and module types, their
profiles and bay types, inventory item roles."""

from django.core.files.storage import default_storage

from core.fields import JSON_VALUE, Rendered, ValueType, nullable
from core.registry import Api, Search, registry
from core.services import Services
from inventory.api.briefs import NAMED_BRIEF, NAMES
from inventory.models import (
    DeviceRole,
    DeviceType,
    InventoryItemRole,
    Manufacturer,
    ModuleBayType,
    ModuleType,
    ModuleTypeProfile,
    Platform,
)
from inventory.services import module_types_update

TRAILER = ("owner", "comments", "tags", "custom_fields", "created", "last_updated")
# The component templates a device type counts (NetBox's order); a module type has no bays for devices
# or inventory items.
TEMPLATE_COUNTS = (
    "console_port_template_count", "console_server_port_template_count", "power_port_template_count",
    "power_outlet_template_count", "cooling_intake_template_count", "cooling_outflow_template_count",
    "interface_template_count", "front_port_template_count", "rear_port_template_count",
    "device_bay_template_count", "module_bay_template_count", "inventory_item_template_count",
)  # fmt: skip
MODULE_TEMPLATE_COUNTS = tuple(
    name for name in TEMPLATE_COUNTS if name not in ("device_bay_template_count", "inventory_item_template_count")
)
# Each count's templates (the reverse relation on the device or module type); cooling templates come later.
COOLING_COUNTS = ("cooling_intake_template_count", "cooling_outflow_template_count")
COUNTED_TEMPLATES = {
    name: name.removesuffix("_template_count").replace("_", "") + "templates"
    for name in TEMPLATE_COUNTS
    if name not in COOLING_COUNTS
}


def _image(name: str) -> Rendered:
    """A picture's URL in the media storage, or null."""

    def render(device_type, links):
        stored = getattr(device_type, name)
        return default_storage.url(stored) if stored else None

    return Rendered(render, nullable(ValueType({"type": "string", "format": "uri"}, "String")))


registry.register(
    Manufacturer,
    api=Api(
        "dcim/manufacturers",
        brief_fields=NAMED_BRIEF,
        fields=(
            "id", "url", "display_url", "display", "name", "slug", "description", *TRAILER, "devicetype_count",
            "moduletype_count", "inventoryitem_count", "platform_count",
        ),
        counts={
            "devicetype_count": "device_types",
            "moduletype_count": "module_types",
            "inventoryitem_count": "inventory_items",
            "platform_count": "platforms",
        },
    ),
    search=NAMES,
)  # fmt: skip
registry.register(
    Platform,
    api=Api(
        "dcim/platforms",
        brief_fields=(
            "id", "url", "display", "name", "slug", "description", "device_count", "virtualmachine_count", "_depth",
        ),
        fields=(
            "id", "url", "display_url", "display", "parent", "name", "slug", "manufacturer", "config_template",
            "description", *TRAILER,
            "device_count", "virtualmachine_count", "_depth",
        ),
        counts={"device_count": "devices", "virtualmachine_count": "virtual_machines"},
    ),
    search=NAMES,
)  # fmt: skip
registry.register(
    DeviceRole,
    api=Api(
        "dcim/device-roles",
        brief_fields=(
            "id", "url", "display", "name", "slug", "description", "device_count", "virtualmachine_count", "_depth",
        ),
        fields=(
            "id", "url", "display_url", "display", "name", "slug", "color", "vm_role", "config_template", "parent",
            "description", "tags",
            "custom_fields", "created", "last_updated", "device_count", "virtualmachine_count", "owner", "comments",
            "_depth",
        ),
        counts={"device_count": "devices", "virtualmachine_count": "virtual_machines"},
    ),
    search=NAMES,
)  # fmt: skip
registry.register(
    DeviceType,
    images=True,
    api=Api(
        "dcim/device-types",
        brief_fields=("id", "url", "display", "manufacturer", "model", "slug", "description", "device_count"),
        fields=(
            "id", "url", "display_url", "display", "manufacturer", "default_platform", "model", "slug", "part_number",
            "u_height", "exclude_from_utilization", "is_full_depth", "subdevice_role", "airflow", "cooling_method",
            "weight", "weight_unit", "end_of_life", "front_image", "rear_image", "description", *TRAILER,
            "device_count", *TEMPLATE_COUNTS,
        ),
        renderers={"front_image": _image("front_image"), "rear_image": _image("rear_image")},
        counts={"device_count": "instances", **COUNTED_TEMPLATES},
        zero_counts=COOLING_COUNTS,
    ),
    search=Search(fields=("model", "part_number", "description", "comments")),
)  # fmt: skip
registry.register(
    ModuleTypeProfile,
    api=Api(
        "dcim/module-type-profiles",
        brief_fields=("id", "url", "display", "name", "description"),
        fields=("id", "url", "display_url", "display", "name", "description", "schema", *TRAILER),
    ),
    search=Search(fields=("name", "description", "comments")),
)
registry.register(
    ModuleBayType,
    api=Api(
        "dcim/module-bay-types",
        brief_fields=("id", "url", "display", "name", "slug", "manufacturer", "color", "description"),
        fields=(
            "id", "url", "display_url", "display", "name", "slug", "manufacturer", "color", "description", *TRAILER,
        ),
    ),
    search=NAMES,
)  # fmt: skip
registry.register(
    ModuleType,
    images=True,
    api=Api(
        "dcim/module-types",
        brief_fields=("id", "url", "display", "profile", "manufacturer", "model", "description", "module_count"),
        fields=(
            "id", "url", "display_url", "display", "profile", "manufacturer", "model", "part_number", "airflow",
            "cooling_method", "weight", "weight_unit", "end_of_life", "description", "attributes",
            "module_bay_types", *TRAILER, "module_count", *MODULE_TEMPLATE_COUNTS,
        ),
        renderers={"attributes": Rendered(lambda module_type, links: module_type.attribute_data, nullable(JSON_VALUE))},
        write_aliases={"attributes": "attribute_data"},
        counts={
            "module_count": "instances",
            **{name: relation for name, relation in COUNTED_TEMPLATES.items() if name in MODULE_TEMPLATE_COUNTS},
        },
        zero_counts=COOLING_COUNTS,
    ),
    search=Search(fields=("model", "part_number", "description", "comments")),
    services=Services(update=module_types_update),
)  # fmt: skip
registry.register(
    InventoryItemRole,
    api=Api(
        "dcim/inventory-item-roles",
        brief_fields=NAMED_BRIEF,
        counts={"inventoryitem_count": "inventory_items"},
        brief_counts=("inventoryitem_count",),
    ),
    search=NAMES,
)
