"""VPN at NetBox's endpoints: NetBox's rules for tunnel and L2VPN terminations (one per object, the types
they take, two at most on a point-to-point L2VPN), for IKE policies and IPsec proposals, and the
`l2vpn_termination` an interface, VM interface or VLAN shows."""

import json

import pytest

from addressing.models import VLAN
from inventory.models import Device, DeviceRole, DeviceType, Interface, Manufacturer, Site, VirtualMachine, VMInterface
from tenants.context import tenant_context

API = "/o/org-a/api"


def call(client, method: str, path: str, payload=None):
    if payload is None:
        return getattr(client, method)(f"{API}{path}")
    return getattr(client, method)(f"{API}{path}", json.dumps(payload), content_type="application/json")


def created(response) -> dict:
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def world(org_a):
    with tenant_context(org_a.organization):
        site = Site.objects.create(name="AMS1", slug="ams1")
        vendor = Manufacturer.objects.create(name="Juniper", slug="juniper")
        device = Device.objects.create(
            name="fw1",
            device_type=DeviceType.objects.create(manufacturer=vendor, model="SRX", slug="srx"),
            role=DeviceRole.objects.create(name="Firewall", slug="firewall"),
            site=site,
        )
        machine = VirtualMachine.objects.create(name="vpn1", site=site)
        return {
            "site": site,
            "ge": [Interface.objects.create(device=device, name=f"ge-0/0/{n}", type="1000base-t") for n in range(3)],
            "eth0": VMInterface.objects.create(virtual_machine=machine, name="eth0"),
            "vlan": VLAN.objects.create(vid=100, name="Users"),
        }


def _terminate(api, l2vpn: int, object_type: str, object_id: int):
    return call(
        api,
        "post",
        "/vpn/l2vpn-terminations/",
        {"l2vpn": l2vpn, "assigned_object_type": object_type, "assigned_object_id": object_id},
    )


def test_a_point_to_point_l2vpn_takes_two_terminations(api, world):
    vpws = created(call(api, "post", "/vpn/l2vpns/", {"name": "PW 1", "slug": "pw-1", "type": "vpws"}))
    vpls = created(call(api, "post", "/vpn/l2vpns/", {"name": "VPLS", "slug": "vpls", "type": "vpls"}))

    first = _terminate(api, vpws["id"], "dcim.interface", world["ge"][0].pk)
    second = _terminate(api, vpws["id"], "dcim.interface", world["ge"][1].pk)
    third = _terminate(api, vpws["id"], "dcim.interface", world["ge"][2].pk)
    elsewhere = _terminate(api, vpls["id"], "dcim.interface", world["ge"][2].pk)
    again = _terminate(api, vpls["id"], "dcim.interface", world["ge"][0].pk)

    assert (first.status_code, second.status_code, elsewhere.status_code) == (201, 201, 201)
    assert third.status_code == 400
    assert third.json() == {"__all__": ["VPWS L2VPNs cannot have more than two terminations; found 2 already defined."]}
    assert again.status_code == 400, "an interface is in one L2VPN at most"
    assert again.json() == {"__all__": ["An object may be terminated to only one L2VPN at a time."]}


def test_l2vpn_terminations_take_vlans_and_interfaces_only(api, world):
    l2vpn = created(call(api, "post", "/vpn/l2vpns/", {"name": "EVPN", "slug": "evpn", "type": "vxlan-evpn"}))

    on_vlan = created(_terminate(api, l2vpn["id"], "ipam.vlan", world["vlan"].pk))
    on_vm = created(_terminate(api, l2vpn["id"], "virtualization.vminterface", world["eth0"].pk))
    on_site = _terminate(api, l2vpn["id"], "dcim.site", world["site"].pk)
    missing = _terminate(api, l2vpn["id"], "dcim.interface", 999999)

    assert on_vlan["assigned_object"]["id"] == world["vlan"].pk
    assert on_vlan["display"] == "Users (100) <> EVPN" or on_vlan["display"].endswith("<> EVPN")
    assert on_site.status_code == 400 and "assigned_object_type" in on_site.json()
    assert missing.status_code == 400 and "assigned_object_id" in missing.json()
    # the terminated objects show their termination, as NetBox's l2vpn_termination
    vlan = call(api, "get", f"/ipam/vlans/{world['vlan'].pk}/").json()
    vm_interface = call(api, "get", f"/virtualization/interfaces/{world['eth0'].pk}/").json()
    interface = call(api, "get", f"/dcim/interfaces/{world['ge'][0].pk}/").json()
    assert vlan["l2vpn_termination"]["id"] == on_vlan["id"]
    assert vlan["l2vpn_termination"]["l2vpn"]["slug"] == "evpn"
    assert vm_interface["l2vpn_termination"]["id"] == on_vm["id"]
    assert interface["l2vpn_termination"] is None
    # filters by the terminated object
    by_vlan = call(api, "get", f"/vpn/l2vpn-terminations/?vlan_id={world['vlan'].pk}").json()
    by_vm = call(api, "get", "/vpn/l2vpn-terminations/?virtual_machine=vpn1").json()
    assert [row["id"] for row in by_vlan["results"]] == [on_vlan["id"]]
    assert [row["id"] for row in by_vm["results"]] == [on_vm["id"]]


