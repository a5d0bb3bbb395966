"""Rack elevations at NetBox's `/api/dcim/racks/{id}/elevation/`: the units of a face as JSON (NetBox's
shape, half units, `expand_devices`, `q`, pages), the face drawn as SVG (read back with an XML parser:
units, devices where their position puts them, reservations, links), bad parameters, isolation, and a
constant number of queries."""

import re
import xml.etree.ElementTree as ET

import pytest
from defusedxml.ElementTree import fromstring
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from inventory.elevations import text_colour
from inventory.models import Device, DeviceRole, DeviceType, Manufacturer, Rack, RackReservation, Site
from tenants.context import tenant_context
from tenants.tokens import token_create
from tests.inventory.dcim import call

SVG = "{http://www.w3.org/2000/svg}"
TOP = 15  # the default margin above the first unit
UNIT = 22  # the default unit height


@pytest.fixture
def hall(org_a):
    """R1 (42U, numbered from the bottom) holding sw1 at U1 (1U, full depth, front), fw1 at U10 (2U, full depth,
    rear), panel at U40 (1U, half depth, front) and pdu (0U); R2 (10U from U5, numbered from the top) holding
    sw2 at U7.5 (1U); a reservation of U20-U21 in R1."""
    with tenant_context(org_a.organization):
        site = Site.objects.create(name="AMS1", slug="ams1")
        acme = Manufacturer.objects.create(name="Acme", slug="acme")
        switch = DeviceType.objects.create(manufacturer=acme, model="S1", slug="s1")
        firewall = DeviceType.objects.create(manufacturer=acme, model="F2", slug="f2", u_height=2)
        panel = DeviceType.objects.create(manufacturer=acme, model="P1", slug="p1", is_full_depth=False)
        strip = DeviceType.objects.create(manufacturer=acme, model="PDU", slug="pdu", u_height=0)
        dark = DeviceRole.objects.create(name="Core", slug="core", color="000000")
        light = DeviceRole.objects.create(name="Patch", slug="patch", color="ffeb3b")
        r1 = Rack.objects.create(name="R1", site=site, u_height=42)
        r2 = Rack.objects.create(name="R2", site=site, u_height=10, starting_unit=5, desc_units=True)

        def device(name, device_type, rack, position, face="front", role=dark):
            return Device.objects.create(
                name=name, device_type=device_type, role=role, site=site, rack=rack, position=position, face=face
            )

        owner = get_user_model().objects.get(email="owner-a@example.com")
        return {
            "site": site,
            "r1": r1,
            "r2": r2,
            "switch": switch,
            "dark": dark,
            "sw1": device("sw1", switch, r1, 1),
            "fw1": device("fw1", firewall, r1, 10, face="rear"),
            "panel": device("panel", panel, r1, 40, role=light),
            "pdu": device("pdu", strip, r1, None, face=""),
            "sw2": device("sw2", switch, r2, "7.5"),
            "reservation": RackReservation.objects.create(
                rack=r1, units=[20, 21], user_id=owner.pk, description="Customer X <cage>"
            ),
        }


def _elevation(client, rack, query=""):
    return call(client, "get", f"/racks/{rack.pk}/elevation/{query}")


