"""NetBox's device-type library format: device and module types as YAML documents with their component
templates in lists (`interfaces:`, `power-ports:` …), as the community device-type library writes them
and NetBox imports and exports them (`DeviceType.to_yaml`).

This module knows the format: which list holds which templates, in which order they are written (a
power outlet names its power port, so power ports come first), what each template's entry carries,
and the export of a queryset of types as YAML documents. The import (inventory.ui.library) reads it.

Front port templates pass through to rear port templates of the same type as NetBox 4.7 writes it: a
document's `port-mappings` list (front port, its position, rear port, its position, by name), and, in the
library's older files, a front port's own `rear_port` and `rear_port_position` (its one position).

What NetBox 4.7 writes that Wirebook does not keep yet is read and left out: pictures (`front_image`,
`rear_image`: the library's flags that a picture exists in its own folder; NetBox ignores them too),
`is_powered`, cooling intakes and outflows.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import yaml
from django.db import models

from inventory.models import (
    ConsolePortTemplate,
    ConsoleServerPortTemplate,
    DeviceBayTemplate,
    DeviceType,
    FrontPortTemplate,
    InterfaceTemplate,
    InventoryItemRole,
    InventoryItemTemplate,
    Manufacturer,
    ModuleBayTemplate,
    ModuleType,
    PortTemplateMapping,
    PowerOutletTemplate,
    PowerPortTemplate,
    RearPortTemplate,
)


@dataclass(frozen=True)
class Reference:
    """A template's field naming another object by name: a template of the same type (`sibling`: the
    same list's, written in waves, or an earlier list's), or an object of the organization's."""

    field: str
    model: type[models.Model]
    sibling: bool = True


@dataclass(frozen=True)
class Component:
    """One list of a type's document: its key, its templates' model, the entry's keys in NetBox's
    order (`fields`), which of them name other objects, and keys read but not kept."""

    key: str
    model: type[models.Model]
    fields: tuple[str, ...]
    references: tuple[Reference, ...] = ()
    ignored: tuple[str, ...] = ()
    many: tuple[str, ...] = ()  # fields naming several objects (module bay types, by name)
    # An entry's older keys naming the template it passes through to (a front port's `rear_port` and
    # `rear_port_position`): read as one of its PORT_MAPPINGS.
    mapped: tuple[str, ...] = ()

    def owned_by(self, owner: str) -> bool:
        return any(field.name == owner for field in self.model._meta.concrete_fields)

    @property
    def relation(self) -> str:
        """A type's reverse relation to these templates ("interfacetemplates")."""
        return f"{self.model._meta.model_name}s"


_PORT = ("name", "type", "label", "description")
_PASS_THROUGH = ("name", "type", "color", "positions", "label", "description")
_INTERFACE = (
    "name", "type", "channels", "channel_id", "enabled", "mgmt_only", "label", "description", "parent", "bridge",
    "poe_mode", "poe_type", "rf_role",
)  # fmt: skip
POWER_SOURCE = "_is_power_source"  # the library's marker of a port that powers the device: not NetBox's

# In the order they are written: what an entry names must be written before it.
COMPONENTS = (
    Component("console-ports", ConsolePortTemplate, _PORT, ignored=(POWER_SOURCE,)),
    Component("console-server-ports", ConsoleServerPortTemplate, _PORT),
    Component(
        "power-ports", PowerPortTemplate, ("name", "type", "maximum_draw", "allocated_draw", "label", "description")
    ),
    Component(
        "power-outlets",
        PowerOutletTemplate,
        ("name", "type", "color", "power_port", "feed_leg", "label", "description"),
        references=(Reference("power_port", PowerPortTemplate),),
    ),
    Component(
        "interfaces",
        InterfaceTemplate,
        _INTERFACE,
        references=(Reference("parent", InterfaceTemplate), Reference("bridge", InterfaceTemplate)),
    ),
    Component("rear-ports", RearPortTemplate, _PASS_THROUGH, ignored=(POWER_SOURCE,)),
    Component("front-ports", FrontPortTemplate, _PASS_THROUGH, mapped=("rear_port", "rear_port_position")),
    Component(
        "module-bays",
        ModuleBayTemplate,
        ("name", "label", "position", "enabled", "description", "module_bay_types"),
        many=("module_bay_types",),
    ),
    Component("device-bays", DeviceBayTemplate, ("name", "label", "enabled", "description")),
    Component(
        "inventory-items",
        InventoryItemTemplate,
        ("name", "label", "parent", "role", "manufacturer", "part_id", "description"),
        references=(
            Reference("parent", InventoryItemTemplate),
            Reference("role", InventoryItemRole, sibling=False),
            Reference("manufacturer", Manufacturer, sibling=False),
        ),
    ),
)
# NetBox 4.5+'s list of which position of a front port template passes through to which position of a rear port
# template of the type, by name (a PortTemplateMapping each); written with the front ports (their `rear_ports`).
PORT_MAPPINGS = Component(
    "port-mappings", PortTemplateMapping, ("front_port", "front_port_position", "rear_port", "rear_port_position")
)
# The order NetBox exports them in.
EXPORT_ORDER = (
    "console-ports", "console-server-ports", "power-ports", "power-outlets", "interfaces", "front-ports",
    "rear-ports", PORT_MAPPINGS.key, "module-bays", "device-bays", "inventory-items",
)  # fmt: skip

