"""IP space at NetBox's ipam endpoints: the shapes NetBox sends, its validation messages, uniqueness
within VRFs and the global table, the prefix hierarchy after every kind of write, and NAT."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from addressing.models import VRF, FHRPGroup, IPAddress, Prefix
from tenants.context import tenant_context
from tests.addressing.ipam import call, created, listed
from tests.inventory.dcim import call as dcim

DNS_MESSAGE = "Only alphanumeric characters, asterisks, hyphens, periods, and underscores are allowed in DNS names"
PREFIX_KEYS = [
    "id", "url", "display_url", "display", "family", "prefix", "vrf", "scope_type", "scope_id", "scope", "tenant",
    "vlan", "status", "role", "is_pool", "mark_utilized", "description", "owner", "comments", "tags",
    "custom_fields", "created", "last_updated", "children", "_depth",
]  # fmt: skip
ADDRESS_KEYS = [
    "id", "url", "display_url", "display", "family", "address", "vrf", "tenant", "status", "role",
    "assigned_object_type", "assigned_object_id", "assigned_object", "nat_inside", "nat_outside", "dns_name",
    "description", "owner", "comments", "tags", "custom_fields", "created", "last_updated",
]  # fmt: skip


def depths(api) -> dict[str, tuple[int, int]]:
    """Every prefix's (depth, children) by its text."""
    rows = call(api, "get", "/prefixes/?limit=1000").json()["results"]
    return {row["prefix"]: (row["_depth"], row["children"]) for row in rows}


# -- shapes and messages ---------------------------------------------------------------------------


def test_a_prefix_is_represented_as_netbox_does(api):
    site = created(dcim(api, "post", "/sites/", {"name": "Site 01", "slug": "site-01"}))

    body = created(
        call(api, "post", "/prefixes/", {"prefix": "10.0.0.0/24", "scope_type": "dcim.site", "scope_id": site["id"]})
    )

    assert list(body) == PREFIX_KEYS
    assert body["family"] == {"value": 4, "label": "IPv4"}
    assert body["display"] == body["prefix"] == "10.0.0.0/24"
    assert body["status"] == {"value": "active", "label": "Active"}
    assert body["scope_type"] == "dcim.site"
    assert body["scope"] == {
        "id": site["id"],
        "url": site["url"],
        "display": "Site 01",
        "name": "Site 01",
        "slug": "site-01",
        "description": "",
    }
    assert (body["children"], body["_depth"]) == (0, 0)


def test_an_address_is_represented_as_netbox_does(api):
    body = created(call(api, "post", "/ip-addresses/", {"address": "2001:DB8::1/64", "dns_name": "H1.Example.NET"}))

    assert list(body) == ADDRESS_KEYS
    assert body["address"] == body["display"] == "2001:db8::1/64"
    assert body["family"] == {"value": 6, "label": "IPv6"}
    assert body["dns_name"] == "h1.example.net"  # not case-sensitive: kept in lower case
    assert body["assigned_object"] is None and body["nat_inside"] is None and body["nat_outside"] == []
    assert body["role"] is None


