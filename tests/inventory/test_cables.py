"""Cables at /api/dcim/cables/: NetBox's shape with A and B terminations, its validation rules and
messages, the connection fields of the components they end on, and isolation between organizations."""

import csv
import io

import pytest

from inventory.models import Cable, CableTermination, Interface
from tenants.context import tenant_context
from tests.inventory.cabling import Lab
from tests.inventory.dcim import call, created


@pytest.fixture
def lab(org_a, api):
    with tenant_context(org_a.organization):
        yield Lab(api, panels={"pp4": 4})


def test_a_cable_is_represented_as_netbox_does(lab, api):
    cable = created(lab.cable("sw1:e1 - sw2:e1", type="cat6", label="sw1<->sw2", length=2.5, length_unit="m"))

    assert list(cable) == [
        "id", "url", "display_url", "display", "type", "a_terminations", "b_terminations", "status", "profile",
        "tenant", "bundle", "label", "color", "length", "length_unit", "description", "owner", "comments", "tags",
        "custom_fields", "created", "last_updated",
    ]  # fmt: skip
    assert cable["display"] == "sw1<->sw2"
    assert cable["type"] == "cat6"  # NetBox 4.7 shows a cable's type as its bare value
    assert cable["status"] == {"value": "connected", "label": "Connected"}
    assert cable["length_unit"] == {"value": "m", "label": "Meters"}
    e1 = lab.port("sw1:e1")
    assert cable["a_terminations"] == [
        {
            "object_type": "dcim.interface",
            "object_id": e1.pk,
            "object": {
                "id": e1.pk,
                "url": f"http://testserver/o/org-a/api/dcim/interfaces/{e1.pk}/",
                "display": "e1",
                "device": {
                    "id": lab.devices["sw1"].pk,
                    "url": f"http://testserver/o/org-a/api/dcim/devices/{lab.devices['sw1'].pk}/",
                    "display": "sw1",
                    "name": "sw1",
                    "description": "",
                },
                "name": "e1",
                "description": "",
                "cable": {
                    "id": cable["id"],
                    "url": f"http://testserver/o/org-a/api/dcim/cables/{cable['id']}/",
                    "display": "sw1<->sw2",
                    "label": "sw1<->sw2",
                    "description": "",
                },
                "_occupied": True,
            },
        }
    ]
    assert [term["object"]["name"] for term in cable["b_terminations"]] == ["e1"]
    fetched = call(api, "get", f"/cables/{cable['id']}/").json()
    assert fetched["a_terminations"] == cable["a_terminations"]


def test_a_cabled_interface_shows_its_cable_peers_and_far_end(lab, api):
    cable = created(lab.cable("sw1:e1 - sw2:e1"))
    shown = call(api, "get", f"/interfaces/{lab.port('sw1:e1').pk}/").json()

    assert shown["cable"]["id"] == cable["id"] and shown["cable_end"] == "A" and shown["_occupied"] is True
    assert shown["link_peers_type"] == "dcim.interface"
    assert [lab.name_of(peer) for peer in shown["link_peers"]] == ["sw2:e1"]
    assert shown["connected_endpoints_type"] == "dcim.interface"
    assert [lab.name_of(end) for end in shown["connected_endpoints"]] == ["sw2:e1"]
    assert shown["connected_endpoints_reachable"] is True
    far = call(api, "get", f"/interfaces/{lab.port('sw2:e1').pk}/").json()
    assert far["cable_end"] == "B" and [lab.name_of(end) for end in far["connected_endpoints"]] == ["sw1:e1"]


def test_a_planned_cable_leaves_its_far_end_unreachable(lab, api):
    created(lab.cable("sw1:c1 - con1:s1", status="planned"))
    shown = call(api, "get", f"/console-ports/{lab.port('sw1:c1').pk}/").json()
    assert [lab.name_of(end) for end in shown["connected_endpoints"]] == ["con1:s1"]
    assert shown["connected_endpoints_reachable"] is False


def test_deleting_a_cable_frees_its_ends_and_their_paths(lab, api):
    cable = created(lab.cable("sw1:e1 - sw2:e1"))
    assert call(api, "delete", f"/cables/{cable['id']}/").status_code == 204

    shown = call(api, "get", f"/interfaces/{lab.port('sw1:e1').pk}/").json()
    assert shown["cable"] is None and shown["cable_end"] is None and shown["link_peers"] == []
    assert shown["connected_endpoints"] is None and shown["_occupied"] is False
    assert not CableTermination.objects.exists()
    created(lab.cable("sw1:e1 - sw2:e1"))  # the ports take a cable again


