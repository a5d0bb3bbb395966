"""DCIM's IPAM slots at NetBox's endpoints: IP addresses assigned to interfaces, a device's (and VDC's)
primary and out-of-band addresses with NetBox's rules and messages, an interface's 802.1Q mode and VLANs,
the filters that follow these links, and their isolation between organizations."""

import pytest

from addressing.models import VLAN, IPAddress
from core.models import ObjectChange
from inventory.models import Device, DeviceRole, DeviceType, Manufacturer, Site, VirtualChassis
from tenants.context import tenant_context
from tests.addressing.ipam import call as ipam
from tests.inventory.dcim import call, created


@pytest.fixture
def devices(org_a):
    """sw1 (master of stack1) and sw2 (its member), sw3 (alone, at another site)."""
    with tenant_context(org_a.organization):
        ams, fra = Site.objects.create(name="AMS1", slug="ams1"), Site.objects.create(name="FRA1", slug="fra1")
        device_type = DeviceType.objects.create(
            manufacturer=Manufacturer.objects.create(name="Juniper", slug="juniper"), model="EX4300", slug="ex4300"
        )
        role = DeviceRole.objects.create(name="Access", slug="access")
        stack = VirtualChassis.objects.create(name="stack1")
        common = {"device_type": device_type, "role": role}
        sw1 = Device.objects.create(name="sw1", site=ams, virtual_chassis=stack, vc_position=1, **common)
        stack.master = sw1
        stack.save()
        return {
            "sw1": sw1,
            "sw2": Device.objects.create(name="sw2", site=ams, virtual_chassis=stack, vc_position=2, **common),
            "sw3": Device.objects.create(name="sw3", site=fra, **common),
            "ams": ams,
            "fra": fra,
        }


def _interface(api, devices, device="sw1", **values) -> dict:
    return created(call(api, "post", "/interfaces/", {"device": devices[device].pk, "type": "1000base-t", **values}))


def _address(api, address: str, interface: dict | None = None, **values) -> dict:
    if interface is not None:
        values.update(assigned_object_type="dcim.interface", assigned_object_id=interface["id"])
    return created(ipam(api, "post", "/ip-addresses/", {"address": address, **values}))


def _device(api, devices, name: str, **values):
    return call(api, "patch", f"/devices/{devices[name].pk}/", values)


# -- the pynetbox flow: device, interface, address on it, primary address, read back --------------------------


def test_an_address_on_an_interface_becomes_the_devices_primary_address(api, devices):
    # given an interface of sw1 and an address assigned to it
    interface = _interface(api, devices, name="ge-0/0/1")
    address = _address(api, "10.0.0.1/24", interface, dns_name="sw1.example.net")

    # when it is made sw1's primary IPv4 address
    changed = _device(api, devices, "sw1", primary_ip4=address["id"])

    # then the address shows the interface and its device as NetBox does, and the device its primary address
    assert address["assigned_object_type"] == "dcim.interface" and address["assigned_object_id"] == interface["id"]
    assert address["assigned_object"] == {
        "id": interface["id"],
        "url": interface["url"],
        "display": "ge-0/0/1",
        "device": {
            "id": devices["sw1"].pk,
            "url": f"http://testserver/o/org-a/api/dcim/devices/{devices['sw1'].pk}/",
            "display": "sw1",
            "name": "sw1",
            "description": "",
        },
        "name": "ge-0/0/1",
        "description": "",
        "cable": None,
        "_occupied": False,
    }
    assert changed.status_code == 200, changed.content
    brief = {
        "id": address["id"],
        "url": address["url"],
        "display": "10.0.0.1/24",
        "family": {"value": 4, "label": "IPv4"},
        "address": "10.0.0.1/24",
        "description": "",
    }
    device = call(api, "get", f"/devices/{devices['sw1'].pk}/").json()
    assert device["primary_ip4"] == device["primary_ip"] == brief
    assert device["primary_ip6"] is None and device["oob_ip"] is None
    listed = call(api, "get", "/devices/?name=sw1").json()["results"][0]
    assert listed["primary_ip"] == brief
    assert call(api, "get", f"/interfaces/{interface['id']}/").json()["count_ipaddresses"] == 1


