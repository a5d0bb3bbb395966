"""The generic API cases (tests/api_cases.py) for devices and their components: data only."""

from inventory.models import (
    Cable,
    CableTermination,
    ConsolePort,
    ConsoleServerPort,
    Device,
    DeviceBay,
    DeviceRole,
    DeviceType,
    FrontPort,
    Interface,
    InventoryItem,
    InventoryItemRole,
    Location,
    MACAddress,
    Manufacturer,
    Module,
    ModuleBay,
    ModuleBayType,
    ModuleType,
    Platform,
    PowerFeed,
    PowerOutlet,
    PowerPanel,
    PowerPort,
    Rack,
    RearPort,
    Site,
    Tenant,
    VirtualChassis,
    VirtualDeviceContext,
)
from tests.api_cases import APICase, Ref

DEVICE_BRIEF = ["id", "url", "display", "name", "description"]
COMPONENT_BRIEF = ["id", "url", "display", "device", "name", "description", "cable", "_occupied"]


def _place():
    site = Site.objects.create(name="AMS1", slug="ams1")
    juniper = Manufacturer.objects.create(name="Juniper", slug="juniper")
    return {
        "site": site,
        "location": Location.objects.create(name="Hall 1", slug="hall-1", site=site),
        "vendor": juniper,
        "device_type": DeviceType.objects.create(manufacturer=juniper, model="EX4300", slug="ex4300"),
        "role": DeviceRole.objects.create(name="Access switch", slug="access-switch"),
        "platform": Platform.objects.create(name="Junos", slug="junos", manufacturer=juniper),
        "tenant": Tenant.objects.create(name="Acme", slug="acme"),
    }


def _device_relations():
    place = _place()
    place["rack"] = Rack.objects.create(name="R1", site=place["site"], location=place["location"])
    return place


def _bare_device():
    place = _place()
    device = Device.objects.create(name="sw1", device_type=place["device_type"], role=place["role"], site=place["site"])
    return {**place, "device": device}


def _a_device():
    """sw1 with a module (in its bay "Uplink")."""
    place = _bare_device()
    device = place["device"]
    bay = ModuleBay.objects.create(device=device, name="Uplink", position="1")
    module_type = ModuleType.objects.create(manufacturer=place["vendor"], model="EX-UM-4X4SFP")
    module = Module.objects.create(device=device, module_bay=bay, module_type=module_type)
    return {**place, "device": device, "module": module, "module_type": module_type}


def _chassis_members():
    place = _place()
    return {
        "device": Device.objects.create(
            name="sw1", device_type=place["device_type"], role=place["role"], site=place["site"]
        ),
        "tenant": place["tenant"],
    }


def _module_relations():
    place = _place()
    device = Device.objects.create(name="sw1", device_type=place["device_type"], role=place["role"], site=place["site"])
    module_type = ModuleType.objects.create(manufacturer=place["vendor"], model="EX-UM-4X4SFP")
    owners = {**place, "device": device, "module_type": module_type}
    bay_type = ModuleBayType.objects.create(name="Uplink slot", slug="uplink-slot")
    bays = {f"bay{n}": ModuleBay.objects.create(device=device, name=f"Slot {n}", position=str(n)) for n in (1, 2, 3)}
    bays["bay1"].module_bay_types.set([bay_type])
    owners["module_type"].module_bay_types.set([bay_type])
    return {**owners, **bays}


def _component_owners(*made: str):
    """A device (`_a_device`) and the objects components of it point at, of the kinds in `made` (none of
    the case's own model: its list holds the case's objects only)."""
    owners = _a_device()
    device = owners["device"]
    makers = {
        "vdc": lambda: VirtualDeviceContext.objects.create(device=device, name="vdc1", status="active"),
        "eth0": lambda: Interface.objects.create(device=device, name="eth0", type="1000base-t"),
        "psu": lambda: PowerPort.objects.create(device=device, name="PSU0"),
        "rear": lambda: RearPort.objects.create(device=device, name="Rear", type="mpo", positions=12),
        "front": lambda: FrontPort.objects.create(device=device, name="Front", type="lc", positions=4),
        "bay_type": lambda: ModuleBayType.objects.create(name="SFP cage", slug="sfp-cage"),
        "item_role": lambda: InventoryItemRole.objects.create(name="Optic", slug="optic"),
    }
    return {**owners, **{name: makers[name]() for name in made}}


