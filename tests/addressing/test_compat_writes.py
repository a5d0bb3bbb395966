"""What NetBox's older clients (Ansible's netbox.netbox modules among them) write and read: services and
service templates by `protocol` and `ports`, and a site's counts of the prefixes, VLANs and circuits at it."""

import json

from addressing.models import VLAN, Prefix
from circuits.models import Circuit, CircuitTermination, CircuitType, Provider
from inventory.models import Location, Site
from tenants.context import tenant_context

TEMPLATES = "/o/org-a/api/ipam/service-templates/"


def post(client, path: str, payload: dict):
    return client.post(path, json.dumps(payload), content_type="application/json")


def patch(client, path: str, payload: dict):
    return client.patch(path, json.dumps(payload), content_type="application/json")


def test_a_service_template_written_by_protocol_and_ports(api):
    created = post(api, TEMPLATES, {"name": "SSH", "protocol": "tcp", "ports": [22, 2222]})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["port_mappings"] == ["tcp/22", "tcp/2222"]
    assert body["protocol"] == {"value": "tcp", "label": "TCP"} and body["ports"] == [22, 2222]

    # ports alone keep the protocol; what a client read, written back unchanged, is accepted
    changed = patch(api, f"{TEMPLATES}{body['id']}/", {"ports": [22]})
    assert changed.json()["port_mappings"] == ["tcp/22"]
    echoed = patch(api, f"{TEMPLATES}{body['id']}/", {"port_mappings": ["tcp/22"], "protocol": "tcp", "ports": [22]})
    assert echoed.status_code == 200, echoed.content


def test_protocol_and_ports_that_conflict_or_are_bad_change_nothing(api):
    template = post(api, TEMPLATES, {"name": "DNS", "port_mappings": ["udp/53"]}).json()

    echo = {"port_mappings": ["udp/53"], "protocol": "tcp", "ports": [53]}
    conflict = patch(api, f"{TEMPLATES}{template['id']}/", echo)
    unknown = post(api, TEMPLATES, {"name": "X", "protocol": "icmp", "ports": [1]})
    not_numbers = post(api, TEMPLATES, {"name": "Y", "protocol": "tcp", "ports": ["ssh"]})
    half = post(api, TEMPLATES, {"name": "Z", "ports": [22]})

    assert conflict.status_code == 400
    assert conflict.json() == {"port_mappings": ["The protocol and ports given conflict with port_mappings."]}
    assert unknown.status_code == 400 and "protocol" in unknown.json()
    assert not_numbers.status_code == 400 and not_numbers.json() == {"ports": ["Expected a list of port numbers."]}
    assert half.status_code == 400 and half.json() == {"protocol": ["Both protocol and ports are needed to set ports."]}
    assert api.get(f"{TEMPLATES}{template['id']}/").json()["port_mappings"] == ["udp/53"]
    assert api.get(TEMPLATES).json()["count"] == 1


def test_a_site_counts_its_prefixes_vlans_and_circuits(api, org_a, org_b):
    with tenant_context(org_a.organization):
        site = Site.objects.create(name="AMS1", slug="ams1")
        other = Site.objects.create(name="FRA1", slug="fra1")
        hall = Location.objects.create(name="Hall A", slug="hall-a", site=site)
        Prefix.objects.create(prefix="10.0.0.0/24", scope=site)
        Prefix.objects.create(prefix="10.0.1.0/24", scope=hall)
        Prefix.objects.create(prefix="10.0.2.0/24", scope=other)
        Prefix.objects.create(prefix="10.0.3.0/24")
        VLAN.objects.create(vid=10, name="ten", site=site)
        provider = Provider.objects.create(name="Lumen", slug="lumen")
        kind = CircuitType.objects.create(name="Transit", slug="transit")
        circuit = Circuit.objects.create(cid="C1", provider=provider, type=kind)
        for side, where in (("A", site), ("Z", hall)):  # both ends at the site: counted once
            CircuitTermination.objects.create(circuit=circuit, term_side=side, termination=where)

    sites = {row["slug"]: row for row in api.get("/o/org-a/api/dcim/sites/").json()["results"]}
    one = api.get(f"/o/org-a/api/dcim/sites/{site.pk}/").json()

    assert {name: sites["ams1"][name] for name in ("prefix_count", "vlan_count", "circuit_count")} == {
        "prefix_count": 2,
        "vlan_count": 1,
        "circuit_count": 1,
    }
    assert (sites["fra1"]["prefix_count"], sites["fra1"]["vlan_count"], sites["fra1"]["circuit_count"]) == (1, 0, 0)
    assert one["prefix_count"] == 2 and one["circuit_count"] == 1
    assert org_b.client().get(f"/o/org-b/api/dcim/sites/{site.pk}/").status_code == 404
