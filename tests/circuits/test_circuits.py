"""Circuits beyond the data-only cases: a circuit shows its two ends, NetBox's validation of terminations
and accounts, where-filters through terminations (sites, regions, provider networks), and counts."""

import json
import re

import pytest
from django.db import connection

from circuits.models import Circuit, CircuitTermination, CircuitType, Provider, ProviderAccount, ProviderNetwork
from inventory.models import Location, Region, Site, Tenant
from tenants.context import tenant_context

API = "/o/org-a/api"


def call(client, method: str, path: str, payload=None):
    if payload is None:
        return getattr(client, method)(f"{API}{path}")
    return getattr(client, method)(f"{API}{path}", json.dumps(payload), content_type="application/json")


def cids(client, query: str) -> list[str]:
    response = call(client, "get", f"/circuits/circuits/?{query}")
    assert response.status_code == 200, response.content
    return [row["cid"] for row in response.json()["results"]]


@pytest.fixture
def world(org_a):
    """Region Europe > site AMS1 (location Cage 1); site FRA1 (no region). Circuit C-1 ends at AMS1's cage (A)
    and Zayo's MPLS network (Z); C-2 at FRA1 (A); C-3 has no terminations."""
    with tenant_context(org_a.organization):
        europe = Region.objects.create(name="Europe", slug="europe")
        ams = Site.objects.create(name="AMS1", slug="ams1", region=europe)
        cage = Location.objects.create(name="Cage 1", slug="cage-1", site=ams)
        fra = Site.objects.create(name="FRA1", slug="fra1")
        zayo = Provider.objects.create(name="Zayo", slug="zayo")
        lumen = Provider.objects.create(name="Lumen", slug="lumen")
        mpls = ProviderNetwork.objects.create(provider=zayo, name="Zayo MPLS")
        kind = CircuitType.objects.create(name="Transit", slug="transit")
        circuits = [Circuit.objects.create(cid=f"C-{n}", provider=zayo, type=kind) for n in (1, 2)]
        circuits.append(Circuit.objects.create(cid="C-3", provider=lumen, type=kind))
        ends = [
            CircuitTermination.objects.create(circuit=circuits[0], term_side="A", termination=cage),
            CircuitTermination.objects.create(circuit=circuits[0], term_side="Z", termination=mpls),
            CircuitTermination.objects.create(circuit=circuits[1], term_side="A", termination=fra),
        ]
    return {"europe": europe, "ams": ams, "fra": fra, "mpls": mpls, "zayo": zayo, "circuits": circuits, "ends": ends}


def test_a_circuit_shows_both_terminations_as_netbox_does(org_a, world):
    response = call(org_a.client(), "get", f"/circuits/circuits/{world['circuits'][0].pk}/")

    body = response.json()
    a_end, z_end = body["termination_a"], body["termination_z"]
    assert list(a_end) == [
        "id", "url", "display_url", "display", "termination_type", "termination_id", "termination", "port_speed",
        "upstream_speed", "xconnect_id", "description",
    ]  # fmt: skip
    assert (a_end["id"], a_end["display"], a_end["termination_type"]) == (
        world["ends"][0].pk,
        "C-1: Termination A",
        "dcim.location",
    )
    assert a_end["termination"]["name"] == "Cage 1"
    assert (z_end["termination_type"], z_end["termination"]["name"]) == ("circuits.providernetwork", "Zayo MPLS")
    assert body["assignments"] == []
    third = call(org_a.client(), "get", f"/circuits/circuits/{world['circuits'][2].pk}/").json()
    assert (third["termination_a"], third["termination_z"]) == (None, None)


def test_an_uncabled_termination_reads_as_netbox_shows_it(org_a, world):
    body = call(org_a.client(), "get", f"/circuits/circuit-terminations/{world['ends'][0].pk}/").json()

    assert {name: body[name] for name in ("cable", "cable_end", "link_peers", "link_peers_type", "_occupied")} == {
        "cable": None,
        "cable_end": None,
        "link_peers": [],
        "link_peers_type": None,
        "_occupied": False,
    }


def test_a_side_is_terminated_once_per_circuit(org_a, world):
    payload = {"circuit": world["circuits"][0].pk, "term_side": "A", "termination_type": "dcim.site"}

    response = call(
        org_a.client(), "post", "/circuits/circuit-terminations/", {**payload, "termination_id": world["fra"].pk}
    )

    assert response.status_code == 400
    assert response.json() == {
        "__all__": ["Circuit termination with this Circuit and Termination side already exists."]
    }


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"termination_type": "dcim.site"}, {"__all__": ["Please select a Site."]}),
        ({}, {"__all__": ["A circuit termination must attach to a terminating object."]}),
        (
            {"termination_type": "dcim.site", "termination_id": 999999},
            {"termination_id": ["Related object not found using the provided numeric ID: 999999"]},
        ),
        (
            {"termination_type": "dcim.device", "termination_id": 1},
            {"termination_type": ["Invalid content type: dcim.device"]},
        ),
    ],
)
def test_a_termination_must_attach_to_a_place(org_a, world, payload, expected):
    body = {"circuit": world["circuits"][2].pk, "term_side": "A", **payload}

    response = call(org_a.client(), "post", "/circuits/circuit-terminations/", body)

    assert response.status_code == 400
    assert response.json() == expected