def _bay_owners():
    place = _place()
    chassis_type = DeviceType.objects.create(
        manufacturer=place["vendor"], model="MX960", slug="mx960", subdevice_role="parent"
    )
    blade_type = DeviceType.objects.create(
        manufacturer=place["vendor"], model="MPC7E", slug="mpc7e", subdevice_role="child", u_height=0
    )
    common = {"role": place["role"], "site": place["site"]}
    return {
        "chassis": Device.objects.create(name="chassis1", device_type=chassis_type, **common),
        "blade": Device.objects.create(name="blade1", device_type=blade_type, **common),
    }


class TestDeviceAPI(APICase):
    model = Device
    setup_objects = staticmethod(_device_relations)
    create_data = [
        {
            "name": "sw1",
            "device_type": Ref("device_type"),
            "role": Ref("role"),
            "tenant": Ref("tenant"),
            "platform": Ref("platform"),
            "serial": "SN-1",
            "asset_tag": "ASSET-1",
            "site": Ref("site"),
            "location": Ref("location"),
            "rack": Ref("rack"),
            "position": 10,
            "face": "front",
            "latitude": "52.370216",
            "longitude": "4.895168",
            "status": "planned",
            "airflow": "front-to-rear",
            "vc_priority": 10,
            "description": "first",
            "comments": "core switch",
            "local_context_data": {"ntp": "10.0.0.1"},
        },
        {
            "name": "sw2",
            "device_type": Ref("device_type"),
            "role": Ref("role"),
            "site": Ref("site"),
            "rack": Ref("rack"),
            "position": 11,
            "face": "rear",
        },
        {"name": "sw3", "device_type": {"slug": "ex4300"}, "role": {"slug": "access-switch"}, "site": {"slug": "ams1"}},
    ]
    update_data = {"description": "changed", "status": "active"}
    brief_fields = DEVICE_BRIEF


class TestVirtualChassisAPI(APICase):
    model = VirtualChassis
    setup_objects = staticmethod(_chassis_members)
    create_data = [
        {"name": "stack1", "domain": "core", "master": Ref("device"), "description": "first", "comments": "x"},
        {"name": "stack2"},
        {"name": "stack3", "domain": "edge"},
    ]
    update_data = {"description": "changed"}
    brief_fields = ["id", "url", "display", "name", "master", "description", "member_count"]


class TestVirtualDeviceContextAPI(APICase):
    model = VirtualDeviceContext
    setup_objects = staticmethod(_chassis_members)
    create_data = [
        {
            "device": Ref("device"),
            "name": "vdc1",
            "identifier": 1,
            "tenant": Ref("tenant"),
            "status": "active",
            "description": "first",
            "comments": "admin VDC",
        },
        {"device": Ref("device"), "name": "vdc2", "status": "planned"},
        {"device": {"name": "sw1"}, "name": "vdc3", "identifier": 3, "status": "offline"},
    ]
    update_data = {"description": "changed"}
    brief_fields = ["id", "url", "display", "name", "identifier", "device", "description"]


class TestModuleAPI(APICase):
    model = Module
    setup_objects = staticmethod(_module_relations)
    create_data = [
        {
            "device": Ref("device"),
            "module_bay": Ref("bay1"),
            "module_type": Ref("module_type"),
            "status": "planned",
            "serial": "SN-M1",
            "asset_tag": "MOD-1",
            "description": "first",
            "comments": "uplinks",
        },
        {"device": Ref("device"), "module_bay": Ref("bay2"), "module_type": Ref("module_type")},
        {"device": {"name": "sw1"}, "module_bay": Ref("bay3"), "module_type": {"model": "EX-UM-4X4SFP"}},
    ]
    update_data = {"description": "changed", "status": "active"}
    brief_fields = ["id", "url", "display", "device", "module_bay", "module_type", "description"]


