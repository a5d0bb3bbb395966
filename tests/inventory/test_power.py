"""Power panels and feeds (/api/dcim/power-panels/, /api/dcim/power-feeds/): NetBox's shapes and rules, a
feed cabled to power ports and traced, the power roll-up from outlets to ports to feeds to racks and panels,
and isolation between organizations."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.models import Location, PowerFeed, PowerOutlet, PowerPanel, PowerPort, Rack, Site
from inventory.models.power import available_power
from inventory.power import feed_draws, power_draws
from tenants.context import tenant_context
from tests.inventory.cabling import Lab
from tests.inventory.dcim import call, created

# -- rules -------------------------------------------------------------------------------------------------------------


@pytest.fixture
def lab(org_a, api):
    with tenant_context(org_a.organization):
        yield Lab(api)


@pytest.fixture
def panel(lab):
    return PowerPanel.objects.create(site=lab.site, name="PP1")


@pytest.mark.parametrize(
    ("values", "watts"),
    [
        ({"voltage": 120, "amperage": 15, "max_utilization": 80, "phase": "single-phase"}, 1440),
        ({"voltage": 230, "amperage": 32, "max_utilization": 100, "phase": "single-phase"}, 7360),
        ({"voltage": 230, "amperage": 32, "max_utilization": 80, "phase": "three-phase"}, 10198),
        ({"voltage": -48, "amperage": 60, "max_utilization": 50, "phase": "single-phase"}, 1440),
        ({"voltage": 400, "amperage": 16, "max_utilization": 90, "phase": "three-phase"}, 9976),
    ],
)
def test_available_power_is_computed_as_netbox_does(values, watts):
    assert available_power(**values) == watts


def test_a_feed_stores_its_available_power_and_keeps_it_in_step(lab, api, panel):
    feed = created(call(api, "post", "/power-feeds/", {"power_panel": panel.pk, "name": "A", "voltage": 230}))
    assert PowerFeed.objects.get(pk=feed["id"]).available_power == 2760

    call(api, "patch", f"/power-feeds/{feed['id']}/", {"phase": "three-phase"})

    assert PowerFeed.objects.get(pk=feed["id"]).available_power == 4780
    listed = call(api, "get", "/power-feeds/?available_power=4780").json()
    assert [row["id"] for row in listed["results"]] == [feed["id"]]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"voltage": 0}, "Voltage cannot be zero"),
        ({"voltage": -48}, "Voltage cannot be negative for AC supply"),
        ({"max_utilization": 101}, "Ensure this value is less than or equal to 100."),
        ({"amperage": 0}, "Ensure this value is greater than or equal to 1."),
    ],
)
def test_a_feed_refuses_netbox_s_invalid_values(lab, api, panel, payload, message):
    response = call(api, "post", "/power-feeds/", {"power_panel": panel.pk, "name": "A", **payload})

    assert response.status_code == 400
    assert message in str(response.json())


def test_a_feed_and_its_rack_stand_at_one_site(lab, api, panel):
    elsewhere = Rack.objects.create(site=Site.objects.create(name="FRA1", slug="fra1"), name="R9")

    response = call(api, "post", "/power-feeds/", {"power_panel": panel.pk, "rack": elsewhere.pk, "name": "A"})

    assert response.status_code == 400
    assert "Rack R9 (FRA1) and power panel PP1 (AMS1) are in different sites." in str(response.json())


def test_a_panel_s_location_is_at_its_site(lab, api):
    other = Site.objects.create(name="FRA1", slug="fra1")
    hall = Location.objects.create(name="Hall 9", slug="hall-9", site=other)

    response = call(api, "post", "/power-panels/", {"site": lab.site.pk, "location": hall.pk, "name": "PP9"})

    assert response.status_code == 400
    assert "Location Hall 9 (FRA1) is in a different site than AMS1" in str(response.json())


# -- cabling and tracing -----------------------------------------------------------------------------------------------


def _feed(api, panel, **values) -> PowerFeed:
    """A feed written as users write it (its available power computed)."""
    return PowerFeed.objects.get(
        pk=created(call(api, "post", "/power-feeds/", {"power_panel": panel.pk, **values}))["id"]
    )


def _feed_ref(feed) -> dict:
    return {"object_type": "dcim.powerfeed", "object_id": feed.pk}


def test_a_feed_is_cabled_to_a_power_port_and_traced_both_ways(lab, api, panel):
    feed = _feed(api, panel, name="A")
    port = lab.port("srv1:p1")
    created(
        call(api, "post", "/cables/", {"a_terminations": [_feed_ref(feed)], "b_terminations": [lab.ref("srv1:p1")]})
    )

    shown = call(api, "get", f"/power-feeds/{feed.pk}/").json()
    assert shown["cable_end"] == "A" and shown["_occupied"] is True
    assert shown["link_peers_type"] == "dcim.powerport"
    assert [lab.name_of(end) for end in shown["connected_endpoints"]] == ["srv1:p1"]
    assert shown["connected_endpoints_reachable"] is True
    port_shown = call(api, "get", f"/power-ports/{port.pk}/").json()
    assert port_shown["connected_endpoints_type"] == "dcim.powerfeed"
    assert [end["name"] for end in port_shown["connected_endpoints"]] == ["A"]
    trace = call(api, "get", f"/power-ports/{port.pk}/trace/").json()
    assert [[near["name"] for near in segment[0]] for segment in trace] == [["p1"]]
    assert [[far["name"] for far in segment[2]] for segment in trace] == [["A"]]
    feed_trace = call(api, "get", f"/power-feeds/{feed.pk}/trace/").json()
    assert [far["name"] for far in feed_trace[0][2]] == ["p1"]


@pytest.mark.parametrize(
    ("other", "message"),
    [
        ("srv1:o1", "Incompatible termination types: powerfeed and poweroutlet"),
        ("srv1:e1", "Incompatible termination types: powerfeed and interface"),
    ],
)
def test_a_feed_takes_power_ports_only(lab, api, panel, other, message):
    feed = _feed(api, panel, name="A")

    response = call(api, "post", "/cables/", {"a_terminations": [_feed_ref(feed)], "b_terminations": [lab.ref(other)]})

    assert response.status_code == 400
    assert message in str(response.json())


def test_a_feed_marked_connected_takes_no_cable_and_a_cabled_one_cannot_be_marked(lab, api, panel):
    feed = _feed(api, panel, name="A")
    created(
        call(api, "post", "/cables/", {"a_terminations": [_feed_ref(feed)], "b_terminations": [lab.ref("srv1:p1")]})
    )

    response = call(api, "patch", f"/power-feeds/{feed.pk}/", {"mark_connected": True})

    assert response.status_code == 400
    assert "Cannot mark as connected with a cable attached." in str(response.json())


# -- the power roll-up -------------------------------------------------------------------------------------------------

# (pdu input's own allocated/maximum, [(outlet leg, the draw of the port cabled to it: allocated, maximum)],
#  feed phase) -> the input's draw: allocated, maximum, outlets, and per leg (allocated, maximum, outlets).
ROLL_UP = [
    pytest.param((None, None), [], "single-phase", (0, 0, 0, []), id="nothing-plugged-in"),
    pytest.param(
        (None, None), [("", (100, 200)), ("", (50, 80))], "single-phase", (150, 280, 2, []), id="sum-of-outlets"
    ),
    pytest.param((300, 500), [("", (100, 200))], "single-phase", (300, 500, 1, []), id="own-values-win"),
    pytest.param((None, 400), [("", (100, 200))], "single-phase", (0, 400, 1, []), id="own-maximum-only"),
    pytest.param(
        (None, None),
        [("A", (100, 200)), ("A", (10, 20)), ("B", (50, 60)), ("", (5, 5))],
        "three-phase",
        (165, 285, 4, [(110, 220, 2), (50, 60, 1), (0, 0, 0)]),
        id="three-phase-per-leg",
    ),
    pytest.param((None, None), [("A", (100, 200))], "single-phase", (100, 200, 1, []), id="single-phase-has-no-legs"),
]


def _pdu(lab, api, panel, own, outlets, phase):
    """A PDU whose input p1 is fed by feed A of `panel`; its outlets each cabled to a server's power port."""
    feed = _feed(api, panel, name="A", voltage=230, amperage=16, phase=phase)
    pdu_input = lab.port("pdu:p1")
    PowerPort.objects.filter(pk=pdu_input.pk).update(allocated_draw=own[0], maximum_draw=own[1])
    created(call(api, "post", "/cables/", {"a_terminations": [_feed_ref(feed)], "b_terminations": [lab.ref("pdu:p1")]}))
    for number, (leg, (allocated, maximum)) in enumerate(outlets, start=1):
        outlet = lab.port(f"pdu:o{number}")
        PowerOutlet.objects.filter(pk=outlet.pk).update(power_port=pdu_input, feed_leg=leg)
        server_port = lab.port(f"srv{number}:p1")
        PowerPort.objects.filter(pk=server_port.pk).update(allocated_draw=allocated, maximum_draw=maximum)
        created(lab.cable(f"pdu:o{number} - srv{number}:p1"))
    return feed, PowerPort.objects.get(pk=pdu_input.pk)


