"""Path tracing as data: a table of topologies (cables and wireless links by "device:port" names, see
tests.inventory.cabling) and the far ends a trace from an origin reaches; then the trace and paths routes,
re-tracing when a cable or a wireless link changes, loops, and a circuit in the middle through the registry
(a test double until circuits exist)."""

import io
import json
from dataclasses import replace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.registry import Cabling, registry
from inventory.models import CablePath, ConsoleServerPort
from tenants.context import tenant_context
from tests.inventory.cabling import Lab
from tests.inventory.dcim import call, created

# name: (panels' positions, cables, origin, far ends it reaches, is_split)
PATHS = {
    "direct": ({}, ["sw1:e1 - sw2:e1"], "sw1:e1", {"sw2:e1"}, False),
    "console": ({}, ["sw1:c1 - con1:s1"], "con1:s1", {"sw1:c1"}, False),
    "power": ({}, ["sw1:p1 - pdu1:o1"], "sw1:p1", {"pdu1:o1"}, False),
    "through one patch panel": ({}, ["sw1:e1 - pp1:f1", "pp1:rear - sw2:e1"], "sw1:e1", {"sw2:e1"}, False),
    "through one patch panel, back": ({}, ["sw1:e1 - pp1:f1", "pp1:rear - sw2:e1"], "sw2:e1", {"sw1:e1"}, False),
    "through two patch panels": (
        {},
        ["sw1:e1 - pp1:f1", "pp1:rear - pp2:rear", "pp2:f1 - sw2:e1"],
        "sw1:e1",
        {"sw2:e1"},
        False,
    ),
    "multi-position rear ports keep the position": (
        {"pp1": 4, "pp2": 4},
        ["sw1:e1 - pp1:f3", "pp1:rear - pp2:rear", "pp2:f1 - sw2:e1", "pp2:f3 - sw2:e3", "pp2:f4 - sw2:e4"],
        "sw1:e1",
        {"sw2:e3"},
        False,
    ),
    "multi-position, from the far side": (
        {"pp1": 4, "pp2": 4},
        ["sw1:e1 - pp1:f3", "sw1:e2 - pp1:f2", "pp1:rear - pp2:rear", "pp2:f2 - sw2:e2", "pp2:f3 - sw2:e3"],
        "sw2:e2",
        {"sw1:e2"},
        False,
    ),
    "through four patch panels": (
        {"pp2": 2, "pp3": 2},
        ["sw1:e1 - pp1:f1", "pp1:rear - pp2:f2", "pp2:rear - pp3:rear", "pp3:f2 - pp4:rear", "pp4:f1 - sw2:e1"],
        "sw1:e1",
        {"sw2:e1"},
        False,
    ),
    "breakout 1 to 4": (
        {},
        ["sw1:e1 - sw2:e1,sw2:e2,sw2:e3,sw2:e4"],
        "sw1:e1",
        {"sw2:e1", "sw2:e2", "sw2:e3", "sw2:e4"},
        True,
    ),
    "breakout, from one of the four": ({}, ["sw1:e1 - sw2:e1,sw2:e2,sw2:e3,sw2:e4"], "sw2:e3", {"sw1:e1"}, False),
    "split at a multi-position rear port": (
        {"pp1": 4},
        ["sw1:e1 - pp1:rear", "pp1:f1 - sw2:e1", "pp1:f2 - sw2:e2", "pp1:f4 - sw2:e4"],
        "sw1:e1",
        {"sw2:e1", "sw2:e2", "sw2:e4"},
        True,
    ),
    "split followed by more hops (netbox#10355)": (
        {"pp1": 2},
        ["sw1:e1 - pp1:rear", "pp1:f1 - pp2:f1", "pp1:f2 - pp3:f1", "pp2:rear - sw2:e1", "pp3:rear - sw3:e1"],
        "sw1:e1",
        {"sw2:e1", "sw3:e1"},
        True,
    ),
    "breakout into patch panels": (
        {},
        ["sw1:e1 - pp1:f1,pp2:f1", "pp1:rear - sw2:e1", "pp2:rear - sw3:e1"],
        "sw1:e1",
        {"sw2:e1", "sw3:e1"},
        True,
    ),
    "open end at a patch panel": ({}, ["sw1:e1 - pp1:f1"], "sw1:e1", set(), False),
    "open end at a patch panel's front": ({}, ["sw1:e1 - pp1:rear"], "sw1:e1", set(), False),
    "open end beyond the second patch panel": ({}, ["sw1:e1 - pp1:f1", "pp1:rear - pp2:rear"], "sw1:e1", set(), False),
    "split with one branch open": (
        {"pp1": 2},
        ["sw1:e1 - pp1:rear", "pp1:f1 - sw2:e1"],
        "sw1:e1",
        {"sw2:e1"},
        True,
    ),
    "wireless link": ({}, ["ap1:w1 ~ cpe1:w1"], "ap1:w1", {"cpe1:w1"}, False),
    "wireless link, from the far radio": ({}, ["ap1:w1 ~ cpe1:w1"], "cpe1:w1", {"ap1:w1"}, False),
    "wireless link beside a cable": ({}, ["ap1:w1 ~ cpe1:w1", "cpe1:e1 - sw1:e1"], "cpe1:w1", {"ap1:w1"}, False),
}