def test_tunnel_terminations(api, world):
    tunnel = created(call(api, "post", "/vpn/tunnels/", {"name": "t1", "encapsulation": "gre"}))
    payload = {"tunnel": tunnel["id"], "role": "hub", "termination_type": "dcim.interface"}

    hub = created(call(api, "post", "/vpn/tunnel-terminations/", {**payload, "termination_id": world["ge"][0].pk}))
    twice = call(api, "post", "/vpn/tunnel-terminations/", {**payload, "termination_id": world["ge"][0].pk})
    on_vlan = call(
        api,
        "post",
        "/vpn/tunnel-terminations/",
        {**payload, "termination_type": "ipam.vlan", "termination_id": world["vlan"].pk},
    )
    spoke = created(
        call(
            api,
            "post",
            "/vpn/tunnel-terminations/",
            {
                **payload,
                "role": "spoke",
                "termination_type": "virtualization.vminterface",
                "termination_id": world["eth0"].pk,
            },
        )
    )

    assert hub["termination"]["name"] == "ge-0/0/0" and hub["termination_type"] == "dcim.interface"
    assert twice.status_code == 400
    assert twice.json() == {"__all__": ["An object may be terminated to only one tunnel at a time."]}
    assert on_vlan.status_code == 400 and "termination_type" in on_vlan.json()
    counted = call(api, "get", f"/vpn/tunnels/{tunnel['id']}/").json()
    assert counted["terminations_count"] == 2
    by_vm_interface = call(api, "get", f"/vpn/tunnel-terminations/?vminterface_id={world['eth0'].pk}").json()
    assert [row["id"] for row in by_vm_interface["results"]] == [spoke["id"]]
    # deleting the tunnel deletes its terminations
    assert call(api, "delete", f"/vpn/tunnels/{tunnel['id']}/").status_code == 204
    assert call(api, "get", "/vpn/tunnel-terminations/").json()["count"] == 0


def test_ike_and_ipsec_rules(api):
    v1_without_mode = call(api, "post", "/vpn/ike-policies/", {"name": "v1", "version": 1})
    v2_with_mode = call(api, "post", "/vpn/ike-policies/", {"name": "v2", "version": 2, "mode": "main"})
    no_algorithm = call(api, "post", "/vpn/ipsec-proposals/", {"name": "none"})
    bad_group = call(
        api,
        "post",
        "/vpn/ike-proposals/",
        {"name": "p", "authentication_method": "certificates", "encryption_algorithm": "des-cbc", "group": 3},
    )

    assert v1_without_mode.status_code == 400
    assert v1_without_mode.json() == {"mode": ["Mode is required for selected IKE version"]}
    assert v2_with_mode.status_code == 400 and "mode" in v2_with_mode.json()
    assert no_algorithm.status_code == 400
    assert no_algorithm.json() == {"__all__": ["You must define an encryption and/or authentication algorithm"]}
    assert bad_group.status_code == 400 and "group" in bad_group.json()


def test_another_organization_sees_no_tunnels(api, org_b):
    created(call(api, "post", "/vpn/tunnels/", {"name": "secret", "encapsulation": "wireguard"}))

    theirs = org_b.client().get("/o/org-b/api/vpn/tunnels/")
    crossing = org_b.client().get("/o/org-a/api/vpn/tunnels/")

    assert theirs.status_code == 200 and theirs.json()["count"] == 0
    assert crossing.status_code in (403, 404)
