"""What NetBox's older clients (Ansible's netbox.netbox modules among them) write and read: services and
service templates by `protocol` and `ports`; the counts NetBox shows: a site's prefixes, VLANs and circuits, the
prefixes of regions, site groups and locations, a tenant's IPAM objects, and the counts of brief lists; a VRF's
route targets nested in full; a site's ASNs."""

import json

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from addressing.models import ASN, RIR, VLAN, VRF, IPAddress, Prefix, Role, RouteTarget
from circuits.models import Circuit, CircuitTermination, CircuitType, Provider
from core.models import Tag, TaggedItem
from inventory.models import Location, Region, Site, SiteGroup, Tenant
from tenants.context import tenant_context

TEMPLATES = "/o/org-a/api/ipam/service-templates/"
VRFS = "/o/org-a/api/ipam/vrfs/"


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


def test_regions_site_groups_and_locations_count_the_prefixes_scoped_in_them(api, org_a, org_b):
    # given a region tree, a site group, a site in both with a location tree, and prefixes scoped across them
    with tenant_context(org_a.organization):
        europe = Region.objects.create(name="Europe", slug="europe")
        nl = Region.objects.create(name="NL", slug="nl", parent=europe)
        edge = SiteGroup.objects.create(name="Edge", slug="edge")
        site = Site.objects.create(name="AMS1", slug="ams1", region=nl, group=edge)
        hall = Location.objects.create(name="Hall", slug="hall", site=site)
        cage = Location.objects.create(name="Cage", slug="cage", site=site, parent=hall)
        for number, scope in enumerate((europe, nl, edge, site, hall, cage, cage, None)):
            Prefix.objects.create(prefix=f"10.0.{number}.0/24", scope=scope)

    # when the lists are read (in full, and ordered by the count)
    regions = {row["slug"]: row["prefix_count"] for row in api.get("/o/org-a/api/dcim/regions/").json()["results"]}
    groups = api.get("/o/org-a/api/dcim/site-groups/").json()["results"]
    halls = api.get("/o/org-a/api/dcim/locations/?ordering=-prefix_count").json()["results"]
    one = api.get(f"/o/org-a/api/dcim/regions/{nl.pk}/").json()

    # then each node counts what is scoped to it, below it, and (regions, groups) at its sites and their locations
    assert regions == {"europe": 6, "nl": 5}
    assert [row["prefix_count"] for row in groups] == [5]
    assert [(row["slug"], row["prefix_count"]) for row in halls] == [("hall", 3), ("cage", 2)]
    assert one["prefix_count"] == 5
    assert org_b.client().get("/o/org-b/api/dcim/regions/").json()["count"] == 0


def test_a_tenant_counts_its_addresses_prefixes_vlans_and_vrfs(api, org_a):
    with tenant_context(org_a.organization):
        tenant = Tenant.objects.create(name="Acme", slug="acme")
        Prefix.objects.create(prefix="10.0.0.0/24", tenant=tenant)
        IPAddress.objects.create(address="10.0.0.1/24", tenant=tenant)
        IPAddress.objects.create(address="10.0.0.2/24", tenant=tenant)
        VLAN.objects.create(vid=10, name="ten", tenant=tenant)
        VRF.objects.create(name="Blue", tenant=tenant)

    body = api.get(f"/o/org-a/api/tenancy/tenants/{tenant.pk}/").json()

    counts = {name: value for name, value in body.items() if name.endswith("_count")}
    assert counts == {
        "circuit_count": 0, "device_count": 0, "ipaddress_count": 2, "prefix_count": 1, "rack_count": 0,
        "site_count": 0, "virtualmachine_count": 0, "vlan_count": 1, "vrf_count": 1, "cluster_count": 0,
    }  # fmt: skip
    assert list(counts)[-1] == "cluster_count"  # NetBox's order


def test_a_brief_list_carries_the_counts_a_nested_object_leaves_out(api, org_a):
    # given a role with two VLANs and a prefix
    with tenant_context(org_a.organization):
        role = Role.objects.create(name="Access", slug="access")
        VLAN.objects.create(vid=10, name="ten", role=role)
        VLAN.objects.create(vid=11, name="eleven", role=role)
        prefix = Prefix.objects.create(prefix="10.0.0.0/24", role=role)

    # when the roles are listed briefly, and a prefix shows its role
    brief = api.get("/o/org-a/api/ipam/roles/", {"brief": 1}).json()["results"][0]
    one = api.get(f"/o/org-a/api/ipam/roles/{role.pk}/", {"brief": 1}).json()
    nested = api.get(f"/o/org-a/api/ipam/prefixes/{prefix.pk}/").json()["role"]

    # then the brief forms count, as NetBox's do, and the nested one does not
    assert (brief["prefix_count"], brief["vlan_count"], brief["asn_count"]) == (1, 2, 0)
    assert list(one)[-3:] == ["prefix_count", "vlan_count", "asn_count"] and one["vlan_count"] == 2
    assert set(nested) == {"id", "url", "display", "name", "slug", "description"}