@pytest.fixture
def tenant(org_a):
    with tenant_context(org_a.organization):
        yield


def _far_ends(api, lab, origin: str):
    path = _endpoint_path(origin)
    shown = call(api, "get", f"/{path}/{lab.port(origin).pk}/").json()
    return {lab.name_of(end) for end in shown["connected_endpoints"] or []}, shown


def _endpoint_path(origin: str) -> str:
    kinds = {"e": "interfaces", "w": "interfaces", "c": "console-ports", "s": "console-server-ports"}
    return {**kinds, "p": "power-ports"}.get(origin.split(":")[1][0], "power-outlets")


@pytest.mark.parametrize("case", list(PATHS))
def test_paths_reach_their_far_ends(api, tenant, case):
    panels, cables, origin, far_ends, split = PATHS[case]
    lab = Lab(api, panels=panels)
    for spec in cables:
        created(lab.connect(spec))

    reached, shown = _far_ends(api, lab, origin)
    assert reached == far_ends
    assert shown["connected_endpoints_reachable"] is bool(far_ends)
    if far_ends:
        port = lab.port(origin)
        path = CablePath.objects.get(origin_id=port.pk, origin_type__model=type(port)._meta.model_name)
        assert path.is_split is split


@pytest.mark.parametrize("case", [name for name in PATHS if PATHS[name][3]])
def test_paths_do_not_depend_on_the_order_cables_are_made(api, tenant, case):
    panels, cables, origin, far_ends, _split = PATHS[case]
    lab = Lab(api, panels=panels)
    for spec in reversed(cables):
        created(lab.connect(spec))
    assert _far_ends(api, lab, origin)[0] == far_ends


def test_the_trace_is_netbox_segment_shape(api, tenant):
    lab = Lab(api)
    first = created(lab.cable("sw1:e1 - pp1:f1", type="cat6", label="patch", color="ff0000"))
    created(lab.cable("pp1:rear - pp2:rear"))
    created(lab.cable("pp2:f1 - sw2:e1"))

    response = call(api, "get", f"/interfaces/{lab.port('sw1:e1').pk}/trace/")
    assert response.status_code == 200
    segments = response.json()
    assert len(segments) == 3
    near, cable, far = segments[0]
    assert [lab.name_of(obj) for obj in near] == ["sw1:e1"] and [lab.name_of(obj) for obj in far] == ["pp1:f1"]
    assert list(near[0]) == ["id", "url", "display", "device", "name", "description", "cable", "_occupied"]
    assert cable == {
        "id": first["id"],
        "url": f"http://testserver/o/org-a/api/dcim/cables/{first['id']}/",
        "display_url": f"http://testserver/o/org-a/dcim/cables/{first['id']}/",
        "type": "cat6",
        "status": "connected",
        "label": "patch",
        "color": "ff0000",
        "length": None,
        "length_unit": None,
        "description": "",
    }
    assert [lab.name_of(obj) for obj in segments[2][2]] == ["sw2:e1"]
    assert call(api, "get", f"/interfaces/{lab.port('sw3:e1').pk}/trace/").json() == []