def _svg(client, rack, query="") -> ET.Element:
    response = _elevation(client, rack, f"?render=svg{query}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "image/svg+xml"
    # the document the API serves stands alone: it carries its stylesheet (pages link it instead)
    assert b"<style>" in response.content and b".wb-rack-frame {" in response.content
    return fromstring(response.content)


# -- JSON --------------------------------------------------------------------------------------


def test_the_units_are_netboxs_half_units_top_first(api, hall):
    body = _elevation(api, hall["r1"], "?limit=0").json()

    assert body["count"] == 84 and body["next"] is None and body["previous"] is None
    units = body["results"]
    assert list(units[0]) == ["id", "name", "face", "device", "description", "occupied", "display"]
    assert [(unit["id"], unit["name"]) for unit in units[:3]] == [(42.5, "U42.5"), (42.0, "U42"), (41.5, "U41.5")]
    assert units[-1]["id"] == 1.0 and units[-1]["display"] == "U1"
    assert units[0]["face"] == {"value": "front", "label": "Front"}
    assert units[0]["device"] is None and units[0]["occupied"] is False


def test_a_unit_names_its_device_in_brief(api, hall):
    units = {unit["name"]: unit for unit in _elevation(api, hall["r1"], "?limit=0").json()["results"]}

    sw1 = units["U1"]["device"]
    assert sw1 == {
        "id": hall["sw1"].pk,
        "url": f"http://testserver/o/org-a/api/dcim/devices/{hall['sw1'].pk}/",
        "display": "sw1",
        "name": "sw1",
        "description": "",
    }
    assert units["U1"]["occupied"] and units["U1.5"]["device"]["id"] == hall["sw1"].pk
    # fw1 is mounted at the rear but takes the whole depth: it shows on the front too, over U10-U11
    assert [units[name]["device"]["name"] for name in ("U10", "U10.5", "U11", "U11.5")] == ["fw1"] * 4
    assert units["U12"]["occupied"] is False
    assert units["U40"]["device"]["name"] == "panel"


def test_the_rear_face_shows_full_depth_devices_and_its_own(api, hall):
    units = {unit["name"]: unit for unit in _elevation(api, hall["r1"], "?face=rear&limit=0").json()["results"]}

    assert units["U1"]["device"]["name"] == "sw1" and units["U10"]["device"]["name"] == "fw1"
    assert units["U40"]["device"] is None  # the half-depth panel is at the front only
    assert units["U1"]["face"] == {"value": "rear", "label": "Rear"}


def test_unexpanded_devices_take_one_unit_and_excluded_ones_none(api, hall):
    names = [unit["name"] for unit in _elevation(api, hall["r1"], "?expand_devices=false&limit=0").json()["results"]]
    excluded = {
        unit["name"]: unit
        for unit in _elevation(api, hall["r1"], f"?exclude={hall['fw1'].pk}&limit=0").json()["results"]
    }

    assert len(names) == 84 - 1 - 3 - 1  # the halves above sw1's, fw1's and the panel's positions
    assert "U10" in names and "U10.5" not in names and "U11" not in names and "U1.5" not in names
    assert excluded["U10"]["occupied"] is False and excluded["U1"]["occupied"] is True


def test_descending_racks_list_their_first_unit_first(api, hall):
    units = _elevation(api, hall["r2"], "?limit=0").json()["results"]

    assert [unit["name"] for unit in units[:3]] == ["U5", "U5.5", "U6"]
    assert units[-1]["name"] == "U14.5"
    by_name = {unit["name"]: unit for unit in units}
    assert by_name["U7.5"]["device"]["name"] == "sw2" and by_name["U8"]["device"]["name"] == "sw2"
    assert by_name["U7"]["occupied"] is False and by_name["U8.5"]["occupied"] is False


def test_units_are_paginated_and_searched_as_netbox_does(api, hall):
    first = _elevation(api, hall["r1"]).json()
    second = _elevation(api, hall["r1"], "?limit=10&offset=80").json()
    searched = _elevation(api, hall["r1"], "?q=U4&limit=0").json()

    assert first["count"] == 84 and len(first["results"]) == 50
    assert first["next"].endswith(f"/racks/{hall['r1'].pk}/elevation/?limit=50&offset=50")
    assert [unit["name"] for unit in second["results"]] == ["U2.5", "U2", "U1.5", "U1"]
    # NetBox matches the unit's number ("4.5") or its name ("U4.5")
    assert [unit["name"] for unit in searched["results"]] == [
        "U42.5", "U42", "U41.5", "U41", "U40.5", "U40", "U4.5", "U4",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("?face=side", {"face": ['"side" is not a valid choice.']}),
        ("?render=png", {"render": ['"png" is not a valid choice.']}),
        (
            "?unit_width=wide&unit_height=-1",
            {
                "unit_width": ["A valid integer is required."],
                "unit_height": ["Ensure this value is greater than or equal to 1."],
            },
        ),
        ("?expand_devices=maybe", {"expand_devices": ["Must be a valid boolean."]}),
        ("?exclude=x", {"exclude": ["A valid integer is required."]}),
        ("?q=", {"q": ["This field may not be blank."]}),
        ("?render=svg&unit_height=100000", {"unit_height": ["Ensure this value is less than or equal to 2000."]}),
    ],
)
def test_bad_parameters_are_refused_as_netbox_refuses_them(api, hall, query, errors):
    response = _elevation(api, hall["r1"], query)

    assert response.status_code == 400
    assert response.json() == errors


