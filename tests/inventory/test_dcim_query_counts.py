"""DCIM lists cost the same number of queries however many rows they show, with every nested object filled in:
interfaces with parents, bridges, LAGs, modules, VDCs, MAC addresses, VLANs and IP addresses; devices in chassis
and bays with primary and out-of-band addresses (NAT partners shown); module bays holding modules; inventory
items standing for components; racks with devices and reservations; IP addresses on interfaces."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from addressing.models import VLAN, IPAddress
from inventory.models import (
    Device,
    DeviceBay,
    DeviceRole,
    DeviceType,
    Interface,
    InventoryItem,
    MACAddress,
    Manufacturer,
    Module,
    ModuleBay,
    ModuleType,
    Rack,
    RackReservation,
    Site,
    VirtualChassis,
    VirtualDeviceContext,
)
from tenants.context import tenant_context

API = "/o/org-a/api/dcim"


def _populate(organization, owner, devices: int) -> None:
    """`devices` chassis-mounted devices in a rack, each with a module, a VDC, a LAG and its members (with MAC
    addresses, a parent and a bridge), a module bay holding the module, a device bay holding a blade and an
    inventory item standing for an interface."""
    with tenant_context(organization):
        site, _ = Site.objects.get_or_create(name="AMS1", slug="ams1")
        rack, _ = Rack.objects.get_or_create(name="R1", site=site)
        vendor, _ = Manufacturer.objects.get_or_create(name="Juniper", slug="juniper")
        chassis_type, _ = DeviceType.objects.get_or_create(
            manufacturer=vendor, model="MX", slug="mx", defaults={"subdevice_role": "parent"}
        )
        blade_type, _ = DeviceType.objects.get_or_create(
            manufacturer=vendor, model="MPC", slug="mpc", defaults={"subdevice_role": "child", "u_height": 0}
        )
        module_type, _ = ModuleType.objects.get_or_create(manufacturer=vendor, model="PIC")
        role, _ = DeviceRole.objects.get_or_create(name="Core", slug="core")
        interface_type = ContentType.objects.get_for_model(Interface)
        start = Device.objects.count()
        for number in range(start, start + devices):
            stack = VirtualChassis.objects.create(name=f"stack{number}")
            device = Device.objects.create(
                name=f"mx{number}", device_type=chassis_type, role=role, site=site, rack=rack, position=number + 1,
                face="front", virtual_chassis=stack, vc_position=1,
            )  # fmt: skip
            stack.master = device
            stack.save()
            bay = ModuleBay.objects.create(device=device, name="PIC 0", position="0")
            module = Module.objects.create(device=device, module_bay=bay, module_type=module_type)
            vdc = VirtualDeviceContext.objects.create(device=device, name="admin", status="active")
            lag = Interface.objects.create(device=device, name="ae0", type="lag")
            bridge = Interface.objects.create(device=device, name="br0", type="bridge")
            physical = Interface.objects.create(
                device=device, module=module, name="xe-0/0/0", type="10gbase-x-sfpp", lag=lag, bridge=bridge
            )
            physical.vdcs.set([vdc])
            Interface.objects.create(device=device, name="xe-0/0/0.0", type="virtual", parent=physical)
            mac = MACAddress.objects.create(
                mac_address=f"00:11:22:33:44:{number:02X}", assigned_object_type=interface_type,
                assigned_object_id=physical.pk,
            )  # fmt: skip
            physical.primary_mac_address = mac
            vlan, _ = VLAN.objects.get_or_create(vid=10, name="users")
            physical.mode, physical.untagged_vlan = "tagged", vlan
            physical.save()
            physical.tagged_vlans.set([vlan])
            inside = IPAddress.objects.create(
                address=f"10.0.{number}.1/24", assigned_object_type=interface_type, assigned_object_id=physical.pk
            )
            outside = IPAddress.objects.create(address=f"192.0.2.{number + 1}/24", nat_inside=inside)
            device.primary_ip4, device.oob_ip = inside, outside
            device.save()
            vdc.primary_ip4 = inside
            vdc.save()
            blade = Device.objects.create(name=f"mpc{number}", device_type=blade_type, role=role, site=site)
            DeviceBay.objects.create(device=device, name="Slot 0", installed_device=blade)
            InventoryItem.objects.create(
                device=device, name="Optic", component_type=interface_type, component_id=physical.pk
            )
            RackReservation.objects.create(rack=rack, units=[40 - number], user_id=owner.pk, description="held")


LISTS = (
    "interfaces", "devices", "module-bays", "device-bays", "modules", "inventory-items", "mac-addresses",
    "virtual-chassis", "virtual-device-contexts", "racks", "device-types",
)  # fmt: skip


def _count(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content
    assert captured.captured_queries, "no statement captured: the request ran on another connection"
    return len(captured)


@pytest.mark.parametrize("path", LISTS)
def test_a_list_costs_the_same_with_one_row_or_many(org_a, path):
    client = org_a.client()
    _populate(org_a.organization, org_a.owner, 1)
    for suffix in ("", "?brief=1"):
        client.get(f"{API}/{path}/{suffix}")  # caches (content types, custom fields) filled
    few = [_count(client, f"{API}/{path}/{suffix}") for suffix in ("", "?brief=1")]

    _populate(org_a.organization, org_a.owner, 4)

    assert [_count(client, f"{API}/{path}/{suffix}") for suffix in ("", "?brief=1")] == few


def test_the_list_of_addresses_on_interfaces_costs_the_same_with_one_row_or_many(org_a):
    client = org_a.client()
    path = "/o/org-a/api/ipam/ip-addresses/"
    _populate(org_a.organization, org_a.owner, 1)
    client.get(path)
    few = _count(client, path)

    _populate(org_a.organization, org_a.owner, 4)

    assert _count(client, path) == few


def test_graphql_lists_of_devices_and_interfaces_cost_the_same(org_a):
    client = org_a.client()
    query = (
        "{ device_list { id display parent_device virtual_chassis { display } "
        "interfaces { id display mac_address lag { display } } } interface_list { display mac_addresses } }"
    )
    _populate(org_a.organization, org_a.owner, 1)

    def run() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.post("/o/org-a/graphql/", {"query": query}, content_type="application/json")
        assert response.status_code == 200 and "errors" not in response.json(), response.content
        assert captured.captured_queries, "no statement captured: the request ran on another connection"
        return len(captured)

    run()
    few = run()
    _populate(org_a.organization, org_a.owner, 4)

    assert run() == few
