"""The import of device and module types in NetBox's device-type library format (inventory.library):
the import pages of device types and module types take a record's component templates in lists
(`interfaces:`, `power-ports:` …) beside its columns, as NetBox's device type import does.

All or nothing: the types are written first (the generic import of their columns), then each kind of
template in the format's order, all the records' templates of a kind in one write (one INSERT, however
many types and templates), through the permitted write (core.usecases) like any other import. A
template names what it refers to by name: another template of its type (a power outlet's power port,
an interface's parent or bridge, an inventory item's parent: templates naming one of their own list
are written in waves, those named first), or an object of the organization (an inventory item's role
and manufacturer, a module bay's bay types); each kind of reference is read in one query. Front port
templates are written with their mappings to the rear port templates written before them (the record's
`port-mappings`, or a front port's older `rear_port`), as their REST API writes them (`rear_ports`). Any error
rolls everything back and is reported as NetBox does, by record and place: `interfaces[3].type`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction

from core.context import Actor
from core.permissions import NotPermitted
from core.querysets import restricted
from core.registry import ObjectSpec, registry
from core.usecases import Item, WriteRefused, write_objects
from core.writes import WriteData, WriteError, deserialize, is_required, writable_fields
from frontend import transfer
from inventory.library import IGNORED, PORT_MAPPINGS, TYPE_KEYS, Component, components_of, owner_of
from inventory.models import DeviceType, ModuleBayType, ModuleType, RearPortTemplate

# Django's (and so NetBox's) words for a name that matches nothing, or too much.
INVALID_CHOICE = "Select a valid choice. That choice is not one of the available choices."
INVALID_CHOICES = "Select a valid choice. {name} is not one of the available choices."
AMBIGUOUS = '"{name}" is not a unique value for this field; multiple objects were found'
CIRCULAR = "{name} and the templates it names refer to each other."
_AMBIGUOUS = object()
# Errors by record index (None: the import as a whole), as {place: [message, ...]}.
Errors = dict[int | None, dict[str, list[str]]]


class _Refused(Exception):
    """Nothing is written: the errors, by record index, as `{place: [message, ...]}`."""

    def __init__(self, errors: Errors):
        super().__init__(errors)
        self.errors = errors


@dataclass(eq=False)
class _Entry:
    """One template of a record's list: where it is (`interfaces[3]`), its plain values, the names it
    gives for other objects, and those objects once found (its type's among them)."""

    record: int
    key: str
    position: int
    owner: DeviceType | ModuleType
    values: dict[str, Any]
    names: dict[str, Any]
    related: dict[str, Any] = field(default_factory=dict)
    # Its older keys naming what it passes through to (Component.mapped), as given.
    mapped: dict[str, Any] = field(default_factory=dict)

    @property
    def place(self) -> str:
        return f"{self.key}[{self.position}]"

    def refuse(self, errors: Errors, name: str, message: str) -> None:
        """Note that the entry's `name` is refused (with the other refusals in `errors`)."""
        errors.setdefault(self.record, {})[f"{self.place}.{name}"] = [message]


def _errors_list(errors: Errors) -> list[dict]:
    return [
        {"record": None if index is None else index + 1, "errors": found}
        for index, found in sorted(errors.items(), key=lambda item: -1 if item[0] is None else item[0])
    ]


# -- reading the records ---------------------------------------------------------------------------


def _module_type_rules(own: dict[str, Any]) -> dict[str, list[str]]:
    """NetBox's module type import: attributes need a profile; a profile without attributes gets {}
    (so its schema is applied)."""
    attributes, profile = own.get("attributes"), own.get("profile")
    if attributes not in (None, "", {}) and profile in (None, ""):
        return {"profile": ["Profile must be specified if attribute data is provided."]}
    if profile not in (None, "") and attributes in (None, ""):
        own["attributes"] = {}
    return {}


# A type's own rules on its record's columns, beyond the model's (NetBox's import forms').
RECORD_RULES: dict[type[models.Model], Callable[[dict[str, Any]], dict[str, list[str]]]] = {
    ModuleType: _module_type_rules
}


def _split(spec: ObjectSpec, records: list[dict]) -> tuple[list[dict], list[dict[str, list]]]:
    """Each record's columns and its lists of templates, checked for shape; _Refused if any is malformed."""
    model = spec.model
    by_key = {component.key: component for component in components_of(model)}
    if any(component.mapped for component in by_key.values()):
        by_key[PORT_MAPPINGS.key] = PORT_MAPPINGS
    ignored, renamed = IGNORED.get(model, ()), TYPE_KEYS.get(model, {})
    columns = set(transfer.columns(spec))
    errors: Errors = {}
    owns, nested = [], []
    for index, record in enumerate(records):
        found: dict[str, list[str]] = {}
        own: dict[str, Any] = {}
        lists: dict[str, list] = {}
        for key, value in record.items():
            key = str(key).strip()
            if key in by_key:
                lists[key] = value
            elif key not in ignored:
                own[renamed.get(key, key)] = value
                if renamed.get(key, key) not in columns:
                    found[key] = ["Unknown column."]
        for key, items in lists.items():
            found.update(_shape(by_key[key], key, items))
        found.update(RECORD_RULES.get(model, lambda own: {})(own))
        if found:
            errors[index] = found
        owns.append(own)
        nested.append(lists)
    if errors:
        raise _Refused(errors)
    return owns, nested


def _shape(component: Component, key: str, items) -> dict[str, list[str]]:
    if not isinstance(items, list):
        return {key: ["Must be a list."]}
    known = {*component.fields, *component.ignored, *component.mapped}
    found: dict[str, list[str]] = {}
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            found[f"{key}[{position}]"] = ["Must be a dictionary."]
            continue
        for name in item:
            if str(name) not in known:
                found[f"{key}[{position}].{name}"] = ["Unknown field."]
    return found


def _entries(
    component: Component, owner: str, owners: list[DeviceType | ModuleType], nested: list[dict]
) -> list[_Entry]:
    named = {reference.field for reference in component.references} | set(component.many)
    entries = []
    for index, (parent, lists) in enumerate(zip(owners, nested, strict=True)):
        for position, item in enumerate(lists.get(component.key) or (), start=1):
            values = {name: value for name, value in item.items() if name in component.fields and name not in named}
            names = {name: item[name] for name in named if item.get(name) not in (None, "", [])}
            mapped = {name: item[name] for name in component.mapped if item.get(name) is not None}
            entries.append(_Entry(index, component.key, position, parent, values, names, {owner: parent}, mapped))
    return entries


# The write extra a front port template takes its mappings in, as the REST API does.
MAPPINGS_WRITE = "rear_ports"


def _resolve_mappings(actor: Actor, owner: str, entries: list[_Entry], nested: list[dict], parents) -> None:
    """The front port entries' mappings to their type's rear port templates (written before them; one query),
    as their `rear_ports`: the record's `port-mappings` naming them, and their own older `rear_port` (their
    position 1 to its `rear_port_position`, 1 unless given). _Refused names each name that names nothing."""
    if not any(entry.mapped for entry in entries) and not any(lists.get(PORT_MAPPINGS.key) for lists in nested):
        return
    rows = _visible(RearPortTemplate, actor).filter(**{f"{owner}__in": parents})
    rears = _by_name(((getattr(row, f"{owner}_id"), row.name), row) for row in rows)
    fronts = _by_name(((entry.record, str(entry.values.get("name"))), entry) for entry in entries)
    errors: Errors = {}

    def add(entry: _Entry, place: str, front_position, rear_name, rear_position) -> None:
        rear = rears.get((entry.owner.pk, str(rear_name)))
        if rear is None or rear is _AMBIGUOUS:
            message = INVALID_CHOICE if rear is None else AMBIGUOUS.format(name=rear_name)
            errors.setdefault(entry.record, {})[f"{place}.rear_port"] = [message]
            return
        entry.values.setdefault(MAPPINGS_WRITE, []).append(
            {"position": front_position, "rear_port": rear.pk, "rear_port_position": rear_position}
        )

    for entry in entries:
        if "rear_port" in entry.mapped:
            add(entry, entry.place, 1, entry.mapped["rear_port"], entry.mapped.get("rear_port_position", 1))
    for record, lists in enumerate(nested):
        for position, item in enumerate(lists.get(PORT_MAPPINGS.key) or (), start=1):
            place = f"{PORT_MAPPINGS.key}[{position}]"
            front = fronts.get((record, str(item.get("front_port"))))
            if front is None or front is _AMBIGUOUS:
                message = INVALID_CHOICE if front is None else AMBIGUOUS.format(name=item.get("front_port"))
                errors.setdefault(record, {})[f"{place}.front_port"] = [message]
                continue
            add(
                front,
                place,
                item.get("front_port_position", 1),
                item.get("rear_port"),
                item.get("rear_port_position", 1),
            )
    if errors:
        raise _Refused(errors)


# -- finding what templates name -------------------------------------------------------------------


def _visible(model: type[models.Model], actor: Actor):
    return restricted(model, actor, "view")


def _by_name(objects) -> dict:
    found: dict = {}
    for key, obj in objects:
        found[key] = _AMBIGUOUS if key in found else obj
    return found


def _take(entry: _Entry, name: str, found: dict, key, errors: Errors) -> None:
    obj = found.get(key)
    if obj is None:
        entry.refuse(errors, name, INVALID_CHOICE)
    elif obj is _AMBIGUOUS:
        entry.refuse(errors, name, AMBIGUOUS.format(name=entry.names[name]))
    else:
        entry.related[name] = obj


def _resolve_references(actor: Actor, component: Component, owner: str, entries: list[_Entry], parents) -> None:
    """Find what the entries name outside their own list (one query per kind of reference); _Refused
    names every entry that names nothing, or more than one object."""
    errors: Errors = {}
    for reference in component.references:
        if reference.sibling and reference.model is component.model:
            continue  # the same list's: found while writing it (_write_in_waves)
        naming = [entry for entry in entries if reference.field in entry.names]
        if not naming:
            continue
        if reference.sibling:  # an earlier list's template of the same type
            rows = _visible(reference.model, actor).filter(**{f"{owner}__in": parents})
            found = _by_name(((getattr(row, f"{owner}_id"), row.name), row) for row in rows)
            for entry in naming:
                _take(entry, reference.field, found, (entry.owner.pk, str(entry.names[reference.field])), errors)
        else:
            names = {str(entry.names[reference.field]) for entry in naming}
            found = _by_name((row.name, row) for row in _visible(reference.model, actor).filter(name__in=names))
            for entry in naming:
                _take(entry, reference.field, found, str(entry.names[reference.field]), errors)
    for name in component.many:
        _resolve_bay_types(actor, name, [entry for entry in entries if name in entry.names], errors)
    if errors:
        raise _Refused(errors)


def _resolve_bay_types(actor: Actor, name: str, entries: list[_Entry], errors: Errors) -> None:
    """Module bay types by name (the only objects a template names several of), as NetBox 4.7 reads
    them: the type's manufacturer's bay type of that name, else the one of no manufacturer; another
    manufacturer's is no choice."""
    wanted = {str(item) for entry in entries for item in _as_list(entry.names[name])}
    candidates: dict[tuple[str, int | None], ModuleBayType] = {
        (row.name, row.manufacturer_id): row for row in _visible(ModuleBayType, actor).filter(name__in=wanted)
    }
    for entry in entries:
        chosen = []
        for item in _as_list(entry.names[name]):
            match = candidates.get((str(item), entry.owner.manufacturer_id)) or candidates.get((str(item), None))
            if match is None:
                entry.refuse(errors, name, INVALID_CHOICES.format(name=item))
            else:
                chosen.append(match)
        entry.related[name] = chosen


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


# -- writing ---------------------------------------------------------------------------------------


def _read(spec: ObjectSpec, entry: _Entry, *, actor: Actor, partial: bool) -> WriteData:
    """An entry as the write layer's values: its plain values read as the API reads them, the objects
    it names as found."""
    missing = {
        model_field.name: ["This field is required."]
        for model_field in writable_fields(spec)
        if is_required(model_field) and model_field.name not in entry.values and model_field.name not in entry.related
    }
    try:
        data = deserialize(spec, entry.values, actor=actor, partial=True)
    except WriteError as error:
        raise WriteError({**missing, **error.errors}) from None
    if missing:
        raise WriteError(missing)
    data.data.update(entry.related)
    return data


def _write(actor: Actor, component: Component, entries: list[_Entry]) -> list[models.Model]:
    """One write of the entries (all records' templates of one kind): _Refused names each one that fails."""
    try:
        return write_objects(
            registry.get(component.model), actor, [Item(payload=entry) for entry in entries], deserialize=_read
        )
    except WriteRefused as refused:
        errors: Errors = {}
        for error in refused.errors:
            entry = entries[error["index"]]
            for name, messages in error["errors"].items():
                place = entry.place if name in ("__all__", "non_field_errors") else f"{entry.place}.{name}"
                errors.setdefault(entry.record, {})[place] = list(messages)
        raise _Refused(errors) from None
    except NotPermitted as refusal:
        raise _Refused({None: {"__all__": [refusal.message]}}) from None


def _write_in_waves(actor: Actor, component: Component, owner: str, entries: list[_Entry], parents) -> None:
    """Write the entries; those naming templates of their own list (an interface's parent) after the
    ones they name, found among the types' existing templates and those written before them."""
    own_list = [ref.field for ref in component.references if ref.sibling and ref.model is component.model]
    if not own_list:
        _write(actor, component, entries)
        return
    rows = _visible(component.model, actor).filter(**{f"{owner}__in": parents})
    known = _by_name(((getattr(row, f"{owner}_id"), row.name), row) for row in rows)
    planned = {(entry.owner.pk, str(entry.values.get("name"))) for entry in entries}
    errors: Errors = {}
    for entry in entries:
        for name in own_list:
            if name in entry.names:
                key = (entry.owner.pk, str(entry.names[name]))
                if key not in known and key not in planned:
                    entry.refuse(errors, name, INVALID_CHOICE)
    if errors:
        raise _Refused(errors)
    pending = entries
    while pending:
        ready = [
            entry
            for entry in pending
            if all((entry.owner.pk, str(entry.names[name])) in known for name in own_list if name in entry.names)
        ]
        if not ready:
            for entry in pending:
                name = next(name for name in own_list if name in entry.names)
                entry.refuse(errors, name, CIRCULAR.format(name=entry.values.get("name")))
            raise _Refused(errors)
        for entry in ready:
            for name in own_list:
                if name in entry.names:
                    _take(entry, name, known, (entry.owner.pk, str(entry.names[name])), errors)
        if errors:
            raise _Refused(errors)
        for entry, obj in zip(ready, _write(actor, component, ready), strict=True):
            key = (entry.owner.pk, str(entry.values.get("name")))
            known[key] = _AMBIGUOUS if key in known else obj
        pending = [entry for entry in pending if entry not in ready]


def import_types(spec: ObjectSpec, actor: Actor, records: list[dict], *, progress=None) -> transfer.ImportResult:
    """Write the device (or module) types of `records` and their component templates, all or none."""
    model = spec.model
    try:
        owns, nested = _split(spec, records)
        with transaction.atomic():
            result = transfer.write_records(spec, actor, owns, progress=progress)
            if not result.ok:
                return result
            owner = owner_of(model)
            types = [obj for obj in result.objects if isinstance(obj, DeviceType | ModuleType)]
            parents = [obj.pk for obj in types]
            for component in components_of(model):
                entries = _entries(component, owner, types, nested)
                if component.mapped:
                    _resolve_mappings(actor, owner, entries, nested, parents)
                if entries:
                    _resolve_references(actor, component, owner, entries, parents)
                    _write_in_waves(actor, component, owner, entries, parents)
    except _Refused as refused:
        return transfer.ImportResult(errors=_errors_list(refused.errors))
    return result
