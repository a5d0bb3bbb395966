"""The pages of IP space: a prefix's child prefixes and addresses with the free space between them (each
free span a link to the form that fills it), utilization, an aggregate's prefixes, a range's addresses, a
VLAN group's free VLAN IDs; constant queries however much space there is; invisible to others."""

import re
from urllib.parse import parse_qs

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from addressing.models import RIR, VLAN, Aggregate, IPAddress, IPRange, Prefix, VLANGroup
from tenants.context import tenant_context
from tenants.models import Membership, MembershipRole

UI = "/o/org-a/ipam"


@pytest.fixture
def space(org_a):
    """10.0.0.0/16 (active) holding 10.0.1.0/24 (holding 10.0.1.0/26) and 10.0.4.0/22; in 10.0.1.0/24 the
    addresses .1, .2 and .10 and a populated range .20-.29."""
    with tenant_context(org_a.organization):
        parent = Prefix.objects.create(prefix="10.0.0.0/16", status="container")
        subnet = Prefix.objects.create(prefix="10.0.1.0/24", _depth=1, _children=1)
        Prefix.objects.create(prefix="10.0.1.0/26", _depth=2)
        Prefix.objects.create(prefix="10.0.4.0/22", _depth=1)
        for host in (1, 2, 10):
            IPAddress.objects.create(address=f"10.0.1.{host}/24")
        IPRange.objects.create(start_address="10.0.1.20/24", end_address="10.0.1.29/24", size=10, mark_populated=True)
    return {"parent": parent, "subnet": subnet}


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def available(html: str) -> list[tuple[str, str]]:
    """The free-space rows: (label, link)."""
    return [
        (label, href.replace("&amp;", "&"))
        for href, label in re.findall(r'<a class="badge text-bg-success wb-available" href="([^"]+)">([^<]+)</a>', html)
    ]


def test_child_prefixes_interleave_the_free_blocks(org_a, space):
    html = page(org_a.client(), f"{UI}/prefixes/{space['parent'].pk}/prefixes/")

    assert available(html)[:3] == [
        ("10.0.0.0/24 available", f"{UI}/prefixes/add/?prefix=10.0.0.0%2F24"),
        ("10.0.2.0/23 available", f"{UI}/prefixes/add/?prefix=10.0.2.0%2F23"),
        ("10.0.8.0/21 available", f"{UI}/prefixes/add/?prefix=10.0.8.0%2F21"),
    ]
    rows = re.findall(r'href="/o/org-a/ipam/prefixes/(\d+)/">', html)
    assert html.index("10.0.0.0/24 available") < html.index("10.0.1.0/24") < html.index("10.0.2.0/23 available")
    assert len(rows) >= 3


def test_addresses_show_the_gaps_and_the_next_free_one(org_a, space):
    html = page(org_a.client(), f"{UI}/prefixes/{space['subnet'].pk}/ip-addresses/")

    assert available(html) == [
        ("7 IPs available", f"{UI}/ip-addresses/add/?address=10.0.1.3%2F24"),
        ("9 IPs available", f"{UI}/ip-addresses/add/?address=10.0.1.11%2F24"),
        ("225 IPs available", f"{UI}/ip-addresses/add/?address=10.0.1.30%2F24"),
    ]
    assert "populated" in html
    next_free = re.search(r'class="btn btn-sm btn-primary wb-next-available" href="([^"]+)"', html)
    assert next_free and next_free.group(1).replace("&amp;", "&") == f"{UI}/ip-addresses/add/?address=10.0.1.3%2F24"


def test_utilization_is_shown_on_the_prefix(org_a, space):
    html = page(org_a.client(), f"{UI}/prefixes/{space['subnet'].pk}/")

    # 3 addresses of 254 usable
    assert 'value="1.2"' in html and "1.2%" in html


def test_a_container_is_as_utilized_as_its_children_cover_it(org_a, space):
    with tenant_context(org_a.organization):
        # a /24 and a /22 of a /16: 5 of 256 /24s
        assert round(Prefix.objects.get(pk=space["parent"].pk).utilization(), 2) == round(5 / 256 * 100, 2)