def test_primary_ip_prefers_ipv4(api, devices):
    interface = _interface(api, devices, name="ge-0/0/1")
    v4, v6 = _address(api, "10.0.0.1/24", interface), _address(api, "2001:db8::1/64", interface)

    only_v6 = _device(api, devices, "sw1", primary_ip6=v6["id"]).json()
    both = _device(api, devices, "sw1", primary_ip4=v4["id"]).json()

    assert only_v6["primary_ip"]["id"] == v6["id"]
    assert both["primary_ip"]["id"] == v4["id"] and both["primary_ip6"]["id"] == v6["id"]


# -- NetBox's rules for primary and out-of-band addresses --------------------------------------------------


def test_a_primary_address_is_of_its_family_and_on_the_device(api, devices):
    interface = _interface(api, devices, name="ge-0/0/1")
    elsewhere = _interface(api, devices, device="sw3", name="ge-0/0/1")
    v6 = _address(api, "2001:db8::1/64", interface)
    loose = _address(api, "10.0.0.9/24")
    foreign = _address(api, "10.0.0.3/24", elsewhere)

    assert _device(api, devices, "sw1", primary_ip4=v6["id"]).json() == {
        "primary_ip4": ["2001:db8::1/64 is not an IPv4 address."]
    }
    assert _device(api, devices, "sw1", primary_ip4=loose["id"]).json() == {
        "primary_ip4": ["The specified IP address (10.0.0.9/24) is not assigned to this device."]
    }
    assert _device(api, devices, "sw1", oob_ip=foreign["id"]).json() == {
        "oob_ip": ["The specified IP address (10.0.0.3/24) is not assigned to this device."]
    }
    assert _device(api, devices, "sw1", primary_ip4=999999).json() == {
        "primary_ip4": ["Related object not found using the provided numeric ID: 999999"]
    }


def test_addresses_of_the_chassis_and_nat_outside_addresses_qualify(api, devices):
    # an address on a member's interface, and the outside address of one on sw1's
    member = _interface(api, devices, device="sw2", name="ge-1/0/1")
    management = _interface(api, devices, device="sw2", name="em0", mgmt_only=True)
    own = _interface(api, devices, name="ge-0/0/1")
    on_member = _address(api, "10.0.0.2/24", member)
    on_management = _address(api, "10.0.1.2/24", management)
    inside = _address(api, "10.0.0.1/24", own)
    outside = _address(api, "192.0.2.1/24", nat_inside=inside["id"])

    assert _device(api, devices, "sw1", primary_ip4=on_member["id"]).status_code == 200
    assert _device(api, devices, "sw1", oob_ip=outside["id"]).status_code == 200
    assert _device(api, devices, "sw1", primary_ip4=on_management["id"]).json() == {
        "primary_ip4": ["The specified IP address (10.0.1.2/24) is not assigned to this device."]
    }


def test_a_primary_address_stays_on_its_device(api, devices):
    # given sw1's primary and out-of-band addresses
    first, second = _interface(api, devices, name="ge-0/0/1"), _interface(api, devices, name="ge-0/0/2")
    elsewhere = _interface(api, devices, device="sw3", name="ge-0/0/1")
    primary, oob = _address(api, "10.0.0.1/24", first), _address(api, "10.0.0.2/24", first)
    assert _device(api, devices, "sw1", primary_ip4=primary["id"], oob_ip=oob["id"]).status_code == 200

    # when they are moved
    moved_away = ipam(api, "patch", f"/ip-addresses/{primary['id']}/", {"assigned_object_id": elsewhere["id"]})
    unassigned = ipam(
        api, "patch", f"/ip-addresses/{oob['id']}/", {"assigned_object_type": None, "assigned_object_id": None}
    )
    moved_along = ipam(api, "patch", f"/ip-addresses/{primary['id']}/", {"assigned_object_id": second["id"]})

    # then they may move among the device's interfaces only
    assert moved_away.status_code == 400
    assert moved_away.json() == {
        "__all__": ["Cannot reassign IP address while it is designated as the primary IP for the parent object"]
    }
    assert unassigned.json() == {
        "__all__": ["Cannot reassign IP address while it is designated as the OOB IP for the parent object"]
    }
    assert moved_along.status_code == 200 and moved_along.json()["assigned_object"]["name"] == "ge-0/0/2"