@pytest.mark.parametrize(
    ("path", "payload", "errors"),
    [
        ("/ip-addresses/", {"address": "not-an-ip"}, {"address": ["Invalid IP address format: not-an-ip"]}),
        ("/ip-addresses/", {"address": 167772161}, {"address": ["Invalid IP address format: 167772161"]}),
        ("/ip-addresses/", {"address": "10.0.0.1/0"}, {"address": ["Cannot create IP address with /0 mask."]}),
        (
            "/ip-addresses/",
            {"address": "10.0.0.1/24", "status": "slaac"},
            {"status": ["Only IPv6 addresses can be assigned SLAAC status"]},
        ),
        (
            "/ip-addresses/",
            {"address": "10.0.0.1/24", "dns_name": "bad name!"},
            {"dns_name": [DNS_MESSAGE]},
        ),
        (
            "/ip-addresses/",
            {"address": "10.0.0.1/24", "assigned_object_type": "dcim.interface", "assigned_object_id": 999999},
            {"assigned_object_id": ["Related object not found using the provided numeric ID: 999999"]},
        ),
        (
            "/ip-addresses/",
            {"address": "10.0.0.1/24", "assigned_object_type": "dcim.site", "assigned_object_id": 1},
            {"assigned_object_type": ["Invalid content type: dcim.site"]},
        ),
        ("/prefixes/", {"prefix": "10.0.0.0/33"}, {"prefix": ["Invalid IP prefix format: 10.0.0.0/33"]}),
        (
            "/prefixes/",
            {"prefix": "10.0.0.1/24"},
            {"prefix": ["10.0.0.1/24 is not a valid prefix. Did you mean 10.0.0.0/24?"]},
        ),
        ("/prefixes/", {"prefix": "0.0.0.0/0"}, {"prefix": ["Cannot create prefix with /0 mask."]}),
        ("/prefixes/", {"prefix": "10.0.0.0/8", "scope_type": "dcim.site"}, {"__all__": ["Please select a site."]}),
        (
            "/prefixes/",
            {"prefix": "10.0.0.0/8", "scope_type": "dcim.site", "scope_id": 999999},
            {"scope_id": ["Related object not found using the provided numeric ID: 999999"]},
        ),
        (
            "/prefixes/",
            {"prefix": "10.0.0.0/8", "scope_type": "dcim.rack", "scope_id": 1},
            {"scope_type": ["Invalid content type: dcim.rack"]},
        ),
        (
            "/ip-ranges/",
            {"start_address": "10.0.0.20/24", "end_address": "10.0.0.10/24"},
            {"end_address": ["Ending address must be greater than or equal to the starting address (10.0.0.20/24)"]},
        ),
        (
            "/ip-ranges/",
            {"start_address": "10.0.0.10/24", "end_address": "10.0.0.20/25"},
            {"end_address": ["Starting and ending IP address masks must match"]},
        ),
        (
            "/ip-ranges/",
            {"start_address": "10.0.0.10/24", "end_address": "2001:db8::1/24"},
            {"end_address": ["Starting and ending IP address versions must match"]},
        ),
    ],
)
def test_bad_values_get_netbox_errors(api, path, payload, errors):
    response = call(api, "post", path, payload)

    assert (response.status_code, response.json()) == (400, errors)


# -- uniqueness ------------------------------------------------------------------------------------


def test_a_duplicate_prefix_in_the_global_table_is_refused_with_netbox_message(api):
    created(call(api, "post", "/prefixes/", {"prefix": "10.0.5.0/24"}))

    response = call(api, "post", "/prefixes/", {"prefix": "10.0.5.0/24"})

    assert (response.status_code, response.json()) == (
        400,
        {"prefix": ["Duplicate prefix found in global table: 10.0.5.0/24"]},
    )


def test_prefixes_and_addresses_repeat_only_where_the_vrf_allows(api):
    strict = created(call(api, "post", "/vrfs/", {"name": "Strict", "rd": "65000:1"}))
    loose = created(call(api, "post", "/vrfs/", {"name": "Loose", "enforce_unique": False}))
    for vrf in (strict, loose, None):
        created(call(api, "post", "/prefixes/", {"prefix": "10.1.0.0/16", "vrf": vrf and vrf["id"]}))
        created(call(api, "post", "/ip-addresses/", {"address": "10.1.0.1/16", "vrf": vrf and vrf["id"]}))

    again_strict = call(api, "post", "/prefixes/", {"prefix": "10.1.0.0/16", "vrf": strict["id"]})
    again_loose = call(api, "post", "/prefixes/", {"prefix": "10.1.0.0/16", "vrf": loose["id"]})
    # An address is the same address whatever its mask.
    address_strict = call(api, "post", "/ip-addresses/", {"address": "10.1.0.1/24", "vrf": strict["id"]})
    address_loose = call(api, "post", "/ip-addresses/", {"address": "10.1.0.1/24", "vrf": loose["id"]})

    assert again_strict.json() == {"prefix": ["Duplicate prefix found in VRF Strict (65000:1): 10.1.0.0/16"]}
    assert again_loose.status_code == 201
    assert address_strict.json() == {"address": ["Duplicate IP address found in VRF Strict (65000:1): 10.1.0.1/16"]}
    assert address_loose.status_code == 201


def test_shared_roles_may_repeat_an_address(api):
    created(call(api, "post", "/ip-addresses/", {"address": "192.0.2.1/24", "role": "vrrp"}))

    shared = call(api, "post", "/ip-addresses/", {"address": "192.0.2.1/24", "role": "anycast"})
    plain = call(api, "post", "/ip-addresses/", {"address": "192.0.2.1/24"})

    assert shared.status_code == 201
    assert plain.json() == {"address": ["Duplicate IP address found in global table: 192.0.2.1/24"]}