def test_changing_a_cable_end_moves_its_far_end(lab, api):
    cable = created(lab.cable("sw1:e1 - sw2:e1"))
    response = call(api, "patch", f"/cables/{cable['id']}/", {"b_terminations": [lab.ref("sw3:e1")]})
    assert response.status_code == 200, response.content

    assert [term["object"]["device"]["name"] for term in response.json()["b_terminations"]] == ["sw3"]
    assert call(api, "get", f"/interfaces/{lab.port('sw2:e1').pk}/").json()["cable"] is None
    shown = call(api, "get", f"/interfaces/{lab.port('sw1:e1').pk}/").json()
    assert [lab.name_of(end) for end in shown["connected_endpoints"]] == ["sw3:e1"]


@pytest.mark.parametrize(
    ("spec", "values", "message"),
    [
        ("sw1:e1 - sw2:c1", {}, "Incompatible termination types: interface and consoleport"),
        ("sw1:p1 - sw2:e1", {}, "Incompatible termination types: powerport and interface"),
        ("sw1:e1,sw1:c1 - sw2:e1", {}, "Cannot connect different termination types to same end of cable."),
        ("sw1:e1 - sw1:e1", {}, "A and B terminations cannot connect to the same object."),
        ("sw1:e1 - sw2:e1", {"length": 3}, "Must specify a unit when setting a cable length"),
    ],
)
def test_netbox_cable_rules_are_enforced_with_its_messages(lab, api, spec, values, message):
    response = lab.cable(spec, **values)
    assert response.status_code == 400, response.content
    assert message in str(response.json())
    assert not Cable.objects.exists()


def test_a_termination_takes_one_cable(lab, api):
    first = created(lab.cable("sw1:e1 - sw2:e1"))
    response = lab.cable("sw1:e1 - sw3:e1")
    assert response.status_code == 400
    e1 = lab.port("sw1:e1")
    assert f"Duplicate termination found for inventory.interface {e1.pk}: cable {first['id']}" in str(response.json())


def test_a_cable_needs_both_ends(lab, api):
    response = call(api, "post", "/cables/", {"a_terminations": [lab.ref("sw1:e1")]})
    assert response.status_code == 400
    assert "Must define A and B terminations when creating a new cable." in str(response.json())


def test_virtual_interfaces_take_no_cable(lab, api):
    virtual = Interface.objects.create(device=lab.device("sw1"), name="vlan10", type="virtual")
    response = call(
        api,
        "post",
        "/cables/",
        {
            "a_terminations": [{"object_type": "dcim.interface", "object_id": virtual.pk}],
            "b_terminations": [lab.ref("sw2:e1")],
        },
    )
    assert response.status_code == 400
    assert "Cables cannot be terminated to Virtual interfaces" in str(response.json())


def test_an_unknown_termination_is_refused(lab, api):
    response = call(
        api,
        "post",
        "/cables/",
        {
            "a_terminations": [{"object_type": "dcim.site", "object_id": lab.site.pk}],
            "b_terminations": [lab.ref("sw2:e1")],
        },
    )
    assert response.status_code == 400 and "Invalid content type: dcim.site" in str(response.json())
    missing = call(
        api,
        "post",
        "/cables/",
        {
            "a_terminations": [{"object_type": "dcim.interface", "object_id": 999999}],
            "b_terminations": [lab.ref("sw2:e1")],
        },
    )
    assert missing.status_code == 400 and "999999" in str(missing.json())


def test_a_component_with_a_cable_cannot_be_marked_connected(lab, api):
    created(lab.cable("sw1:e1 - sw2:e1"))
    response = call(api, "patch", f"/interfaces/{lab.port('sw1:e1').pk}/", {"mark_connected": True})
    assert response.status_code == 400
    assert response.json() == {"mark_connected": ["Cannot mark as connected with a cable attached."]}


def test_bulk_cables_in_one_request(lab, api):
    payload = [
        {"a_terminations": [lab.ref(f"sw1:e{n}")], "b_terminations": [lab.ref(f"sw2:e{n}")]} for n in range(1, 4)
    ]
    response = call(api, "post", "/cables/", payload)
    assert response.status_code == 201, response.content
    assert len(response.json()) == 3
    shown = call(api, "get", "/interfaces/?device=sw1").json()["results"]
    assert sorted(lab.name_of(row["connected_endpoints"][0]) for row in shown) == ["sw2:e1", "sw2:e2", "sw2:e3"]


