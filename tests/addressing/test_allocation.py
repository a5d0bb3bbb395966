"""NetBox's allocation routes: available-ips (prefixes and ranges), available-prefixes, available-vlans and
available-asns, GET and POST, with NetBox's shapes, errors and 409 when the space is exhausted; who may
use them."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from addressing.models import IPAddress
from core.models import CustomField, Tag
from inventory.models import Device, DeviceRole, DeviceType, Interface, Manufacturer, Site, Tenant
from tenants.context import connection, tenant_context
from tenants.models import Membership, MembershipRole
from tenants.tokens import token_create
from tests.addressing.ipam import call, created, listed

NOT_FOUND = {"detail": "Not found."}
EXHAUSTED = {"detail": "Insufficient resources are available to satisfy the request"}


def prefix(api, value: str, **fields) -> dict:
    return created(call(api, "post", "/prefixes/", {"prefix": value, **fields}))


def address(api, value: str, **fields) -> dict:
    return created(call(api, "post", "/ip-addresses/", {"address": value, **fields}))


def free(api, path: str, key: str = "address", **query) -> list:
    response = call(api, "get", path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""))
    assert response.status_code == 200, response.content
    return [item[key] for item in response.json()]


# -- available-ips -----------------------------------------------------------------------------------


def test_free_addresses_of_a_prefix_skip_taken_ones_in_netbox_shape(api):
    vrf = created(call(api, "post", "/vrfs/", {"name": "Blue", "rd": "65000:9"}))
    parent = prefix(api, "10.0.5.0/24", vrf=vrf["id"])
    for value in ("10.0.5.1/24", "10.0.5.2/32", "10.0.5.4/24"):
        address(api, value, vrf=vrf["id"])
    address(api, "10.0.5.3/24")  # another VRF (the global table): not taken here

    body = call(api, "get", f"/prefixes/{parent['id']}/available-ips/?limit=3").json()

    assert body == [
        {"family": 4, "address": f"10.0.5.{n}/24", "vrf": {
            "id": vrf["id"], "url": vrf["url"], "display": "Blue (65000:9)", "name": "Blue", "rd": "65000:9",
            "description": "",
        }}
        for n in (3, 5, 6)
    ]  # fmt: skip


def test_one_address_is_allocated_with_the_callers_values(api):
    parent = prefix(api, "10.0.5.0/24")
    address(api, "10.0.5.1/24")

    response = call(api, "post", f"/prefixes/{parent['id']}/available-ips/", {"description": "shape"})

    body = created(response)
    assert (body["address"], body["description"], body["vrf"]) == ("10.0.5.2/24", "shape", None)
    assert list(body) == list(call(api, "get", f"/ip-addresses/{body['id']}/").json())


def test_an_allocation_answers_what_a_read_of_its_addresses_answers(api, org_a):
    # given: a VRF's prefix, a tenant, two tags and a custom field of addresses
    with tenant_context(org_a.organization):
        tenant = Tenant.objects.create(name="Acme", slug="acme")
        for name in ("Zeta", "Alpha"):
            Tag.objects.create(name=name, slug=name.lower())
        owner = CustomField.objects.create(name="owner", type="text")
        owner.object_types.set([ContentType.objects.get_for_model(IPAddress)])
    vrf = created(call(api, "post", "/vrfs/", {"name": "Blue", "rd": "65000:7"}))
    parent = prefix(api, "10.0.9.0/24", vrf=vrf["id"])
    ip_range = created(
        call(api, "post", "/ip-ranges/", {"start_address": "10.0.9.100/24", "end_address": "10.0.9.110/24"})
    )
    values = {
        "description": "shape", "dns_name": "Web.Example.COM", "tenant": tenant.pk, "status": "reserved",
        "tags": [{"name": "Zeta"}, {"name": "Alpha"}], "custom_fields": {"owner": "ops"},
    }  # fmt: skip

    # when: an address is allocated from each, alone and in a list
    one = created(call(api, "post", f"/prefixes/{parent['id']}/available-ips/", values))
    listed_ones = created(call(api, "post", f"/ip-ranges/{ip_range['id']}/available-ips/", [values, {}]))

    # then: each answer is the address as a read of it answers
    assert (one["address"], one["dns_name"], [tag["name"] for tag in one["tags"]]) == (
        "10.0.9.1/24", "web.example.com", ["Alpha", "Zeta"],
    )  # fmt: skip
    for body in (one, *listed_ones):
        assert body == call(api, "get", f"/ip-addresses/{body['id']}/").json()


def test_an_allocation_holds_its_lock_for_its_write_alone(api):
    # given: a prefix with an address taken
    parent = prefix(api, "10.0.10.0/24")
    address(api, "10.0.10.1/24")
    sent: list[str] = []

    # when: an address is allocated from it
    with connection.observe_statements(lambda kind, sql: sent.append(sql)):
        body = created(call(api, "post", f"/prefixes/{parent['id']}/available-ips/", {"description": "lock"}))

    # then: once the address space is locked, the free address is read and the address written with its search
    # entry and change log -- the request was read and validated before, its answer is made after
    assert body["address"] == "10.0.10.2/24"
    locked = next(index for index, sql in enumerate(sent) if "pg_advisory_xact_lock" in sql)
    held = [sql.split()[0] for sql in sent[locked + 1 :] if not sql.startswith("RELEASE SAVEPOINT")]
    assert held == ["WITH", "INSERT", "WITH"], sent[locked + 1 :]
    assert '"addressing_ipaddress"' in sent[locked + 2] and '"core_objectchange"' in sent[locked + 3]


def test_an_address_for_an_interface_is_checked_once_allocated(api, org_a):
    # given: a pool (its network ID is handed out too) and an interface
    with tenant_context(org_a.organization):
        vendor = Manufacturer.objects.create(name="Juniper", slug="juniper")
        device = Device.objects.create(
            name="fw1",
            device_type=DeviceType.objects.create(manufacturer=vendor, model="SRX", slug="srx"),
            role=DeviceRole.objects.create(name="Firewall", slug="firewall"),
            site=Site.objects.create(name="AMS1", slug="ams1"),
        )
        interface = Interface.objects.create(device=device, name="ge-0/0/0", type="1000base-t")
    pool = prefix(api, "10.0.11.0/29", is_pool=True)
    path = f"/prefixes/{pool['id']}/available-ips/"
    assigned = {"assigned_object_type": "dcim.interface", "assigned_object_id": interface.pk}

    # when: the interface asks for the pool's first free address, its network ID; then for one past it
    refused = call(api, "post", path, assigned)
    address(api, "10.0.11.0/29")
    given = created(call(api, "post", path, assigned))

    # then: the network ID is refused as for an address written with it, nothing written; the next one is given
    assert (refused.status_code, refused.json()) == (
        400, {"__all__": ["10.0.11.0 is a network ID, which may not be assigned to an interface."]},
    )  # fmt: skip
    assert (given["address"], given["assigned_object_id"]) == ("10.0.11.1/29", interface.pk)


def test_a_list_allocates_one_address_each(api):
    parent = prefix(api, "10.0.6.0/24")

    body = created(
        call(
            api,
            "post",
            f"/prefixes/{parent['id']}/available-ips/",
            [{"description": "a"}, {"description": "b", "prefix_length": 32}, {"status": "reserved"}],
        )
    )

    assert [(item["address"], item["description"], item["status"]["value"]) for item in body] == [
        ("10.0.6.1/24", "a", "active"),
        ("10.0.6.2/32", "b", "active"),
        ("10.0.6.3/24", "", "reserved"),
    ]


@pytest.mark.parametrize(
    ("network", "is_pool", "expected"),
    [
        ("10.0.7.0/30", False, ["10.0.7.1/30", "10.0.7.2/30"]),  # network and broadcast held back
        ("10.0.7.0/30", True, ["10.0.7.0/30", "10.0.7.1/30", "10.0.7.2/30", "10.0.7.3/30"]),  # a pool: all of it
        ("10.0.7.0/31", False, ["10.0.7.0/31", "10.0.7.1/31"]),  # point-to-point
        ("10.0.7.9/32", False, ["10.0.7.9/32"]),
        ("2001:db8::/127", False, ["2001:db8::/127", "2001:db8::1/127"]),
        ("2001:db8::/126", False, ["2001:db8::1/126", "2001:db8::2/126", "2001:db8::3/126"]),  # no anycast
    ],
)
def test_which_addresses_of_a_prefix_are_usable(api, network, is_pool, expected):
    parent = prefix(api, network, is_pool=is_pool)

    assert free(api, f"/prefixes/{parent['id']}/available-ips/") == expected


def test_a_huge_ipv6_prefix_is_never_listed_whole(api):
    parent = prefix(api, "2001:db8:1::/64")
    address(api, "2001:db8:1::1/64")

    listed_free = free(api, f"/prefixes/{parent['id']}/available-ips/", limit=0)
    allocated = created(call(api, "post", f"/prefixes/{parent['id']}/available-ips/", [{}, {}]))

    assert len(listed_free) == 1000 and listed_free[:2] == ["2001:db8:1::2/64", "2001:db8:1::3/64"]
    assert [item["address"] for item in allocated] == ["2001:db8:1::2/64", "2001:db8:1::3/64"]


def test_an_exhausted_prefix_answers_409_and_creates_nothing(api):
    parent = prefix(api, "10.0.8.0/30")

    too_many = call(api, "post", f"/prefixes/{parent['id']}/available-ips/", [{}, {}, {}])
    enough = call(api, "post", f"/prefixes/{parent['id']}/available-ips/", [{}, {}])
    none_left = call(api, "post", f"/prefixes/{parent['id']}/available-ips/", {})

    assert (too_many.status_code, too_many.json()) == (409, EXHAUSTED)
    assert enough.status_code == 201
    assert (none_left.status_code, none_left.json()) == (409, EXHAUSTED)
    assert listed(call(api, "get", "/ip-addresses/"), "address") == ["10.0.8.1/30", "10.0.8.2/30"]


@pytest.mark.parametrize(
    ("network", "expected"),
    [
        ("0.0.0.0/31", ["0.0.0.0/31", "0.0.0.1/31"]),  # the first addresses there are
        ("255.255.255.254/31", ["255.255.255.254/31", "255.255.255.255/31"]),  # and the last
        ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127", ["ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127",
                                                         "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/127"]),
    ],
)  # fmt: skip
def test_the_ends_of_the_address_space_are_handed_out_and_then_409(api, network, expected):
    parent = prefix(api, network)
    url = f"/prefixes/{parent['id']}/available-ips/"

    first = created(call(api, "post", url, {}))
    assert free(api, url) == expected[1:]
    second = created(call(api, "post", url, {}))
    full = call(api, "post", url, {})

    assert [first["address"], second["address"]] == expected
    assert free(api, url) == []
    assert (full.status_code, full.json()) == (409, EXHAUSTED)


def test_free_addresses_fill_the_gaps_between_taken_ones_in_order(api):
    # given: a /28 whose addresses 1, 3-5 and 8 are taken (8 in another mask), and 11-12 a populated range that
    # begins inside the prefix and ends beyond it
    parent = prefix(api, "10.0.10.0/28")
    for host in (1, 3, 4, 5):
        address(api, f"10.0.10.{host}/28")
    address(api, "10.0.10.8/32")
    created(
        call(
            api,
            "post",
            "/ip-ranges/",
            {"start_address": "10.0.10.11/24", "end_address": "10.0.10.40/24", "mark_populated": True},
        )
    )
    url = f"/prefixes/{parent['id']}/available-ips/"

    # when / then: the gaps in order, up to the range, which no address may be created in
    assert free(api, url) == [f"10.0.10.{host}/28" for host in (2, 6, 7, 9, 10)]
    allocated = created(call(api, "post", url, [{}, {}, {}, {}]))
    assert [item["address"] for item in allocated] == [f"10.0.10.{host}/28" for host in (2, 6, 7, 9)]
    assert call(api, "post", url, [{}, {}]).status_code == 409
    assert created(call(api, "post", url, {}))["address"] == "10.0.10.10/28"


def test_populated_ranges_are_skipped_and_a_container_counts_every_vrf(api):
    parent = prefix(api, "10.0.9.0/29", status="container")
    created(
        call(
            api,
            "post",
            "/ip-ranges/",
            {"start_address": "10.0.9.1/29", "end_address": "10.0.9.3/29", "mark_populated": True},
        )
    )
    vrf = created(call(api, "post", "/vrfs/", {"name": "Blue"}))
    address(api, "10.0.9.4/29", vrf=vrf["id"])

    assert free(api, f"/prefixes/{parent['id']}/available-ips/") == ["10.0.9.5/29", "10.0.9.6/29"]


def test_bad_requests_are_refused_by_position(api):
    parent = prefix(api, "10.0.10.0/24")

    shorter = call(api, "post", f"/prefixes/{parent['id']}/available-ips/", [{}, {"prefix_length": 16}])
    longer = call(api, "post", f"/prefixes/{parent['id']}/available-ips/", {"prefix_length": 33})
    invalid = call(api, "post", f"/prefixes/{parent['id']}/available-ips/", [{}, {"status": "closed"}])
    single = call(api, "post", f"/prefixes/{parent['id']}/available-ips/", {"status": "closed"})

    assert shorter.json() == [
        {}, {"prefix_length": ["Prefix length must be greater than or equal to the parent mask length (24)"]}
    ]  # fmt: skip
    assert longer.json() == [{"prefix_length": ["Invalid prefix length (33) for IPv4"]}]
    assert invalid.status_code == 400 and invalid.json()[0] == {}
    assert invalid.json()[1] == {"status": ["Value 'closed' is not a valid choice."]}
    assert single.json() == {"status": ["Value 'closed' is not a valid choice."]}
    assert listed(call(api, "get", "/ip-addresses/"), "address") == []


def test_a_range_hands_out_its_own_addresses(api):
    ip_range = created(
        call(api, "post", "/ip-ranges/", {"start_address": "10.0.11.10/24", "end_address": "10.0.11.12/24"})
    )
    address(api, "10.0.11.10/24")

    listed_free = free(api, f"/ip-ranges/{ip_range['id']}/available-ips/")
    allocated = created(call(api, "post", f"/ip-ranges/{ip_range['id']}/available-ips/", [{}, {}]))
    exhausted = call(api, "post", f"/ip-ranges/{ip_range['id']}/available-ips/", {})

    assert listed_free == ["10.0.11.11/24", "10.0.11.12/24"]
    assert [item["address"] for item in allocated] == ["10.0.11.11/24", "10.0.11.12/24"]
    assert exhausted.status_code == 409


def test_a_populated_range_has_nothing_to_hand_out(api):
    ip_range = created(
        call(
            api,
            "post",
            "/ip-ranges/",
            {"start_address": "10.0.12.10/24", "end_address": "10.0.12.12/24", "mark_populated": True},
        )
    )

    assert free(api, f"/ip-ranges/{ip_range['id']}/available-ips/") == []
    assert call(api, "post", f"/ip-ranges/{ip_range['id']}/available-ips/", {}).status_code == 409


# -- available-prefixes ------------------------------------------------------------------------------


def test_free_blocks_of_a_prefix_and_their_allocation(api):
    parent = prefix(api, "10.1.0.0/16")
    prefix(api, "10.1.0.0/24")
    prefix(api, "10.1.2.0/23")

    blocks = call(api, "get", f"/prefixes/{parent['id']}/available-prefixes/").json()
    allocated = created(
        call(
            api,
            "post",
            f"/prefixes/{parent['id']}/available-prefixes/",
            [{"prefix_length": 24, "description": "a"}, {"prefix_length": 22}, {"prefix_length": 24}],
        )
    )

    assert blocks == [
        {"family": 4, "prefix": "10.1.1.0/24", "vrf": None},
        {"family": 4, "prefix": "10.1.4.0/22", "vrf": None},
        {"family": 4, "prefix": "10.1.8.0/21", "vrf": None},
        {"family": 4, "prefix": "10.1.16.0/20", "vrf": None},
        {"family": 4, "prefix": "10.1.32.0/19", "vrf": None},
        {"family": 4, "prefix": "10.1.64.0/18", "vrf": None},
        {"family": 4, "prefix": "10.1.128.0/17", "vrf": None},
    ]
    assert [(item["prefix"], item["description"], item["_depth"]) for item in allocated] == [
        ("10.1.1.0/24", "a", 1),
        ("10.1.4.0/22", "", 1),
        ("10.1.8.0/24", "", 1),
    ]
    assert call(api, "get", f"/prefixes/{parent['id']}/").json()["children"] == 5


def test_a_prefix_too_large_for_the_free_space_answers_409(api):
    parent = prefix(api, "10.2.0.0/24")

    larger = call(api, "post", f"/prefixes/{parent['id']}/available-prefixes/", {"prefix_length": 23})
    missing = call(api, "post", f"/prefixes/{parent['id']}/available-prefixes/", {"description": "x"})
    invalid = call(api, "post", f"/prefixes/{parent['id']}/available-prefixes/", [{"prefix_length": "24"}])

    assert (larger.status_code, larger.json()) == (409, EXHAUSTED)
    assert missing.json() == [{"prefix_length": ["this field can not be missing"]}]
    assert invalid.json() == [{"prefix_length": ["this field must be int type"]}]


# -- available-vlans and available-asns --------------------------------------------------------------


def test_free_vlan_ids_of_a_group_and_their_allocation(api):
    group = created(call(api, "post", "/vlan-groups/", {"name": "G", "slug": "g", "vid_ranges": [[10, 12], [20, 20]]}))
    created(call(api, "post", "/vlans/", {"vid": 11, "name": "taken", "group": group["id"]}))

    listed_free = call(api, "get", f"/vlan-groups/{group['id']}/available-vlans/").json()
    allocated = created(
        call(api, "post", f"/vlan-groups/{group['id']}/available-vlans/", [{"name": "a"}, {"name": "b"}])
    )
    half = call(api, "get", f"/vlan-groups/{group['id']}/").json()["utilization"]
    last = created(call(api, "post", f"/vlan-groups/{group['id']}/available-vlans/", {"name": "c"}))
    exhausted = call(api, "post", f"/vlan-groups/{group['id']}/available-vlans/", {"name": "d"})

    brief = {key: group[key] for key in ("id", "url", "display", "name", "slug", "description")}
    assert listed_free == [{"vid": 10, "group": brief}, {"vid": 12, "group": brief}, {"vid": 20, "group": brief}]
    assert [(vlan["vid"], vlan["name"], vlan["group"]["id"]) for vlan in allocated] == [
        (10, "a", group["id"]),
        (12, "b", group["id"]),
    ]
    assert (half, last["vid"]) == ("75.00", 20)
    assert (exhausted.status_code, exhausted.json()) == (409, EXHAUSTED)
    assert call(api, "get", f"/vlan-groups/{group['id']}/").json()["utilization"] == "100.00"


def test_free_asns_of_a_range_and_their_allocation(api):
    rir = created(call(api, "post", "/rirs/", {"name": "RIPE", "slug": "ripe"}))
    asn_range = created(
        call(api, "post", "/asn-ranges/", {"name": "R", "slug": "r", "rir": rir["id"], "start": 65000, "end": 65002})
    )
    created(call(api, "post", "/asns/", {"asn": 65000, "rir": rir["id"]}))

    listed_free = call(api, "get", f"/asn-ranges/{asn_range['id']}/available-asns/").json()
    allocated = created(call(api, "post", f"/asn-ranges/{asn_range['id']}/available-asns/", {"description": "x"}))

    assert [item["asn"] for item in listed_free] == [65001, 65002]
    assert listed_free[0]["rir"]["slug"] == "ripe"
    assert (allocated["asn"], allocated["description"], allocated["rir"]["id"]) == (65001, "x", rir["id"])
    assert call(api, "get", f"/asn-ranges/{asn_range['id']}/").json()["asn_count"] == 2


# -- who may allocate ----------------------------------------------------------------------------------


@pytest.fixture
def parents(api):
    return {
        "prefix": prefix(api, "10.3.0.0/24"),
        "range": created(
            call(api, "post", "/ip-ranges/", {"start_address": "10.4.0.1/24", "end_address": "10.4.0.9/24"})
        ),
    }


ROUTES = [
    ("prefixes", "prefix", "available-ips", {}),
    ("prefixes", "prefix", "available-prefixes", {"prefix_length": 28}),
    ("ip-ranges", "range", "available-ips", {}),
]


@pytest.mark.parametrize(("path", "parent", "route", "payload"), ROUTES)
def test_other_organizations_and_anonymous_callers_find_nothing(
    org_a, org_b, api, parents, path, parent, route, payload
):
    url = f"/o/org-a/api/ipam/{path}/{parents[parent]['id']}/{route}/"
    _, token = token_create(organization=org_b.organization, user=org_b.owner)
    callers = {
        "member of B": (org_b.client(), 404, NOT_FOUND),
        "token of B": (Client(HTTP_AUTHORIZATION=f"Bearer {token}"), 404, NOT_FOUND),
        "anonymous": (Client(), 403, {"detail": "Authentication credentials were not provided."}),
    }

    for caller, (client, status, body) in callers.items():
        for response in (client.get(url), client.post(url, payload, content_type="application/json")):
            assert (response.status_code, response.json()) == (status, body), caller

    assert listed(call(api, "get", "/ip-addresses/"), "address") == []
    assert len(listed(call(api, "get", "/prefixes/"), "prefix")) == 1


@pytest.mark.parametrize(("path", "parent", "route", "payload"), ROUTES)
def test_a_viewer_lists_but_does_not_allocate(org_a, api, parents, path, parent, route, payload, django_user_model):
    viewer = django_user_model.objects.create_user("viewer-ipam@example.com")
    Membership.objects.create(user=viewer, organization=org_a.organization, role=MembershipRole.VIEWER)
    client = Client()
    client.force_login(viewer)
    _, read_only = token_create(organization=org_a.organization, user=org_a.owner, write_enabled=False)
    url = f"/o/org-a/api/ipam/{path}/{parents[parent]['id']}/{route}/"

    listing = client.get(url)
    by_viewer = client.post(url, payload, content_type="application/json")
    by_read_only_token = Client(HTTP_AUTHORIZATION=f"Bearer {read_only}").post(
        url, payload, content_type="application/json"
    )

    assert listing.status_code == 200 and listing.json()
    assert (by_viewer.status_code, by_viewer.json()) == (
        403,
        {"detail": "You do not have permission to perform this action."},
    )
    assert (by_read_only_token.status_code, by_read_only_token.json()) == (
        403,
        {"detail": "This token does not permit write operations."},
    )
    assert listed(call(api, "get", "/ip-addresses/"), "address") == []