@pytest.mark.parametrize(("own", "outlets", "phase", "expected"), ROLL_UP)
def test_a_power_port_draws_what_netbox_rolls_up(lab, api, panel, own, outlets, phase, expected):
    _feed, pdu_input = _pdu(lab, api, panel, own, outlets, phase)

    draw = power_draws([pdu_input])[pdu_input.pk]

    allocated, maximum, outlet_count, legs = expected
    assert (draw.allocated, draw.maximum, draw.outlet_count) == (allocated, maximum, outlet_count)
    assert [(leg.allocated, leg.maximum, leg.outlet_count) for leg in draw.legs] == legs


def test_a_feed_a_rack_and_a_panel_show_the_utilization_of_the_feed(lab, api, panel):
    rack = Rack.objects.create(site=lab.site, name="R1")
    feed, _pdu_input = _pdu(lab, api, panel, (None, None), [("", (368, 400)), ("", (184, 200))], "single-phase")
    PowerFeed.objects.filter(pk=feed.pk).update(rack=rack)
    feed.refresh_from_db()
    assert feed.available_power == 2944  # 230 V x 16 A x 80 %

    (loaded,) = PowerFeed.objects.filter(pk=feed.pk)
    feed_draws([loaded])
    assert loaded.draw.allocated == 552
    shown = call(api, "get", f"/racks/{rack.pk}/").json()
    assert shown["power_utilization"] == 18.8  # 552 / 2944
    assert shown["powerfeed_count"] == 1
    page = api.get(f"/o/org-a/dcim/power-feeds/{feed.pk}/").content.decode()
    assert "wb-power-draw" in page and "552 W" in page and "18.8%" in page
    panel_page = api.get(f"/o/org-a/dcim/power-panels/{panel.pk}/").content.decode()
    assert "18.8% utilized" in panel_page
    rack_page = api.get(f"/o/org-a/dcim/racks/{rack.pk}/").content.decode()
    assert "18.8% utilized" in rack_page
    port_page = api.get(f"/o/org-a/dcim/power-ports/{_pdu_input.pk}/").content.decode()
    assert "wb-power-draw" in port_page and "552 W" in port_page


