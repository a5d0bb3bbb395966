"""The generic API cases (tests/api_cases.py) for VPN: data only."""

from addressing.models import (
    L2VPN,
    VLAN,
    IKEPolicy,
    IKEProposal,
    IPAddress,
    IPSecPolicy,
    IPSecProfile,
    IPSecProposal,
    L2VPNTermination,
    RouteTarget,
    Tunnel,
    TunnelGroup,
    TunnelTermination,
)
from inventory.models import (
    Device,
    DeviceRole,
    DeviceType,
    Interface,
    Manufacturer,
    Site,
    Tenant,
    VirtualMachine,
    VMInterface,
)
from tests.api_cases import APICase, Ref

NAMED = ["id", "url", "display", "name", "description"]


def _interfaces():
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
        "device": device,
        **{f"ge{n}": Interface.objects.create(device=device, name=f"ge-0/0/{n}", type="1000base-t") for n in (1, 2, 3)},
        "eth0": VMInterface.objects.create(virtual_machine=machine, name="eth0"),
        "tenant": Tenant.objects.create(name="Acme", slug="acme"),
    }


def _tunnel_relations():
    ike = IKEPolicy.objects.create(name="IKE", version=2)
    ipsec = IPSecPolicy.objects.create(name="IPsec")
    return {
        "group": TunnelGroup.objects.create(name="Branches", slug="branches"),
        "profile": IPSecProfile.objects.create(name="Profile", mode="esp", ike_policy=ike, ipsec_policy=ipsec),
        "tenant": Tenant.objects.create(name="Acme", slug="acme"),
    }


def _termination_relations():
    owners = _interfaces()
    return {
        **owners,
        "tunnel": Tunnel.objects.create(name="t1", encapsulation="gre"),
        "outside": IPAddress.objects.create(address="192.0.2.1/24"),
    }


def _policy_relations():
    return {
        "p1": IKEProposal.objects.create(
            name="P1", authentication_method="preshared-keys", encryption_algorithm="aes-256-cbc", group=14
        ),
        "p2": IKEProposal.objects.create(
            name="P2", authentication_method="certificates", encryption_algorithm="aes-128-gcm", group=19
        ),
    }


def _ipsec_policy_relations():
    return {
        "p1": IPSecProposal.objects.create(name="P1", encryption_algorithm="aes-256-gcm"),
        "p2": IPSecProposal.objects.create(name="P2", authentication_algorithm="hmac-sha256"),
    }


def _profile_relations():
    return {
        "ike": IKEPolicy.objects.create(name="IKE", version=2),
        "ipsec": IPSecPolicy.objects.create(name="IPsec", pfs_group=14),
    }


def _l2vpn_relations():
    return {
        "rt1": RouteTarget.objects.create(name="65000:1"),
        "rt2": RouteTarget.objects.create(name="65000:2"),
        "tenant": Tenant.objects.create(name="Acme", slug="acme"),
    }


def _l2vpn_termination_relations():
    owners = _interfaces()
    return {
        **owners,
        "l2vpn": L2VPN.objects.create(name="VXLAN 100", slug="vxlan-100", type="vxlan", identifier=100),
        "other": L2VPN.objects.create(name="VXLAN 200", slug="vxlan-200", type="vxlan", identifier=200),
        "vlan": VLAN.objects.create(vid=100, name="Users"),
    }


class TestTunnelGroupAPI(APICase):
    model = TunnelGroup
    create_data = [
        {"name": "Branches", "slug": "branches", "description": "first", "comments": "x"},
        {"name": "Partners", "slug": "partners"},
        {"name": "Cloud", "slug": "cloud"},
    ]
    update_data = {"description": "changed"}
    brief_fields = ["id", "url", "display", "name", "slug", "description", "tunnel_count"]


class TestTunnelAPI(APICase):
    model = Tunnel
    setup_objects = staticmethod(_tunnel_relations)
    create_data = [
        {
            "name": "t1",
            "status": "planned",
            "group": Ref("group"),
            "encapsulation": "ipsec-tunnel",
            "ipsec_profile": Ref("profile"),
            "tenant": Ref("tenant"),
            "tunnel_id": 1001,
            "description": "first",
            "comments": "to the branch",
        },
        {"name": "t2", "encapsulation": "gre"},
        {"name": "t3", "encapsulation": "wireguard", "group": {"slug": "branches"}},
    ]
    update_data = {"description": "changed", "status": "disabled"}
    brief_fields = NAMED


class TestTunnelTerminationAPI(APICase):
    model = TunnelTermination
    setup_objects = staticmethod(_termination_relations)
    create_data = [
        {
            "tunnel": Ref("tunnel"),
            "role": "hub",
            "termination_type": "dcim.interface",
            "termination_id": Ref("ge1"),
            "outside_ip": Ref("outside"),
        },
        {"tunnel": Ref("tunnel"), "role": "hub", "termination_type": "dcim.interface", "termination_id": Ref("ge2")},
        # One type of termination: a list loads each type with one query, so three types cost two more.
        # No role: NetBox's default, peer.
        {"tunnel": {"name": "t1"}, "termination_type": "dcim.interface", "termination_id": Ref("ge3")},
    ]
    # A role none of them has: an update that changes nothing is not logged (as NetBox skips empty changes).
    update_data = {"role": "spoke"}
    brief_fields = ["id", "url", "display"]


