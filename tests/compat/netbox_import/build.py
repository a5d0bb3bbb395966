"""Builds the recorded NetBox 4.7 data set the importer's tests read (`pages/`), from the objects recorded from a
real NetBox 4.7.3 in tests/compat/netbox_shapes/recorded/ (one per endpoint, all made by one data set, so their
ids agree). A few objects are copies of recorded ones with new ids and names (a second device and interface for
the cable's far end), and references NetBox filled in after recording (the device's primary IP, the interfaces'
cable) are set as NetBox shows them. Each page is what `GET /api/<path>/?limit=1000` answers.

    python -m tests.compat.netbox_import.build
"""

import copy
import json
from pathlib import Path

HERE = Path(__file__).parent
RECORDED = HERE.parent / "netbox_shapes" / "recorded"
PAGES = HERE / "pages"
BASE = "http://netbox.example"

ENDPOINTS = (
    "extras/tags", "extras/custom-field-choice-sets", "extras/custom-fields",
    "tenancy/tenant-groups", "tenancy/tenants", "tenancy/contact-groups", "tenancy/contact-roles",
    "tenancy/contacts", "tenancy/contact-assignments",
    "dcim/regions", "dcim/site-groups", "dcim/sites", "dcim/locations",
    "dcim/rack-groups", "dcim/rack-roles", "dcim/rack-types", "dcim/racks",
    "dcim/manufacturers", "dcim/platforms", "dcim/device-roles", "dcim/device-types", "dcim/devices",
    "dcim/interfaces", "dcim/cables",
    "ipam/route-targets", "ipam/roles", "ipam/vrfs", "ipam/prefixes", "ipam/ip-addresses",
    "extras/journal-entries",
)  # fmt: skip
# NetBox's /api/status/ (4.7.3, as pynetbox's trace recorded it).
STATUS = {
    "django-version": "6.1.2",
    "hostname": "vm",
    "installed_apps": {},
    "netbox-version": "4.7.3",
    "netbox-full-version": "4.7.3",
    "plugins": {},
    "python-version": "3.12.1",
    "rq-workers-running": 0,
}


def recorded(endpoint: str) -> dict:
    return json.loads((RECORDED / f"{endpoint.replace('/', '.')}.json").read_text())


def renamed(nested: dict, path: str, new_id: int, name: str) -> dict:
    nested = copy.deepcopy(nested)
    nested["id"] = new_id
    for key in ("url", "display_url"):
        if key in nested:
            api = "/api" if key == "url" else ""
            nested[key] = f"{BASE}{api}/{path}/{new_id}/"
    for key in ("display", "name"):
        if key in nested:
            nested[key] = name
    return nested


def strip_unserved(value, served: set[str]):
    """References to types outside the data set become null (lists drop them), as if never set."""
    if isinstance(value, list):
        return [strip_unserved(item, served) for item in value if not _unserved(item, served)]
    if isinstance(value, dict):
        return {key: None if _unserved(item, served) else strip_unserved(item, served) for key, item in value.items()}
    return value


def _unserved(value, served: set[str]) -> bool:
    if not (isinstance(value, dict) and isinstance(value.get("url"), str) and "id" in value):
        return False
    return value["url"].split("/api/")[1].rsplit("/", 2)[0] not in served


def build() -> dict[str, list[dict]]:
    served = set(ENDPOINTS)
    objects = {endpoint: [recorded(endpoint)["object"]] for endpoint in ENDPOINTS}
    device, device_brief = objects["dcim/devices"][0], recorded("dcim/devices")["brief"]
    interface, interface_brief = objects["dcim/interfaces"][0], recorded("dcim/interfaces")["brief"]
    ip_brief = recorded("ipam/ip-addresses")["brief"]
    cable_brief = recorded("dcim/cables")["brief"]

    peer = renamed(device, "dcim/devices", 2, "D2")
    peer.update(
        serial="", asset_tag=None, rack=None, location=None, position=None, face=None, platform=None, tenant=None
    )
    peer_brief = renamed(device_brief, "dcim/devices", 2, "D2")
    objects["dcim/devices"].append(peer)
    device["primary_ip"] = device["primary_ip4"] = ip_brief

    peer_interface = renamed(interface, "dcim/interfaces", 2, "eth0")
    peer_interface.update(device=peer_brief, tags=[], mtu=None, description="")
    objects["dcim/interfaces"].append(peer_interface)
    for end, item in (("A", interface), ("B", peer_interface)):
        item.update(cable=cable_brief, cable_end=end)
    cable = objects["dcim/cables"][0]
    cable["b_terminations"][0]["object"] = {
        **renamed(interface_brief, "dcim/interfaces", 2, "eth0"),
        "device": peer_brief,
    }

    return {
        endpoint: [strip_unserved(obj, served) for obj in sorted(items, key=lambda obj: obj["id"])]
        for endpoint, items in objects.items()
    }


def page(results: list[dict]) -> dict:
    return {"count": len(results), "next": None, "previous": None, "results": results}


def main() -> None:
    PAGES.mkdir(exist_ok=True)
    for endpoint, results in build().items():
        (PAGES / f"{endpoint.replace('/', '.')}.json").write_text(json.dumps(page(results), indent=2) + "\n")
    (PAGES / "status.json").write_text(json.dumps(STATUS, indent=2) + "\n")


if __name__ == "__main__":
    main()