def test_a_circuits_account_belongs_to_its_provider(org_a, world):
    with tenant_context(org_a.organization):
        lumen_account = ProviderAccount.objects.create(provider=Provider.objects.get(slug="lumen"), account="L-1")
    payload = {
        "cid": "C-9",
        "provider": world["zayo"].pk,
        "type": {"slug": "transit"},
        "provider_account": lumen_account.pk,
    }

    response = call(org_a.client(), "post", "/circuits/circuits/", payload)

    assert response.status_code == 400
    assert response.json() == {"provider_account": ["The assigned account must belong to the assigned provider."]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("site=ams1", ["C-1"]),  # its location is in AMS1
        ("site=fra1", ["C-2"]),
        ("region=europe", ["C-1"]),
        ("location_id={cage}", ["C-1"]),
        ("provider_network_id={mpls}", ["C-1"]),
        ("termination_a_id={a}", ["C-1"]),
        ("provider=lumen", ["C-3"]),
    ],
)
def test_circuits_are_filtered_by_where_they_end(org_a, world, query, expected):
    with tenant_context(org_a.organization):
        cage = Location.objects.get(slug="cage-1").pk
    query = query.format(cage=cage, mpls=world["mpls"].pk, a=world["ends"][0].pk)

    assert cids(org_a.client(), query) == expected


def test_an_unknown_site_is_a_bad_filter(org_a, world):
    response = call(org_a.client(), "get", "/circuits/circuits/?site=nowhere")

    assert response.status_code == 400


def test_terminations_and_providers_are_filtered_by_place(org_a, world):
    client = org_a.client()

    terminations = call(client, "get", f"/circuits/circuit-terminations/?site_id={world['ams'].pk}").json()
    providers = call(client, "get", "/circuits/providers/?region=europe").json()

    assert [row["id"] for row in terminations["results"]] == [world["ends"][0].pk]
    assert [row["slug"] for row in providers["results"]] == ["zayo"]


def test_providers_and_types_count_their_circuits(org_a, world):
    client = org_a.client()

    providers = call(client, "get", "/circuits/providers/?ordering=name").json()["results"]
    kind = call(client, "get", "/circuits/circuit-types/?slug=transit").json()["results"][0]

    assert [(row["name"], row["circuit_count"]) for row in providers] == [("Lumen", 1), ("Zayo", 2)]
    assert kind["circuit_count"] == 3


def test_another_organization_sees_no_circuit(org_b, world):
    response = org_b.client().get(f"/o/org-a/api/circuits/circuits/{world['circuits'][0].pk}/")

    assert response.status_code == 404


def test_the_circuit_page_shows_both_ends_and_what_is_beyond_them(org_a, world):
    with tenant_context(org_a.organization):
        CircuitTermination.objects.filter(pk=world["ends"][0].pk).update(port_speed=1000000, xconnect_id="XC-7")
    circuit = world["circuits"][0]

    response = org_a.client().get(f"/o/org-a/circuits/circuits/{circuit.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    ends = re.findall(r'data-side="([AZ])"', html)
    assert ends == ["A", "Z"]
    assert "Cage 1" in html and "Zayo MPLS" in html and "1 Gbps" in html and "XC-7" in html
    assert html.count("Not connected") == 2


def test_a_missing_end_offers_to_add_it(org_a, world):
    response = org_a.client().get(f"/o/org-a/circuits/circuits/{world['circuits'][2].pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("Add termination") == 2
    assert f"circuit={world['circuits'][2].pk}&amp;term_side=Z" in html


def test_a_termination_goes_with_the_place_it_is_at(org_a, world):
    response = call(org_a.client(), "delete", f"/dcim/sites/{world['fra'].pk}/")

    assert response.status_code == 204
    with tenant_context(org_a.organization):
        assert not CircuitTermination.objects.filter(pk=world["ends"][2].pk).exists()
        assert Circuit.objects.filter(pk=world["circuits"][1].pk).exists()


def test_a_tenant_counts_its_circuits(org_a, world):
    with tenant_context(org_a.organization):
        acme = Tenant.objects.create(name="Acme", slug="acme")
        Circuit.objects.filter(cid="C-1").update(tenant=acme)

    body = call(org_a.client(), "get", f"/tenancy/tenants/{acme.pk}/").json()

    assert body["circuit_count"] == 1


def test_the_circuit_list_loads_both_ends_at_once_whatever_the_number_of_circuits(org_a, world):
    client = org_a.client()

    def list_statements() -> int:
        client.get(f"{API}/circuits/circuits/")  # the first request caches content types
        log: list[str] = []
        with connection.observe_statements(lambda kind, sql: log.append(sql)):
            response = client.get(f"{API}/circuits/circuits/")
        assert response.status_code == 200
        return len(log)

    few = list_statements()
    with tenant_context(org_a.organization):
        kind = CircuitType.objects.get(slug="transit")
        for number in range(4, 10):
            circuit = Circuit.objects.create(cid=f"C-{number}", provider=world["zayo"], type=kind)
            CircuitTermination.objects.create(circuit=circuit, term_side="A", termination=world["fra"])
            CircuitTermination.objects.create(circuit=circuit, term_side="Z", termination=world["mpls"])

    assert list_statements() == few