def test_deleting_a_primary_address_clears_the_slot_in_the_change_log(api, devices, org_a):
    interface = _interface(api, devices, name="ge-0/0/1")
    address = _address(api, "10.0.0.1/24", interface)
    _device(api, devices, "sw1", primary_ip4=address["id"], oob_ip=address["id"])

    deleted = ipam(api, "delete", f"/ip-addresses/{address['id']}/")

    assert deleted.status_code == 204
    device = call(api, "get", f"/devices/{devices['sw1'].pk}/").json()
    assert device["primary_ip4"] is None and device["primary_ip"] is None and device["oob_ip"] is None
    with tenant_context(org_a.organization):
        change = ObjectChange.objects.filter(changed_object_id=devices["sw1"].pk, object_repr="sw1").latest("pk")
        assert change.prechange_data["primary_ip4"] == address["id"] and change.postchange_data["primary_ip4"] is None
        assert change.postchange_data["oob_ip"] is None


def test_deleting_an_interface_deletes_its_addresses(api, devices, org_a):
    interface = _interface(api, devices, name="ge-0/0/1")
    address = _address(api, "10.0.0.1/24", interface)

    assert call(api, "delete", f"/interfaces/{interface['id']}/").status_code == 204

    assert ipam(api, "get", f"/ip-addresses/{address['id']}/").status_code == 404


def test_a_vdcs_primary_address_is_on_its_device(api, devices):
    vdc = created(call(api, "post", "/virtual-device-contexts/", {"device": devices["sw3"].pk, "name": "v1",
                                                                   "status": "active"}))  # fmt: skip
    interface = _interface(api, devices, device="sw3", name="ge-0/0/1")
    own = _address(api, "10.0.0.1/24", interface)
    loose = _address(api, "10.0.0.2/24")

    good = call(api, "patch", f"/virtual-device-contexts/{vdc['id']}/", {"primary_ip4": own["id"]})
    bad = call(api, "patch", f"/virtual-device-contexts/{vdc['id']}/", {"primary_ip4": loose["id"]})

    assert good.status_code == 200 and good.json()["primary_ip"]["address"] == "10.0.0.1/24"
    assert bad.json() == {"primary_ip4": ["Primary IP address must belong to an interface on the assigned device."]}


# -- interfaces: mode and VLANs --------------------------------------------------------------------------------


@pytest.fixture
def vlans(org_a, devices):
    with tenant_context(org_a.organization):
        return {
            "global": VLAN.objects.create(vid=10, name="users"),
            "ams": VLAN.objects.create(vid=20, name="voice", site=devices["ams"]),
            "fra": VLAN.objects.create(vid=30, name="remote", site=devices["fra"]),
            "svlan": VLAN.objects.create(vid=100, name="service", qinq_role="svlan"),
        }


def test_an_access_interface_carries_an_untagged_vlan(api, devices, vlans):
    interface = _interface(api, devices, name="ge-0/0/1", mode="access", untagged_vlan=vlans["ams"].pk)

    assert interface["mode"] == {"value": "access", "label": "Access"}
    assert interface["untagged_vlan"] == {
        "id": vlans["ams"].pk,
        "url": f"http://testserver/o/org-a/api/ipam/vlans/{vlans['ams'].pk}/",
        "display": "voice (20)",
        "vid": 20,
        "name": "voice",
        "description": "",
    }