def test_a_wireless_link_is_a_hop_of_the_path(api, tenant):
    lab = Lab(api)
    link = created(lab.connect("ap1:w1 ~ cpe1:w1", ssid="backhaul", description="roof"))
    ap, cpe = lab.port("ap1:w1"), lab.port("cpe1:w1")

    shown = call(api, "get", f"/interfaces/{ap.pk}/").json()
    segments = call(api, "get", f"/interfaces/{ap.pk}/trace/").json()

    assert [lab.name_of(peer) for peer in shown["link_peers"]] == ["cpe1:w1"]
    assert shown["link_peers_type"] is None  # as NetBox's, which reads it from a cable
    assert [lab.name_of(end) for end in shown["connected_endpoints"]] == ["cpe1:w1"]
    assert shown["connected_endpoints_type"] == "dcim.interface"
    assert shown["connected_endpoints_reachable"] is True
    assert len(segments) == 1
    near, hop, far = segments[0]
    assert [lab.name_of(obj) for obj in near] == ["ap1:w1"] and [lab.name_of(obj) for obj in far] == ["cpe1:w1"]
    assert hop == {
        "id": link["id"],
        "url": f"http://testserver/o/org-a/api/wireless/wireless-links/{link['id']}/",
        "display_url": f"http://testserver/o/org-a/wireless/wireless-links/{link['id']}/",
        "status": "connected",
        "length": None,
        "length_unit": None,
        "description": "roof",
    }
    path = CablePath.objects.get(origin_id=cpe.pk, origin_type__model="interface")
    assert path.is_active and path.is_complete and f"w{link['id']}" in path.nodes


def test_a_wireless_link_change_retraces_and_its_deletion_clears_the_paths(api, tenant):
    lab = Lab(api)
    link = created(lab.connect("ap1:w1 ~ cpe1:w1"))
    links = "/o/org-a/api/wireless/wireless-links"

    planned = api.patch(f"{links}/{link['id']}/", json.dumps({"status": "planned"}), content_type="application/json")
    assert planned.status_code == 200, planned.content
    assert _far_ends(api, lab, "ap1:w1")[1]["connected_endpoints_reachable"] is False

    moved = api.patch(
        f"{links}/{link['id']}/",
        json.dumps({"interface_b": lab.port("cpe2:w1").pk, "status": "connected"}),
        content_type="application/json",
    )
    assert moved.status_code == 200, moved.content
    assert _far_ends(api, lab, "ap1:w1")[0] == {"cpe2:w1"}
    assert _far_ends(api, lab, "cpe2:w1")[0] == {"ap1:w1"}
    released, shown = _far_ends(api, lab, "cpe1:w1")
    assert released == set() and shown["link_peers"] == [] and shown["connected_endpoints"] is None

    assert api.delete(f"{links}/{link['id']}/").status_code == 204
    for name in ("ap1:w1", "cpe2:w1"):
        reached, shown = _far_ends(api, lab, name)
        assert reached == set() and shown["link_peers"] == [] and shown["connected_endpoints_reachable"] is False
        assert call(api, "get", f"/interfaces/{lab.port(name).pk}/trace/").json() == []
    assert not CablePath.objects.filter(nodes__contains=[f"w{link['id']}"]).exists()


