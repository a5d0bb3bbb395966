"""IPAM in GraphQL: what REST renders itself (a prefix's scope and family, an address's assigned object and
NAT partners, a service's parent, an FHRP group's addresses, an ASN's site count, a VLAN group's
utilization) reads as in REST, costs no query per row, and stays within the organization."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from addressing.models import ASN, RIR, VLAN, FHRPGroup, IPAddress, Prefix, Service, VLANGroup
from inventory.models import Site
from tenants.context import tenant_context
from tests.core.test_graphql import post, query

QUERIES = {
    "prefixes": "{ prefix_list { id prefix family scope children _depth vrf { name } } }",
    "addresses": "{ ip_address_list { id address assigned_object nat_inside { address } nat_outside { address } } }",
    "services": "{ service_list { id name parent protocol ports ipaddresses { address } } }",
    "groups": "{ fhrp_group_list { id ip_addresses } }",
    "asns": "{ asn_list { id asn site_count } }",
    "vlan_groups": "{ vlan_group_list { id utilization scope } }",
}


def _make(organization, number: int) -> None:
    """One of each, linked, numbered `number`."""
    with tenant_context(organization):
        site = Site.objects.create(name=f"Site {number}", slug=f"site-{number}")
        Prefix.objects.create(prefix=f"10.{number}.0.0/16", scope=site)
        group = FHRPGroup.objects.create(group_id=number, protocol="vrrp3")
        inside = IPAddress.objects.create(address=f"10.{number}.0.1/24", assigned_object=group)
        IPAddress.objects.create(address=f"192.0.{number}.1/24", nat_inside=inside)
        service = Service.objects.create(name=f"DNS {number}", parent=group, port_mappings=["udp/53"])
        service.ipaddresses.set([inside])
        rir = RIR.objects.get_or_create(name="RIPE", slug="ripe")[0]
        ASN.objects.create(asn=65000 + number, rir=rir).sites.set([site])
        vlan_group = VLANGroup.objects.create(name=f"G{number}", slug=f"g{number}", scope=site)
        VLAN.objects.create(vid=10, name="ten", group=vlan_group)


def _count(client, text: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        query(client, text)
    assert captured.captured_queries, "no statement captured"
    return len(captured)


@pytest.mark.parametrize("name", list(QUERIES))
def test_rendered_fields_cost_no_query_per_row(org_a, name):
    client = org_a.client()
    _make(org_a.organization, 1)
    query(client, QUERIES[name])
    few = _count(client, QUERIES[name])
    for number in range(2, 6):
        _make(org_a.organization, number)

    assert _count(client, QUERIES[name]) == few


def test_rendered_fields_read_as_in_rest(org_a):
    client = org_a.client()
    _make(org_a.organization, 1)

    prefix = query(client, QUERIES["prefixes"])["prefix_list"][0]
    rest = client.get(f"/o/org-a/api/ipam/prefixes/{prefix['id']}/").json()
    addresses = query(client, QUERIES["addresses"])["ip_address_list"]
    group = query(client, QUERIES["groups"])["fhrp_group_list"][0]
    asn = query(client, QUERIES["asns"])["asn_list"][0]
    vlan_group = query(client, QUERIES["vlan_groups"])["vlan_group_list"][0]

    assert (prefix["scope"], prefix["family"]) == (rest["scope"], rest["family"])
    assert addresses[0]["assigned_object"]["display"] == "VRRPv3: 1"
    assert addresses[1]["nat_inside"] == {"address": "10.1.0.1/24"}
    assert [item["address"] for item in group["ip_addresses"]] == ["10.1.0.1/24"]
    assert (asn["site_count"], vlan_group["utilization"]) == (1, "0.02")


def test_other_organizations_see_none_of_it(org_a, org_b):
    _make(org_a.organization, 1)

    for text in QUERIES.values():
        own = post(org_b.client(), text, path="/o/org-b/graphql/").json()
        theirs = post(org_b.client(), text)
        assert "errors" not in own and all(rows == [] for rows in own["data"].values()), text
        assert (theirs.status_code, theirs.json()) == (404, {"detail": "Not found."}), text
