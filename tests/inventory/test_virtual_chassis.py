"""Virtual chassis and virtual device contexts at NetBox's dcim endpoints: the master joins its chassis, must be
a member, cannot leave it; deleting a chassis lets its members go, unless a LAG spans them; a VDC's interfaces."""

import pytest

from inventory.models import Device, DeviceRole, DeviceType, Manufacturer, Site
from tenants.context import tenant_context
from tests.inventory.dcim import call, created


@pytest.fixture
def switches(org_a):
    with tenant_context(org_a.organization):
        site = Site.objects.create(name="AMS1", slug="ams1")
        device_type = DeviceType.objects.create(
            manufacturer=Manufacturer.objects.create(name="Juniper", slug="juniper"), model="EX4300", slug="ex4300"
        )
        role = DeviceRole.objects.create(name="Access", slug="access")
        return {
            name: Device.objects.create(name=name, device_type=device_type, role=role, site=site)
            for name in ("sw1", "sw2", "sw3")
        }


def test_a_new_chassis_takes_its_master_as_member_one(api, switches):
    chassis = created(call(api, "post", "/virtual-chassis/", {"name": "stack1", "master": switches["sw1"].pk}))

    master = call(api, "get", f"/devices/{switches['sw1'].pk}/").json()
    assert master["virtual_chassis"]["id"] == chassis["id"] and master["vc_position"] == 1
    shown = call(api, "get", f"/virtual-chassis/{chassis['id']}/").json()
    assert shown["member_count"] == 1
    assert shown["members"] == [
        {
            "id": switches["sw1"].pk,
            "url": f"http://testserver/o/org-a/api/dcim/devices/{switches['sw1'].pk}/",
            "display_url": f"http://testserver/o/org-a/dcim/devices/{switches['sw1'].pk}/",
            "display": "sw1",
            "name": "sw1",
        }
    ]
    assert shown["master"] == shown["members"][0]


def test_members_have_positions_and_the_master_is_one_of_them(api, switches):
    chassis = created(call(api, "post", "/virtual-chassis/", {"name": "stack1", "master": switches["sw1"].pk}))

    unplaced = call(api, "patch", f"/devices/{switches['sw2'].pk}/", {"virtual_chassis": chassis["id"]})
    taken = call(api, "patch", f"/devices/{switches['sw2'].pk}/", {"virtual_chassis": chassis["id"], "vc_position": 1})
    outsider = call(api, "patch", f"/virtual-chassis/{chassis['id']}/", {"master": switches["sw3"].pk})
    leaving = call(api, "patch", f"/devices/{switches['sw1'].pk}/", {"virtual_chassis": None, "vc_position": None})

    assert unplaced.json() == {
        "vc_position": ["A device assigned to a virtual chassis must have its position defined."]
    }
    assert taken.json() == {"__all__": ["Device with this Virtual chassis and VC position already exists."]}
    assert outsider.json() == {"master": ["The selected master (sw3) is not assigned to this virtual chassis."]}
    assert leaving.json() == {
        "virtual_chassis": [
            "Device cannot be removed from virtual chassis stack1 because it is currently designated as its master."
        ]
    }


def test_an_unnamed_member_is_shown_by_its_chassis_and_position(api, switches):
    chassis = created(call(api, "post", "/virtual-chassis/", {"name": "stack1", "master": switches["sw1"].pk}))
    member = created(
        call(api, "post", "/devices/", {
            "device_type": switches["sw1"].device_type_id, "role": switches["sw1"].role_id,
            "site": switches["sw1"].site_id, "virtual_chassis": chassis["id"], "vc_position": 3,
        })
    )  # fmt: skip

    assert member["display"] == "stack1:3" and member["name"] is None


def test_deleting_a_chassis_lets_its_members_go(api, switches):
    chassis = created(call(api, "post", "/virtual-chassis/", {"name": "stack1", "master": switches["sw1"].pk}))
    call(api, "patch", f"/devices/{switches['sw2'].pk}/", {"virtual_chassis": chassis["id"], "vc_position": 2,
                                                            "vc_priority": 100})  # fmt: skip

    response = call(api, "delete", f"/virtual-chassis/{chassis['id']}/")

    assert response.status_code == 204
    for name in ("sw1", "sw2"):
        device = call(api, "get", f"/devices/{switches[name].pk}/").json()
        assert (device["virtual_chassis"], device["vc_position"], device["vc_priority"]) == (None, None, None)


