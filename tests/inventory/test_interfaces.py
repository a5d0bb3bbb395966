"""Interfaces, MAC addresses and pass-through ports at NetBox's dcim endpoints: the interface shape, LAGs,
parents and bridges (on the device or its virtual chassis), radio settings, the primary MAC address and its
`mac_address` shortcut, front-to-rear port mappings."""

import pytest

from inventory.models import Device, DeviceRole, DeviceType, Manufacturer, Site, VirtualChassis
from tenants.context import tenant_context
from tests.inventory.dcim import call, created


@pytest.fixture
def devices(org_a):
    """sw1 and sw2 (members 1 and 2 of stack1), sw3 (alone)."""
    with tenant_context(org_a.organization):
        site = Site.objects.create(name="AMS1", slug="ams1")
        device_type = DeviceType.objects.create(
            manufacturer=Manufacturer.objects.create(name="Juniper", slug="juniper"), model="EX4300", slug="ex4300"
        )
        role = DeviceRole.objects.create(name="Access", slug="access")
        stack = VirtualChassis.objects.create(name="stack1")
        common = {"device_type": device_type, "role": role, "site": site}
        return {
            "sw1": Device.objects.create(name="sw1", virtual_chassis=stack, vc_position=1, **common),
            "sw2": Device.objects.create(name="sw2", virtual_chassis=stack, vc_position=2, **common),
            "sw3": Device.objects.create(name="sw3", **common),
            "stack": stack,
        }


def _interface(api, devices, device="sw1", **values):
    return call(api, "post", "/interfaces/", {"device": devices[device].pk, "type": "1000base-t", **values})


def test_an_interface_is_represented_as_netbox_does(api, devices):
    interface = created(_interface(api, devices, name="ge-0/0/1"))

    assert list(interface) == [
        "id", "url", "display_url", "display", "device", "vdcs", "module", "name", "label", "type", "channels",
        "channel_id", "enabled", "parent", "bridge", "bridge_interfaces", "lag", "mtu", "mac_address",
        "primary_mac_address", "mac_addresses", "speed", "duplex", "wwn", "mgmt_only", "description", "mode",
        "rf_role", "rf_channel", "poe_mode", "poe_type", "rf_channel_frequency", "rf_channel_width", "tx_power",
        "untagged_vlan", "tagged_vlans", "qinq_svlan", "vlan_translation_policy", "mark_connected", "cable",
        "cable_end", "wireless_link", "link_peers", "link_peers_type", "wireless_lans", "vrf", "l2vpn_termination",
        "connected_endpoints", "connected_endpoints_type", "connected_endpoints_reachable", "owner", "tags",
        "custom_fields", "created", "last_updated", "count_ipaddresses", "count_fhrp_groups", "_occupied",
    ]  # fmt: skip
    # An interface no cable ends on, as NetBox shows it.
    assert interface["cable"] is None and interface["link_peers"] == [] and interface["link_peers_type"] is None
    assert interface["connected_endpoints"] is None and interface["connected_endpoints_reachable"] is False
    assert interface["_occupied"] is False and interface["mark_connected"] is False
    assert interface["tagged_vlans"] == [] and interface["untagged_vlan"] is None and interface["vrf"] is None
    assert interface["device"] == {
        "id": devices["sw1"].pk,
        "url": f"http://testserver/o/org-a/api/dcim/devices/{devices['sw1'].pk}/",
        "display": "sw1",
        "name": "sw1",
        "description": "",
    }
    assert interface["type"] == {"value": "1000base-t", "label": "1000BASE-T (1GE)"}
    assert interface["mode"] is None and interface["duplex"] is None and interface["wwn"] is None


def test_lag_members_come_from_the_device_or_its_chassis(api, devices):
    ae0 = created(_interface(api, devices, name="ae0", type="lag"))

    member = _interface(api, devices, device="sw2", name="ge-1/0/0", lag=ae0["id"])
    outsider = _interface(api, devices, device="sw3", name="ge-0/0/0", lag=ae0["id"])
    virtual = _interface(api, devices, name="lo0", type="virtual", lag=ae0["id"])
    not_a_lag = _interface(api, devices, name="ge-0/0/9", lag=member.json()["id"])

    assert member.status_code == 201 and member.json()["lag"]["name"] == "ae0"
    assert member.json()["lag"]["device"]["name"] == "sw1"
    assert outsider.json() == {"lag": ["The selected LAG interface (ae0) belongs to a different device (sw1)."]}
    assert virtual.json() == {"lag": ["Virtual interfaces cannot have a parent LAG interface."]}
    assert not_a_lag.json() == {"lag": ["The selected parent LAG interface (ge-1/0/0) is not a LAG interface."]}