def test_a_vrf_nests_its_route_targets_in_full(api, org_a, org_b):
    # given VRFs importing and exporting tagged route targets of a tenant
    with tenant_context(org_a.organization):
        tenant = Tenant.objects.create(name="Acme", slug="acme")
        gold = Tag.objects.create(name="Gold", slug="gold")

    def vrf(number: int) -> None:
        with tenant_context(org_a.organization):
            target = RouteTarget.objects.create(name=f"65000:{number}", tenant=tenant)
            TaggedItem.objects.create(
                tag=gold, content_type=ContentType.objects.get_for_model(target), object_id=target.pk
            )
            blue = VRF.objects.create(name=f"Blue {number}", rd=f"65000:{number}")
            blue.import_targets.set([target])
            blue.export_targets.set([target])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(VRFS).status_code == 200
        return len(captured)

    vrf(1)
    api.get(VRFS)  # the session's and the content types' rows are read once

    # when one VRF is listed, and then four
    one = queries()
    for number in (2, 3, 4):
        vrf(number)
    four = queries()
    body = api.get(f"{VRFS}?name=Blue 1").json()["results"][0]
    writes = post(api, VRFS, {"name": "Red", "import_targets": [body["import_targets"][0]["id"]]})

    # then each target is NetBox's full route target, in queries that do not grow with the VRFs, and written by id
    target = body["import_targets"][0]
    assert list(target) == [
        "id", "url", "display_url", "display", "name", "tenant", "description", "owner", "comments", "tags",
        "custom_fields", "created", "last_updated",
    ]  # fmt: skip
    assert (target["name"], target["tenant"]["slug"], [tag["slug"] for tag in target["tags"]]) == (
        "65000:1",
        "acme",
        ["gold"],
    )
    assert body["export_targets"] == body["import_targets"]
    assert four == one
    assert writes.status_code == 201, writes.content
    assert [item["name"] for item in writes.json()["import_targets"]] == ["65000:1"]
    assert org_b.client().get("/o/org-b/api/ipam/vrfs/").json()["count"] == 0


def test_a_sites_change_log_shows_its_asns_as_netboxs_does(api, org_a):
    # given an ASN
    with tenant_context(org_a.organization):
        rir = RIR.objects.create(name="RIPE", slug="ripe")
        asn = ASN.objects.create(asn=65001, rir=rir)
    sites = "/o/org-a/api/dcim/sites/"

    # when a site is made without ASNs, then given one (and nothing else)
    made = post(api, sites, {"name": "AMS1", "slug": "ams1"}).json()
    patch(api, f"{sites}{made['id']}/", {"asns": [asn.pk]})

    # then both changes are logged, the second with the ASN in its snapshot, and no times (NetBox's shape)
    changes = api.get("/o/org-a/api/core/object-changes/", {"changed_object_id": made["id"], "ordering": "time"})
    created, updated = changes.json()["results"]
    assert (created["postchange_data"]["asns"], updated["prechange_data"]["asns"]) == ([], [])
    assert updated["postchange_data"]["asns"] == [asn.pk]
    assert "created" not in updated["postchange_data"] and "last_updated" not in updated["postchange_data"]


def test_a_site_has_asns_written_by_id_or_attributes_and_filtered(api, org_a, org_b):
    # given two ASNs of organization A
    with tenant_context(org_a.organization):
        rir = RIR.objects.create(name="RIPE", slug="ripe")
        first, second = (ASN.objects.create(asn=number, rir=rir) for number in (65001, 65002))
    sites = "/o/org-a/api/dcim/sites/"

    # when a site is made with one by id, another is given by attributes, and one site has none
    made = post(api, sites, {"name": "AMS1", "slug": "ams1", "asns": [first.pk]})
    changed = patch(api, f"{sites}{made.json()['id']}/", {"asns": [first.pk, {"asn": 65002}]})
    post(api, sites, {"name": "AMS2", "slug": "ams2"})

    # then the site shows them briefly, in NetBox's place, and sites filter by them
    assert made.status_code == 201, made.content
    assert [asn["asn"] for asn in made.json()["asns"]] == [65001]
    body = api.get(f"{sites}{made.json()['id']}/").json()
    assert [asn["asn"] for asn in body["asns"]] == [65001, 65002] == [asn["asn"] for asn in changed.json()["asns"]]
    assert list(body["asns"][0]) == ["id", "url", "display", "asn", "description"]
    assert list(body)[list(body).index("comments") + 1] == "asns"
    by_number = api.get(sites, {"asn": "65002"}).json()["results"]
    by_id = api.get(sites, {"asn_id": second.pk}).json()["results"]
    assert [site["name"] for site in by_number] == ["AMS1"] == [site["name"] for site in by_id]
    assert api.get(sites, {"asn_id__n": first.pk}).json()["count"] == 1
    with tenant_context(org_a.organization):
        assert list(ASN.objects.get(pk=second.pk).sites.values_list("name", flat=True)) == ["AMS1"]
    query = json.dumps({"query": "{ site_list { name asns { asn } } }"})
    graphql = api.post("/o/org-a/graphql/", query, content_type="application/json").json()
    assert graphql["data"]["site_list"] == [
        {"name": "AMS1", "asns": [{"asn": 65001}, {"asn": 65002}]},
        {"name": "AMS2", "asns": []},
    ]

    # and emptied, the site has none; organization B neither sees A's sites nor reaches its ASNs
    cleared = patch(api, f"{sites}{made.json()['id']}/", {"asns": []})
    assert cleared.json()["asns"] == []
    other = post(org_b.client(), "/o/org-b/api/dcim/sites/", {"name": "X", "slug": "x", "asns": [first.pk]})
    assert other.status_code == 400
    assert list(other.json()) == ["asns"]
    assert org_b.client().get("/o/org-b/api/dcim/sites/", {"asn_id": first.pk}).status_code == 400