def test_another_organization_cannot_trace_a_wireless_link(api, org_b, tenant):
    lab = Lab(api)
    created(lab.connect("ap1:w1 ~ cpe1:w1"))
    ap = lab.port("ap1:w1")

    crossing = org_b.client().get(f"/o/org-a/api/dcim/interfaces/{ap.pk}/trace/")
    anonymous = org_b.client().__class__().get(f"/o/org-a/api/dcim/interfaces/{ap.pk}/trace/")
    theirs = org_b.client().get(f"/o/org-b/api/dcim/interfaces/{ap.pk}/trace/")

    assert crossing.status_code in (403, 404)
    assert anonymous.status_code in (401, 403)
    assert theirs.status_code == 404
    assert _far_ends(api, lab, "ap1:w1")[0] == {"cpe1:w1"}


def test_paths_through_a_port(api, tenant):
    lab = Lab(api, panels={"pp1": 2})
    created(lab.cable("sw1:e1 - pp1:f1"))
    created(lab.cable("sw1:e2 - pp1:f2"))
    created(lab.cable("pp1:rear - sw2:e1"))

    response = call(api, "get", f"/rear-ports/{lab.port('pp1:rear').pk}/paths/")
    assert response.status_code == 200
    paths = response.json()
    assert len(paths) == 3  # sw1:e1 and sw1:e2 to sw2:e1, and sw2:e1 split to both
    assert list(paths[0]) == ["id", "path", "is_active", "is_complete", "is_split"]
    origins = sorted(lab.name_of(path["path"][0][0]) for path in paths)
    assert origins == ["sw1:e1", "sw1:e2", "sw2:e1"]
    front = call(api, "get", f"/front-ports/{lab.port('pp1:f2').pk}/paths/").json()
    assert sorted(lab.name_of(path["path"][0][0]) for path in front) == ["sw1:e2", "sw2:e1"]


def test_a_patch_cable_change_retraces_the_paths_through_it(api, tenant):
    lab = Lab(api)
    created(lab.cable("sw1:e1 - pp1:f1"))
    trunk = created(lab.cable("pp1:rear - pp2:rear"))
    created(lab.cable("pp2:f1 - sw2:e1"))
    assert _far_ends(api, lab, "sw1:e1")[0] == {"sw2:e1"}

    assert call(api, "delete", f"/cables/{trunk['id']}/").status_code == 204
    reached, shown = _far_ends(api, lab, "sw1:e1")
    assert reached == set() and shown["connected_endpoints_reachable"] is False
    assert _far_ends(api, lab, "sw2:e1")[0] == set()

    created(lab.cable("pp1:rear - pp2:rear"))  # re-added
    assert _far_ends(api, lab, "sw1:e1")[0] == {"sw2:e1"}
    assert _far_ends(api, lab, "sw2:e1")[0] == {"sw1:e1"}


def test_moving_a_patch_cable_end_retraces(api, tenant):
    lab = Lab(api)
    created(lab.cable("sw1:e1 - pp1:f1"))
    created(lab.cable("pp1:rear - pp2:rear"))
    last = created(lab.cable("pp2:f1 - sw2:e1"))
    response = call(api, "patch", f"/cables/{last['id']}/", {"b_terminations": [lab.ref("sw3:e1")]})
    assert response.status_code == 200, response.content
    assert _far_ends(api, lab, "sw1:e1")[0] == {"sw3:e1"}
    assert _far_ends(api, lab, "sw2:e1")[0] == set()


def test_a_cable_making_a_loop_is_refused(api, tenant):
    lab = Lab(api, panels={"pp1": 2})
    created(lab.cable("sw1:e1 - pp1:f1"))
    response = lab.cable("pp1:rear - pp1:f2")  # the panel's second position back into itself
    assert response.status_code == 400, response.content
    assert "loop" in str(response.json())


@pytest.fixture
def circuit_double(monkeypatch):
    """Console server ports stand in for circuit terminations: `A` passes to `Z` on the same device and
    back, as the circuits app's registration will declare for its terminations."""

    def through(terminations, stack, loader):
        branches = []
        for termination in terminations:
            other = "Z" if termination.name == "A" else "A"
            peer = ConsoleServerPort.objects.select_related("device", "cable").get(
                device_id=termination.device_id, name=other
            )
            branches.append(([peer], stack))
        return branches

    spec = registry.get(ConsoleServerPort)
    double = Cabling("circuittermination", "device", compatible=("interface", "frontport", "rearport"), through=through)
    monkeypatch.setitem(registry._by_model, ConsoleServerPort, replace(spec, cabling=double))


