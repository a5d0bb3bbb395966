"""Wireless at NetBox's endpoints: a link recorded on both of its interfaces (and released when it changes or
goes), NetBox's rules for a link's interfaces and distance, a wireless LAN's scope (cached for filters) and
the interfaces serving it."""

import csv
import io
import json

import pytest
from django.db import connection

from core.services import object_update
from inventory.models import (
    ClusterType,
    Device,
    DeviceRole,
    DeviceType,
    Interface,
    Location,
    Manufacturer,
    Region,
    Site,
)
from tenants.context import tenant_context

API = "/o/org-a/api"
IMPORT = "/o/org-a/wireless/wireless-links/import/"


def call(client, method: str, path: str, payload=None):
    if payload is None:
        return getattr(client, method)(f"{API}{path}")
    return getattr(client, method)(f"{API}{path}", json.dumps(payload), content_type="application/json")


def created(response) -> dict:
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def world(org_a):
    with tenant_context(org_a.organization):
        region = Region.objects.create(name="Europe", slug="europe")
        site = Site.objects.create(name="AMS1", slug="ams1", region=region)
        vendor = Manufacturer.objects.create(name="Ubiquiti", slug="ubiquiti")
        device_type = DeviceType.objects.create(manufacturer=vendor, model="AirFiber", slug="airfiber")
        role = DeviceRole.objects.create(name="Radio", slug="radio")
        radios = []
        for n in range(3):
            device = Device.objects.create(name=f"radio{n}", device_type=device_type, role=role, site=site)
            radios.append(Interface.objects.create(device=device, name="wlan0", type="ieee802.11ac"))
        wired = Interface.objects.create(device=radios[0].device, name="eth0", type="1000base-t")
        return {
            "region": region,
            "site": site,
            "floor": Location.objects.create(name="Floor 1", slug="floor-1", site=site),
            "radios": radios,
            "wired": wired,
        }


def _link(api, a: Interface, b: Interface, **values):
    return call(api, "post", "/wireless/wireless-links/", {"interface_a": a.pk, "interface_b": b.pk, **values})


def test_a_link_is_recorded_on_its_interfaces(api, world):
    r0, r1, r2 = world["radios"]

    link = created(_link(api, r0, r1, ssid="backhaul"))
    on_a = call(api, "get", f"/dcim/interfaces/{r0.pk}/").json()
    taken = _link(api, r0, r2)
    moved = call(api, "patch", f"/wireless/wireless-links/{link['id']}/", {"interface_b": r2.pk})
    released = call(api, "get", f"/dcim/interfaces/{r1.pk}/").json()
    joined = call(api, "get", f"/dcim/interfaces/{r2.pk}/").json()

    assert on_a["wireless_link"] == {
        "id": link["id"],
        "url": f"http://testserver{API}/wireless/wireless-links/{link['id']}/",
        "display_url": f"http://testserver/o/org-a/wireless/wireless-links/{link['id']}/",
        "display": "backhaul",
        "ssid": "backhaul",
    }
    assert taken.status_code == 400 and "interface_a" in taken.json()
    assert moved.status_code == 200, moved.content
    assert released["wireless_link"] is None
    assert joined["wireless_link"]["id"] == link["id"]
    assert call(api, "delete", f"/wireless/wireless-links/{link['id']}/").status_code == 204
    assert call(api, "get", f"/dcim/interfaces/{r0.pk}/").json()["wireless_link"] is None


def test_link_rules(api, world):
    r0, r1, _ = world["radios"]

    wired = _link(api, world["wired"], r1)
    no_unit = _link(api, r0, r1, distance=2.5)
    itself = _link(api, r0, r0)

    assert wired.status_code == 400
    assert wired.json() == {"interface_a": ["1000BASE-T (1GE) is not a wireless interface."]}
    assert no_unit.status_code == 400
    assert no_unit.json() == {"distance_unit": ["Must specify a unit when setting a wireless distance"]}
    assert itself.status_code == 400 and "interface_b" in itself.json()