def test_a_batch_repeating_an_address_writes_nothing_and_names_the_item(api):
    response = call(
        api,
        "post",
        "/ip-addresses/",
        [{"address": "198.51.100.1/24"}, {"address": "198.51.100.2/24"}, {"address": "198.51.100.1/25"}],
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"index": 2, "errors": {"address": ["Duplicate IP address found in global table: 198.51.100.1/24"]}}
    ]
    assert listed(call(api, "get", "/ip-addresses/"), "address") == []


def test_an_update_into_a_taken_prefix_is_refused(api):
    created(call(api, "post", "/prefixes/", {"prefix": "10.2.0.0/16"}))
    other = created(call(api, "post", "/prefixes/", {"prefix": "10.3.0.0/16"}))

    response = call(api, "patch", f"/prefixes/{other['id']}/", {"prefix": "10.2.0.0/16"})

    assert response.json() == {"prefix": ["Duplicate prefix found in global table: 10.2.0.0/16"]}
    assert call(api, "get", f"/prefixes/{other['id']}/").json()["prefix"] == "10.3.0.0/16"


def test_aggregates_never_overlap(api):
    rir = created(call(api, "post", "/rirs/", {"name": "RIPE", "slug": "ripe"}))
    created(call(api, "post", "/aggregates/", {"prefix": "10.0.0.0/8", "rir": rir["id"]}))

    inside = call(api, "post", "/aggregates/", {"prefix": "10.1.0.0/16", "rir": rir["id"]})
    around = call(api, "post", "/aggregates/", {"prefix": "8.0.0.0/5", "rir": rir["id"]})
    beside = call(api, "post", "/aggregates/", {"prefix": "11.0.0.0/8", "rir": rir["id"]})

    assert inside.json() == {
        "prefix": ["Aggregates cannot overlap. 10.1.0.0/16 is already covered by an existing aggregate (10.0.0.0/8)."]
    }
    assert around.json() == {
        "prefix": ["Prefixes cannot overlap aggregates. 8.0.0.0/5 covers an existing aggregate (10.0.0.0/8)."]
    }
    assert beside.status_code == 201


def test_ranges_of_a_vrf_never_overlap(api):
    first = created(call(api, "post", "/ip-ranges/", {"start_address": "10.0.0.10/24", "end_address": "10.0.0.20/24"}))

    overlapping = call(api, "post", "/ip-ranges/", {"start_address": "10.0.0.15/24", "end_address": "10.0.0.30/24"})
    adjacent = call(api, "post", "/ip-ranges/", {"start_address": "10.0.0.21/24", "end_address": "10.0.0.30/24"})

    assert overlapping.json() == {"__all__": ["Defined addresses overlap with range 10.0.0.10-20/24 in VRF None"]}
    assert adjacent.status_code == 201
    assert first["size"] == 11 and first["display"] == "10.0.0.10-20/24"


def test_no_address_is_created_inside_a_populated_range(api):
    created(
        call(
            api,
            "post",
            "/ip-ranges/",
            {"start_address": "10.0.0.100/24", "end_address": "10.0.0.199/24", "mark_populated": True},
        )
    )

    response = call(api, "post", "/ip-addresses/", {"address": "10.0.0.150/24"})

    assert response.json() == {"address": ["Cannot create IP address 10.0.0.150/24 inside range 10.0.0.100-199/24."]}


def test_a_bulk_create_refuses_the_addresses_inside_a_populated_range_and_writes_none(api):
    created(
        call(
            api,
            "post",
            "/ip-ranges/",
            {"start_address": "10.0.0.100/24", "end_address": "10.0.0.199/24", "mark_populated": True},
        )
    )
    created(call(api, "post", "/ip-ranges/", {"start_address": "10.0.1.1/24", "end_address": "10.0.1.9/24"}))
    batch = [{"address": "10.0.0.99/24"}, {"address": "10.0.0.100/24"}, {"address": "10.0.1.5/24"}]

    response = call(api, "post", "/ip-addresses/", batch)

    assert response.status_code == 400
    assert response.json() == {
        "detail": "1 of 3 objects could not be created.",
        "errors": [
            {
                "index": 1,
                "errors": {"address": ["Cannot create IP address 10.0.0.100/24 inside range 10.0.0.100-199/24."]},
            }
        ],
    }
    assert listed(call(api, "get", "/ip-addresses/"), "address") == []


