"""NetBox's cable import: each end named by its device and its ports' names (`side_a_device`,
`side_a_type` as "dcim.interface", `side_a_name`, comma-separated for several; `side_a_site` when
device names repeat across sites), the cable's own columns beside them. Written as the API's bulk
writes are, all records or none. The exports write the same columns, so an export imports again."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.context import Actor
from core.permissions import NotPermitted
from core.querysets import restricted
from core.registry import ObjectSpec, object_type_for, object_type_label
from core.usecases import Item, WriteRefused, write_objects
from core.writes import WriteError, deserialize
from frontend import transfer
from inventory.cabling import cabling_of, terminations_prefetch
from inventory.models import Site

SIDES = ("a", "b")
END_COLUMNS = tuple(f"side_{side}_{part}" for side in SIDES for part in ("site", "device", "type", "name"))


def _end(actor: Actor, record: dict, side: str) -> list[dict]:
    device = str(record.get(f"side_{side}_device") or "").strip()
    kind = str(record.get(f"side_{side}_type") or "").strip()
    names = [name.strip() for name in str(record.get(f"side_{side}_name") or "").split(",") if name.strip()]
    if not device or not kind or not names:
        raise ValidationError(_("A device, a type and a name are required."))
    content_type = object_type_for(kind)
    model = content_type.model_class() if content_type is not None else None
    if model is None or cabling_of(model) is None:
        raise ValidationError(_("Invalid content type: {content_type}").format(content_type=kind))
    site = str(record.get(f"side_{side}_site") or "").strip()
    found = restricted(model, actor, "view").filter(device__name=device, name__in=names)
    if site:
        found = found.filter(device__site__name=site)
    by_name = {obj.name: obj for obj in found}
    missing = [name for name in names if name not in by_name]
    if missing or len(found) != len(by_name):
        raise ValidationError(
            _("{device}: no single {kind} named {names}").format(device=device, kind=kind, names=", ".join(missing))
        )
    return [{"object_type": kind, "object_id": by_name[name].pk} for name in names]


def import_cables(spec: ObjectSpec, actor: Actor, records: list[dict], *, progress=None) -> transfer.ImportResult:
    layout = transfer.import_columns(spec)

    def read(spec: ObjectSpec, record: dict, *, actor: Actor, partial: bool):
        ends, errors = {}, {}
        for side in SIDES:
            try:
                ends[f"{side}_terminations"] = _end(actor, record, side)
            except ValidationError as error:
                errors[f"side_{side}_name"] = error.messages
        columns = {name: value for name, value in record.items() if name not in END_COLUMNS}
        try:
            _pk, payload = transfer.to_payload(spec, columns, layout)
        except WriteError as error:
            errors.update(error.errors)
            payload = {}
        if errors:
            raise WriteError(errors)
        return deserialize(spec, {**payload, **ends}, actor=actor, partial=partial)

    result = transfer.ImportResult()
    items = [Item(payload=record) for record in records]
    try:
        written = write_objects(spec, actor, items, partial=False, deserialize=read)
    except WriteRefused as refused:
        result.errors = [{"record": error["index"] + 1, "errors": error["errors"]} for error in refused.errors]
    except NotPermitted as refusal:
        result.errors = [{"record": None, "errors": {"__all__": [refusal.message]}}]
    else:
        result.objects = written
        result.created = [obj.pk for obj in written]
    if progress is not None:
        progress(len(records), len(records))
    return result


# The cable's terminations with their objects and the objects' devices: the export reads them for all rows at once.
EXPORT_PREFETCH = (terminations_prefetch("terminations"),)


def export_cable_ends(cables) -> list[dict]:
    """Each cable's ends as the import names them: site, device, type and the names, comma-separated.
    An end on objects that belong to no device (a circuit termination) is left empty."""
    ends = [_ends_of(cable) for cable in cables]
    site_ids = {device.site_id for end in ends for device, _kind, _objects in end.values() if device is not None}
    sites = dict(Site._base_manager.filter(pk__in=site_ids).values_list("pk", "name")) if site_ids else {}
    records = []
    for end in ends:
        record: dict = {}
        for side in SIDES:
            device, kind, objects = end[side]
            named = device is not None
            record[f"side_{side}_site"] = sites.get(device.site_id, "") if named else ""
            record[f"side_{side}_device"] = device.name if named else ""
            record[f"side_{side}_type"] = kind if named else ""
            record[f"side_{side}_name"] = ",".join(obj.name for obj in objects) if named else ""
        records.append({name: record[name] for name in END_COLUMNS})
    return records


def _ends_of(cable) -> dict:
    """{"a": (device, object type, objects), "b": ...} from the cable's prefetched terminations."""
    objects: dict[str, list] = {side: [] for side in SIDES}
    kinds: dict[str, str] = {}
    for termination in cable.terminations.all():
        if termination.termination is not None:
            side = termination.cable_end.lower()
            objects[side].append(termination.termination)
            kinds[side] = object_type_label(ContentType.objects.get_for_id(termination.termination_type_id))
    ends = {}
    for side, found in objects.items():
        device = getattr(found[0], "device", None) if found else None
        ends[side] = (device, kinds.get(side, ""), found)
    return ends