def test_parents_and_bridges_stay_on_the_device(api, devices):
    physical = created(_interface(api, devices, device="sw3", name="ge-0/0/0"))
    bridge = created(_interface(api, devices, name="br0", type="bridge"))

    unit = _interface(api, devices, device="sw3", name="ge-0/0/0.10", type="virtual", parent=physical["id"])
    bridged = _interface(api, devices, device="sw3", name="ge-0/0/1", bridge=bridge["id"])

    assert unit.status_code == 201 and unit.json()["parent"]["name"] == "ge-0/0/0"
    assert bridged.json() == {"bridge": ["The selected bridge interface (br0) belongs to a different device (sw1)."]}
    assert call(api, "get", f"/interfaces/{bridge['id']}/").json()["bridge_interfaces"] == []


def test_radio_settings_are_for_wireless_interfaces(api, devices):
    radio = created(_interface(api, devices, name="wlan0", type="ieee802.11ac", rf_channel="5g-36-5180-20"))
    wired = _interface(api, devices, name="ge-0/0/1", rf_channel="5g-36-5180-20")
    custom = _interface(
        api, devices, name="wlan1", type="ieee802.11ac", rf_channel="5g-36-5180-20", rf_channel_width="40"
    )

    assert (radio["rf_channel_frequency"], radio["rf_channel_width"]) == (5180.0, 20.0)
    assert radio["rf_channel"] == {"value": "5g-36-5180-20", "label": "36 (5180/20 MHz)"}
    assert wired.json() == {"rf_channel": ["Channel may be set only on wireless interfaces."]}
    assert custom.json() == {"rf_channel_width": ["Cannot specify custom width with channel selected."]}


def test_virtual_interfaces_cannot_be_marked_connected(api, devices):
    response = _interface(api, devices, name="lo0", type="virtual", mark_connected=True)
    marked = created(_interface(api, devices, name="ge-0/0/0", mark_connected=True))

    assert response.json() == {"mark_connected": ["Virtual interfaces cannot be marked as connected."]}
    assert marked["_occupied"] is True
    assert [row["id"] for row in call(api, "get", "/interfaces/?occupied=true").json()["results"]] == [marked["id"]]


def test_the_mac_address_shortcut_sets_the_primary_mac(api, devices):
    interface = created(_interface(api, devices, name="ge-0/0/0", mac_address="00-11-22-33-44-55"))

    assert interface["mac_address"] == "00:11:22:33:44:55"
    assert interface["primary_mac_address"]["mac_address"] == "00:11:22:33:44:55"
    assert [mac["mac_address"] for mac in interface["mac_addresses"]] == ["00:11:22:33:44:55"]
    mac = call(api, "get", f"/mac-addresses/{interface['primary_mac_address']['id']}/").json()
    assert mac["is_primary"] is True and mac["assigned_object_type"] == "dcim.interface"
    assert mac["assigned_object"]["name"] == "ge-0/0/0"

    changed = call(api, "patch", f"/interfaces/{interface['id']}/", {"mac_address": "00:11:22:33:44:66"})
    again = call(api, "patch", f"/interfaces/{interface['id']}/", {"mac_address": "00:11:22:33:44:55"})
    cleared = call(api, "patch", f"/interfaces/{interface['id']}/", {"mac_address": None})

    assert changed.json()["mac_address"] == "00:11:22:33:44:66" and len(changed.json()["mac_addresses"]) == 2
    assert again.json()["mac_address"] == "00:11:22:33:44:55" and len(again.json()["mac_addresses"]) == 2
    assert cleared.json()["mac_address"] is None and cleared.json()["primary_mac_address"] is None


def test_mac_address_values_are_checked(api, devices):
    bad = _interface(api, devices, name="ge-0/0/0", mac_address="00:11:22")
    interface = created(_interface(api, devices, name="ge-0/0/1", mac_address="00:11:22:33:44:55"))
    other = created(_interface(api, devices, name="ge-0/0/2"))
    conflict = call(
        api, "patch", f"/interfaces/{other['id']}/",
        {"mac_address": "00:11:22:33:44:77", "primary_mac_address": interface["primary_mac_address"]["id"]},
    )  # fmt: skip
    borrowed = call(
        api, "patch", f"/interfaces/{other['id']}/", {"primary_mac_address": interface["primary_mac_address"]["id"]}
    )
    moved = call(
        api, "patch", f"/mac-addresses/{interface['primary_mac_address']['id']}/", {"assigned_object_id": other["id"]}
    )

    assert bad.json() == {"mac_address": ["Enter a valid MAC address (e.g. 00:11:22:33:44:55)."]}
    assert conflict.json() == {"mac_address": ["The provided 'mac_address' and 'primary_mac_address' values conflict."]}
    assert borrowed.json() == {
        "primary_mac_address": ["MAC address 00:11:22:33:44:55 is assigned to a different interface (ge-0/0/1)."]
    }
    assert moved.json() == {
        "__all__": ["Cannot reassign MAC Address while it is designated as the primary MAC for an object"]
    }


