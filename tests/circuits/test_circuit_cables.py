"""Cables on circuit terminations (registered as cable endpoints by circuits): a termination shows its
cable and link peers, a path from an interface crosses the circuit to the far end's cable as NetBox's
does, the termination's `paths` route, NetBox's refusal of a termination on a provider network, and
isolation between organizations."""

import json

import pytest

from circuits.models import Circuit, CircuitTermination, CircuitType, Provider, ProviderNetwork
from inventory.models import Cable, CablePath
from tenants.context import tenant_context
from tests.inventory.cabling import Lab

API = "/o/org-a/api"


def call(client, method: str, path: str, payload=None):
    if payload is None:
        return getattr(client, method)(f"{API}{path}")
    return getattr(client, method)(f"{API}{path}", json.dumps(payload), content_type="application/json")


def termination_ref(termination: CircuitTermination) -> dict:
    return {"object_type": "circuits.circuittermination", "object_id": termination.pk}


@pytest.fixture
def world(org_a):
    """Interfaces sw1:e1 and sw2:e1 at AMS1; circuit C-1 from AMS1 (A) to AMS1 (Z); circuit C-2 from AMS1 (A)
    to a provider network (Z)."""
    client = org_a.client()
    with tenant_context(org_a.organization):
        lab = Lab(client)
        zayo = Provider.objects.create(name="Zayo", slug="zayo")
        kind = CircuitType.objects.create(name="Transit", slug="transit")
        mpls = ProviderNetwork.objects.create(provider=zayo, name="Zayo MPLS")
        c1 = Circuit.objects.create(cid="C-1", provider=zayo, type=kind)
        c2 = Circuit.objects.create(cid="C-2", provider=zayo, type=kind)
        yield {
            "lab": lab,
            "client": client,
            "a": CircuitTermination.objects.create(circuit=c1, term_side="A", termination=lab.site),
            "z": CircuitTermination.objects.create(circuit=c1, term_side="Z", termination=lab.site),
            "c2a": CircuitTermination.objects.create(circuit=c2, term_side="A", termination=lab.site),
            "c2z": CircuitTermination.objects.create(circuit=c2, term_side="Z", termination=mpls),
            "circuit": c1,
        }


def cable(world, a: list[dict], b: list[dict]):
    response = call(world["client"], "post", "/dcim/cables/", {"a_terminations": a, "b_terminations": b})
    assert response.status_code == 201, response.content
    return response.json()


def test_a_path_crosses_the_circuit_to_the_far_ends_cable(world):
    lab, client = world["lab"], world["client"]
    first = cable(world, [lab.ref("sw1:e1")], [termination_ref(world["a"])])
    second = cable(world, [termination_ref(world["z"])], [lab.ref("sw2:e1")])

    shown = call(client, "get", f"/dcim/interfaces/{lab.port('sw1:e1').pk}/").json()
    assert [lab.name_of(end) for end in shown["connected_endpoints"]] == ["sw2:e1"]
    assert shown["connected_endpoints_type"] == "dcim.interface"
    assert shown["connected_endpoints_reachable"] is True
    assert shown["link_peers_type"] == "circuits.circuittermination"
    assert [peer["id"] for peer in shown["link_peers"]] == [world["a"].pk]
    assert shown["link_peers"][0]["circuit"]["cid"] == "C-1"
    back = call(client, "get", f"/dcim/interfaces/{lab.port('sw2:e1').pk}/").json()
    assert [lab.name_of(end) for end in back["connected_endpoints"]] == ["sw1:e1"]

    trace = call(client, "get", f"/dcim/interfaces/{lab.port('sw1:e1').pk}/trace/").json()
    assert [(near[0]["display"], cab["id"], far[0]["display"]) for near, cab, far in trace] == [
        ("e1", first["id"], "C-1: Termination A"),
        ("C-1: Termination Z", second["id"], "e1"),
    ]

    end = call(client, "get", f"/circuits/circuit-terminations/{world['a'].pk}/").json()
    assert (end["cable"]["id"], end["cable_end"], end["link_peers_type"], end["_occupied"]) == (
        first["id"],
        "B",
        "dcim.interface",
        True,
    )
    assert [lab.name_of(peer) for peer in end["link_peers"]] == ["sw1:e1"]

    paths = call(client, "get", f"/circuits/circuit-terminations/{world['z'].pk}/paths/").json()
    assert len(paths) == 2 and all(path["is_complete"] and path["is_active"] for path in paths)
    origins = sorted(path["path"][0][0]["id"] for path in paths)
    assert origins == sorted([lab.port("sw1:e1").pk, lab.port("sw2:e1").pk])