def test_a_bulk_create_of_addresses_takes_a_constant_number_of_statements(api):
    created(call(api, "post", "/ip-ranges/", {"start_address": "10.9.0.1/24", "end_address": "10.9.0.9/24"}))
    created(call(api, "post", "/ip-addresses/", {"address": "10.9.0.1/24"}))  # what the first write caches
    few = [{"address": f"10.0.0.{n}/24"} for n in range(1, 3)]
    many = [{"address": f"10.0.1.{n}/24"} for n in range(1, 41)]

    with CaptureQueriesContext(connection) as small:
        created(call(api, "post", "/ip-addresses/", few))
    with CaptureQueriesContext(connection) as large:
        created(call(api, "post", "/ip-addresses/", many))

    assert len(large) == len(small) > 0  # not 0 == 0: the requests ran on the captured connection


# -- the hierarchy -----------------------------------------------------------------------------------


def test_depth_and_children_follow_inserts_deletes_and_resizes(api):
    ids = {}
    for prefix in ("10.0.0.0/8", "10.1.0.0/16", "10.1.1.0/24", "10.1.2.0/24", "10.2.0.0/16"):
        ids[prefix] = created(call(api, "post", "/prefixes/", {"prefix": prefix}))["id"]

    assert depths(api) == {
        "10.0.0.0/8": (0, 4),
        "10.1.0.0/16": (1, 2),
        "10.1.1.0/24": (2, 0),
        "10.1.2.0/24": (2, 0),
        "10.2.0.0/16": (1, 0),
    }

    # when a /16 grows to a /15, it takes 10.1.x in
    call(api, "patch", f"/prefixes/{ids['10.2.0.0/16']}/", {"prefix": "10.0.0.0/15"})
    assert depths(api) == {
        "10.0.0.0/8": (0, 4),
        "10.0.0.0/15": (1, 3),
        "10.1.0.0/16": (2, 2),
        "10.1.1.0/24": (3, 0),
        "10.1.2.0/24": (3, 0),
    }

    # when the /8 goes, everything below moves up
    assert call(api, "delete", f"/prefixes/{ids['10.0.0.0/8']}/").status_code == 204
    assert depths(api) == {
        "10.0.0.0/15": (0, 3),
        "10.1.0.0/16": (1, 2),
        "10.1.1.0/24": (2, 0),
        "10.1.2.0/24": (2, 0),
    }


def test_the_hierarchy_is_per_vrf(api):
    vrf = created(call(api, "post", "/vrfs/", {"name": "Blue"}))
    created(call(api, "post", "/prefixes/", {"prefix": "10.0.0.0/8"}))
    inside = created(call(api, "post", "/prefixes/", {"prefix": "10.1.0.0/16", "vrf": vrf["id"]}))

    assert (inside["_depth"], depths(api)["10.0.0.0/8"]) == (0, (0, 0))

    # moved into the global table, it is below the /8
    call(api, "patch", f"/prefixes/{inside['id']}/", {"vrf": None})
    assert depths(api) == {"10.0.0.0/8": (0, 1), "10.1.0.0/16": (1, 0)}


def test_a_bulk_create_places_every_prefix_in_a_constant_number_of_statements(api):
    created(call(api, "post", "/prefixes/", {"prefix": "10.0.0.0/8"}))
    few = [{"prefix": f"10.0.{n}.0/24"} for n in range(2)]
    many = [{"prefix": f"10.1.{n}.0/24"} for n in range(40)]

    with CaptureQueriesContext(connection) as small:
        created(call(api, "post", "/prefixes/", few))
    with CaptureQueriesContext(connection) as large:
        created(call(api, "post", "/prefixes/", many))

    assert len(large) == len(small) > 0  # not 0 == 0: the requests ran on the captured connection
    assert depths(api)["10.0.0.0/8"] == (0, 42)
    assert depths(api)["10.1.39.0/24"] == (1, 0)


# -- NAT and assignment ----------------------------------------------------------------------------