def test_two_cables_on_one_port_in_one_batch_are_refused(lab, api):
    payload = [
        {"a_terminations": [lab.ref("sw1:e1")], "b_terminations": [lab.ref("sw2:e1")]},
        {"a_terminations": [lab.ref("sw1:e1")], "b_terminations": [lab.ref("sw3:e1")]},
    ]
    response = call(api, "post", "/cables/", payload)
    assert response.status_code == 400
    assert not Cable.objects.exists()


def test_another_organization_sees_and_changes_nothing(lab, api, org_a, org_b):
    cable = created(lab.cable("sw1:e1 - sw2:e1"))
    other = org_b.client()
    assert other.get(f"/o/org-a/api/dcim/cables/{cable['id']}/").status_code == 404
    assert other.delete(f"/o/org-a/api/dcim/cables/{cable['id']}/").status_code == 404
    assert other.get(f"/o/org-a/api/dcim/interfaces/{lab.port('sw1:e1').pk}/trace/").status_code == 404
    with tenant_context(org_b.organization):
        assert call(other, "get", "/cables/".replace("/", "/", 1)).status_code in (404,)
        own = other.get("/o/org-b/api/dcim/cables/").json()
        assert own["count"] == 0
        assert not Cable.objects.exists()
    anonymous = type(api)()
    assert anonymous.get(f"/o/org-a/api/dcim/cables/{cable['id']}/").status_code in (403, 404)
    assert Cable.objects.filter(pk=cable["id"]).exists()


IMPORT = "/o/org-a/dcim/cables/import/"
CSV = (
    "side_a_device,side_a_type,side_a_name,side_b_device,side_b_type,side_b_name,type,label\n"
    "sw1,dcim.interface,e1,sw2,dcim.interface,e1,cat6,first\n"
    'sw1,dcim.interface,e2,sw2,dcim.interface,"e2,e3",cat6,breakout\n'
)


def test_cables_are_imported_by_device_and_port_names(lab, api):
    for name in ("sw1:e1", "sw1:e2", "sw2:e1", "sw2:e2", "sw2:e3"):
        lab.port(name)
    response = api.post(IMPORT, {"data": CSV, "format": "csv"})
    assert response.status_code == 302, response.content.decode()[:2000]

    assert sorted(Cable.objects.values_list("label", flat=True)) == ["breakout", "first"]
    shown = call(api, "get", f"/interfaces/{lab.port('sw1:e2').pk}/").json()
    assert sorted(lab.name_of(end) for end in shown["connected_endpoints"]) == ["sw2:e2", "sw2:e3"]


def test_an_import_naming_a_missing_port_writes_nothing(lab, api):
    for name in ("sw1:e1", "sw1:e2", "sw2:e1", "sw2:e2"):
        lab.port(name)
    response = api.post(IMPORT, {"data": CSV, "format": "csv"})
    assert response.status_code == 400
    assert "no single dcim.interface named e3" in response.content.decode()
    assert not Cable.objects.exists()


def test_the_export_names_each_end_as_the_import_reads_it(lab, api, org_b):
    created(lab.cable("sw1:e1 - sw2:e1", type="cat6", label="first"))
    created(lab.cable("sw1:e2 - sw2:e2,sw2:e3", label="breakout"))
    body = api.get("/o/org-a/dcim/cables/?export=csv").content.decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert body.startswith("id,side_a_site,side_a_device,side_a_type,side_a_name,side_b_site,side_b_device,")
    ends = sorted(
        (row["label"], row["side_a_site"], row["side_a_device"], row["side_a_type"], row["side_a_name"],
         row["side_b_device"], row["side_b_name"])
        for row in rows
    )  # fmt: skip
    assert ends == [
        ("breakout", "AMS1", "sw1", "dcim.interface", "e2", "sw2", "e2,e3"),
        ("first", "AMS1", "sw1", "dcim.interface", "e1", "sw2", "e1"),
    ]
    # Another organization's export holds none of these cables.
    other = org_b.client().get("/o/org-b/dcim/cables/?export=csv").content.decode()
    assert list(csv.DictReader(io.StringIO(other))) == []
    assert org_b.client().get("/o/org-a/dcim/cables/?export=csv").status_code in (302, 403, 404)
