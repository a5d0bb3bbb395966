"""Cable terminations (/api/dcim/cable-terminations/), the cable list's filters on where cables end, the
connection lists and a device's neighbours, and paths traced again when a cabled component is deleted or a
port is mapped to a cabled one."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.models import (
    CablePath,
    CableTermination,
    Device,
    FrontPort,
    Interface,
    Location,
    Module,
    ModuleBay,
    ModuleType,
    PowerFeed,
    PowerPanel,
    Rack,
    Site,
)
from tenants.context import tenant_context
from tests.inventory.cabling import Lab
from tests.inventory.dcim import call, created


@pytest.fixture
def lab(org_a, api):
    with tenant_context(org_a.organization):
        yield Lab(api, panels={"pp4": 4})


def test_a_termination_is_shown_as_netbox_shows_it(lab, api):
    cable = created(lab.cable("sw1:e1 - sw2:e1", label="uplink"))
    e1 = lab.port("sw1:e1")

    rows = call(api, "get", f"/cable-terminations/?cable_id={cable['id']}&cable_end=A").json()["results"]

    assert [list(row) for row in rows] == [
        [
            "id", "url", "display", "cable", "cable_end", "termination_type", "termination_id", "termination",
            "connector", "positions", "created", "last_updated",
        ]
    ]  # fmt: skip
    (row,) = rows
    assert row["cable"] == cable["id"] and row["cable_end"] == "A"
    assert row["display"] == f"Cable #{cable['id']} A: dcim.interface {e1.pk}"
    assert (row["termination_type"], row["termination_id"]) == ("dcim.interface", e1.pk)
    assert row["termination"]["name"] == "e1" and row["termination"]["device"]["name"] == "sw1"
    assert call(api, "post", "/cable-terminations/", {}).status_code == 405


# -- the cable list's filters ------------------------------------------------------------------------------------------


@pytest.fixture
def spread(lab, api):
    """sw1 in rack R1 at hall 1 of AMS1, sw2 at FRA1; a cable between them, one inside sw1, and a power feed."""
    hall = Location.objects.create(name="Hall 1", slug="hall-1", site=lab.site)
    rack = Rack.objects.create(site=lab.site, location=hall, name="R1")
    fra = Site.objects.create(name="FRA1", slug="fra1")
    Device.objects.filter(pk=lab.device("sw1").pk).update(rack=rack, location=hall)
    Device.objects.filter(pk=lab.device("sw2").pk).update(site=fra)
    panel = PowerPanel.objects.create(site=lab.site, name="PP1")
    feed = created(call(api, "post", "/power-feeds/", {"power_panel": panel.pk, "rack": rack.pk, "name": "A"}))
    cables = {
        "between": created(lab.cable("sw1:e1 - sw2:e1"))["id"],
        "inside": created(lab.cable("sw1:e2 - sw1:e3"))["id"],
        "power": created(
            call(
                api,
                "post",
                "/cables/",
                {
                    "a_terminations": [{"object_type": "dcim.powerfeed", "object_id": feed["id"]}],
                    "b_terminations": [lab.ref("srv1:p1")],
                },
            )
        )["id"],
    }
    return {"rack": rack, "hall": hall, "fra": fra, "feed": PowerFeed.objects.get(pk=feed["id"]), "cables": cables}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("device=sw1", {"between", "inside"}),
        ("device=sw2", {"between"}),
        ("device=srv1", {"power"}),
        ("site=ams1", {"between", "inside", "power"}),
        ("site=fra1", {"between"}),
        ("location=Hall 1", {"between", "inside", "power"}),
        ("rack=R1", {"between", "inside", "power"}),
        ("termination_a_type=dcim.powerfeed", {"power"}),
        ("termination_b_type=dcim.interface", {"between", "inside"}),
    ],
)
def test_cables_are_filtered_by_where_their_ends_are(lab, api, spread, query, expected):
    names = {pk: name for name, pk in spread["cables"].items()}

    rows = call(api, "get", f"/cables/?{query}").json()["results"]

    assert {names[row["id"]] for row in rows} == expected


def test_cables_are_filtered_by_ids_of_places_and_ends(lab, api, spread):
    names = {pk: name for name, pk in spread["cables"].items()}

    def found(query):
        return {names[row["id"]] for row in call(api, "get", f"/cables/?{query}").json()["results"]}

    assert found(f"device_id={lab.device('sw2').pk}") == {"between"}
    assert found(f"site_id={spread['fra'].pk}") == {"between"}
    assert found(f"rack_id={spread['rack'].pk}") == {"between", "inside", "power"}
    assert found(f"location_id={spread['hall'].pk}") == {"between", "inside", "power"}
    assert found(f"interface_id={lab.port('sw1:e3').pk}") == {"inside"}
    assert found(f"powerfeed_id={spread['feed'].pk}") == {"power"}
    assert found(f"termination_a_id={lab.port('sw1:e2').pk}&termination_a_type=dcim.interface") == {"inside"}
    assert call(api, "get", "/cables/?device_id=x").status_code == 400


# -- connection lists and neighbours -----------------------------------------------------------------------------------


def test_the_interface_connections_list_both_ends_with_netbox_s_filters(lab, api):
    created(lab.cable("sw1:e1 - sw2:e1"))
    created(lab.cable("sw1:e2 - pp4:f1"))
    lab.port("sw3:e1")

    page = api.get("/o/org-a/dcim/interface-connections/").content.decode()

    assert "Interface connections" in page and "wb-connections" in page
    assert page.count("<tr>") == 1 + 3  # the header; sw1:e1, sw2:e1 and sw1:e2 (a path to nowhere yet)
    filtered = api.get("/o/org-a/dcim/interface-connections/?device=sw2").content.decode()
    assert filtered.count("<tr>") == 2 and "sw1" in filtered
    by_site = api.get(f"/o/org-a/dcim/interface-connections/?site_id={lab.site.pk}").content.decode()
    assert by_site.count("<tr>") == 4


def test_console_and_power_connections_are_listed(lab, api):
    created(lab.cable("sw1:c1 - cs1:s1"))
    created(lab.cable("pdu1:o1 - sw1:p1"))

    console = api.get("/o/org-a/dcim/console-connections/").content.decode()
    power = api.get("/o/org-a/dcim/power-connections/").content.decode()

    assert "cs1" in console and ">s1<" in console and "Console server" in console
    assert "pdu1" in power and ">o1<" in power and "PDU" in power


def test_a_connection_list_reads_a_page_in_a_fixed_number_of_queries(lab, api):
    created(lab.cable("sw1:e1 - sw2:e1"))
    with CaptureQueriesContext(connection) as one:
        api.get("/o/org-a/dcim/interface-connections/")
    for number in range(2, 5):
        created(lab.cable(f"sw1:e{number} - sw{number + 1}:e1"))
    with CaptureQueriesContext(connection) as many:
        page = api.get("/o/org-a/dcim/interface-connections/").content.decode()

    assert page.count("<tr>") == 1 + 8
    assert len(many) == len(one) > 0
    paged = api.get("/o/org-a/dcim/interface-connections/?per_page=3&page=2").content.decode()
    assert "Showing 4\N{EN DASH}6 of 8" in paged and 'href="?per_page=3&amp;page=3"' in paged


def test_a_device_lists_its_neighbours(lab, api):
    created(lab.cable("sw1:e1 - sw2:e1"))
    created(lab.cable("sw1:e2 - pp4:rear"))
    created(lab.cable("pp4:f1 - sw3:e1"))
    created(lab.cable("pp4:f2 - sw4:e1"))

    page = api.get(f"/o/org-a/dcim/devices/{lab.device('sw1').pk}/neighbours/").content.decode()

    assert "wb-neighbours" in page
    assert "sw2" in page and "sw3" in page and "sw4" in page  # the split path's far ends, each


def test_another_organization_sees_no_connection(lab, api, org_b):
    created(lab.cable("sw1:e1 - sw2:e1"))
    other = org_b.client()

    with tenant_context(org_b.organization):
        page = other.get("/o/org-b/dcim/interface-connections/").content.decode()
    assert "sw2" not in page and "No connections found." in page
    assert other.get("/o/org-a/dcim/interface-connections/").status_code in (302, 403, 404)
    assert other.get(f"/o/org-a/dcim/devices/{lab.device('sw1').pk}/neighbours/").status_code in (302, 403, 404)
    assert other.get("/o/org-a/api/dcim/cable-terminations/").status_code in (403, 404)
    anonymous = type(api)()
    assert anonymous.get("/o/org-a/dcim/interface-connections/").status_code in (302, 403, 404)


# -- deleting and creating components on paths -------------------------------------------------------------------------


def _ends(lab, api, name: str) -> list[str]:
    shown = call(api, "get", f"/interfaces/{lab.port(name).pk}/").json()
    return sorted(lab.name_of(end) for end in shown["connected_endpoints"] or [])


def test_deleting_a_front_port_on_a_path_cuts_the_path(lab, api):
    created(lab.cable("sw1:e1 - pp4:rear"))
    created(lab.cable("pp4:f1 - sw2:e1"))
    created(lab.cable("pp4:f2 - sw3:e1"))
    assert _ends(lab, api, "sw1:e1") == ["sw2:e1", "sw3:e1"]

    assert call(api, "delete", f"/front-ports/{lab.port('pp4:f1').pk}/").status_code == 204

    assert _ends(lab, api, "sw1:e1") == ["sw3:e1"]
    assert _ends(lab, api, "sw2:e1") == []
    far = CablePath.objects.get(origin_id=lab.port("sw2:e1").pk, origin_type__model="interface")
    assert far.is_complete is False
    assert not CableTermination.objects.filter(
        termination_type__model="frontport", termination_id=lab.port("pp4:f1").pk
    )


def test_deleting_a_rear_port_cuts_every_path_through_it(lab, api):
    created(lab.cable("sw1:e1 - pp4:rear"))
    created(lab.cable("pp4:f1 - sw2:e1"))

    assert call(api, "delete", f"/rear-ports/{lab.port('pp4:rear').pk}/").status_code == 204

    assert _ends(lab, api, "sw1:e1") == [] and _ends(lab, api, "sw2:e1") == []
    assert call(api, "get", f"/interfaces/{lab.port('sw1:e1').pk}/trace/").json()[0][2] is None  # NetBox's null


def test_deleting_a_cabled_interface_leaves_its_peer_unconnected(lab, api):
    cable = created(lab.cable("sw1:e1 - sw2:e1"))

    assert call(api, "delete", f"/interfaces/{lab.port('sw2:e1').pk}/").status_code == 204

    assert _ends(lab, api, "sw1:e1") == []
    shown = call(api, "get", f"/cables/{cable['id']}/").json()
    assert shown["b_terminations"] == [] and len(shown["a_terminations"]) == 1


def test_a_front_port_mapped_to_a_cabled_rear_port_extends_the_paths_through_it(lab, api):
    created(lab.cable("sw1:e1 - pp4:rear"))
    created(lab.cable("pp4:f1 - sw2:e1"))
    FrontPort.objects.filter(pk=lab.port("pp4:f2").pk).delete()  # position 2 free
    rear = lab.port("pp4:rear")

    new = created(
        call(
            api,
            "post",
            "/front-ports/",
            {
                "device": lab.device("pp4").pk,
                "name": "f2b",
                "type": "lc",
                "rear_ports": [{"position": 1, "rear_port": rear.pk, "rear_port_position": 2}],
            },
        )
    )
    created(
        call(
            api,
            "post",
            "/cables/",
            {
                "a_terminations": [{"object_type": "dcim.frontport", "object_id": new["id"]}],
                "b_terminations": [lab.ref("sw3:e1")],
            },
        )
    )

    assert _ends(lab, api, "sw1:e1") == ["sw2:e1", "sw3:e1"]


def test_deleting_a_patch_panel_device_cuts_the_paths_through_it(lab, api):
    created(lab.cable("sw1:e1 - pp4:rear"))
    created(lab.cable("pp4:f1 - sw2:e1"))

    assert call(api, "delete", f"/devices/{lab.device('pp4').pk}/").status_code == 204

    assert _ends(lab, api, "sw1:e1") == [] and _ends(lab, api, "sw2:e1") == []
    assert CableTermination.objects.filter(termination_type__model__in=["frontport", "rearport"]).count() == 0


def _line_card(lab, device: str, bay: str, ports: int, parent=None):
    """A module in a bay of `device` (or of the module `parent`) with interfaces `e<bay>-1`.. known to the lab
    as "<device>:e<bay>-<n>"."""
    chassis = lab.device(device)
    slot = ModuleBay.objects.create(device=chassis, module=parent, name=bay)
    card_type = ModuleType.objects.get_or_create(manufacturer=lab.device_type.manufacturer, model="Card")[0]
    module = Module.objects.create(device=chassis, module_bay=slot, module_type=card_type)
    for number in range(1, ports + 1):
        name = f"e{bay}-{number}"
        lab.ports[f"{device}:{name}"] = Interface.objects.create(
            device=chassis, module=module, name=name, type="1000base-t"
        )
    return module


def test_deleting_a_module_retraces_the_paths_through_its_ports(lab, api):
    # given a line card with a nested card, its ports cabled to switches and through a patch panel
    card = _line_card(lab, "ch1", "s1", 2)
    _line_card(lab, "ch1", "s1n", 1, parent=card)
    created(lab.cable("ch1:es1-1 - sw1:e1"))
    created(lab.cable("ch1:es1-2 - pp4:rear"))
    created(lab.cable("pp4:f1 - sw2:e1"))
    created(lab.cable("ch1:es1n-1 - sw3:e1"))
    assert _ends(lab, api, "sw2:e1") == ["ch1:es1-2"]

    # when the card is deleted
    assert call(api, "delete", f"/modules/{card.pk}/").status_code == 204

    # then every path that reached its ports (or its nested card's) stops short
    assert _ends(lab, api, "sw1:e1") == [] and _ends(lab, api, "sw2:e1") == [] and _ends(lab, api, "sw3:e1") == []
    far = CablePath.objects.get(origin_id=lab.port("sw2:e1").pk, origin_type__model="interface")
    assert far.is_complete is False and far.destination_ids == []
    assert not CableTermination.objects.filter(termination_type__model="interface").exclude(
        termination_id__in=[lab.port(name).pk for name in ("sw1:e1", "sw2:e1", "sw3:e1")]
    )
    assert not CablePath.objects.filter(origin_id=lab.port("ch1:es1-1").pk, origin_type__model="interface")


def test_deleting_a_module_retraces_in_a_number_of_queries_independent_of_its_paths(lab, api):
    counts = []
    for device, ports in (("ch0", 1), ("ch1", 2), ("ch2", 8)):  # the first warms the caches
        card = _line_card(lab, device, "s1", ports)
        for number in range(1, ports + 1):
            created(lab.cable(f"{device}:es1-{number} - {device}peer{number}:e1"))
        with CaptureQueriesContext(connection) as queries:
            assert call(api, "delete", f"/modules/{card.pk}/").status_code == 204
        counts.append(len(queries))
        assert all(_ends(lab, api, f"{device}peer{number}:e1") == [] for number in range(1, ports + 1))

    assert counts[1] == counts[2], counts
