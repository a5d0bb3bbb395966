"""The generic API cases (tests/api_cases.py) for wireless: data only."""

from addressing.models import VLAN
from inventory.models import (
    Device,
    DeviceRole,
    DeviceType,
    Interface,
    Location,
    Manufacturer,
    Region,
    Site,
    Tenant,
    WirelessLAN,
    WirelessLANGroup,
    WirelessLink,
)
from tests.api_cases import APICase, Ref


def _lan_relations():
    region = Region.objects.create(name="Europe", slug="europe")
    site = Site.objects.create(name="AMS1", slug="ams1", region=region)
    return {
        "region": region,
        "site": site,
        "location": Location.objects.create(name="Floor 1", slug="floor-1", site=site),
        "group": WirelessLANGroup.objects.create(name="Campus", slug="campus"),
        "vlan": VLAN.objects.create(vid=200, name="Guests"),
        "tenant": Tenant.objects.create(name="Acme", slug="acme"),
    }


def _radios():
    site = Site.objects.create(name="AMS1", slug="ams1")
    vendor = Manufacturer.objects.create(name="Ubiquiti", slug="ubiquiti")
    device_type = DeviceType.objects.create(manufacturer=vendor, model="AirFiber", slug="airfiber")
    role = DeviceRole.objects.create(name="Radio", slug="radio")
    radios = {}
    for n in range(1, 7):
        device = Device.objects.create(name=f"radio{n}", device_type=device_type, role=role, site=site)
        # one name per radio: an export names the interface, and the import finds it by that name alone
        radios[f"r{n}"] = Interface.objects.create(device=device, name=f"wlan{n}", type="ieee802.11ac")
    return {**radios, "tenant": Tenant.objects.create(name="Acme", slug="acme")}


class TestWirelessLANGroupAPI(APICase):
    model = WirelessLANGroup
    create_data = [
        {"name": "Campus", "slug": "campus", "description": "first", "comments": "x"},
        {"name": "Branches", "slug": "branches"},
        {"name": "Warehouses", "slug": "warehouses"},
    ]
    update_data = {"description": "changed"}
    brief_fields = ["id", "url", "display", "name", "slug", "description", "wirelesslan_count", "_depth"]


class TestWirelessLANAPI(APICase):
    model = WirelessLAN
    setup_objects = staticmethod(_lan_relations)
    create_data = [
        {
            "ssid": "Acme-Staff",
            "group": Ref("group"),
            "status": "reserved",
            "vlan": Ref("vlan"),
            "scope_type": "dcim.site",
            "scope_id": Ref("site"),
            "tenant": Ref("tenant"),
            "auth_type": "wpa-personal",
            "auth_cipher": "aes",
            "auth_psk": "correct horse battery",
            "description": "first",
            "comments": "staff laptops",
        },
        {"ssid": "Acme-Guest", "auth_type": "open", "scope_type": "dcim.region", "scope_id": Ref("region")},
        {"ssid": "Acme-IoT", "scope_type": "dcim.location", "scope_id": Ref("location")},
    ]
    update_data = {"description": "changed", "status": "deprecated"}
    brief_fields = ["id", "url", "display", "ssid", "description"]


class TestWirelessLinkAPI(APICase):
    model = WirelessLink
    setup_objects = staticmethod(_radios)
    create_data = [
        {
            "interface_a": Ref("r1"),
            "interface_b": Ref("r2"),
            "ssid": "backhaul-1",
            "status": "planned",
            "tenant": Ref("tenant"),
            "auth_type": "wpa-enterprise",
            "auth_cipher": "aes",
            "distance": 2.5,
            "distance_unit": "km",
            "description": "first",
            "comments": "roof to roof",
        },
        {"interface_a": Ref("r3"), "interface_b": Ref("r4")},
        {"interface_a": Ref("r5"), "interface_b": Ref("r6"), "ssid": "backhaul-3"},
    ]
    update_data = {"description": "changed", "status": "connected"}
    brief_fields = ["id", "url", "display", "ssid", "description"]
