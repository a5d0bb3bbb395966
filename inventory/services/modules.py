"""Writes of modules: installing one makes the components of its module type (`{module}` resolved from the
bay positions), or adopts the device's components of the same names (`adopt_components`), unless told not
to (`replicate_components: false`); moving one to another bay (of the same device or another) takes its
components and the modules installed in it along, renaming what its templates named after the bay.
"""

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.services import ObjectWrite, WritesInvalid, instances_of, objects_create, objects_update
from inventory.models import Module, ModuleBay
from inventory.services.instantiation import (
    BLUEPRINTS,
    MODULE_TOKEN,
    Build,
    bay_positions,
    components_instantiate,
    resolve_module_token,
)

MOVED_WITH_MODULE = tuple(blueprint.component for blueprint in BLUEPRINTS if blueprint.for_modules)


def _positions(module: Module, index: int) -> list[str]:
    try:
        return bay_positions(module.module_bay)
    except ValueError as error:
        raise WritesInvalid({index: ValidationError({"module_bay": str(error)})}) from None


def modules_create(writes: Sequence[ObjectWrite]) -> list[Module]:
    """Install the modules, each with the components of its type (or the device's own, adopted)."""
    modules = instances_of(Module, objects_create(writes))
    builds = []
    for index, (module, write) in enumerate(zip(modules, writes, strict=True)):
        replicate = write.extra.get("replicate_components", True)
        adopt = write.extra.get("adopt_components", False)
        if replicate or adopt:
            builds.append(
                Build(
                    device=module.device,
                    module=module,
                    positions=_positions(module, index),
                    replicate=replicate,
                    adopt=adopt,
                )
            )
    for adopted in components_instantiate(builds):  # the device's own components join their modules
        objects_update(adopted)
    return modules


def modules_update(writes: Sequence[ObjectWrite]) -> list[Module]:
    """Change the modules; one moved to another bay takes its components and nested modules along."""
    stored = [instances_of(Module, [write.instance])[0] for write in writes if write.instance is not None]
    before = {module.pk: (module.device_id, module.module_bay_id, module.module_type_id) for module in stored}
    for write in writes:  # a module moved to another bay goes to the bay's device (NetBox's serializer)
        bay = write.data.get("module_bay")
        if isinstance(bay, ModuleBay) and "device" not in write.data:
            write.data["device"] = bay.device
    modules = instances_of(Module, objects_update(writes))
    for index, module in enumerate(modules):
        device, bay, module_type = before[module.pk]
        if (device, bay) == (module.device_id, module.module_bay_id):
            continue
        if module_type != module.module_type_id:
            raise WritesInvalid(
                {index: ValidationError({"module_type": _(
                    "Changing a module's type while moving it is not supported. Change the module type and move "
                    "the module as separate operations."
                )})}
            )  # fmt: skip
        _move(module, index, ModuleBay._base_manager.get(pk=bay))
    return modules


def _move(module: Module, index: int, old_bay: ModuleBay) -> None:
    """Take the module's components, and the modules installed in its bays (with theirs), to its new bay."""
    old_positions, nested = bay_positions(old_bay), _subtree(module)[1:]  # read before the bays change
    _move_components(module, module.device, old_positions, _positions(module, index), index)
    for other in nested:  # outermost first: a module's bay has moved before the module does
        current = Module._base_manager.select_for_update(of=("self",)).select_related("module_bay").get(pk=other.pk)
        objects_update([ObjectWrite(model=Module, data={"device": module.device}, instance=current)])
        old = [*old_positions, *_inner_positions(other, module)]
        _move_components(other, module.device, old, _positions(current, index), index)


def _subtree(module: Module) -> list[Module]:
    """The module and every module installed below it (one query per level)."""
    found, level = [module], [module]
    while level:
        level = list(
            Module._base_manager.select_for_update(of=("self",))
            .filter(module_bay__module__in=[item.pk for item in level])
            .select_related("module_bay", "module_type")
            .order_by("pk")
        )
        found += level
    return found


def _inner_positions(module: Module, root: Module) -> list[str]:
    """The positions of the bays between `root` (excluded) and `module` (included), outermost first."""
    positions: list[str] = []
    current: Module | None = module
    while current is not None and current.pk != root.pk:
        positions.append(current.module_bay.position or "")
        current = current.module_bay.module
    return list(reversed(positions))


def _move_components(module: Module, device, old: list[str], new: list[str], index: int) -> None:
    """Move the module's own components to `device`; names, labels and bay positions its templates derive from
    the bay positions follow the new ones."""
    for blueprint in BLUEPRINTS:
        if not blueprint.for_modules:
            continue
        components: list[Any] = list(
            blueprint.component._base_manager.select_for_update(of=("self",)).filter(module=module).order_by("pk")
        )
        if not components:
            continue
        renamed = _renamed(blueprint, module, old, new)
        writes = []
        for component in components:
            data = {"device": device}
            for name, (was, becomes) in renamed.get(component.name, {}).items():
                if getattr(component, name) == was:
                    data[name] = becomes
            component.moving_with_module = True
            writes.append(ObjectWrite(model=blueprint.component, data=data, instance=component))
        try:
            objects_update(writes)
        except WritesInvalid as invalid:
            first = invalid.errors[min(invalid.errors)]
            raise WritesInvalid({index: ValidationError({"module_bay": first.messages})}) from None


def _renamed(blueprint, module: Module, old: list[str], new: list[str]) -> dict[str, dict[str, tuple[str, str]]]:
    """{current name: {field: (value under the old bay, value under the new one)}} for the module's components
    whose templates carry `{module}`."""
    renamed = {}
    for template in blueprint.template._base_manager.filter(module_type_id=module.module_type_id):
        values = {name: getattr(template, name) for name in blueprint.resolved}
        if not any(MODULE_TOKEN in value for value in values.values()):
            continue
        try:
            resolved = {
                name: (resolve_module_token(v, old), resolve_module_token(v, new)) for name, v in values.items()
            }
        except ValueError as error:
            raise ValidationError({"module_bay": str(error)}) from None
        renamed[resolved["name"][0]] = resolved
    return renamed