class TestMACAddressAPI(APICase):
    model = MACAddress
    setup_objects = staticmethod(lambda: _component_owners("eth0"))
    create_data = [
        {
            "mac_address": "00:11:22:33:44:55",
            "assigned_object_type": "dcim.interface",
            "assigned_object_id": Ref("eth0"),
            "description": "first",
            "comments": "burned in",
        },
        {"mac_address": "00:11:22:33:44:66"},
        {
            "mac_address": "00:11:22:33:44:77",
            "assigned_object_type": "dcim.interface",
            "assigned_object_id": Ref("eth0"),
        },
    ]
    update_data = {"description": "changed"}
    brief_fields = ["id", "url", "display", "mac_address", "description"]


class TestConsolePortAPI(APICase):
    model = ConsolePort
    setup_objects = staticmethod(_a_device)
    create_data = [
        {
            "device": Ref("device"),
            "module": Ref("module"),
            "name": "Console",
            "label": "CON",
            "type": "rj-45",
            "speed": 9600,
            "mark_connected": True,
            "description": "first",
        },
        {"device": Ref("device"), "name": "Console 2", "type": "rj-45"},
        {"device": {"name": "sw1"}, "name": "USB", "type": "usb-c", "speed": 115200},
    ]
    update_data = {"description": "changed"}
    brief_fields = COMPONENT_BRIEF


class TestConsoleServerPortAPI(APICase):
    model = ConsoleServerPort
    setup_objects = staticmethod(_a_device)
    create_data = [
        {"device": Ref("device"), "name": "Port 1", "label": "1", "type": "rj-45", "speed": 9600, "description": "1st"},
        {"device": Ref("device"), "name": "Port 2", "type": "rj-45", "mark_connected": True},
        {"device": {"name": "sw1"}, "module": Ref("module"), "name": "Port 3"},
    ]
    update_data = {"description": "changed"}
    brief_fields = COMPONENT_BRIEF


class TestPowerPortAPI(APICase):
    model = PowerPort
    setup_objects = staticmethod(_a_device)
    create_data = [
        {
            "device": Ref("device"),
            "name": "PSU1",
            "label": "Right",
            "type": "iec-60320-c14",
            "maximum_draw": 350,
            "allocated_draw": 200,
            "mark_connected": True,
            "description": "first",
        },
        {"device": Ref("device"), "name": "PSU2", "type": "iec-60320-c14"},
        {"device": {"name": "sw1"}, "name": "DC input", "type": "dc-terminal"},
    ]
    update_data = {"description": "changed", "maximum_draw": 400}
    brief_fields = COMPONENT_BRIEF


class TestPowerOutletAPI(APICase):
    model = PowerOutlet
    setup_objects = staticmethod(lambda: _component_owners("psu"))
    create_data = [
        {
            "device": Ref("device"),
            "name": "Outlet 1",
            "label": "O1",
            "type": "iec-60320-c13",
            "status": "disabled",
            "color": "f44336",
            "power_port": Ref("psu"),
            "feed_leg": "A",
            "description": "first",
        },
        {"device": Ref("device"), "name": "Outlet 2", "type": "iec-60320-c13", "feed_leg": "B"},
        {"device": {"name": "sw1"}, "name": "Outlet 3", "status": "faulty"},
    ]
    update_data = {"description": "changed", "status": "enabled"}
    brief_fields = COMPONENT_BRIEF


class TestInterfaceAPI(APICase):
    model = Interface
    setup_objects = staticmethod(lambda: _component_owners("vdc"))
    create_data = [
        {
            "device": Ref("device"),
            "vdcs": [Ref("vdc")],
            "name": "ge-0/0/0",
            "label": "1",
            "type": "1000base-t",
            "enabled": False,
            "mtu": 9000,
            "speed": 1000000,
            "duplex": "full",
            "wwn": "50:00:00:00:00:00:00:01",
            "mgmt_only": True,
            "mode": "access",
            "poe_mode": "pse",
            "poe_type": "type2-ieee802.3at",
            "mark_connected": True,
            "description": "first",
        },
        {"device": Ref("device"), "name": "ae0", "type": "lag", "description": "uplinks"},
        {
            "device": {"name": "sw1"},
            "name": "wlan0",
            "type": "ieee802.11ac",
            "rf_role": "ap",
            "rf_channel": "5g-36-5180-20",
            "tx_power": 20,
        },
    ]
    update_data = {"description": "changed", "enabled": True}
    brief_fields = COMPONENT_BRIEF