# -- SVG ---------------------------------------------------------------------------------------


def _units(svg: ET.Element) -> list[str]:
    return [text.text or "" for text in svg.iter(f"{SVG}text") if text.get("class") == "wb-unit"]


def _device_rect(svg: ET.Element, device) -> ET.Element:
    [rect] = [rect for rect in svg.iter(f"{SVG}rect") if rect.get("data-device") == str(device.pk)]
    return rect


def test_the_svg_draws_every_unit_numbered_from_the_bottom(api, hall):
    svg = _svg(api, hall["r1"])

    assert svg.tag == f"{SVG}svg"
    assert _units(svg) == [str(unit) for unit in range(42, 0, -1)]
    frame = next(rect for rect in svg.iter(f"{SVG}rect") if rect.get("class") == "wb-rack-frame")
    assert float(frame.get("height")) == 42 * UNIT and float(svg.get("height")) == 42 * UNIT + 2 * TOP


def test_a_device_is_drawn_where_its_position_and_height_put_it(api, hall):
    svg = _svg(api, hall["r1"])

    fw1 = _device_rect(svg, hall["fw1"])  # U10-U11 of 42, from the bottom: its top edge is 31 units down
    assert float(fw1.get("y")) == TOP + (42 - 11) * UNIT
    assert float(fw1.get("height")) == 2 * UNIT
    assert "wb-device-other-face" in fw1.get("class")  # mounted at the rear
    sw1 = _device_rect(svg, hall["sw1"])
    assert float(sw1.get("y")) == TOP + 41 * UNIT
    assert sw1.get("fill") == "#000000"


def test_a_descending_rack_is_drawn_top_down_from_its_first_unit(api, hall):
    svg = _svg(api, hall["r2"])

    assert _units(svg) == [str(unit) for unit in range(5, 15)]
    sw2 = _device_rect(svg, hall["sw2"])  # at U7.5: two and a half units below the top
    assert float(sw2.get("y")) == TOP + 2.5 * UNIT and float(sw2.get("height")) == UNIT


def test_device_labels_contrast_with_their_role_colour(api, hall):
    svg = _svg(api, hall["r1"])
    labels = {text.text: text.get("fill") for text in svg.iter(f"{SVG}text") if text.get("class") == "wb-device-label"}

    assert labels == {"sw1": "#ffffff", "fw1": "#ffffff", "panel": "#000000"}
    assert text_colour("000000") == "#ffffff" and text_colour("ffffff") == "#000000"


def test_reservations_are_hatched_with_their_description(api, hall):
    svg = _svg(api, hall["r1"])
    [link] = [a for a in svg.iter(f"{SVG}a") if a.get("class") == "wb-reservation-link"]

    rect = link.find(f"{SVG}rect")
    assert rect.get("fill", "").startswith("url(#wb-hatch-")
    assert float(rect.get("y")) == TOP + (42 - 21) * UNIT and float(rect.get("height")) == 2 * UNIT
    assert link.find(f"{SVG}title").text == "Customer X <cage>"
    assert link.get("href") == f"http://testserver/o/org-a/dcim/rack-reservations/{hall['reservation'].pk}/"
    pattern_id = rect.get("fill")[len("url(#") : -1]
    assert any(pattern.get("id") == pattern_id for pattern in svg.iter(f"{SVG}pattern"))


