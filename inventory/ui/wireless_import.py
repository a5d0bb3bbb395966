"""NetBox's wireless link import: each interface named by its device and its own name (`device_a`,
`interface_a`, `device_b`, `interface_b`; `site_a`/`site_b` when device names repeat across sites), as
radios share interface names (every one has a `wlan0`). Without its device an interface column is read as
any related column is (an id, or a name no other interface has). The exports write the same columns, so an
export imports again."""

from core.context import Actor
from core.querysets import restricted
from core.registry import ObjectSpec
from frontend import transfer
from inventory.models import Interface

SIDES = ("a", "b")
KEYS = tuple(f"{part}_{side}" for side in SIDES for part in ("site", "device"))


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _named(actor: Actor, records: list[dict]) -> dict[tuple[str, str], list[tuple[int, str]]]:
    """The interfaces the records name, by (device name, interface name): [(id, site name)], in one query."""
    devices = {_text(record.get(f"device_{side}")) for record in records for side in SIDES}
    names = {_text(record.get(f"interface_{side}")) for record in records for side in SIDES}
    devices.discard("")
    names.discard("")
    if not devices or not names:
        return {}
    found: dict[tuple[str, str], list[tuple[int, str]]] = {}
    rows = restricted(Interface, actor, "view").filter(device__name__in=devices, name__in=names)
    for pk, name, device, site in rows.values_list("pk", "name", "device__name", "device__site__name"):
        found.setdefault((device, name), []).append((pk, site))
    return found


def _interfaces(found: dict[tuple[str, str], list[tuple[int, str]]]):
    def keys(record: dict) -> tuple[dict, dict, dict[str, list[str]]]:
        columns = {name: value for name, value in record.items() if name not in KEYS}
        resolved: dict = {}
        errors: dict[str, list[str]] = {}
        for side in SIDES:
            device, site = _text(record.get(f"device_{side}")), _text(record.get(f"site_{side}"))
            if not device:
                if site:
                    errors[f"device_{side}"] = ["This field is required."]
                continue
            name = _text(columns.pop(f"interface_{side}", None))
            if not name:
                errors[f"interface_{side}"] = ["This field is required."]
                continue
            matches = [pk for pk, at in found.get((device, name), ()) if not site or at == site]
            if not matches:
                errors[f"interface_{side}"] = [f"Object not found: {name}"]
            elif len(matches) > 1:
                errors[f"interface_{side}"] = [
                    f'"{name}" is not a unique value for this field; multiple objects were found'
                ]
            else:
                resolved[f"interface_{side}"] = matches[0]
        return columns, resolved, errors

    return keys


def import_wireless_links(
    spec: ObjectSpec, actor: Actor, records: list[dict], *, progress=None
) -> transfer.ImportResult:
    keys = _interfaces(_named(actor, records))
    return transfer.write_records(spec, actor, records, progress=progress, keys=keys)


# Each interface's device and the device's site, for all the exported links at once.
EXPORT_PREFETCH = tuple(f"interface_{side}__device__site" for side in SIDES)


def export_wireless_link_ends(links) -> list[dict]:
    records = []
    for link in links:
        record = {}
        for side in SIDES:
            device = getattr(link, f"interface_{side}").device
            record[f"site_{side}"] = device.site.name
            record[f"device_{side}"] = device.name or ""
        records.append({key: record[key] for key in KEYS})
    return records