# A type's keys that are read and not kept (see the module's docstring).
IGNORED: dict[type[models.Model], tuple[str, ...]] = {
    DeviceType: ("front_image", "rear_image", "is_powered", "cooling-intakes", "cooling-outflows"),
    ModuleType: ("cooling-intakes", "cooling-outflows"),
}
# NetBox's name of a type's field where the REST API names it otherwise.
TYPE_KEYS: dict[type[models.Model], dict[str, str]] = {ModuleType: {"attribute_data": "attributes"}}


def owner_of(model: type[models.Model]) -> str:
    """The templates' field naming their type: "device_type" or "module_type"."""
    return "device_type" if model is DeviceType else "module_type"


def components_of(model: type[models.Model]) -> tuple[Component, ...]:
    """The lists a device type's (or a module type's) document may hold, in the order they are written."""
    owner = owner_of(model)
    return tuple(component for component in COMPONENTS if component.owned_by(owner))


# -- export ----------------------------------------------------------------------------------------


def _name(obj) -> str | None:
    return None if obj is None else obj.name


def _number(value) -> float | None:
    return None if value is None else float(value)


def _date(value) -> str | None:
    return None if value is None else value.isoformat()


def _entry(component: Component, template) -> dict:
    entry: dict[str, Any] = {}
    for name in component.fields:
        if name in component.many:
            entry[name] = sorted(item.name for item in getattr(template, name).all())
        elif any(reference.field == name for reference in component.references):
            entry[name] = _name(getattr(template, name))
        else:
            entry[name] = getattr(template, name)
    return entry


def _device_type_document(device_type: DeviceType) -> dict:
    return {
        "manufacturer": device_type.manufacturer.name,
        "model": device_type.model,
        "slug": device_type.slug,
        "description": device_type.description,
        "default_platform": _name(device_type.default_platform),
        "part_number": device_type.part_number,
        "u_height": float(device_type.u_height),
        "exclude_from_utilization": device_type.exclude_from_utilization,
        "is_full_depth": device_type.is_full_depth,
        "subdevice_role": device_type.subdevice_role,
        "airflow": device_type.airflow,
        "cooling_method": device_type.cooling_method,
        "weight": _number(device_type.weight),
        "weight_unit": device_type.weight_unit,
        "end_of_life": _date(device_type.end_of_life),
        "comments": device_type.comments,
    }


def _module_type_document(module_type: ModuleType) -> dict:
    return {
        "profile": _name(module_type.profile),
        "manufacturer": module_type.manufacturer.name,
        "model": module_type.model,
        "part_number": module_type.part_number,
        "description": module_type.description,
        "weight": _number(module_type.weight),
        "weight_unit": module_type.weight_unit,
        "airflow": module_type.airflow,
        "cooling_method": module_type.cooling_method,
        "end_of_life": _date(module_type.end_of_life),
        "attribute_data": module_type.attribute_data,
        "comments": module_type.comments,
        "module_bay_types": sorted(bay_type.name for bay_type in module_type.module_bay_types.all()),
    }


def _prefetches(model: type[models.Model]) -> list:
    """What the documents of `model`'s types read, loaded with one query per kind of template: the
    templates in the order they were made (an imported file's), with what they name."""
    prefetches: list = []
    for component in components_of(model):
        queryset = component.model._base_manager.order_by("pk")
        related = [reference.field for reference in component.references]
        if related:
            queryset = queryset.select_related(*related)
        if component.many:
            queryset = queryset.prefetch_related(*component.many)
        if component.mapped:
            mappings = PortTemplateMapping._base_manager.select_related("rear_port").order_by("front_port_position")
            queryset = queryset.prefetch_related(models.Prefetch("mappings", queryset=mappings))
        prefetches.append(models.Prefetch(component.relation, queryset=queryset))
    return prefetches


def documents(model: type[models.Model], queryset) -> Iterable[dict]:
    """Each type of `queryset` as its library document (a dict in NetBox's key order)."""
    document: Callable[[Any], dict]
    if model is DeviceType:
        types = queryset.select_related("manufacturer", "default_platform")
        document = _device_type_document
    else:
        types = queryset.select_related("manufacturer", "profile").prefetch_related("module_bay_types")
        document = _module_type_document
    by_key = {component.key: component for component in components_of(model)}
    for obj in types.prefetch_related(*_prefetches(model)):
        data = document(obj)
        for key in EXPORT_ORDER:
            if key == PORT_MAPPINGS.key:
                mappings = _mappings(obj, by_key.values())
                if mappings:
                    data[key] = mappings
                continue
            component = by_key.get(key)
            if component is None:
                continue
            templates = getattr(obj, component.relation).all()
            if templates:
                data[key] = [_entry(component, template) for template in templates]
        yield data


def _mappings(owner, components: Iterable[Component]) -> list[dict]:
    """A type's port mappings as NetBox 4.7 exports them: by front port, then its position."""
    return [
        {
            "front_port": template.name,
            "front_port_position": mapping.front_port_position,
            "rear_port": mapping.rear_port.name,
            "rear_port_position": mapping.rear_port_position,
        }
        for component in components
        if component.mapped
        for template in getattr(owner, component.relation).all()
        for mapping in template.mappings.all()
    ]


def export_yaml(spec, queryset) -> str:
    """NetBox's "Export > YAML" of a device or module type list: one YAML document per type."""
    return "".join(
        "---\n" + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, default_flow_style=False)
        for document in documents(spec.model, queryset)
    )