def test_free_units_link_to_the_device_form_and_devices_to_their_pages(api, hall):
    svg = _svg(api, hall["r1"], "&face=rear")
    links = [a.get("href") for a in svg.iter(f"{SVG}a")]
    slots = [a for a in svg.iter(f"{SVG}a") if a.get("class") == "wb-slot-link"]

    add = f"http://testserver/o/org-a/dcim/devices/add/?site={hall['site'].pk}&rack={hall['r1'].pk}&face=rear"
    assert f"{add}&position=2" in links and f"{add}&position=40" in links  # the half-depth panel is in front
    assert f"{add}&position=1" not in links and f"{add}&position=10" not in links
    assert len(slots) == 42 - 1 - 2
    assert f"http://testserver/o/org-a/dcim/devices/{hall['sw1'].pk}/" in links


def test_a_viewer_gets_no_links_to_add_devices(org_a, hall):
    from tenants.models import Membership

    user = get_user_model().objects.create_user("viewer-elevation@example.com")
    Membership.objects.create(user=user, organization=org_a.organization, role="viewer")
    viewer = Client()
    viewer.force_login(user)

    svg = _svg(viewer, hall["r1"])

    assert not [a for a in svg.iter(f"{SVG}a") if a.get("class") == "wb-slot-link"]
    assert len([rect for rect in svg.iter(f"{SVG}rect") if rect.get("class") == "wb-slot"]) == 42 - 4


def test_type_images_are_drawn_unless_left_out(api, hall, org_a):
    with tenant_context(org_a.organization):
        DeviceType.objects.filter(pk=hall["switch"].pk).update(front_image="devicetype-images/s1-front.png")

    images = [image.get("href") for image in _svg(api, hall["r1"]).iter(f"{SVG}image")]
    without = list(_svg(api, hall["r1"], "&include_images=false").iter(f"{SVG}image"))

    assert images == [f"http://testserver/o/org-a/dcim/device-types/{hall['switch'].pk}/front-image/"]
    assert without == []


def test_the_svg_takes_its_colours_from_the_theme(api, hall):
    """Frame, numbers and free units use the page's colours (currentColor and Bootstrap's variables), so the
    drawing reads in the dark theme as in the light one."""
    svg = _svg(api, hall["r1"])
    style = svg.find(f"{SVG}style").text

    assert "var(--bs-body-color" in style and "var(--bs-body-bg" in style and "stroke: currentColor" in style
    themed = [e for e in svg.iter() if (e.get("class") or "").split(" ")[0] in ("wb-rack-frame", "wb-unit", "wb-slot")]
    assert themed and all(element.get("fill") is None and element.get("stroke") is None for element in themed)


def test_the_svg_honours_its_sizes(api, hall):
    svg = _svg(api, hall["r1"], "&unit_width=100&unit_height=10&legend_width=20&margin_width=5")

    assert (svg.get("width"), svg.get("height")) == (str(5 + 20 + 100 + 5), str(5 + 42 * 10 + 5))
    assert float(_device_rect(svg, hall["sw1"]).get("y")) == 5 + 41 * 10


# -- isolation and cost ------------------------------------------------------------------------


def test_another_organizations_rack_is_not_found(org_a, org_b, hall):
    with tenant_context(org_b.organization):
        theirs = Rack.objects.create(name="B1", site=Site.objects.create(name="B", slug="b"))
    _, token = token_create(organization=org_b.organization, user=org_b.owner)

    assert call(org_a.client(), "get", f"/racks/{theirs.pk + 1000}/elevation/").status_code == 404
    for client in (org_b.client(), Client(HTTP_AUTHORIZATION=f"Bearer {token}")):
        assert _elevation(client, hall["r1"]).status_code == 404
        assert _elevation(client, hall["r1"], "?render=svg").status_code == 404
    assert _elevation(Client(), hall["r1"]).status_code == 403
    own = org_b.client().get(f"/o/org-b/api/dcim/racks/{theirs.pk}/elevation/?render=svg")
    assert own.status_code == 200 and b"sw1" not in own.content


def _queries(client, rack, query) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = _elevation(client, rack, query)
    assert response.status_code == 200, response.content
    return len(queries)


