"""The filters NetBox users script against: IP space by containment (`within`, `within_include`,
`contains`, `parent`), `prefix=` and `address=`, `family`, `mask_length`, VRFs (`vrf=<rd>`, `vrf_id=null`,
`present_in_vrf`), the hierarchy (`depth`, `children`), scopes, VLANs, tenancy, assignment, services,
and `q` as NetBox searches IP space."""

import pytest

from addressing.models import VLAN, VRF, FHRPGroup, IPAddress, IPRange, Prefix, RouteTarget, Service, VLANGroup
from addressing.services import prefix_hierarchy_update
from inventory.models import Location, Region, Site, SiteGroup, Tenant, TenantGroup
from tenants.context import tenant_context
from tests.addressing.ipam import call, listed


@pytest.fixture
def space(org_a):
    """Global: 10.0.0.0/8 > 10.1.0.0/16 > 10.1.1.0/24, 2001:db8::/32; VRF Blue (65000:1, importing target
    65000:100): 10.1.0.0/16; VRF Green exports 65000:100: 10.9.0.0/16. Addresses 10.1.1.1/24, 10.1.1.1/32
    (another mask), 10.1.1.2/24 (Blue), 2001:db8::1/64."""
    with tenant_context(org_a.organization):
        target = RouteTarget.objects.create(name="65000:100")
        blue = VRF.objects.create(name="Blue", rd="65000:1")
        blue.import_targets.set([target])
        green = VRF.objects.create(name="Green", rd="65000:2")
        green.export_targets.set([target])
        VRF.objects.create(name="Red", rd="65000:3")
        networks = [(None, "10.0.0.0/8"), (None, "10.1.0.0/16"), (None, "10.1.1.0/24"), (None, "2001:db8::/32")]
        networks += [(blue.pk, "10.1.0.0/16"), (green.pk, "10.9.0.0/16")]
        for vrf_id, network in networks:
            Prefix.objects.create(vrf_id=vrf_id, prefix=network)
        prefix_hierarchy_update(networks)
        values = ((None, "10.1.1.1/24"), (None, "10.1.1.1/32"), (blue, "10.1.1.2/24"), (None, "2001:db8::1/64"))
        for number, (vrf, value) in enumerate(values, 1):
            IPAddress.objects.create(vrf=vrf, address=value, dns_name=f"host{number}.example.net")
    return {"blue": blue, "green": green}


def prefixes(api, query: str) -> list[str]:
    response = call(api, "get", f"/prefixes/?{query}&limit=1000")
    assert response.status_code == 200, response.content
    return [f"{row['prefix']}{'@' + row['vrf']['name'] if row['vrf'] else ''}" for row in response.json()["results"]]


def addresses(api, query: str) -> list[str]:
    return listed(call(api, "get", f"/ip-addresses/?{query}&limit=1000"), "address")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("within=10.0.0.0/8", ["10.1.0.0/16", "10.1.1.0/24", "10.1.0.0/16@Blue", "10.9.0.0/16@Green"]),
        ("within_include=10.1.0.0/16", ["10.1.0.0/16", "10.1.1.0/24", "10.1.0.0/16@Blue"]),
        ("contains=10.1.1.7", ["10.0.0.0/8", "10.1.0.0/16", "10.1.1.0/24", "10.1.0.0/16@Blue"]),
        ("contains=10.1.0.0/16", ["10.0.0.0/8", "10.1.0.0/16", "10.1.0.0/16@Blue"]),
        ("prefix=10.1.0.0/16", ["10.1.0.0/16", "10.1.0.0/16@Blue"]),
        ("prefix=10.1.0.0/16&prefix=nonsense", ["10.1.0.0/16", "10.1.0.0/16@Blue"]),
        ("family=6", ["2001:db8::/32"]),
        ("mask_length=16", ["10.1.0.0/16", "10.1.0.0/16@Blue", "10.9.0.0/16@Green"]),
        ("mask_length__gte=24", ["10.1.1.0/24", "2001:db8::/32"]),
        ("mask_length__lte=8", ["10.0.0.0/8"]),
        ("vrf_id=null&family=4", ["10.0.0.0/8", "10.1.0.0/16", "10.1.1.0/24"]),
        ("vrf=65000:1", ["10.1.0.0/16@Blue"]),
        ("depth=2", ["10.1.1.0/24"]),
        ("depth__gte=1", ["10.1.0.0/16", "10.1.1.0/24"]),
        ("children__gte=2", ["10.0.0.0/8"]),
        ("q=10.1.1.9", ["10.0.0.0/8", "10.1.0.0/16", "10.1.1.0/24", "10.1.0.0/16@Blue"]),
        ("q=2001:db8", ["2001:db8::/32"]),
        ("within=nonsense", []),
        ("contains=nonsense", []),
    ],
)
def test_prefixes_by_ip_space(api, space, query, expected):
    assert prefixes(api, query) == expected