def test_nat_partners_are_nested_without_their_own_partners(api):
    inside = created(call(api, "post", "/ip-addresses/", {"address": "10.0.0.1/24"}))
    outside = created(call(api, "post", "/ip-addresses/", {"address": "192.0.2.1/24", "nat_inside": inside["id"]}))

    read = call(api, "get", f"/ip-addresses/{inside['id']}/").json()

    nested = {
        "id": outside["id"],
        "url": outside["url"],
        "display_url": outside["display_url"],
        "display": "192.0.2.1/24",
        "family": {"value": 4, "label": "IPv4"},
        "address": "192.0.2.1/24",
    }
    assert read["nat_outside"] == [nested]
    assert outside["nat_inside"]["address"] == "10.0.0.1/24" and "nat_inside" not in outside["nat_inside"]
    assert call(api, "get", f"/ip-addresses/?nat_inside_id={inside['id']}").json()["count"] == 1


def test_a_list_of_addresses_builds_no_queryset_per_row(api, monkeypatch):
    # given: NAT partners, whose rows a list prefetches, and a count of the addresses' managers' querysets
    from addressing import querysets

    built: list[int] = []
    original = querysets.IPAddressManager.get_queryset

    def counted(self):
        built.append(1)
        return original(self)

    monkeypatch.setattr(querysets.IPAddressManager, "get_queryset", counted)

    def querysets_for(count: int) -> int:
        inside = created(call(api, "post", "/ip-addresses/", {"address": f"10.{count}.0.1/24"}))
        outside = [{"address": f"192.0.{count}.{n + 1}/24", "nat_inside": inside["id"]} for n in range(count)]
        assert call(api, "post", "/ip-addresses/", outside).status_code == 201
        built.clear()
        listed = call(api, "get", "/ip-addresses/?limit=1000").json()["results"]
        assert any(row["nat_outside"] for row in listed)
        return len(built)

    # then
    assert querysets_for(2) == querysets_for(20)


def test_an_address_may_be_assigned_to_an_fhrp_group(api):
    group = created(call(api, "post", "/fhrp-groups/", {"protocol": "vrrp3", "group_id": 7}))

    body = created(
        call(
            api,
            "post",
            "/ip-addresses/",
            {"address": "10.9.0.1/24", "assigned_object_type": "ipam.fhrpgroup", "assigned_object_id": group["id"]},
        )
    )

    assert body["assigned_object_type"] == "ipam.fhrpgroup"
    assert body["assigned_object"] == {
        "id": group["id"],
        "url": group["url"],
        "display": "VRRPv3: 7",
        "protocol": "vrrp3",
        "group_id": 7,
        "description": "",
    }
    listed_group = call(api, "get", f"/fhrp-groups/{group['id']}/").json()
    assert [address["address"] for address in listed_group["ip_addresses"]] == ["10.9.0.1/24"]
    assert call(api, "get", f"/ip-addresses/?fhrpgroup_id={group['id']}").json()["count"] == 1


def test_an_assigned_address_is_no_network_or_broadcast_address(api):
    group = created(call(api, "post", "/fhrp-groups/", {"protocol": "vrrp3", "group_id": 7}))
    assigned = {"assigned_object_type": "ipam.fhrpgroup", "assigned_object_id": group["id"]}

    network = call(api, "post", "/ip-addresses/", {"address": "10.9.0.0/24", **assigned})
    broadcast = call(api, "post", "/ip-addresses/", {"address": "10.9.0.255/24", **assigned})
    point_to_point = call(api, "post", "/ip-addresses/", {"address": "10.9.1.0/31", **assigned})

    assert network.json() == {"__all__": ["10.9.0.0 is a network ID, which may not be assigned to an interface."]}
    assert broadcast.json() == {
        "__all__": ["10.9.0.255 is a broadcast address, which may not be assigned to an interface."]
    }
    assert point_to_point.status_code == 201


def test_nothing_is_changed_in_the_database_by_a_refused_write(api, org_a):
    created(call(api, "post", "/prefixes/", {"prefix": "10.0.0.0/8"}))

    call(api, "post", "/prefixes/", [{"prefix": "10.1.0.0/16"}, {"prefix": "10.0.0.0/8"}])

    with tenant_context(org_a.organization):
        assert list(Prefix.objects.values_list("prefix", "_children")) == [(Prefix.objects.get().prefix, 0)]
        assert not VRF.objects.exists() and not IPAddress.objects.exists() and not FHRPGroup.objects.exists()