def test_a_circuit_in_the_middle(api, tenant, circuit_double):
    lab = Lab(api)
    circuit = lab.device("cid1")
    a = ConsoleServerPort.objects.create(device=circuit, name="A")
    z = ConsoleServerPort.objects.create(device=circuit, name="Z")
    lab.ports.update({"cid1:sA": a, "cid1:sZ": z})
    created(lab.cable("sw1:e1 - cid1:sA"))
    created(lab.cable("cid1:sZ - pp1:f1"))
    created(lab.cable("pp1:rear - sw2:e1"))

    assert _far_ends(api, lab, "sw1:e1")[0] == {"sw2:e1"}
    assert _far_ends(api, lab, "sw2:e1")[0] == {"sw1:e1"}
    segments = call(api, "get", f"/interfaces/{lab.port('sw1:e1').pk}/trace/").json()
    assert [[obj["name"] for obj in segment[2]] for segment in segments] == [["A"], ["f1"], ["e1"]]


def test_a_port_mapping_change_retraces_the_paths_through_it(api, tenant):
    lab = Lab(api, panels={"pp2": 2})
    created(lab.cable("sw1:e1 - pp1:f1"))
    created(lab.cable("pp1:rear - pp2:rear"))
    created(lab.cable("pp2:f1 - sw2:e1"))
    created(lab.cable("pp2:f2 - sw3:e1"))
    pp1_rear = lab.port("pp1:rear")
    call(api, "patch", f"/rear-ports/{pp1_rear.pk}/", {"positions": 2})
    response = call(
        api,
        "patch",
        f"/front-ports/{lab.port('pp1:f1').pk}/",
        {"rear_ports": [{"position": 1, "rear_port": pp1_rear.pk, "rear_port_position": 2}]},
    )
    assert response.status_code == 200, response.content
    assert _far_ends(api, lab, "sw1:e1")[0] == {"sw3:e1"}


@pytest.mark.parametrize(
    ("cables", "open_port"),
    [
        (["sw1:e1 - pp1:f1"], "pp1:rear"),  # a front port mapped to a rear port with no cable
        (["sw1:e1 - pp1:rear"], "pp1:f1"),  # a rear port mapped to a front port with no cable
        (["sw1:e1 - pp1:f1", "pp1:rear - pp2:rear"], "pp2:f1"),  # the same beyond a second panel
    ],
)
def test_a_path_ends_cleanly_on_a_pass_through_port_with_no_cable(api, tenant, cables, open_port):
    # given a path that passes through to a port nothing is plugged into
    lab = Lab(api)
    for spec in cables:
        created(lab.cable(spec))
    origin = lab.port("sw1:e1")

    # when it is traced, shown and drawn
    segments = call(api, "get", f"/interfaces/{origin.pk}/trace/").json()
    shown = call(api, "get", f"/interfaces/{origin.pk}/").json()
    port_paths = call(api, "get", f"/{_port_path(open_port)}/{lab.port(open_port).pk}/paths/").json()
    page = api.get(f"/o/org-a/dcim/interfaces/{origin.pk}/trace/")

    # then the trace ends on that port with no cable and no far end, as NetBox pads it, and the path is incomplete
    assert len(segments) == len(cables) + 1
    assert [lab.name_of(obj) for obj in segments[-1][0]] == [open_port]
    assert segments[-1][1:] == [None, None]
    assert all(segment[1] is not None and segment[2] for segment in segments[:-1])
    assert shown["connected_endpoints"] is None and shown["connected_endpoints_type"] is None
    assert shown["connected_endpoints_reachable"] is False
    path = CablePath.objects.get(origin_id=origin.pk, origin_type__model="interface")
    assert not path.is_complete and path.destination_ids == []
    [through] = port_paths
    assert [lab.name_of(obj) for obj in through["path"][-1]] == [open_port] and through["is_complete"] is False
    assert page.status_code == 200
    assert "Not connected" in page.content.decode()