def test_rack_power_utilization_is_read_for_a_list_at_once(lab, api, panel):
    def add_rack(number):
        rack = Rack.objects.create(site=lab.site, name=f"R{number}")
        feed = _feed(api, panel, rack=rack.pk, name=f"F{number}")
        port = lab.port(f"srv{number}:p1")
        PowerPort.objects.filter(pk=port.pk).update(allocated_draw=144 * (number + 1))
        created(
            call(
                api,
                "post",
                "/cables/",
                {"a_terminations": [_feed_ref(feed)], "b_terminations": [lab.ref(f"srv{number}:p1")]},
            )
        )

    add_rack(0)
    with CaptureQueriesContext(connection) as one:
        call(api, "get", "/racks/?ordering=name")
    add_rack(1)
    add_rack(2)
    with CaptureQueriesContext(connection) as three:
        rows = call(api, "get", "/racks/?ordering=name").json()["results"]

    assert [row["power_utilization"] for row in rows] == [10.0, 20.0, 30.0]  # of 1440 W each
    assert len(three) == len(one) > 0


# -- isolation ---------------------------------------------------------------------------------------------------------


def test_another_organization_sees_no_feed_nor_its_trace(lab, api, panel, org_b):
    feed = _feed(api, panel, name="A")
    created(
        call(api, "post", "/cables/", {"a_terminations": [_feed_ref(feed)], "b_terminations": [lab.ref("srv1:p1")]})
    )
    other = org_b.client()

    assert other.get(f"/o/org-a/api/dcim/power-feeds/{feed.pk}/trace/").status_code == 404
    assert other.get(f"/o/org-a/api/dcim/power-feeds/{feed.pk}/").status_code == 404
    assert other.get(f"/o/org-a/dcim/power-feeds/{feed.pk}/").status_code in (302, 403, 404)
    assert (
        other.patch(f"/o/org-a/api/dcim/power-panels/{panel.pk}/", "{}", content_type="application/json").status_code
        == 404
    )
    with tenant_context(org_b.organization):
        assert other.get("/o/org-b/api/dcim/power-feeds/").json()["count"] == 0
    anonymous = type(api)()
    assert anonymous.get(f"/o/org-a/api/dcim/power-feeds/{feed.pk}/trace/").status_code in (403, 404)