class TestFrontPortAPI(APICase):
    model = FrontPort
    setup_objects = staticmethod(lambda: _component_owners("rear"))
    create_data = [
        {
            "device": Ref("device"),
            "name": "Front 1",
            "label": "F1",
            "type": "lc",
            "color": "2196f3",
            "positions": 2,
            "rear_ports": [
                {"position": 1, "rear_port": Ref("rear"), "rear_port_position": 1},
                {"position": 2, "rear_port": Ref("rear"), "rear_port_position": 2},
            ],
            "mark_connected": True,
            "description": "first",
        },
        {"device": Ref("device"), "name": "Front 2", "type": "8p8c"},
        {"device": {"name": "sw1"}, "name": "Front 3", "type": "mpo", "positions": 12},
    ]
    update_data = {"description": "changed"}
    brief_fields = COMPONENT_BRIEF


class TestRearPortAPI(APICase):
    model = RearPort
    setup_objects = staticmethod(lambda: _component_owners("front"))
    create_data = [
        {
            "device": Ref("device"),
            "name": "Rear 1",
            "label": "R1",
            "type": "mpo",
            "color": "2196f3",
            "positions": 12,
            "front_ports": [{"position": 3, "front_port": Ref("front"), "front_port_position": 1}],
            "description": "first",
        },
        {"device": Ref("device"), "name": "Rear 2", "type": "8p8c", "mark_connected": True},
        {"device": {"name": "sw1"}, "name": "Rear 3", "type": "lc", "positions": 2},
    ]
    update_data = {"description": "changed", "positions": 24}
    brief_fields = COMPONENT_BRIEF


class TestModuleBayAPI(APICase):
    model = ModuleBay
    setup_objects = staticmethod(
        lambda: {**_bare_device(), "bay_type": ModuleBayType.objects.create(name="SFP cage", slug="sfp-cage")}
    )
    create_data = [
        {
            "device": Ref("device"),
            "name": "Slot 1",
            "label": "S1",
            "position": "1",
            "enabled": False,
            "module_bay_types": [Ref("bay_type")],
            "description": "first",
        },
        {"device": Ref("device"), "name": "Slot 2", "position": "2"},
        {"device": {"name": "sw1"}, "name": "Slot 3", "position": "3", "enabled": True},
    ]
    update_data = {"description": "changed"}
    brief_fields = ["id", "url", "display", "installed_module", "name", "enabled", "description", "_occupied"]


class TestDeviceBayAPI(APICase):
    model = DeviceBay
    setup_objects = staticmethod(_bay_owners)
    create_data = [
        {
            "device": Ref("chassis"),
            "name": "Bay 1",
            "label": "B1",
            "installed_device": Ref("blade"),
            "description": "first",
        },
        {"device": Ref("chassis"), "name": "Bay 2"},
        {"device": {"name": "chassis1"}, "name": "Bay 3", "enabled": False},
    ]
    update_data = {"description": "changed"}
    brief_fields = ["id", "url", "display", "device", "name", "enabled", "description", "_occupied"]


class TestInventoryItemAPI(APICase):
    model = InventoryItem
    setup_objects = staticmethod(lambda: _component_owners("eth0", "item_role"))
    create_data = [
        {
            "device": Ref("device"),
            "name": "Cage 0",  # sorts first: the one-row list page loads a component too
            "label": "optic",
            "status": "planned",
            "role": Ref("item_role"),
            "manufacturer": Ref("vendor"),
            "part_id": "SFPP-10GE-SR",
            "serial": "SN-O1",
            "asset_tag": "OPT-1",
            "discovered": True,
            "component_type": "dcim.interface",
            "component_id": Ref("eth0"),
            "description": "first",
        },
        {"device": Ref("device"), "name": "Fan tray"},
        {"device": {"name": "sw1"}, "name": "PSU bracket", "manufacturer": {"slug": "juniper"}},
    ]
    update_data = {"description": "changed"}
    brief_fields = ["id", "url", "display", "device", "name", "description", "_depth"]


# -- cables ----------------------------------------------------------------------------------------------------------


