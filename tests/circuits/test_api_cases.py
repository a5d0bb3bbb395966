"""The generic API cases (tests/api_cases.py) for every registered circuits model: data only."""

from addressing.models import ASN, RIR
from circuits.models import (
    Circuit,
    CircuitGroup,
    CircuitGroupAssignment,
    CircuitTermination,
    CircuitType,
    Provider,
    ProviderAccount,
    ProviderNetwork,
    VirtualCircuit,
    VirtualCircuitTermination,
    VirtualCircuitType,
)
from inventory.models import Device, DeviceRole, DeviceType, Interface, Manufacturer, Site, Tenant
from tests.api_cases import APICase, Ref

NAMED_BRIEF = ["id", "url", "display", "name", "slug", "description"]


def _provider():
    return {"provider": Provider.objects.create(name="Zayo", slug="zayo")}


def _provider_and_asn():
    rir = RIR.objects.create(name="RIPE", slug="ripe")
    return {"asn": ASN.objects.create(asn=65001, rir=rir)}


def _circuit_relations():
    provider = Provider.objects.create(name="Zayo", slug="zayo")
    return {
        "provider": provider,
        "account": ProviderAccount.objects.create(provider=provider, account="ZA-1", name="Main"),
        "type": CircuitType.objects.create(name="Transit", slug="transit"),
        "tenant": Tenant.objects.create(name="Acme", slug="acme"),
    }


def _terminations_relations():
    provider = Provider.objects.create(name="Zayo", slug="zayo")
    kind = CircuitType.objects.create(name="Transit", slug="transit")
    return {
        "circuit1": Circuit.objects.create(cid="C-1", provider=provider, type=kind),
        "circuit2": Circuit.objects.create(cid="C-2", provider=provider, type=kind),
        "site": Site.objects.create(name="AMS1", slug="ams1"),
        "site2": Site.objects.create(name="FRA1", slug="fra1"),
    }


def _group_members():
    provider = Provider.objects.create(name="Zayo", slug="zayo")
    kind = CircuitType.objects.create(name="Transit", slug="transit")
    return {
        "group": CircuitGroup.objects.create(name="Redundant", slug="redundant"),
        **{f"circuit{n}": Circuit.objects.create(cid=f"C-{n}", provider=provider, type=kind) for n in (1, 2, 3)},
    }


def _virtual_relations():
    provider = Provider.objects.create(name="Zayo", slug="zayo")
    return {
        "network": ProviderNetwork.objects.create(provider=provider, name="Zayo MPLS"),
        "account": ProviderAccount.objects.create(provider=provider, account="ZA-1"),
        "type": VirtualCircuitType.objects.create(name="EVPN", slug="evpn"),
        "tenant": Tenant.objects.create(name="Acme", slug="acme"),
    }


def _virtual_terminations_relations():
    provider = Provider.objects.create(name="Zayo", slug="zayo")
    network = ProviderNetwork.objects.create(provider=provider, name="Zayo MPLS")
    virtual = VirtualCircuit.objects.create(
        cid="V-1", provider_network=network, type=VirtualCircuitType.objects.create(name="EVPN", slug="evpn")
    )
    vendor = Manufacturer.objects.create(name="Juniper", slug="juniper")
    device = Device.objects.create(
        name="mx1",
        device_type=DeviceType.objects.create(manufacturer=vendor, model="MX", slug="mx"),
        role=DeviceRole.objects.create(name="Core", slug="core"),
        site=Site.objects.create(name="AMS1", slug="ams1"),
    )
    return {
        "virtual": virtual,
        **{
            f"interface{n}": Interface.objects.create(device=device, name=f"ae0.{n}", type="virtual") for n in (1, 2, 3)
        },
    }


class TestProviderAPI(APICase):
    model = Provider
    setup_objects = staticmethod(_provider_and_asn)
    create_data = [
        {"name": "Zayo", "slug": "zayo", "asns": [Ref("asn")], "description": "first"},
        {"name": "Lumen", "slug": "lumen"},
        {"name": "Cogent", "slug": "cogent", "comments": "transit"},
    ]
    update_data = {"description": "changed"}
    brief_fields = [*NAMED_BRIEF, "circuit_count"]


class TestProviderAccountAPI(APICase):
    model = ProviderAccount
    setup_objects = staticmethod(_provider)
    create_data = [
        {"provider": Ref("provider"), "account": "ZA-1", "name": "Main", "description": "first"},
        {"provider": Ref("provider"), "account": "ZA-2"},
        {"provider": {"slug": "zayo"}, "account": "ZA-3", "name": "Backup"},
    ]
    update_data = {"description": "changed"}
    brief_fields = ["id", "url", "display", "name", "account", "description"]


class TestProviderNetworkAPI(APICase):
    model = ProviderNetwork
    setup_objects = staticmethod(_provider)
    create_data = [
        {"provider": Ref("provider"), "name": "Zayo MPLS", "service_id": "MPLS-1", "description": "first"},
        {"provider": Ref("provider"), "name": "Zayo Cloud"},
        {"provider": Ref("provider"), "name": "Zayo Waves", "service_id": "W-3"},
    ]
    update_data = {"description": "changed"}
    brief_fields = ["id", "url", "display", "name", "description"]