def test_present_in_vrf_includes_what_its_imports_bring(api, space):
    assert prefixes(api, f"present_in_vrf_id={space['blue'].pk}") == ["10.1.0.0/16@Blue", "10.9.0.0/16@Green"]
    assert prefixes(api, "present_in_vrf=65000:2") == ["10.9.0.0/16@Green"]
    unknown = call(api, "get", "/prefixes/?present_in_vrf_id=999999")
    assert (unknown.status_code, unknown.json()) == (
        400,
        {"present_in_vrf_id": ["Select a valid choice. 999999 is not one of the available choices."]},
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("address=10.1.1.1", ["10.1.1.1/24", "10.1.1.1/32"]),  # the host, in any mask
        ("address=10.1.1.1/24", ["10.1.1.1/24"]),
        ("address=nonsense", []),
        ("parent=10.1.1.0/24", ["10.1.1.1/24", "10.1.1.1/32", "10.1.1.2/24"]),
        ("parent=10.1.1.0/24&vrf_id=null", ["10.1.1.1/24", "10.1.1.1/32"]),
        ("parent=nonsense", []),
        ("mask_length=32", ["10.1.1.1/32"]),
        ("family=6", ["2001:db8::1/64"]),
        ("vrf=65000:1", ["10.1.1.2/24"]),
        ("q=10.1.1", ["10.1.1.1/24", "10.1.1.1/32", "10.1.1.2/24"]),
        ("q=0.1.1", []),  # addresses are searched by their beginning
        ("q=host4.example", ["2001:db8::1/64"]),
    ],
)
def test_addresses_by_ip_space(api, space, query, expected):
    assert addresses(api, query) == expected


def test_ranges_by_containment(api, org_a):
    with tenant_context(org_a.organization):
        IPRange.objects.create(start_address="10.0.0.10/24", end_address="10.0.0.20/24", size=11)
        IPRange.objects.create(start_address="10.0.1.10/24", end_address="10.0.1.20/24", size=11)

    found = lambda query: listed(call(api, "get", f"/ip-ranges/?{query}"), "display")  # noqa: E731

    assert found("contains=10.0.0.15") == ["10.0.0.10-20/24"]
    assert found("parent=10.0.1.0/24") == ["10.0.1.10-20/24"]
    assert found("start_address=10.0.1.10") == ["10.0.1.10-20/24"]
    assert found("family=6") == []


@pytest.fixture
def places(org_a):
    """Europe > NL; site AMS1 (NL, group Core) with location Hall; FRA1 elsewhere; one prefix scoped to each."""
    with tenant_context(org_a.organization):
        europe = Region.objects.create(name="Europe", slug="europe")
        nl = Region.objects.create(name="NL", slug="nl", parent=europe)
        core = SiteGroup.objects.create(name="Core", slug="core")
        ams1 = Site.objects.create(name="AMS1", slug="ams1", region=nl, group=core)
        fra1 = Site.objects.create(name="FRA1", slug="fra1")
        hall = Location.objects.create(name="Hall", slug="hall", site=ams1)
        scoped = (("10.1.0.0/16", europe), ("10.2.0.0/16", ams1), ("10.3.0.0/16", hall), ("10.4.0.0/16", fra1))
        for network, scope in scoped:
            Prefix.objects.create(prefix=network, scope=scope)
    return {"europe": europe, "ams1": ams1, "hall": hall, "core": core}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("region=europe", ["10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16"]),
        ("region=nl", ["10.2.0.0/16", "10.3.0.0/16"]),
        ("site_group=core", ["10.2.0.0/16", "10.3.0.0/16"]),
        ("site=ams1", ["10.2.0.0/16", "10.3.0.0/16"]),
        ("location=hall", ["10.3.0.0/16"]),
        ("scope_type=dcim.site", ["10.2.0.0/16", "10.4.0.0/16"]),
    ],
)
def test_prefixes_by_where_they_apply(api, places, query, expected):
    assert prefixes(api, query) == expected


