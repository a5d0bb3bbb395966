"""Real pynetbox against a live Wirebook's IPAM: the allocation calls NetBox users script with
(`prefix.available_ips.create()`, `available_prefixes`), their errors, and IPAM's filters."""

import pynetbox
import pytest


@pytest.fixture
def nb(compat):
    return pynetbox.api(compat.url, token=compat.token)


def test_an_address_is_allocated_from_a_prefix(nb):
    nb.ipam.prefixes.create(prefix="10.0.5.0/24", description="shape")
    prefix = nb.ipam.prefixes.get(prefix="10.0.5.0/24")

    free = prefix.available_ips.list()
    ip = prefix.available_ips.create()
    more = prefix.available_ips.create([{"description": "a"}, {"description": "b"}])

    assert [str(item) for item in free[:2]] == ["10.0.5.1/24", "10.0.5.2/24"]
    assert (ip.address, ip.vrf, ip.family.value) == ("10.0.5.1/24", None, 4)
    assert [(item.address, item.description) for item in more] == [("10.0.5.2/24", "a"), ("10.0.5.3/24", "b")]
    assert nb.ipam.ip_addresses.get(ip.id).address == "10.0.5.1/24"
    assert nb.ipam.ip_addresses.count(parent="10.0.5.0/24") == 3
    ip.delete()
    assert nb.ipam.ip_addresses.count() == 2


def test_an_exhausted_prefix_raises_pynetbox_allocation_error(nb):
    prefix = nb.ipam.prefixes.create(prefix="10.0.6.0/31")
    prefix.available_ips.create([{}, {}])

    with pytest.raises(pynetbox.core.query.AllocationError):
        prefix.available_ips.create()


def test_prefixes_are_carved_from_a_container(nb):
    container = nb.ipam.prefixes.create(prefix="10.8.0.0/16", status="container")

    first = container.available_prefixes.create({"prefix_length": 24, "description": "site A"})
    second = container.available_prefixes.create({"prefix_length": 24})

    assert (first.prefix, first.description, second.prefix) == ("10.8.0.0/24", "site A", "10.8.1.0/24")
    assert nb.ipam.prefixes.get(container.id).children == 2
    assert [str(p) for p in nb.ipam.prefixes.filter(within="10.8.0.0/16")] == ["10.8.0.0/24", "10.8.1.0/24"]
    assert str(container.available_prefixes.list()[0]) == "10.8.2.0/23"


def test_a_range_hands_out_addresses(nb):
    ip_range = nb.ipam.ip_ranges.create(start_address="10.9.0.10/24", end_address="10.9.0.19/24")

    ip = ip_range.available_ips.create({"dns_name": "host.example.net"})

    assert (ip.address, ip.dns_name) == ("10.9.0.10/24", "host.example.net")


def test_ipam_filters_scripts_use(nb):
    vrf = nb.ipam.vrfs.create(name="Blue", rd="65000:1")
    nb.ipam.prefixes.create(prefix="10.0.0.0/8", status="container")
    nb.ipam.prefixes.create(prefix="10.1.0.0/16", vrf=vrf.id)
    nb.ipam.ip_addresses.create(address="10.1.0.1/16", vrf=vrf.id)
    nb.ipam.ip_addresses.create(address="10.1.0.1/24")

    assert [str(p) for p in nb.ipam.prefixes.filter(vrf_id="null")] == ["10.0.0.0/8"]
    assert [str(p) for p in nb.ipam.prefixes.filter(contains="10.1.2.3")] == ["10.0.0.0/8", "10.1.0.0/16"]
    assert [str(p) for p in nb.ipam.prefixes.filter(mask_length__gte=16)] == ["10.1.0.0/16"]
    assert [str(p) for p in nb.ipam.prefixes.filter(q="10.1.0.0/16")] == ["10.0.0.0/8", "10.1.0.0/16"]
    assert sorted(str(ip) for ip in nb.ipam.ip_addresses.filter(address="10.1.0.1")) == ["10.1.0.1/16", "10.1.0.1/24"]
    assert [str(ip) for ip in nb.ipam.ip_addresses.filter(vrf="65000:1")] == ["10.1.0.1/16"]
    assert nb.ipam.ip_addresses.count(q="10.1.0") == 2