def test_wireless_lans_by_place_and_interface(api, world):
    r0 = world["radios"][0]
    at_floor = created(
        call(
            api,
            "post",
            "/wireless/wireless-lans/",
            {
                "ssid": "Staff",
                "scope_type": "dcim.location",
                "scope_id": world["floor"].pk,
                "auth_type": "wpa-personal",
            },
        )
    )
    created(call(api, "post", "/wireless/wireless-lans/", {"ssid": "Elsewhere"}))
    served = call(api, "patch", f"/dcim/interfaces/{r0.pk}/", {"wireless_lans": [at_floor["id"]]})
    bad_scope = call(api, "post", "/wireless/wireless-lans/", {"ssid": "x", "scope_type": "dcim.device", "scope_id": 1})

    assert at_floor["scope"]["id"] == world["floor"].pk and at_floor["scope_type"] == "dcim.location"
    assert served.status_code == 200
    assert [lan["ssid"] for lan in served.json()["wireless_lans"]] == ["Staff"]
    assert bad_scope.status_code == 400
    for query in (f"region_id={world['region'].pk}", "site=ams1", f"location_id={world['floor'].pk}"):
        found = call(api, "get", f"/wireless/wireless-lans/?{query}").json()["results"]
        assert [row["ssid"] for row in found] == ["Staff"], query
    by_interface = call(api, "get", f"/wireless/wireless-lans/?interface_id={r0.pk}").json()["results"]
    assert [row["ssid"] for row in by_interface] == ["Staff"]


def test_another_organization_sees_no_wireless(api, org_b, world):
    created(call(api, "post", "/wireless/wireless-lans/", {"ssid": "Private"}))

    theirs = org_b.client().get("/o/org-b/api/wireless/wireless-lans/")
    crossing = org_b.client().get("/o/org-a/api/wireless/wireless-lans/")
    anonymous = org_b.client().__class__().get("/o/org-a/api/wireless/wireless-lans/")

    assert theirs.status_code == 200 and theirs.json()["count"] == 0
    assert crossing.status_code in (403, 404)
    assert anonymous.status_code in (401, 403)


def test_links_export_and_import_again_by_device_and_interface_name(api, org_b, world):
    # given: a link between two radios whose interfaces share their name
    r0, r1, _ = world["radios"]
    first = created(_link(api, r0, r1, ssid="backhaul", status="planned"))
    body = api.get("/o/org-a/wireless/wireless-links/?export=csv").content.decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [
        (row["site_a"], row["device_a"], row["interface_a"], row["device_b"], row["interface_b"]) for row in rows
    ] == [("AMS1", "radio0", "wlan0", "radio1", "wlan0")]
    assert call(api, "delete", f"/wireless/wireless-links/{first['id']}/").status_code == 204
    again = "\n".join(line.split(",", 1)[1] for line in body.splitlines())  # without the id column

    # when
    imported = api.post(IMPORT, {"data": again, "format": "csv"})
    unnamed = api.post(IMPORT, {"data": "interface_a,interface_b\nwlan0,wlan0\n", "format": "csv"})
    missing = api.post(
        IMPORT, {"data": "device_a,interface_a,device_b,interface_b\nradio0,wlan9,radio2,wlan0\n", "format": "csv"}
    )
    theirs = org_b.client().post("/o/org-b/wireless/wireless-links/import/", {"data": again, "format": "csv"})

    # then
    assert imported.status_code == 302, imported.content.decode()[:2000]
    links = call(api, "get", "/wireless/wireless-links/").json()["results"]
    assert [
        (row["interface_a"]["id"], row["interface_b"]["id"], row["ssid"], row["status"]["value"]) for row in links
    ] == [(r0.pk, r1.pk, "backhaul", "planned")]
    assert call(api, "get", f"/dcim/interfaces/{r1.pk}/").json()["wireless_link"]["id"] == links[0]["id"]
    assert unnamed.status_code == 400 and "Multiple objects match" in unnamed.content.decode()
    assert missing.status_code == 400 and "Object not found: wlan9" in missing.content.decode()
    assert theirs.status_code == 400 and "Object not found: wlan0" in theirs.content.decode()


