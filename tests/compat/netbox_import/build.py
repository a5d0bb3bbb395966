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
    "ipam/route-targets", "ipam/roles", "ipam/vrfs", "ipam/rirs", "ipam/asns", "ipam/vlan-groups", "ipam/vlans",
    "ipam/prefixes", "ipam/ip-addresses",
    "circuits/providers", "circuits/provider-accounts", "circuits/provider-networks", "circuits/circuit-types",
    "circuits/circuits", "circuits/circuit-terminations", "circuits/circuit-groups",
    "circuits/circuit-group-assignments",
    "virtualization/cluster-types", "virtualization/cluster-groups", "virtualization/clusters",
    "virtualization/virtual-machines", "virtualization/interfaces", "virtualization/virtual-disks",
    "vpn/tunnel-groups", "vpn/ike-proposals", "vpn/ike-policies", "vpn/ipsec-proposals", "vpn/ipsec-policies",
    "vpn/ipsec-profiles", "vpn/tunnels", "vpn/tunnel-terminations", "vpn/l2vpns", "vpn/l2vpn-terminations",
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

    # A second IP address, on the virtual machine's interface and its primary IPv4; the circuit's Z side ends on
    # the provider's network.
    vm, vm_interface = objects["virtualization/virtual-machines"][0], objects["virtualization/interfaces"][0]
    vm_ip = renamed(objects["ipam/ip-addresses"][0], "ipam/ip-addresses", 2, "10.1.0.2/24")
    vm_ip.update(
        address="10.1.0.2/24",
        dns_name="vm.example.com",
        assigned_object_type="virtualization.vminterface",
        assigned_object_id=vm_interface["id"],
        assigned_object={
            **recorded("virtualization/interfaces")["brief"],
            "virtual_machine": vm_interface["virtual_machine"],
        },
    )
    objects["ipam/ip-addresses"].append(vm_ip)
    vm["primary_ip"] = vm["primary_ip4"] = renamed(ip_brief, "ipam/ip-addresses", 2, "10.1.0.2/24")
    vm["primary_ip4"]["address"] = vm["primary_ip"]["address"] = "10.1.0.2/24"
    # NetBox keeps a virtual machine's disk the sum of its virtual disks' sizes (recorded before the disk was made)
    vm["disk"] = sum(disk["size"] for disk in objects["virtualization/virtual-disks"])
    vm["interface_count"] = vm["virtual_disk_count"] = 1
    network = objects["circuits/provider-networks"][0]
    z_side = renamed(
        objects["circuits/circuit-terminations"][0], "circuits/circuit-terminations", 2, "CID1: Termination Z"
    )
    z_side.update(
        term_side="Z",
        termination_type="circuits.providernetwork",
        termination_id=network["id"],
        termination=recorded("circuits/provider-networks")["brief"],
        port_speed=None,
        xconnect_id="XC-42",
    )
    objects["circuits/circuit-terminations"].append(z_side)
    a_brief = recorded("circuits/circuit-terminations")["brief"]
    z_brief = {**renamed(a_brief, "circuits/circuit-terminations", 2, "CID1: Termination Z"), "term_side": "Z"}
    objects["circuits/circuits"][0].update(termination_a=a_brief, termination_z=z_brief)

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