def test_vlans_follow_the_mode_and_the_site(api, devices, vlans):
    def refused(**values):
        response = call(api, "post", "/interfaces/", {"device": devices["sw1"].pk, "type": "1000base-t",
                                                      "name": "ge-0/0/9", **values})  # fmt: skip
        assert response.status_code == 400
        return response.json()

    assert refused(untagged_vlan=vlans["global"].pk) == {
        "untagged_vlan": ["Interface mode does not support untagged vlan"]
    }
    assert refused(mode="access", tagged_vlans=[vlans["global"].pk]) == {
        "tagged_vlans": ["Interface mode does not support tagged vlans"]
    }
    assert refused(mode="tagged", qinq_svlan=vlans["svlan"].pk) == {
        "qinq_svlan": ["Interface mode does not support q-in-q service vlan"]
    }
    assert refused(mode="tagged", tagged_vlans=[vlans["global"].pk, vlans["fra"].pk]) == {
        "tagged_vlans": [
            "VLAN remote (30) must belong to the same site as the interface's parent device, or it must be global."
        ]
    }
    assert refused(mode="access", untagged_vlan=vlans["fra"].pk) == {
        "untagged_vlan": [
            "The untagged VLAN (remote (30)) must belong to the same site as the interface's parent device, or it "
            "must be global."
        ]
    }


def test_leaving_tagged_mode_clears_the_tagged_vlans(api, devices, vlans):
    # given a trunk carrying two VLANs
    trunk = _interface(api, devices, name="ge-0/0/1", mode="tagged", tagged_vlans=[vlans["global"].pk, vlans["ams"].pk])
    assert sorted(vlan["vid"] for vlan in trunk["tagged_vlans"]) == [10, 20]

    # when it becomes an access port without saying what of them, and then a Q-in-Q port
    to_access = call(api, "patch", f"/interfaces/{trunk['id']}/", {"mode": "access"})
    to_qinq = call(api, "patch", f"/interfaces/{trunk['id']}/", {"mode": "q-in-q", "qinq_svlan": vlans["svlan"].pk})

    # then NetBox's API refuses the first and clears them on the second
    assert to_access.json() == {"tagged_vlans": ["Interface mode does not support tagged vlans"]}
    assert to_qinq.status_code == 200, to_qinq.content
    assert to_qinq.json()["tagged_vlans"] == [] and to_qinq.json()["qinq_svlan"]["vid"] == 100


def test_interfaces_are_filtered_by_the_vlans_they_carry(api, devices, vlans):
    _interface(api, devices, name="ge-0/0/1", mode="access", untagged_vlan=vlans["global"].pk)
    _interface(api, devices, name="ge-0/0/2", mode="tagged", tagged_vlans=[vlans["global"].pk, vlans["ams"].pk])
    _interface(api, devices, name="ge-0/0/3")

    def names(query):
        response = call(api, "get", f"/interfaces/?{query}")
        assert response.status_code == 200, response.content
        return sorted(row["name"] for row in response.json()["results"])

    assert names(f"vlan_id={vlans['global'].pk}") == ["ge-0/0/1", "ge-0/0/2"]
    assert names("vlan=20") == ["ge-0/0/2"]
    assert names("vlan=999") == []


# -- addresses filtered by the device and interface they are on -----------------------------------------------


def test_addresses_are_filtered_by_device_and_interface(api, devices):
    own, member = _interface(api, devices, name="ge-0/0/1"), _interface(api, devices, device="sw2", name="ge-1/0/1")
    other = _interface(api, devices, device="sw3", name="ge-0/0/1")
    _address(api, "10.0.0.1/24", own)
    _address(api, "10.0.0.2/24", member)
    _address(api, "10.0.0.3/24", other)
    _address(api, "10.0.0.4/24")

    def addresses(query):
        response = ipam(api, "get", f"/ip-addresses/?{query}")
        assert response.status_code == 200, response.content
        return sorted(row["address"] for row in response.json()["results"])

    # the master of a virtual chassis has its members' addresses too (NetBox's vc_interfaces)
    assert addresses(f"device_id={devices['sw1'].pk}") == ["10.0.0.1/24", "10.0.0.2/24"]
    assert addresses("device=sw2") == ["10.0.0.2/24"]
    assert addresses(f"interface_id={other['id']}") == ["10.0.0.3/24"]
    assert addresses("interface=ge-0/0/1") == ["10.0.0.1/24", "10.0.0.3/24"]
    assert addresses("assigned_to_interface=true") == ["10.0.0.1/24", "10.0.0.2/24", "10.0.0.3/24"]
    assert addresses("assigned_to_interface=false") == ["10.0.0.4/24"]