def test_the_tabs_cost_the_same_queries_however_much_they_show(org_a, space):
    client = org_a.client()
    paths = [
        f"{UI}/prefixes/{space['parent'].pk}/prefixes/",
        f"{UI}/prefixes/{space['subnet'].pk}/ip-addresses/",
        f"{UI}/prefixes/{space['subnet'].pk}/ip-ranges/",
    ]

    def counts() -> list[int]:
        found = []
        for path in paths:
            client.get(path)
            with CaptureQueriesContext(connection) as captured:
                assert client.get(path).status_code == 200
            found.append(len(captured))
        return found

    before = counts()
    with tenant_context(org_a.organization):
        for n in range(30):
            Prefix.objects.create(prefix=f"10.0.{100 + n}.0/24", _depth=1)
            IPAddress.objects.create(address=f"10.0.1.{100 + n}/24")

    assert counts() == before


def test_an_aggregate_lists_its_prefixes_and_free_space(org_a, space):
    with tenant_context(org_a.organization):
        aggregate = Aggregate.objects.create(prefix="10.0.0.0/8", rir=RIR.objects.create(name="RFC", slug="rfc"))

    html = page(org_a.client(), f"{UI}/aggregates/{aggregate.pk}/prefixes/")

    assert ("10.1.0.0/16 available", f"{UI}/prefixes/add/?prefix=10.1.0.0%2F16") in available(html)
    assert "Utilization" in page(org_a.client(), f"{UI}/aggregates/{aggregate.pk}/")


def test_an_ipv6_aggregates_page_offers_its_clone_link_with_the_prefix_once(org_a):
    """The clone link carries the aggregate's prefix as one parameter: spelled out address by address,
    a /8 took minutes and an IPv6 /32 would never have been answered."""
    with tenant_context(org_a.organization):
        aggregate = Aggregate.objects.create(prefix="2001:db8::/32", rir=RIR.objects.create(name="RFC", slug="rfc"))

    html = page(org_a.client(), f"{UI}/aggregates/{aggregate.pk}/")

    [clone] = re.findall(r'href="/o/org-a/ipam/aggregates/add/\?([^"]*)"', html)
    assert parse_qs(clone.replace("&amp;", "&"))["prefix"] == ["2001:db8::/32"]


def test_a_range_lists_its_addresses(org_a):
    with tenant_context(org_a.organization):
        ip_range = IPRange.objects.create(start_address="10.9.0.1/24", end_address="10.9.0.5/24", size=5)
        IPAddress.objects.create(address="10.9.0.3/24")

    html = page(org_a.client(), f"{UI}/ip-ranges/{ip_range.pk}/ip-addresses/")

    assert [label for label, _url in available(html)] == ["2 IPs available", "2 IPs available"]


def test_a_vlan_group_shows_its_free_vlan_ids(org_a):
    with tenant_context(org_a.organization):
        group = VLANGroup.objects.create(name="G", slug="g")
        group.vid_ranges = [[10, 19]]
        group.full_clean()
        group.save()
        VLAN.objects.create(vid=12, name="v12", group=group)

    html = page(org_a.client(), f"{UI}/vlan-groups/{group.pk}/vlans/")

    assert available(html) == [
        ("2 VLANs available", f"{UI}/vlans/add/?group={group.pk}&vid=10"),
        ("7 VLANs available", f"{UI}/vlans/add/?group={group.pk}&vid=13"),
    ]


def test_a_viewer_sees_the_space_but_no_add_links(org_a, space, django_user_model):
    viewer = django_user_model.objects.create_user("viewer-space@example.com")
    Membership.objects.create(user=viewer, organization=org_a.organization, role=MembershipRole.VIEWER)
    client = Client()
    client.force_login(viewer)

    html = page(client, f"{UI}/prefixes/{space['parent'].pk}/prefixes/")

    assert "10.0.0.0/24 available" in html and available(html) == []
    assert "wb-next-available" not in html


def test_other_organizations_find_no_tabs(org_a, org_b, space):
    client = org_b.client()

    for path in (
        f"{UI}/prefixes/{space['parent'].pk}/prefixes/",
        f"{UI}/prefixes/{space['subnet'].pk}/ip-addresses/",
        f"{UI}/prefixes/{space['subnet'].pk}/ip-ranges/",
    ):
        assert client.get(path).status_code == 404
