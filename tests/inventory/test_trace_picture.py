"""The Trace tab of cabled objects: the path drawn as a server-side SVG, parsed here for its structure
(boxes, cables with their colour and label, split branches side by side), on endpoints and on the ports and
power feeds a path passes; another organization's user and anonymous see nothing."""

import xml.etree.ElementTree as ET

import pytest

from inventory.models import PowerFeed, PowerPanel
from tenants.context import tenant_context
from tests.inventory.cabling import Lab
from tests.inventory.dcim import call, created

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def lab(org_a, api):
    with tenant_context(org_a.organization):
        yield Lab(api, panels={"pp4": 4, "pp9": 4})


def _pictures(api, url: str) -> list[ET.Element]:
    response = api.get(url)
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    pictures = []
    start = page.find("<svg")
    while start != -1:
        end = page.index("</svg>", start) + len("</svg>")
        if 'class="wb-trace"' in page[start : start + 300]:
            pictures.append(ET.fromstring(page[start:end]))  # noqa: S314 -- our own page
        start = page.find("<svg", end)
    return pictures


def _texts(svg: ET.Element, css: str) -> list[str]:
    return [node.text or "" for node in svg.iter(f"{SVG}text") if node.get("class") == css]


def _boxes(svg: ET.Element) -> list[tuple[float, float]]:
    return [
        (float(rect.get("x")), float(rect.get("y")))
        for rect in svg.iter(f"{SVG}rect")
        if rect.get("class") == "wb-trace-box"
    ]


def test_a_path_through_two_patch_panels_is_drawn_box_by_box(lab, api):
    created(lab.cable("sw1:e1 - pp4:f1", label="patch-1", color="ff0000", type="cat6", length=2, length_unit="m"))
    created(lab.cable("pp4:rear - pp9:rear", label="trunk", type="mmf-om4", status="planned"))
    created(lab.cable("pp9:f1 - sw2:e1"))

    [svg] = _pictures(api, f"/o/org-a/dcim/interfaces/{lab.port('sw1:e1').pk}/trace/")

    assert _texts(svg, "wb-trace-parent") == ["sw1", "pp4", "pp9", "sw2"]
    assert _texts(svg, "wb-trace-port") == ["e1", "f1", "↓ rear", "rear", "↓ f1", "e1"]
    assert [x for x, _y in _boxes(svg)] == [x for x, _y in _boxes(svg)][:1] * 4  # one column
    assert len({y for _x, y in _boxes(svg)}) == 4
    assert _texts(svg, "wb-trace-cable-label")[:2] == ["patch-1", "trunk"]
    assert _texts(svg, "wb-trace-cable-detail")[0] == "CAT6 · Connected · 2 m"
    cables = [line for line in svg.iter(f"{SVG}polyline")]
    assert len(cables) == 3
    assert cables[0].get("stroke") == "#ff0000"
    assert "wb-trace-planned" in cables[1].get("class") and "wb-trace-planned" not in cables[2].get("class")
    links = [a.get("href") for a in svg.iter(f"{SVG}a")]
    assert f"/o/org-a/dcim/devices/{lab.device('sw2').pk}/" in links
    assert f"/o/org-a/dcim/interfaces/{lab.port('sw2:e1').pk}/" in links


def test_a_wireless_link_is_drawn_as_a_hop(lab, api):
    created(lab.connect("ap1:w1 ~ cpe1:w1", ssid="backhaul", distance=1.5, distance_unit="km"))

    [svg] = _pictures(api, f"/o/org-a/dcim/interfaces/{lab.port('ap1:w1').pk}/trace/")

    assert _texts(svg, "wb-trace-parent") == ["ap1", "cpe1"]
    assert _texts(svg, "wb-trace-port") == ["w1", "w1"]
    assert _texts(svg, "wb-trace-cable-label") == ["backhaul"]
    assert _texts(svg, "wb-trace-cable-detail") == ["Wireless · Connected · 1.5 km"]