def test_a_write_back_of_both_mac_fields_is_accepted(api, devices):
    """pynetbox's save() may send both readable fields: when they agree that is no conflict."""
    interface = created(_interface(api, devices, name="ge-0/0/0", mac_address="00:11:22:33:44:55"))

    response = call(
        api, "patch", f"/interfaces/{interface['id']}/",
        {"mac_address": "00:11:22:33:44:55", "primary_mac_address": interface["primary_mac_address"]["id"],
         "description": "uplink"},
    )  # fmt: skip

    assert response.status_code == 200 and response.json()["description"] == "uplink"


def test_interfaces_filter_by_kind_and_device_name(api, devices):
    created(_interface(api, devices, name="ge-0/0/0"))
    created(_interface(api, devices, name="lo0", type="virtual"))
    created(_interface(api, devices, device="sw2", name="wlan0", type="ieee802.11ac"))

    def names(query):
        return sorted(row["name"] for row in call(api, "get", f"/interfaces/?{query}").json()["results"])

    assert names("kind=physical") == ["ge-0/0/0"]
    assert names("kind=virtual&kind=wireless") == ["lo0", "wlan0"]
    assert names("device=sw2") == ["wlan0"]
    assert names("virtual_chassis_id=" + str(devices["stack"].pk)) == ["ge-0/0/0", "lo0", "wlan0"]
    assert call(api, "get", "/interfaces/?kind=analog").json() == {
        "kind": ["Select a valid choice. analog is not one of the available choices."]
    }


# -- pass-through ports ------------------------------------------------------------------------------------------------


def test_front_ports_map_to_rear_port_positions(api, devices):
    rear = created(call(api, "post", "/rear-ports/", {"device": devices["sw1"].pk, "name": "R", "type": "mpo",
                                                      "positions": 2}))  # fmt: skip
    front = created(
        call(api, "post", "/front-ports/", {
            "device": devices["sw1"].pk, "name": "F1", "type": "lc",
            "rear_ports": [{"position": 1, "rear_port": rear["id"], "rear_port_position": 2}],
        })
    )  # fmt: skip

    assert front["rear_ports"] == [{"position": 1, "rear_port": rear["id"], "rear_port_position": 2}]
    assert call(api, "get", f"/rear-ports/{rear['id']}/").json()["front_ports"] == [
        {"position": 2, "front_port": front["id"], "front_port_position": 1}
    ]
    unchanged = call(api, "patch", f"/front-ports/{front['id']}/", {"description": "patched"})
    assert unchanged.json()["rear_ports"] == front["rear_ports"]


@pytest.mark.parametrize(
    ("mapping", "error"),
    [
        ({"position": 2, "rear_port_position": 1}, "Invalid position (2): F1 has only 1 positions."),
        ({"position": 1, "rear_port_position": 3}, "Invalid rear port position (3): rear port R has only 2 positions."),
        ({"position": 1, "rear_port_position": 2, "rear_port": "other"}, "Rear port (X) must belong to the same device"),  # noqa: E501
        ({"position": 1, "rear_port_position": 1}, "Position 1 of the rear port is already mapped."),
    ],
)  # fmt: skip
def test_port_mappings_are_checked(api, devices, mapping, error):
    rear = created(call(api, "post", "/rear-ports/", {"device": devices["sw1"].pk, "name": "R", "type": "mpo",
                                                      "positions": 2}))  # fmt: skip
    other = created(call(api, "post", "/rear-ports/", {"device": devices["sw3"].pk, "name": "X", "type": "mpo"}))
    created(call(api, "post", "/front-ports/", {
        "device": devices["sw1"].pk, "name": "F0", "type": "lc",
        "rear_ports": [{"position": 1, "rear_port": rear["id"], "rear_port_position": 1}],
    }))  # fmt: skip
    target = other["id"] if mapping.pop("rear_port", None) == "other" else rear["id"]

    response = call(api, "post", "/front-ports/", {
        "device": devices["sw1"].pk, "name": "F1", "type": "lc", "rear_ports": [{**mapping, "rear_port": target}],
    })  # fmt: skip

    assert (response.status_code, response.json()) == (400, {"rear_ports": [error]})


def test_a_port_keeps_a_position_per_mapping(api, devices):
    rear = created(call(api, "post", "/rear-ports/", {"device": devices["sw1"].pk, "name": "R", "type": "mpo",
                                                      "positions": 4}))  # fmt: skip
    front = created(call(api, "post", "/front-ports/", {
        "device": devices["sw1"].pk, "name": "F", "type": "mpo", "positions": 2,
        "rear_ports": [{"position": n, "rear_port": rear["id"], "rear_port_position": n} for n in (1, 2)],
    }))  # fmt: skip

    response = call(api, "patch", f"/front-ports/{front['id']}/", {"positions": 1})
    remapped = call(api, "patch", f"/front-ports/{front['id']}/", {
        "positions": 1, "rear_ports": [{"position": 1, "rear_port": rear["id"], "rear_port_position": 4}],
    })  # fmt: skip

    assert response.json() == {
        "positions": ["The number of positions cannot be less than the number of mapped rear ports (2)"]
    }
    assert remapped.json()["rear_ports"] == [{"position": 1, "rear_port": rear["id"], "rear_port_position": 4}]