def _port_path(name: str) -> str:
    return "rear-ports" if name.endswith(":rear") else "front-ports"


def test_a_port_with_no_cable_gets_its_cable_and_the_path_goes_on(api, tenant):
    lab = Lab(api)
    created(lab.cable("sw1:e1 - pp1:f1"))
    assert call(api, "get", f"/interfaces/{lab.port('sw1:e1').pk}/trace/").json()[-1][1] is None

    created(lab.cable("pp1:rear - sw2:e1"))

    segments = call(api, "get", f"/interfaces/{lab.port('sw1:e1').pk}/trace/").json()
    assert len(segments) == 2 and [lab.name_of(obj) for obj in segments[-1][2]] == ["sw2:e1"]
    assert _far_ends(api, lab, "sw1:e1")[0] == {"sw2:e1"}


def _retrace_statements(api, lab, paths: int, first: str) -> int:
    """Statements of moving a trunk carrying `paths` paths (interfaces on the first panel's front ports) from
    one panel's rear port to another's: every path is traced again."""
    near, far, other = (f"pp{int(first) + step}" for step in range(3))
    lab.panels.update({near: paths, far: paths, other: paths})
    for position in range(1, paths + 1):
        created(lab.cable(f"sw{first}:e{position} - {near}:f{position}"))
        created(lab.cable(f"{far}:f{position} - sw{int(first) + 1}:e{position}"))
    trunk = created(lab.cable(f"{near}:rear - {far}:rear"))
    lab.port(f"{other}:rear")
    move = {"b_terminations": [lab.ref(f"{other}:rear")]}
    assert call(api, "patch", f"/cables/{trunk['id']}/", move).status_code == 200  # caches filled

    back = {"b_terminations": [lab.ref(f"{far}:rear")]}
    with CaptureQueriesContext(connection) as captured:
        response = call(api, "patch", f"/cables/{trunk['id']}/", back)
    assert response.status_code == 200, response.content
    for position in range(1, paths + 1):
        assert _far_ends(api, lab, f"sw{first}:e{position}")[0] == {f"sw{int(first) + 1}:e{position}"}
    return len(captured)


def test_retracing_costs_the_same_statements_for_n_and_2n_paths(api, tenant):
    lab = Lab(api)

    few = _retrace_statements(api, lab, 3, "1")
    many = _retrace_statements(api, lab, 6, "4")

    assert few == many


def test_trace_paths_traces_stored_paths_again(api, tenant):
    # given a path stored by an older tracing (it stopped short of the open port at its end)
    from django.core.management import CommandError, call_command

    lab = Lab(api)
    created(lab.cable("sw1:e1 - pp1:f1"))
    origin = lab.port("sw1:e1")
    stored = CablePath.objects.get(origin_id=origin.pk, origin_type__model="interface")
    CablePath.objects.filter(pk=stored.pk).update(segments=stored.segments[:-1])
    assert len(call(api, "get", f"/interfaces/{origin.pk}/trace/").json()) == 1

    # when the command traces the organization's paths again
    output = io.StringIO()
    call_command("trace_paths", organization=["org-a"], stdout=output)

    # then the path is today's, ending on the open rear port, and it said so
    segments = call(api, "get", f"/interfaces/{origin.pk}/trace/").json()
    assert len(segments) == 2 and [lab.name_of(obj) for obj in segments[-1][0]] == ["pp1:rear"]
    assert "org-a: 1 paths traced again" in output.getvalue()
    assert CablePath.objects.filter(origin_id=origin.pk, origin_type__model="interface").count() == 1
    with pytest.raises(CommandError, match="no organization with the slug nowhere"):
        call_command("trace_paths", organization=["nowhere"])