def test_an_unknown_place_is_a_400(api, places):
    response = call(api, "get", "/prefixes/?site_id=999999")

    assert (response.status_code, response.json()) == (
        400,
        {"site_id": ["Select a valid choice. 999999 is not one of the available choices."]},
    )


def test_prefixes_by_vlan_and_tenant_group(api, org_a):
    with tenant_context(org_a.organization):
        group = VLANGroup.objects.create(name="G", slug="g")
        vlan = VLAN.objects.create(vid=100, name="v100", group=group)
        customers = TenantGroup.objects.create(name="Customers", slug="customers")
        acme = Tenant.objects.create(name="Acme", slug="acme", group=customers)
        Prefix.objects.create(prefix="10.1.0.0/16", vlan=vlan)
        Prefix.objects.create(prefix="10.2.0.0/16", tenant=acme)

    assert prefixes(api, "vlan_vid=100") == ["10.1.0.0/16"]
    assert prefixes(api, "vlan_group=g") == ["10.1.0.0/16"]
    assert prefixes(api, "tenant_group=customers") == ["10.2.0.0/16"]


def test_addresses_by_assignment_and_service(api, org_a):
    with tenant_context(org_a.organization):
        group = FHRPGroup.objects.create(group_id=1, protocol="vrrp3")
        assigned = IPAddress.objects.create(address="10.0.0.1/24", assigned_object=group)
        IPAddress.objects.create(address="10.0.0.2/24")
        service = Service.objects.create(name="DNS", parent=group, port_mappings=["udp/53"])
        service.ipaddresses.set([assigned])

    assert addresses(api, "assigned=true") == ["10.0.0.1/24"]
    assert addresses(api, "assigned=false") == ["10.0.0.2/24"]
    assert addresses(api, "assigned_to_interface=true") == []  # an FHRP group is no interface
    assert addresses(api, f"fhrpgroup_id={group.pk}") == ["10.0.0.1/24"]
    assert addresses(api, "assigned_object_type=ipam.fhrpgroup") == ["10.0.0.1/24"]
    assert addresses(api, f"service_id={service.pk}") == ["10.0.0.1/24"]


def test_services_by_port_and_protocol(api, org_a):
    with tenant_context(org_a.organization):
        group = FHRPGroup.objects.create(group_id=1, protocol="vrrp3")
        Service.objects.create(name="DNS", parent=group, port_mappings=["udp/53", "tcp/53"])
        Service.objects.create(name="Web", parent=group, port_mappings=["tcp/443"])

    found = lambda query: listed(call(api, "get", f"/services/?{query}"), "name")  # noqa: E731

    assert found("port=53") == ["DNS"]
    assert found("port=443&port=53") == ["DNS", "Web"]
    assert found("protocol=udp") == ["DNS"]
    assert found("protocol__n=udp") == ["Web"]
    assert call(api, "get", "/services/?protocol=icmp").status_code == 400


def test_vlan_groups_by_the_vids_they_hold(api, org_a):
    with tenant_context(org_a.organization):
        for name, ranges in (("low", [[1, 99]]), ("high", [[100, 199], [300, 399]])):
            group = VLANGroup(name=name, slug=name, vid_ranges=ranges)
            group.full_clean()
            group.save()

    found = lambda vid: listed(call(api, "get", f"/vlan-groups/?contains_vid={vid}"), "name")  # noqa: E731

    assert (found(50), found(350), found(250)) == (["low"], ["high"], [])