def test_deleting_a_site_deletes_what_is_scoped_to_it_as_netbox_does(api, org_a):
    site = created(dcim(api, "post", "/sites/", {"name": "AMS1", "slug": "ams1"}))
    scoped = {"scope_type": "dcim.site", "scope_id": site["id"]}
    prefix = created(call(api, "post", "/prefixes/", {"prefix": "10.0.0.0/24", **scoped}))
    group = created(call(api, "post", "/vlan-groups/", {"name": "G", "slug": "g", **scoped}))
    other = created(call(api, "post", "/prefixes/", {"prefix": "10.0.1.0/24"}))

    assert dcim(api, "delete", f"/sites/{site['id']}/").status_code == 204

    assert call(api, "get", f"/prefixes/{prefix['id']}/").status_code == 404
    assert call(api, "get", f"/vlan-groups/{group['id']}/").status_code == 404
    assert call(api, "get", f"/prefixes/{other['id']}/").status_code == 200
    with tenant_context(org_a.organization):
        from core.models import ObjectChange

        assert ObjectChange.objects.filter(changed_object_id=prefix["id"], action="delete").exists()


def _enforce_global_unique(org, value: bool) -> None:
    org.organization.enforce_global_unique = value
    org.organization.save(update_fields=["enforce_global_unique"])


def test_the_global_table_may_allow_repeats_as_netbox_can(api, org_a):
    # given: organization A lets its global table repeat prefixes and addresses (NetBox's ENFORCE_GLOBAL_UNIQUE)
    _enforce_global_unique(org_a, False)
    created(call(api, "post", "/prefixes/", {"prefix": "10.0.5.0/24"}))
    created(call(api, "post", "/ip-addresses/", {"address": "10.0.5.1/24"}))

    # when / then: the same prefix and address again are taken, in one request or several
    assert call(api, "post", "/prefixes/", {"prefix": "10.0.5.0/24"}).status_code == 201
    assert call(api, "post", "/ip-addresses/", {"address": "10.0.5.1/24"}).status_code == 201
    assert (
        call(api, "post", "/ip-addresses/", [{"address": "10.0.6.1/24"}, {"address": "10.0.6.1/24"}]).status_code == 201
    )


def test_global_uniqueness_is_each_organizations_own(api, org_a, org_b):
    # given: A allows repeats in its global table, B keeps NetBox's default; both hold 10.0.5.0/24 and 10.0.5.1/24
    _enforce_global_unique(org_a, False)
    api_b = org_b.client()

    def post_b(path: str, payload: dict):
        return api_b.post(f"/o/org-b/api/ipam{path}", json.dumps(payload), content_type="application/json")

    for post in (lambda path, payload: call(api, "post", path, payload), post_b):
        assert post("/prefixes/", {"prefix": "10.0.5.0/24"}).status_code == 201
        assert post("/ip-addresses/", {"address": "10.0.5.1/24"}).status_code == 201

    # when: each writes them again
    prefix_a = call(api, "post", "/prefixes/", {"prefix": "10.0.5.0/24"})
    address_a = call(api, "post", "/ip-addresses/", {"address": "10.0.5.1/24"})
    prefix_b = post_b("/prefixes/", {"prefix": "10.0.5.0/24"})
    address_b = post_b("/ip-addresses/", {"address": "10.0.5.1/24"})

    # then: A takes them; B refuses them with NetBox's messages
    assert (prefix_a.status_code, address_a.status_code) == (201, 201)
    assert (prefix_b.status_code, prefix_b.json()) == (
        400,
        {"prefix": ["Duplicate prefix found in global table: 10.0.5.0/24"]},
    )
    assert (address_b.status_code, address_b.json()) == (
        400,
        {"address": ["Duplicate IP address found in global table: 10.0.5.1/24"]},
    )


def test_global_uniqueness_is_read_without_a_query_per_object(api, org_a):
    # given: one address, and a bulk request of ten new ones of the global table
    created(call(api, "post", "/ip-addresses/", {"address": "10.0.9.1/24"}))
    one = [{"address": "10.0.8.1/24"}]
    ten = [{"address": f"10.0.7.{n}/24"} for n in range(1, 11)]
    call(api, "post", "/ip-addresses/", [{"address": "10.0.6.1/24"}])  # warm-up

    # when
    with CaptureQueriesContext(connection) as single:
        assert call(api, "post", "/ip-addresses/", one).status_code == 201
    with CaptureQueriesContext(connection) as bulk:
        assert call(api, "post", "/ip-addresses/", ten).status_code == 201

    # then: the organization's setting costs no statement, per object or per request
    assert len(bulk.captured_queries) == len(single.captured_queries) > 0
    assert not any("tenants_organization" in query["sql"] for query in bulk.captured_queries)