# -- isolation ----------------------------------------------------------------------------------------------------


def test_another_organizations_address_does_not_exist_here(api, devices, org_a, org_b):
    # given an address of organization B, with an id organization A has no address under
    with tenant_context(org_b.organization):
        theirs = [IPAddress.objects.create(address=f"10.9.0.{n}/24") for n in range(1, 4)][-1]
    with tenant_context(org_a.organization):
        assert not IPAddress.objects.filter(pk=theirs.pk).exists()
    interface = _interface(api, devices, name="ge-0/0/1")

    # when organization A names it, and organization B and anonymous look for A's addresses
    as_primary = _device(api, devices, "sw1", primary_ip4=theirs.pk)
    as_address = ipam(api, "patch", f"/ip-addresses/{theirs.pk}/", {"assigned_object_id": interface["id"]})
    _address(api, "10.0.0.1/24", interface)
    from_b = org_b.client().get(f"/o/org-b/api/ipam/ip-addresses/?device_id={devices['sw1'].pk}")
    b_into_a = org_b.client().get(f"/o/org-a/api/ipam/ip-addresses/?device_id={devices['sw1'].pk}")
    anonymous = ipam(api.__class__(), "get", f"/ip-addresses/?device_id={devices['sw1'].pk}")

    # then it simply does not exist, and A's addresses are nobody else's
    assert as_primary.json() == {
        "primary_ip4": [f"Related object not found using the provided numeric ID: {theirs.pk}"]
    }
    assert as_address.status_code == 404
    assert from_b.status_code == 200 and from_b.json()["count"] == 0
    assert b_into_a.status_code == 404
    assert anonymous.status_code in (401, 403, 404) and "results" not in anonymous.json()


# -- pages ----------------------------------------------------------------------------------------------------------


def test_pages_link_a_device_its_addresses_and_their_interfaces(api, devices, vlans):
    # given sw1's primary address on a trunk carrying a VLAN
    interface = _interface(api, devices, name="ge-0/0/1", mode="tagged", tagged_vlans=[vlans["ams"].pk])
    address = _address(api, "10.0.0.1/24", interface)
    _device(api, devices, "sw1", primary_ip4=address["id"])

    # when its pages are shown
    device_page = api.get(f"/o/org-a/dcim/devices/{devices['sw1'].pk}/")
    interfaces_tab = api.get(f"/o/org-a/dcim/devices/{devices['sw1'].pk}/interfaces/")
    address_page = api.get(f"/o/org-a/ipam/ip-addresses/{address['id']}/")

    # then the management panel links the address, the interface table shows its VLAN and address count, and the
    # address's page links its interface and device (marked as the device's primary address)
    assert device_page.status_code == interfaces_tab.status_code == address_page.status_code == 200
    management = device_page.content.decode().split("wb-device-management", 1)[1].split("</table>", 1)[0]
    assert f'href="/o/org-a/ipam/ip-addresses/{address["id"]}/">10.0.0.1/24</a>' in management
    tab = interfaces_tab.content.decode()
    assert "voice (20)" in tab and f"/o/org-a/ipam/vlans/{vlans['ams'].pk}/" in tab
    assignment = address_page.content.decode().split("wb-assignment", 1)[1].split("</table>", 1)[0]
    assert f'href="/o/org-a/dcim/devices/{devices["sw1"].pk}/">sw1</a>' in assignment
    assert f'href="/o/org-a/dcim/interfaces/{interface["id"]}/">ge-0/0/1</a>' in assignment
    assert "Primary IP" in assignment


def test_another_organization_sees_no_address_page(api, devices, org_b):
    address = _address(api, "10.0.0.1/24", _interface(api, devices, name="ge-0/0/1"))

    assert org_b.client().get(f"/o/org-a/ipam/ip-addresses/{address['id']}/").status_code == 404
