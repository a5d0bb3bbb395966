"""Components from templates: what a new device gets from its device type, and an installed module from
its module type, with NetBox's name tokens resolved.

A batch of devices (or modules) is made with a constant number of statements whatever the number of
devices or components: one query per kind of template for every type involved, then per kind of
component one INSERT (with its search entries and change log) for the whole batch. Components that
point at components of the same batch (an outlet at its power port, an interface at its parent, an
inventory item at its parent and at the interface it stands for) are linked before they are written,
their ids reserved first.

Tokens: `{module}` is the position of the module bay a module is installed in (several `{module}` in
one name: the positions from the outermost bay in); `{vc_position}` the device's position in its
virtual chassis, `{vc_position:X}` with X for a device outside one (else "0").
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Max
from django.utils.translation import gettext as _

from core.querysets import count_each
from core.services import ObjectWrite, objects_insert, reserve_ids
from inventory.models import (
    ConsolePort,
    ConsolePortTemplate,
    ConsoleServerPort,
    ConsoleServerPortTemplate,
    Device,
    DeviceBay,
    DeviceBayTemplate,
    FrontPort,
    FrontPortTemplate,
    Interface,
    InterfaceTemplate,
    InventoryItem,
    InventoryItemTemplate,
    Module,
    ModuleBay,
    ModuleBayTemplate,
    PortMapping,
    PowerOutlet,
    PowerOutletTemplate,
    PowerPort,
    PowerPortTemplate,
    RearPort,
    RearPortTemplate,
)
from inventory.models.interfaces import natural_interface_name

MODULE_TOKEN = "{module}"  # noqa: S105 (a placeholder, not a secret)
VC_POSITION = re.compile(r"\{vc_position(?::([^}]*))?\}")


@dataclass(frozen=True)
class Blueprint:
    """How one kind of template makes its component: the values copied as they are, those with tokens,
    and the templates of the same type its component points at (field -> template model)."""

    template: type[models.Model]
    component: type[models.Model]
    copied: tuple[str, ...]
    resolved: tuple[str, ...] = ("name", "label")
    links: dict[str, type[models.Model]] = field(default_factory=dict)
    for_modules: bool = True


# In the order they are made: a component is made after those it points at.
BLUEPRINTS = (
    Blueprint(ConsolePortTemplate, ConsolePort, ("type",)),
    Blueprint(ConsoleServerPortTemplate, ConsoleServerPort, ("type",)),
    Blueprint(PowerPortTemplate, PowerPort, ("type", "maximum_draw", "allocated_draw")),
    Blueprint(PowerOutletTemplate, PowerOutlet, ("type", "color", "feed_leg"), links={"power_port": PowerPortTemplate}),
    Blueprint(
        InterfaceTemplate,
        Interface,
        ("type", "channels", "channel_id", "enabled", "mgmt_only", "poe_mode", "poe_type", "rf_role"),
        links={"parent": InterfaceTemplate, "bridge": InterfaceTemplate},
    ),
    Blueprint(RearPortTemplate, RearPort, ("type", "color", "positions")),
    Blueprint(FrontPortTemplate, FrontPort, ("type", "color", "positions")),
    Blueprint(ModuleBayTemplate, ModuleBay, ("enabled",), resolved=("name", "label", "position")),
    Blueprint(DeviceBayTemplate, DeviceBay, ("enabled",), for_modules=False),
    Blueprint(
        InventoryItemTemplate,
        InventoryItem,
        ("role_id", "manufacturer_id", "part_id", "lft", "rght", "level"),
        resolved=(),
        links={"parent": InventoryItemTemplate},
        for_modules=False,
    ),
)
BLUEPRINT_OF = {blueprint.template: blueprint for blueprint in BLUEPRINTS}
# The kinds of component an inventory item may stand for, by their templates.
COMPONENT_OF_TEMPLATE = {blueprint.template: blueprint.component for blueprint in BLUEPRINTS}


@dataclass
class Build:
    """The components to make for one new device (`module` None) or one module being installed in it."""

    device: Device
    module: Module | None = None
    # Module bay positions from the outermost bay in (for `{module}`).
    positions: list[str] = field(default_factory=list)
    replicate: bool = True
    adopt: bool = False

    @property
    def type_id(self) -> int:
        return self.module.module_type_id if self.module is not None else self.device.device_type_id

    @property
    def owner(self) -> str:
        return "module_type_id" if self.module is not None else "device_type_id"


def resolve_module_token(value: str, positions: Sequence[str]) -> str:
    """`{module}` in `value` as the bay positions say (one token: the innermost bay; as many as there are
    bays: each in turn from the outermost); ValueError for another number of tokens."""
    count = value.count(MODULE_TOKEN)
    if not count:
        return value
    if count == 1:
        return value.replace(MODULE_TOKEN, positions[-1])
    if count == len(positions):
        for position in positions:
            value = value.replace(MODULE_TOKEN, position, 1)
        return value
    raise ValueError(
        _(
            "Cannot install module with placeholder values in a module bay tree {level} levels deep but {tokens} "
            "placeholders given."
        ).format(level=len(positions), tokens=count)
    )


def resolve_tokens(value: str, build: Build) -> str:
    if not value:
        return value
    if build.module is not None and MODULE_TOKEN in value:
        if not build.positions or not build.positions[-1]:
            raise ValueError(
                _("Cannot install module with placeholder values in a module bay with no position defined.")
            )
        value = resolve_module_token(value, build.positions)
    if "{vc_position" in value:
        device = build.device
        in_chassis = device.virtual_chassis_id is not None and device.vc_position is not None
        value = VC_POSITION.sub(
            lambda match: str(device.vc_position) if in_chassis else (match[1] if match[1] is not None else "0"),
            value,
        )
    return value


def bay_positions(bay: ModuleBay) -> list[str]:
    """The positions of a module bay and the bays holding it, from the outermost in, each bay's `{module}`
    resolved from the bay holding it (NetBox's position inheritance)."""
    raw: list[str] = []
    seen: set[int] = set()
    current: ModuleBay | None = bay
    while current is not None:
        if current.pk in seen:
            raise ValueError(_("Module bay hierarchy contains a cycle."))
        seen.add(current.pk)
        raw.append(current.position or "")
        holder = current.module if current.module_id else None
        current = holder.module_bay if holder is not None else None
    raw.reverse()
    resolved: list[str] = []
    for position in raw:
        resolved.append(
            position.replace(MODULE_TOKEN, resolved[-1]) if resolved and MODULE_TOKEN in position else position
        )
    return resolved


class _Made:
    """The components of a batch by the template they come from, per build: what links are resolved with."""

    def __init__(self):
        self._by_template: dict[tuple[int, type, int], models.Model] = {}

    def add(self, build_index: int, template, component) -> None:
        self._by_template[(build_index, type(template), template.pk)] = component

    def get(self, build_index: int, template_model, template_pk):
        return self._by_template.get((build_index, template_model, template_pk))


def components_instantiate(builds: Sequence[Build], *, message: str = "") -> list[list[ObjectWrite]]:
    """Make every build's components from its type's templates (after its device or module is written);
    the writes adopting existing components into modules (`adopt`), per kind of component, for the
    module service to make.

    Raises ValidationError (nothing should be kept: the caller's transaction is rolled back) when names
    collide: a `{vc_position}` that makes two names one, a module's component named like one the device
    has (unless adopted), a token the bay positions cannot resolve."""
    adoptions: list[list[ObjectWrite]] = []
    made = _Made()
    eligible_of = [
        [index for index, build in enumerate(builds) if blueprint.for_modules or build.module is None]
        for blueprint in BLUEPRINTS
    ]
    # Which kinds of template the types have, in one query: a type has a few of the ten kinds (a switch
    # only interfaces), and reading each kind cost a statement whether it had templates or not.
    wanted = [kind for kind, eligible in enumerate(eligible_of) if eligible]
    counts = count_each(
        [_template_rows(BLUEPRINTS[kind], [builds[index] for index in eligible_of[kind]]) for kind in wanted]
    )
    present = {kind for kind, count in zip(wanted, counts, strict=True) if count}
    for kind, blueprint in enumerate(BLUEPRINTS):
        if kind not in present:
            continue
        eligible = eligible_of[kind]
        templates = _templates(blueprint, [builds[index] for index in eligible])
        if any(templates.values()):
            adopted = _instantiate(blueprint, builds, eligible, templates, made, message)
            if adopted:
                adoptions.append(adopted)
    return adoptions


def _template_rows(blueprint: Blueprint, builds: Sequence[Build]) -> models.QuerySet:
    """The blueprint's templates of every type the builds need."""
    device_types = {build.type_id for build in builds if build.module is None}
    module_types = {build.type_id for build in builds if build.module is not None}
    condition = models.Q()
    if device_types:
        condition |= models.Q(device_type_id__in=device_types)
    if module_types:
        condition |= models.Q(module_type_id__in=module_types)
    return blueprint.template._base_manager.filter(condition)


def _templates(blueprint: Blueprint, builds: Sequence[Build]) -> dict[tuple[str, int], list]:
    """The blueprint's templates of every type the builds need (one query), by (owner field, type id)."""
    queryset = _template_rows(blueprint, builds).order_by("pk")
    if blueprint.template is ModuleBayTemplate:
        queryset = queryset.prefetch_related("module_bay_types")
    if blueprint.template is FrontPortTemplate:
        queryset = queryset.prefetch_related("mappings")
    if blueprint.template is InventoryItemTemplate:
        queryset = queryset.order_by("tree_id", "lft")
    by_type: dict[tuple[str, int], list] = {}
    for template in queryset:
        owner = "device_type_id" if getattr(template, "device_type_id", None) else "module_type_id"
        by_type.setdefault((owner, getattr(template, owner)), []).append(template)
    return by_type


def _instantiate(blueprint: Blueprint, builds, eligible, templates, made: _Made, message: str) -> list[ObjectWrite]:
    model = blueprint.component
    planned: list[tuple[int, Any, Any]] = []  # (build index, template, new component)
    for index in eligible:
        build = builds[index]
        names: dict[str, Any] = {}
        for template in templates.get((build.owner, build.type_id), []):
            component = _component(blueprint, template, build)
            if component.name in names:
                raise ValidationError(
                    _("Component name conflict after resolving {{vc_position}}: {names}").format(names=component.name)
                )
            names[component.name] = template
            planned.append((index, template, component))
    adopted = _adopt_or_refuse(model, builds, planned, made)
    fresh = [(index, template, component) for index, template, component in planned if component.pk is None]
    fresh = [entry for entry in fresh if builds[entry[0]].replicate]
    for index, template, component in fresh:
        made.add(index, template, component)
    own_links = [name for name, target in blueprint.links.items() if target is blueprint.template]
    if any(getattr(template, f"{name}_id") is not None for _index, template, _c in fresh for name in own_links):
        # Components of this batch point at each other (an interface at its parent): their ids first.
        for (_index, _template, component), pk in zip(fresh, reserve_ids(model, len(fresh)), strict=True):
            component.pk = pk
    if blueprint.template is InventoryItemTemplate:
        _plant_trees(fresh)
    for index, template, component in fresh:
        for name, target in blueprint.links.items():
            target_pk = getattr(template, f"{name}_id")
            if target_pk is not None:
                linked = made.get(index, target, target_pk)
                setattr(component, f"{name}_id", linked.pk if linked is not None else None)
        if blueprint.template is InventoryItemTemplate and template.component_type_id:
            _link_component(component, template, index, made)
    many = None
    if blueprint.template is ModuleBayTemplate:
        many = {"module_bay_types": [[bay_type.pk for bay_type in t.module_bay_types.all()] for _i, t, _c in fresh]}
    objects_insert([component for _index, _template, component in fresh], many_to_many=many, message=message)
    if blueprint.template is FrontPortTemplate:
        _map_ports(fresh, made, message)
    return adopted


def _map_ports(fresh: list[tuple[int, Any, Any]], made: _Made, message: str) -> None:
    """The new front ports' mappings, as their templates map to rear port templates: to the rear ports made
    from those (the rear ports are made first)."""
    mappings = []
    for index, template, front_port in fresh:
        for mapping in template.mappings.all():
            rear_port = made.get(index, RearPortTemplate, mapping.rear_port_id)
            if rear_port is not None:
                mappings.append(
                    PortMapping(
                        device_id=front_port.device_id,
                        front_port_id=front_port.pk,
                        front_port_position=mapping.front_port_position,
                        rear_port_id=rear_port.pk,
                        rear_port_position=mapping.rear_port_position,
                    )
                )
    if mappings:
        objects_insert(mappings, message=message)


def _component(blueprint: Blueprint, template, build: Build) -> Any:
    values = {name: getattr(template, name) for name in blueprint.copied}
    for name in blueprint.resolved:
        try:
            values[name] = resolve_tokens(getattr(template, name), build)
        except ValueError as error:
            raise ValidationError(str(error)) from None
    if "name" not in blueprint.resolved:
        values["name"] = template.name
        values["label"] = template.label
    component: Any = blueprint.component(device=build.device, **values)
    if build.module is not None:
        component.module = build.module
    if blueprint.component is Interface:
        component._name = natural_interface_name(component.name)
    return component


def _adopt_or_refuse(model, builds, planned, made: _Made) -> list[ObjectWrite]:
    """For components of installed modules: the device's components of the same names either join the
    module (`adopt_components`) or stop the installation, as in NetBox. The writes adopting them."""
    wanted = {(builds[index].device.pk, component.name) for index, _t, component in planned if builds[index].module}
    if not wanted:
        return []
    existing = {
        (component.device_id, component.name): component
        for component in model._base_manager.select_for_update(of=("self",))
        .filter(device_id__in={device for device, _name in wanted}, name__in={name for _device, name in wanted})
        .order_by("pk")
    }
    adopted: list[ObjectWrite] = []
    for index, template, component in planned:
        build = builds[index]
        found = existing.get((build.device.pk, component.name)) if build.module is not None else None
        if found is None:
            continue
        if model is ModuleBay and (found.module_id is not None or not build.adopt):
            continue  # bays are named uniquely per module: the module's own may share a name with the device's
        if not build.adopt:
            raise ValidationError(
                _("A {model} named {name} already exists").format(model=model.__name__, name=component.name)
            )
        if found.module_id is not None:
            raise ValidationError(
                _("Cannot adopt {model} {name} as it already belongs to a module").format(
                    model=model.__name__, name=component.name
                )
            )
        component.pk = found.pk  # not made: the device's own joins the module
        made.add(index, template, found)
        adopted.append(ObjectWrite(model=model, data={"module": build.module}, instance=found))
    return adopted


def _plant_trees(fresh) -> None:
    """New inventory items keep their templates' tree shape: each template tree becomes a new tree."""
    if not fresh:
        return
    highest = InventoryItem._base_manager.aggregate(highest=Max("tree_id"))["highest"] or 0
    trees: dict[tuple[int, int], int] = {}
    for index, template, component in fresh:
        key = (index, template.tree_id)
        if key not in trees:
            highest += 1
            trees[key] = highest
        component.tree_id = trees[key]


def _link_component(item: InventoryItem, template: InventoryItemTemplate, index: int, made: _Made) -> None:
    template_model = template.component_type.model_class() if template.component_type is not None else None
    if template_model is None:
        return
    component = made.get(index, template_model, template.component_id)
    if component is not None:
        item.component_type_id = _content_type_id(COMPONENT_OF_TEMPLATE[template_model])
        item.component_id = component.pk


def _content_type_id(model) -> int:
    return ContentType.objects.get_for_model(model).pk