def test_a_split_path_is_drawn_as_branches_side_by_side(lab, api):
    created(lab.cable("sw1:e1 - pp4:rear"))
    for number in (1, 2, 3):
        created(lab.cable(f"pp4:f{number} - sw{number + 1}:e1"))

    response = api.get(f"/o/org-a/dcim/interfaces/{lab.port('sw1:e1').pk}/trace/")
    [svg] = _pictures(api, f"/o/org-a/dcim/interfaces/{lab.port('sw1:e1').pk}/trace/")

    assert svg.get("data-split") == "true" and "Split: 3 far ends" in response.content.decode()
    assert _texts(svg, "wb-trace-parent") == ["sw1", "pp4", "sw2", "sw3", "sw4"]
    boxes = _boxes(svg)
    far = boxes[2:]
    assert len({y for _x, y in far}) == 1 and len({x for x, _y in far}) == 3  # one row, three columns
    # the trunk above the four branches: f4, with no cable, carries the path nowhere
    assert boxes[0][0] == boxes[1][0] == (far[1][0] + far[2][0]) / 2
    assert _texts(svg, "wb-trace-open") == ["Not connected"]
    assert "Incomplete" in response.content.decode()


def test_a_breakout_cable_fans_out_to_each_device(lab, api):
    created(lab.cable("sw1:e1 - sw2:e1,sw3:e1"))

    [svg] = _pictures(api, f"/o/org-a/dcim/interfaces/{lab.port('sw1:e1').pk}/trace/")

    assert _texts(svg, "wb-trace-parent") == ["sw1", "sw2", "sw3"]
    assert len(list(svg.iter(f"{SVG}polyline"))) == 2


def test_a_patch_panel_port_shows_the_paths_through_it(lab, api):
    created(lab.cable("sw1:e1 - pp4:f1"))
    created(lab.cable("pp4:rear - sw2:e1"))

    pictures = _pictures(api, f"/o/org-a/dcim/rear-ports/{lab.port('pp4:rear').pk}/trace/")

    assert len(pictures) == 2  # from sw1:e1 and from sw2:e1
    assert sorted(_texts(svg, "wb-trace-parent")[0] for svg in pictures) == ["sw1", "sw2"]


def test_uncabled_objects_and_power_feeds(lab, api):
    lab.port("sw1:e1")
    page = api.get(f"/o/org-a/dcim/interfaces/{lab.port('sw1:e1').pk}/trace/").content.decode()
    assert "not cabled" in page and "<svg" not in page.split("wb-trace-paths")[1]

    panel = PowerPanel.objects.create(site=lab.site, name="P1")
    feed = PowerFeed.objects.create(power_panel=panel, name="F1")
    created(
        call(api, "post", "/cables/", {
            "a_terminations": [{"object_type": "dcim.powerfeed", "object_id": feed.pk}],
            "b_terminations": [lab.ref("sw1:p1")],
        })
    )  # fmt: skip
    [svg] = _pictures(api, f"/o/org-a/dcim/power-feeds/{feed.pk}/trace/")
    assert _texts(svg, "wb-trace-parent") == ["P1", "sw1"]
    [svg] = _pictures(api, f"/o/org-a/dcim/power-ports/{lab.port('sw1:p1').pk}/trace/")
    assert _texts(svg, "wb-trace-parent") == ["sw1", "P1"]


def test_names_are_escaped(lab, api):
    created(lab.cable("sw1:e1 - sw2:e1", label="<b>&x"))
    [svg] = _pictures(api, f"/o/org-a/dcim/interfaces/{lab.port('sw1:e1').pk}/trace/")
    assert _texts(svg, "wb-trace-cable-label") == ["<b>&x"]  # parsed back from &lt;b&gt;&amp;x


def test_another_organization_and_anonymous_see_no_trace(lab, api, org_b):
    created(lab.cable("sw1:e1 - sw2:e1"))
    url = f"/o/org-a/dcim/interfaces/{lab.port('sw1:e1').pk}/trace/"

    assert org_b.client().get(url).status_code in (302, 403, 404)
    assert type(api)().get(url).status_code in (302, 403, 404)
