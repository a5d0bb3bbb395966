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


def test_a_device_gets_its_primary_address_through_pynetbox(nb):
    # given a device with an interface and an address assigned to it
    site = nb.dcim.sites.create(name="AMS1", slug="ams1")
    maker = nb.dcim.manufacturers.create(name="Juniper", slug="juniper")
    model = nb.dcim.device_types.create(manufacturer=maker.id, model="EX4300", slug="ex4300")
    role = nb.dcim.device_roles.create(name="Access", slug="access")
    device = nb.dcim.devices.create(name="sw1", site=site.id, device_type=model.id, role=role.id)
    interface = nb.dcim.interfaces.create(device=device.id, name="ge-0/0/0", type="1000base-t")
    ip = nb.ipam.ip_addresses.create(
        address="10.0.0.1/24", assigned_object_type="dcim.interface", assigned_object_id=interface.id
    )

    # when it is made the device's primary address, as scripts do
    device.primary_ip4 = ip.id
    assert device.save()

    # then reading the device back gives the address, and the address its interface and device
    again = nb.dcim.devices.get(device.id)
    assert str(again.primary_ip4) == str(again.primary_ip) == "10.0.0.1/24"
    assert again.primary_ip4.id == ip.id and again.oob_ip is None
    assigned = nb.ipam.ip_addresses.get(ip.id).assigned_object
    assert (assigned.id, assigned.name, assigned.device.name) == (interface.id, "ge-0/0/0", "sw1")
    assert [str(address) for address in nb.ipam.ip_addresses.filter(device_id=device.id)] == ["10.0.0.1/24"]
    assert nb.dcim.interfaces.get(interface.id).count_ipaddresses == 1