def test_a_lag_across_members_keeps_the_chassis(api, switches):
    chassis = created(call(api, "post", "/virtual-chassis/", {"name": "stack1", "master": switches["sw1"].pk}))
    call(api, "patch", f"/devices/{switches['sw2'].pk}/", {"virtual_chassis": chassis["id"], "vc_position": 2})
    lag = created(call(api, "post", "/interfaces/", {"device": switches["sw1"].pk, "name": "ae0", "type": "lag"}))
    created(call(api, "post", "/interfaces/", {"device": switches["sw2"].pk, "name": "ge-1/0/0",
                                               "type": "1000base-t", "lag": lag["id"]}))  # fmt: skip

    response = call(api, "delete", f"/virtual-chassis/{chassis['id']}/")

    assert response.status_code == 409
    assert response.json()["detail"].startswith("Unable to delete object. 1 dependent objects were found: ge-1/0/0")
    assert call(api, "get", f"/virtual-chassis/{chassis['id']}/").status_code == 200


def test_a_master_device_cannot_be_deleted(api, switches):
    created(call(api, "post", "/virtual-chassis/", {"name": "stack1", "master": switches["sw1"].pk}))

    response = call(api, "delete", f"/devices/{switches['sw1'].pk}/")

    assert response.status_code == 409


def test_a_vdc_has_interfaces_of_its_device(api, switches):
    vdc = created(call(api, "post", "/virtual-device-contexts/", {"device": switches["sw1"].pk, "name": "admin",
                                                                  "status": "active", "identifier": 1}))  # fmt: skip
    created(call(api, "post", "/interfaces/", {"device": switches["sw1"].pk, "name": "ge-0/0/0", "type": "1000base-t",
                                               "vdcs": [vdc["id"]]}))  # fmt: skip

    again = call(api, "post", "/virtual-device-contexts/", {"device": switches["sw1"].pk, "name": "admin",
                                                            "status": "active"})  # fmt: skip

    assert call(api, "get", f"/virtual-device-contexts/{vdc['id']}/").json()["interface_count"] == 1
    assert [row["name"] for row in call(api, "get", "/interfaces/?vdc=admin").json()["results"]] == ["ge-0/0/0"]
    assert again.json() == {"__all__": ["Virtual device context with this Device and Name already exists."]}


def test_interfaces_of_a_chassis_member_as_ansible_finds_them(api, switches, org_b):
    # given a stack of sw1 (master) and sw2, each with a front port and a management port; sw3 alone
    chassis = created(call(api, "post", "/virtual-chassis/", {"name": "stack1", "master": switches["sw1"].pk}))
    call(api, "patch", f"/devices/{switches['sw2'].pk}/", {"virtual_chassis": chassis["id"], "vc_position": 2})
    for name, device in switches.items():
        for port, mgmt_only in (("ge-0/0/0", False), ("me0", True)):
            interface = {"device": device.pk, "name": f"{name}:{port}", "type": "1000base-t", "mgmt_only": mgmt_only}
            created(call(api, "post", "/interfaces/", interface))

    def names(query: str) -> list[str]:
        response = call(api, "get", f"/interfaces/?{query}")
        assert response.status_code == 200, response.content
        return sorted(row["name"] for row in response.json()["results"])

    # then: a device's own interfaces, and those of its chassis that are not for management
    assert names(f"virtual_chassis_member_id={switches['sw3'].pk}") == ["sw3:ge-0/0/0", "sw3:me0"]
    assert names(f"virtual_chassis_member_id={switches['sw2'].pk}") == ["sw1:ge-0/0/0", "sw2:ge-0/0/0", "sw2:me0"]
    assert names("virtual_chassis_member=sw1") == ["sw1:ge-0/0/0", "sw1:me0", "sw2:ge-0/0/0"]
    # ... the chassis' only through its master with `_or_master`
    assert names(f"virtual_chassis_member_or_master_id={switches['sw2'].pk}") == ["sw2:ge-0/0/0", "sw2:me0"]
    assert names("virtual_chassis_member_or_master=sw1") == ["sw1:ge-0/0/0", "sw1:me0", "sw2:ge-0/0/0"]
    # bad input is a 400, another organization finds nothing
    assert call(api, "get", "/interfaces/?virtual_chassis_member_id=x").json() == {
        "virtual_chassis_member_id": ["“x” is not a valid value."]
    }
    other = org_b.client().get(f"/o/org-b/api/dcim/interfaces/?virtual_chassis_member_id={switches['sw1'].pk}")
    assert other.status_code == 200 and other.json()["count"] == 0