@pytest.mark.parametrize("query", ["?limit=0", "?render=svg"])
def test_an_elevation_costs_the_same_whatever_the_number_of_devices(api, hall, org_a, query):
    _queries(api, hall["r1"], query)  # the session, membership and definitions cached
    few = _queries(api, hall["r1"], query)
    with tenant_context(org_a.organization):
        for position in range(22, 40):
            Device.objects.create(
                name=f"extra{position}", device_type=hall["switch"], role=hall["dark"], site=hall["site"],
                rack=hall["r1"], position=position, face="front",
            )  # fmt: skip

    assert _queries(api, hall["r1"], query) == few


# -- pages -------------------------------------------------------------------------------------

PAGES = "/o/org-a/dcim"


def _drawings(html: str) -> list[ET.Element]:
    """The SVG drawings embedded in a page, parsed."""
    return [fromstring(match) for match in re.findall(r"<svg .*?</svg>", html, flags=re.DOTALL)]


def test_the_rack_page_shows_its_front_and_rear_and_its_unmounted_devices(api, hall):
    response = api.get(f"{PAGES}/racks/{hall['r1'].pk}/")
    html = response.content.decode()

    assert response.status_code == 200
    drawings = _drawings(html)
    assert [svg.get("data-face") for svg in drawings] == ["front", "rear"]
    assert all(svg.get("data-rack") == str(hall["r1"].pk) for svg in drawings)
    # links inside the page are relative to the organization
    hrefs = [a.get("href") for a in drawings[0].iter(f"{SVG}a")]
    assert f"/o/org-a/dcim/devices/{hall['sw1'].pk}/" in hrefs
    assert "Non-racked devices" in html and f'href="/o/org-a/dcim/devices/{hall["pdu"].pk}/">pdu<' in html


def test_the_elevations_page_draws_the_filtered_racks_a_page_at_a_time(api, hall, org_a):
    with tenant_context(org_a.organization):
        elsewhere = Site.objects.create(name="FRA1", slug="fra1")
        Rack.objects.create(name="R9", site=elsewhere, u_height=4)

    every = api.get(f"{PAGES}/rack-elevations/")
    filtered = api.get(f"{PAGES}/rack-elevations/?site_id={hall['site'].pk}&face=rear")
    paged = api.get(f"{PAGES}/rack-elevations/?per_page=1&page=2")

    assert every.status_code == 200
    assert [svg.get("data-face") for svg in _drawings(every.content.decode())] == ["front"] * 3
    rear = _drawings(filtered.content.decode())
    assert sorted(svg.get("data-rack") for svg in rear) == sorted(str(hall[name].pk) for name in ("r1", "r2"))
    assert {svg.get("data-face") for svg in rear} == {"rear"}
    assert len(_drawings(paged.content.decode())) == 1 and "Showing 2\N{EN DASH}2 of 3" in paged.content.decode()
    assert 'href="?per_page=1&amp;page=3"' in paged.content.decode()  # Last, as on a list
    assert 'href="/o/org-a/dcim/rack-elevations/"' in every.content.decode()  # in the Racks menu


def _page_queries(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def test_the_elevations_page_costs_the_same_whatever_the_number_of_racks(api, hall, org_a):
    _page_queries(api, f"{PAGES}/rack-elevations/")
    few = _page_queries(api, f"{PAGES}/rack-elevations/")
    with tenant_context(org_a.organization):
        for number in range(5):
            rack = Rack.objects.create(name=f"X{number}", site=hall["site"], u_height=10)
            Device.objects.create(
                name=f"x{number}", device_type=hall["switch"], role=hall["dark"], site=hall["site"], rack=rack,
                position=1, face="front",
            )  # fmt: skip

    assert _page_queries(api, f"{PAGES}/rack-elevations/") == few


def test_outsiders_see_no_elevations(org_b, hall):
    outsider = org_b.client()

    for path in (f"{PAGES}/rack-elevations/", f"{PAGES}/racks/{hall['r1'].pk}/"):
        assert outsider.get(path).status_code == 404
        assert Client().get(path).status_code == 302
    own = outsider.get("/o/org-b/dcim/rack-elevations/")
    assert own.status_code == 200 and _drawings(own.content.decode()) == []