def test_the_interfaces_change_log_records_their_link(api, world):
    r0, r1, r2 = world["radios"]

    link = created(_link(api, r0, r1, ssid="backhaul"))
    call(api, "patch", f"/wireless/wireless-links/{link['id']}/", {"interface_b": r2.pk})
    call(api, "delete", f"/wireless/wireless-links/{link['id']}/")

    def changes(interface):
        path = f"/core/object-changes/?changed_object_type=dcim.interface&changed_object_id={interface.pk}&ordering=id"
        rows = call(api, "get", path).json()["results"]
        return [
            (row["action"]["value"], row["prechange_data"]["wireless_link"], row["postchange_data"]["wireless_link"])
            for row in rows
        ]

    assert changes(r0) == [("update", None, link["id"]), ("update", link["id"], None)]
    assert changes(r1) == [("update", None, link["id"]), ("update", link["id"], None)]
    assert changes(r2) == [("update", None, link["id"]), ("update", link["id"], None)]


def test_moving_a_site_or_location_moves_what_is_scoped_to_it(api, org_a, world):
    # given: three LANs on the site's floor, one on the site, a cluster on the site; another region and site
    with tenant_context(org_a.organization):
        emea = Region.objects.create(name="EMEA", slug="emea")
        fra = Site.objects.create(name="FRA1", slug="fra1", region=emea)
        vmware = ClusterType.objects.create(name="VMware", slug="vmware")
    floor, site = ("dcim.location", world["floor"].pk), ("dcim.site", world["site"].pk)
    for ssid, (scope_type, scope_id) in (("Staff", floor), ("Guest", floor), ("IoT", floor), ("Lobby", site)):
        created(
            call(
                api, "post", "/wireless/wireless-lans/", {"ssid": ssid, "scope_type": scope_type, "scope_id": scope_id}
            )
        )
    cluster = {"name": "vsphere1", "type": vmware.pk, "scope_type": "dcim.site", "scope_id": world["site"].pk}
    created(call(api, "post", "/virtualization/clusters/", cluster))

    # when: the site moves to EMEA (through its service, as every writer does)
    statements: list[str] = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with tenant_context(org_a.organization), connection.execute_wrapper(record):
        object_update(instance=Site.objects.get(pk=world["site"].pk), data={"region": emea})

    # then: all are found in EMEA, the LANs moved in one UPDATE
    lans = call(api, "get", f"/wireless/wireless-lans/?region_id={emea.pk}").json()["results"]
    assert sorted(row["ssid"] for row in lans) == ["Guest", "IoT", "Lobby", "Staff"]
    clusters = call(api, "get", f"/virtualization/clusters/?region_id={emea.pk}").json()["results"]
    assert [row["name"] for row in clusters] == ["vsphere1"]
    assert len([sql for sql in statements if sql.startswith('UPDATE "inventory_wirelesslan"')]) == 1, statements

    # when: the floor moves to FRA1; then its LANs are at FRA1, the site's LAN stays
    assert call(api, "patch", f"/dcim/locations/{world['floor'].pk}/", {"site": fra.pk}).status_code == 200
    at_fra = call(api, "get", "/wireless/wireless-lans/?site=fra1").json()["results"]
    at_ams = call(api, "get", "/wireless/wireless-lans/?site=ams1").json()["results"]
    assert sorted(row["ssid"] for row in at_fra) == ["Guest", "IoT", "Staff"]
    assert [row["ssid"] for row in at_ams] == ["Lobby"]