class TestCircuitTypeAPI(APICase):
    model = CircuitType
    create_data = [
        {"name": "Transit", "slug": "transit", "color": "ff0000", "description": "first"},
        {"name": "Long haul", "slug": "long-haul"},
        {"name": "Out-of-band", "slug": "oob"},
    ]
    update_data = {"description": "changed"}
    brief_fields = [*NAMED_BRIEF, "circuit_count"]


class TestCircuitAPI(APICase):
    model = Circuit
    setup_objects = staticmethod(_circuit_relations)
    create_data = [
        {
            "cid": "C-1",
            "provider": Ref("provider"),
            "provider_account": Ref("account"),
            "type": Ref("type"),
            "status": "planned",
            "tenant": Ref("tenant"),
            "install_date": "2026-01-02",
            "termination_date": "2029-01-01",
            "commit_rate": 10000,
            "distance": 12.5,
            "distance_unit": "km",
            "description": "first",
        },
        {"cid": "C-2", "provider": Ref("provider"), "type": Ref("type")},
        {"cid": "C-3", "provider": {"slug": "zayo"}, "type": {"slug": "transit"}, "status": "offline"},
    ]
    update_data = {"description": "changed", "status": "active"}
    brief_fields = ["id", "url", "display", "provider", "cid", "description"]


class TestCircuitTerminationAPI(APICase):
    model = CircuitTermination
    setup_objects = staticmethod(_terminations_relations)
    create_data = [
        {
            "circuit": Ref("circuit1"),
            "term_side": "A",
            "termination_type": "dcim.site",
            "termination_id": Ref("site"),
            "port_speed": 1000000,
            "upstream_speed": 500000,
            "xconnect_id": "XC-1",
            "pp_info": "PP1:1-2",
            "mark_connected": True,
            "description": "first",
        },
        {"circuit": Ref("circuit1"), "term_side": "Z", "termination_type": "dcim.site", "termination_id": Ref("site2")},
        {"circuit": Ref("circuit2"), "term_side": "A", "termination_type": "dcim.site", "termination_id": Ref("site2")},
    ]
    update_data = {"description": "changed", "port_speed": 10000}
    brief_fields = ["id", "url", "display", "circuit", "term_side", "description", "cable", "_occupied"]


class TestCircuitGroupAPI(APICase):
    model = CircuitGroup
    setup_objects = staticmethod(lambda: {"tenant": Tenant.objects.create(name="Acme", slug="acme")})
    create_data = [
        {"name": "Redundant", "slug": "redundant", "tenant": Ref("tenant"), "description": "first"},
        {"name": "Backbone", "slug": "backbone"},
        {"name": "Customers", "slug": "customers"},
    ]
    update_data = {"description": "changed"}
    brief_fields = ["id", "url", "display", "name"]


class TestCircuitGroupAssignmentAPI(APICase):
    model = CircuitGroupAssignment
    setup_objects = staticmethod(_group_members)
    create_data = [
        {"group": Ref("group"), "member_type": "circuits.circuit", "member_id": Ref("circuit1"), "priority": "primary"},
        {"group": Ref("group"), "member_type": "circuits.circuit", "member_id": Ref("circuit2")},
        {"group": Ref("group"), "member_type": "circuits.circuit", "member_id": Ref("circuit3")},
    ]
    update_data = {"priority": "secondary"}
    brief_fields = ["id", "url", "display", "group", "member_type", "member_id", "member", "priority"]


class TestVirtualCircuitTypeAPI(APICase):
    model = VirtualCircuitType
    create_data = [
        {"name": "EVPN", "slug": "evpn", "color": "00ff00", "description": "first"},
        {"name": "L3VPN", "slug": "l3vpn"},
        {"name": "VPLS", "slug": "vpls"},
    ]
    update_data = {"description": "changed"}
    brief_fields = [*NAMED_BRIEF, "virtual_circuit_count"]


class TestVirtualCircuitAPI(APICase):
    model = VirtualCircuit
    setup_objects = staticmethod(_virtual_relations)
    create_data = [
        {
            "cid": "V-1",
            "provider_network": Ref("network"),
            "provider_account": Ref("account"),
            "type": Ref("type"),
            "status": "planned",
            "tenant": Ref("tenant"),
            "description": "first",
        },
        {"cid": "V-2", "provider_network": Ref("network"), "type": Ref("type")},
        {"cid": "V-3", "provider_network": Ref("network"), "type": {"slug": "evpn"}},
    ]
    update_data = {"description": "changed", "status": "active"}
    brief_fields = ["id", "url", "display", "provider_network", "cid", "description"]


class TestVirtualCircuitTerminationAPI(APICase):
    model = VirtualCircuitTermination
    setup_objects = staticmethod(_virtual_terminations_relations)
    create_data = [
        {"virtual_circuit": Ref("virtual"), "role": "hub", "interface": Ref("interface1"), "description": "first"},
        {"virtual_circuit": Ref("virtual"), "role": "spoke", "interface": Ref("interface2")},
        {"virtual_circuit": Ref("virtual"), "interface": Ref("interface3")},
    ]
    update_data = {"description": "changed"}
    brief_fields = ["id", "url", "display", "virtual_circuit", "role", "interface", "description"]