def test_a_circuit_without_its_far_cable_leaves_the_path_incomplete(world):
    lab, client = world["lab"], world["client"]
    cable(world, [lab.ref("sw1:e1")], [termination_ref(world["a"])])

    shown = call(client, "get", f"/dcim/interfaces/{lab.port('sw1:e1').pk}/").json()
    assert shown["connected_endpoints"] is None and shown["connected_endpoints_reachable"] is False
    path = CablePath.objects.get(origin_id=lab.port("sw1:e1").pk)
    assert path.is_complete is False
    # Cabling the far end completes the path traced earlier.
    cable(world, [termination_ref(world["z"])], [lab.ref("sw2:e1")])
    again = call(client, "get", f"/dcim/interfaces/{lab.port('sw1:e1').pk}/").json()
    assert [lab.name_of(end) for end in again["connected_endpoints"]] == ["sw2:e1"]


def test_a_termination_on_a_provider_network_takes_no_cable(world):
    lab, client = world["lab"], world["client"]
    payload = {"a_terminations": [lab.ref("sw1:e1")], "b_terminations": [termination_ref(world["c2z"])]}

    response = call(client, "post", "/dcim/cables/", payload)

    assert response.status_code == 400
    assert "Circuit terminations attached to a provider network may not be cabled." in response.content.decode()
    assert not Cable.objects.exists()


def test_a_path_to_a_circuit_on_a_provider_network_ends_at_the_circuit(world):
    lab, client = world["lab"], world["client"]
    cable(world, [lab.ref("sw1:e1")], [termination_ref(world["c2a"])])

    trace = call(client, "get", f"/dcim/interfaces/{lab.port('sw1:e1').pk}/trace/").json()
    assert [far[0]["display"] for _near, _cab, far in trace] == ["C-2: Termination A"]


def test_the_circuit_page_shows_the_cable_and_its_far_end(world):
    lab, client = world["lab"], world["client"]
    first = cable(world, [lab.ref("sw1:e1")], [termination_ref(world["a"])])

    html = client.get(f"/o/org-a/circuits/circuits/{world['circuit'].pk}/").content.decode()

    assert f"/o/org-a/dcim/cables/{first['id']}/" in html
    assert f"/o/org-a/dcim/interfaces/{lab.port('sw1:e1').pk}/" in html
    assert html.count("Not connected") == 1  # the Z end


def test_another_organization_sees_and_cables_nothing(world, org_a, org_b):
    lab = world["lab"]
    cable(world, [lab.ref("sw1:e1")], [termination_ref(world["a"])])
    other = org_b.client()
    pk = world["a"].pk

    assert other.get(f"{API}/circuits/circuit-terminations/{pk}/").status_code == 404
    assert other.get(f"{API}/circuits/circuit-terminations/{pk}/paths/").status_code == 404
    anonymous = type(other)()
    assert anonymous.get(f"{API}/circuits/circuit-terminations/{pk}/paths/").status_code in (403, 404)
    payload = {"a_terminations": [termination_ref(world["z"])], "b_terminations": [lab.ref("sw2:e1")]}
    refused = other.post("/o/org-b/api/dcim/cables/", json.dumps(payload), content_type="application/json")
    assert refused.status_code == 400
    with tenant_context(org_b.organization):
        assert not Cable.objects.exists()
    with tenant_context(org_a.organization):
        assert CircuitTermination.objects.get(pk=world["z"].pk).cable_id is None