def _cable_ends():
    place = _place()
    device = Device.objects.create(name="sw1", device_type=place["device_type"], role=place["role"], site=place["site"])
    ends = {f"e{n}": Interface.objects.create(device=device, name=f"e{n}", type="1000base-t") for n in range(1, 7)}
    return {**ends, "tenant": place["tenant"]}


def _interface(name: str) -> list[dict]:
    return [{"object_type": "dcim.interface", "object_id": Ref(name)}]


class TestCableAPI(APICase):
    model = Cable
    setup_objects = staticmethod(_cable_ends)
    create_data = [
        {"a_terminations": _interface("e1"), "b_terminations": _interface("e2"), "type": "cat6", "label": "one"},
        {
            "a_terminations": _interface("e3"),
            "b_terminations": _interface("e4"),
            "status": "planned",
            "tenant": Ref("tenant"),
            "color": "ff0000",
            "length": 2.5,
            "length_unit": "m",
        },
        # Of one kind, so the list's queries stay the same as cables are added (one query per kind).
        {"a_terminations": _interface("e5"), "b_terminations": _interface("e6"), "label": "three"},
    ]
    update_data = {"description": "changed", "status": "decommissioning"}
    brief_fields = ["id", "url", "display", "label", "description"]


def _panel_relations():
    site = Site.objects.create(name="AMS1", slug="ams1")
    return {"site": site, "location": Location.objects.create(name="Hall 1", slug="hall-1", site=site)}


class TestPowerPanelAPI(APICase):
    model = PowerPanel
    setup_objects = staticmethod(_panel_relations)
    create_data = [
        {"site": Ref("site"), "location": Ref("location"), "name": "PP1", "description": "first"},
        {"site": Ref("site"), "name": "PP2", "comments": "by the door"},
        {"site": {"slug": "ams1"}, "name": "PP3"},
    ]
    update_data = {"description": "changed", "comments": "moved"}
    brief_fields = ["id", "url", "display", "name", "description", "powerfeed_count"]


def _feed_relations():
    site = Site.objects.create(name="AMS1", slug="ams1")
    return {
        "panel": PowerPanel.objects.create(site=site, name="PP1"),
        "rack": Rack.objects.create(site=site, name="R1"),
        "tenant": Tenant.objects.create(name="Acme", slug="acme"),
    }


class TestPowerFeedAPI(APICase):
    model = PowerFeed
    setup_objects = staticmethod(_feed_relations)
    create_data = [
        {
            "power_panel": Ref("panel"),
            "rack": Ref("rack"),
            "name": "A",
            "status": "planned",
            "type": "redundant",
            "supply": "ac",
            "phase": "three-phase",
            "voltage": 230,
            "amperage": 32,
            "max_utilization": 90,
            "tenant": Ref("tenant"),
            "description": "first",
        },
        {"power_panel": Ref("panel"), "name": "B", "supply": "dc", "voltage": -48, "mark_connected": True},
        {"power_panel": Ref("panel"), "name": "C"},
    ]
    update_data = {"description": "changed", "status": "failed", "amperage": 16}
    brief_fields = ["id", "url", "display", "name", "description", "cable", "_occupied"]


def _termination(index: int) -> None:
    site, _ = Site.objects.get_or_create(name="AMS1", slug="ams1")
    maker, _ = Manufacturer.objects.get_or_create(name="Acme", slug="acme")
    kind, _ = DeviceType.objects.get_or_create(manufacturer=maker, model="Box", slug="box")
    role, _ = DeviceRole.objects.get_or_create(name="Core", slug="core")
    device, _ = Device.objects.get_or_create(name="sw1", device_type=kind, role=role, site=site)
    interface = Interface.objects.create(device=device, name=f"e{index}", type="1000base-t")
    cable = Cable.objects.create(label=f"cable{index}")
    CableTermination.objects.create(cable=cable, cable_end="AB"[index % 2], termination=interface)
    Interface.objects.filter(pk=interface.pk).update(cable=cable, cable_end="AB"[index % 2])


class TestCableTerminationAPI(APICase):
    model = CableTermination
    make_object = staticmethod(_termination)
    brief_fields = [
        "id", "url", "display", "cable", "cable_end", "termination_type", "termination_id", "connector", "positions",
    ]  # fmt: skip
    filter_fields = ["cable_end", "termination_type", "termination_id"]