class TestIKEProposalAPI(APICase):
    model = IKEProposal
    create_data = [
        {
            "name": "IKE-AES256",
            "authentication_method": "preshared-keys",
            "encryption_algorithm": "aes-256-cbc",
            "authentication_algorithm": "hmac-sha256",
            "group": 14,
            "sa_lifetime": 28800,
            "description": "first",
        },
        {
            "name": "IKE-GCM",
            "authentication_method": "certificates",
            "encryption_algorithm": "aes-128-gcm",
            "group": 19,
        },
        {"name": "IKE-3DES", "authentication_method": "rsa-signatures", "encryption_algorithm": "3des-cbc", "group": 2},
    ]
    update_data = {"description": "changed"}
    brief_fields = NAMED


class TestIKEPolicyAPI(APICase):
    model = IKEPolicy
    setup_objects = staticmethod(_policy_relations)
    create_data = [
        {
            "name": "Branch IKE",
            "version": 1,
            "mode": "main",
            "proposals": [Ref("p1"), Ref("p2")],
            "preshared_key": "s3cret",
            "description": "first",
        },
        {"name": "Cloud IKE", "version": 2, "proposals": [Ref("p2")]},
        {"name": "Partner IKE"},
    ]
    update_data = {"description": "changed"}
    brief_fields = NAMED


class TestIPSecProposalAPI(APICase):
    model = IPSecProposal
    create_data = [
        {
            "name": "ESP-AES256",
            "encryption_algorithm": "aes-256-gcm",
            "authentication_algorithm": "hmac-sha512",
            "sa_lifetime_seconds": 3600,
            "sa_lifetime_data": 4608000,
            "description": "first",
        },
        {"name": "ESP-AES128", "encryption_algorithm": "aes-128-cbc"},
        {"name": "AH-SHA1", "authentication_algorithm": "hmac-sha1"},
    ]
    update_data = {"description": "changed"}
    brief_fields = NAMED


class TestIPSecPolicyAPI(APICase):
    model = IPSecPolicy
    setup_objects = staticmethod(_ipsec_policy_relations)
    create_data = [
        {"name": "Branch IPsec", "proposals": [Ref("p1"), Ref("p2")], "pfs_group": 14, "description": "first"},
        {"name": "Cloud IPsec", "proposals": [Ref("p2")]},
        {"name": "Partner IPsec", "pfs_group": 20},
    ]
    update_data = {"description": "changed"}
    brief_fields = NAMED


class TestIPSecProfileAPI(APICase):
    model = IPSecProfile
    setup_objects = staticmethod(_profile_relations)
    create_data = [
        {"name": "Branch", "mode": "esp", "ike_policy": Ref("ike"), "ipsec_policy": Ref("ipsec"), "description": "x"},
        {"name": "Cloud", "mode": "ah", "ike_policy": {"name": "IKE"}, "ipsec_policy": Ref("ipsec")},
        {"name": "Partner", "mode": "esp", "ike_policy": Ref("ike"), "ipsec_policy": {"name": "IPsec"}},
    ]
    update_data = {"description": "changed"}
    brief_fields = NAMED


class TestL2VPNAPI(APICase):
    model = L2VPN
    setup_objects = staticmethod(_l2vpn_relations)
    create_data = [
        {
            "name": "VXLAN 100",
            "slug": "vxlan-100",
            "type": "vxlan-evpn",
            "status": "planned",
            "identifier": 10100,
            "import_targets": [Ref("rt1"), Ref("rt2")],
            "export_targets": [Ref("rt1")],
            "tenant": Ref("tenant"),
            "description": "first",
            "comments": "fabric",
        },
        {"name": "VPLS 1", "slug": "vpls-1", "type": "vpls"},
        {"name": "EPL 7", "slug": "epl-7", "type": "epl", "identifier": 7},
    ]
    update_data = {"description": "changed", "status": "decommissioning"}
    brief_fields = ["id", "url", "display", "identifier", "name", "slug", "type", "description"]


class TestL2VPNTerminationAPI(APICase):
    model = L2VPNTermination
    setup_objects = staticmethod(_l2vpn_termination_relations)
    create_data = [
        {"l2vpn": Ref("l2vpn"), "assigned_object_type": "dcim.interface", "assigned_object_id": Ref("ge1")},
        {"l2vpn": Ref("l2vpn"), "assigned_object_type": "dcim.interface", "assigned_object_id": Ref("ge2")},
        {"l2vpn": {"slug": "vxlan-100"}, "assigned_object_type": "dcim.interface", "assigned_object_id": Ref("ge3")},
    ]
    update_data = {"l2vpn": Ref("other")}
    brief_fields = ["id", "url", "display", "l2vpn"]
