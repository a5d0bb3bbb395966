"""Devices at NetBox's dcim/devices endpoint: their shape, what they take from their type, the components
their type's templates make (NetBox's name tokens, one INSERT per kind whatever their number), and the
rules of where they stand in a rack."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import ObjectChange
from inventory.models import (
    ConsolePortTemplate,
    DeviceBayTemplate,
    DeviceRole,
    DeviceType,
    FrontPortTemplate,
    Interface,
    InterfaceTemplate,
    InventoryItemTemplate,
    Location,
    Manufacturer,
    ModuleBayTemplate,
    ModuleBayType,
    Platform,
    PowerOutletTemplate,
    PowerPortTemplate,
    Rack,
    RearPortTemplate,
    Site,
    Tenant,
    VirtualChassis,
)
from tenants.context import tenant_context
from tests.inventory.dcim import call, created, listed


@pytest.fixture
def catalogue(org_a):
    """AMS1 (hall 1 with rack R1, 42U) and FRA1; Juniper's EX4300 (1U, full depth, airflow front-to-rear,
    Junos by default) with a template of every kind; a half-depth 2U patch panel; the MX960 chassis (parent,
    10U) and its MPC blades (child); role "Access switch"."""
    with tenant_context(org_a.organization):
        ams1 = Site.objects.create(name="AMS1", slug="ams1")
        hall = Location.objects.create(name="Hall 1", slug="hall-1", site=ams1)
        juniper = Manufacturer.objects.create(name="Juniper", slug="juniper")
        junos = Platform.objects.create(name="Junos", slug="junos", manufacturer=juniper)
        ex4300 = DeviceType.objects.create(
            manufacturer=juniper, model="EX4300", slug="ex4300", airflow="front-to-rear", default_platform=junos
        )
        _templates(ex4300)
        panel = DeviceType.objects.create(manufacturer=juniper, model="Panel", slug="panel", u_height=2,
                                          is_full_depth=False)  # fmt: skip
        mx960 = DeviceType.objects.create(
            manufacturer=juniper, model="MX960", slug="mx960", u_height=10, subdevice_role="parent"
        )
        DeviceBayTemplate.objects.create(device_type=mx960, name="Slot 0")
        blade = DeviceType.objects.create(
            manufacturer=juniper, model="MPC", slug="mpc", u_height=0, subdevice_role="child"
        )
        return {
            "ams1": ams1,
            "fra1": Site.objects.create(name="FRA1", slug="fra1"),
            "hall": hall,
            "r1": Rack.objects.create(name="R1", site=ams1, location=hall),
            "juniper": juniper,
            "junos": junos,
            "ex4300": ex4300,
            "panel": panel,
            "mx960": mx960,
            "blade": blade,
            "role": DeviceRole.objects.create(name="Access switch", slug="access-switch"),
            "acme": Tenant.objects.create(name="Acme", slug="acme"),
        }


def _templates(device_type):
    """One template of every kind (two of some, linked): what a new EX4300 is made with."""
    ConsolePortTemplate.objects.create(device_type=device_type, name="Console", type="rj-45")
    psu = PowerPortTemplate.objects.create(device_type=device_type, name="PSU0", maximum_draw=350)
    PowerOutletTemplate.objects.create(device_type=device_type, name="Out-{vc_position}", power_port=psu)
    xe = InterfaceTemplate.objects.create(
        device_type=device_type, name="et-{vc_position}/0/0", type="100gbase-x-qsfp28", channels=4
    )
    InterfaceTemplate.objects.create(
        device_type=device_type, name="et-{vc_position}/0/0:1", type="channel", channel_id=1, parent=xe
    )
    bridge = InterfaceTemplate.objects.create(device_type=device_type, name="br0", type="bridge")
    InterfaceTemplate.objects.create(
        device_type=device_type, name="ge-{vc_position:9}/0/1", label="Port 1", type="1000base-t", bridge=bridge,
        poe_mode="pse", poe_type="type2-ieee802.3at", mgmt_only=True, enabled=False,
    )  # fmt: skip
    RearPortTemplate.objects.create(device_type=device_type, name="Rear", type="mpo", positions=12)
    FrontPortTemplate.objects.create(device_type=device_type, name="Front", type="lc", color="2196f3")
    bay = ModuleBayTemplate.objects.create(device_type=device_type, name="PIC {vc_position}", position="1")
    bay.module_bay_types.set([ModuleBayType.objects.create(name="PIC slot", slug="pic-slot")])
    optic = InventoryItemTemplate.objects.create(
        device_type=device_type, name="Optic", component_type_id=_type_id(InterfaceTemplate), component_id=xe.pk
    )
    InventoryItemTemplate.objects.create(device_type=device_type, name="Laser", parent=optic, part_id="L-1")


def _type_id(model) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(model).pk


def _device(catalogue, **values) -> dict:
    return {
        "device_type": catalogue["ex4300"].pk,
        "role": catalogue["role"].pk,
        "site": catalogue["ams1"].pk,
        **values,
    }


# -- the shape -------------------------------------------------------------------------------------------------------


def test_a_device_is_represented_as_netbox_does(api, catalogue):
    device = created(call(api, "post", "/devices/", _device(catalogue, name="sw1", rack=catalogue["r1"].pk)))

    assert list(device) == [
        "id", "url", "display_url", "display", "name", "device_type", "role", "tenant", "platform", "serial",
        "asset_tag", "site", "location", "rack", "position", "face", "latitude", "longitude", "parent_device",
        "status", "airflow", "cooling_method", "primary_ip", "primary_ip4", "primary_ip6", "oob_ip", "cluster",
        "virtual_chassis", "vc_position", "vc_priority", "description", "owner", "comments", "config_template",
        "config_context", "local_context_data", "tags", "custom_fields", "created", "last_updated",
        "console_port_count", "console_server_port_count", "power_port_count", "power_outlet_count",
        "cooling_intake_count", "cooling_outflow_count", "interface_count", "front_port_count", "rear_port_count",
        "device_bay_count", "module_bay_count", "inventory_item_count",
    ]  # fmt: skip
    assert device["display"] == "sw1"
    assert device["device_type"] == {
        "id": catalogue["ex4300"].pk,
        "url": f"http://testserver/o/org-a/api/dcim/device-types/{catalogue['ex4300'].pk}/",
        "display": "EX4300",
        "manufacturer": {
            "id": catalogue["juniper"].pk,
            "url": f"http://testserver/o/org-a/api/dcim/manufacturers/{catalogue['juniper'].pk}/",
            "display": "Juniper",
            "name": "Juniper",
            "slug": "juniper",
            "description": "",
        },
        "model": "EX4300",
        "slug": "ex4300",
        "description": "",
        "device_count": 1,
    }
    assert device["role"]["device_count"] == 1 and device["role"]["_depth"] == 0
    assert device["rack"] == {
        "id": catalogue["r1"].pk,
        "url": f"http://testserver/o/org-a/api/dcim/racks/{catalogue['r1'].pk}/",
        "display": "R1",
        "name": "R1",
        "description": "",
    }
    # What later issues fill reads as NetBox shows it unset.
    unset = ("primary_ip", "primary_ip4", "primary_ip6", "oob_ip", "cluster", "config_template", "parent_device")
    assert all(device[name] is None for name in unset)
    assert device["config_context"] == {} and device["local_context_data"] is None
    assert device["status"] == {"value": "active", "label": "Active"}
    assert device["face"] is None and device["position"] is None and device["asset_tag"] is None
    assert (device["interface_count"], device["console_port_count"], device["inventory_item_count"]) == (4, 1, 2)


def test_a_device_takes_its_types_airflow_platform_and_its_racks_location(api, catalogue):
    device = created(call(api, "post", "/devices/", _device(catalogue, name="sw1", rack=catalogue["r1"].pk)))
    chosen = created(call(api, "post", "/devices/", _device(catalogue, name="sw2", airflow="rear-to-front")))

    assert device["airflow"]["value"] == "front-to-rear" and device["platform"]["slug"] == "junos"
    assert device["location"]["slug"] == "hall-1"
    assert chosen["airflow"]["value"] == "rear-to-front" and chosen["location"] is None


def test_the_required_fields_are_named_as_netbox_names_them(api, catalogue):
    response = call(api, "post", "/devices/", {})

    assert response.status_code == 400
    assert response.json() == {
        "device_type": ["This field is required."],
        "role": ["This field is required."],
        "site": ["This field is required."],
    }


def test_names_are_unique_per_site_and_tenant_whatever_the_case(api, catalogue):
    created(call(api, "post", "/devices/", _device(catalogue, name="sw1")))

    again = call(api, "post", "/devices/", _device(catalogue, name="SW1"))
    other_tenant = call(api, "post", "/devices/", _device(catalogue, name="sw1", tenant=catalogue["acme"].pk))
    unnamed = [call(api, "post", "/devices/", _device(catalogue)) for _ in range(2)]

    assert again.json() == {"__all__": ["Device name must be unique per site and tenant."]}
    assert other_tenant.status_code == 201
    assert [response.status_code for response in unnamed] == [201, 201]
    assert unnamed[0].json()["name"] is None
    assert unnamed[0].json()["display"] == f"Juniper EX4300 ({unnamed[0].json()['id']})"


def test_a_platform_of_another_manufacturer_is_refused(api, catalogue, org_a):
    with tenant_context(org_a.organization):
        ios = Platform.objects.create(
            name="IOS", slug="ios", manufacturer=Manufacturer.objects.create(name="Cisco", slug="cisco")
        )

    response = call(api, "post", "/devices/", _device(catalogue, platform=ios.pk))

    assert response.json() == {
        "platform": [
            "The assigned platform is limited to Cisco device types, but this device's type belongs to Juniper."
        ]
    }


# -- components from the type's templates ------------------------------------------------------------------------


def test_a_new_device_gets_every_component_of_its_type(api, catalogue):
    device = created(call(api, "post", "/devices/", _device(catalogue, name="sw1")))
    query = f"device_id={device['id']}"

    interfaces = {row["name"]: row for row in call(api, "get", f"/interfaces/?{query}").json()["results"]}
    outlet = call(api, "get", f"/power-outlets/?{query}").json()["results"][0]
    bay = call(api, "get", f"/module-bays/?{query}").json()["results"][0]
    items = {row["name"]: row for row in call(api, "get", f"/inventory-items/?{query}").json()["results"]}

    assert list(interfaces) == ["et-0/0/0", "et-0/0/0:1", "ge-9/0/1", "br0"]  # by slot, then port
    assert interfaces["et-0/0/0:1"]["parent"]["id"] == interfaces["et-0/0/0"]["id"]
    assert interfaces["et-0/0/0:1"]["channel_id"] == 1 and interfaces["et-0/0/0"]["channels"] == 4
    port = interfaces["ge-9/0/1"]
    assert port["bridge"]["name"] == "br0" and port["label"] == "Port 1"
    assert (port["enabled"], port["mgmt_only"], port["poe_mode"]["value"]) == (False, True, "pse")
    assert outlet["name"] == "Out-0" and outlet["power_port"]["name"] == "PSU0"
    assert bay["name"] == "PIC 0" and bay["position"] == "1"
    assert [bay_type["slug"] for bay_type in bay["module_bay_types"]] == ["pic-slot"]
    assert items["Optic"]["component"]["id"] == interfaces["et-0/0/0"]["id"]
    assert items["Optic"]["component_type"] == "dcim.interface"
    assert items["Laser"]["parent"] == items["Optic"]["id"] and items["Laser"]["_depth"] == 1
    assert items["Laser"]["part_id"] == "L-1"
    assert listed(call(api, "get", f"/front-ports/?{query}")) == ["Front"]
    assert listed(call(api, "get", f"/rear-ports/?{query}")) == ["Rear"]
    assert listed(call(api, "get", f"/console-ports/?{query}")) == ["Console"]


def test_components_are_change_logged_with_the_device(api, catalogue, org_a):
    from core.models import ObjectChange

    device = created(call(api, "post", "/devices/", _device(catalogue, name="sw1")))

    with tenant_context(org_a.organization):
        interface = Interface.objects.get(device_id=device["id"], name="br0")
        logged = ObjectChange.objects.filter(changed_object_id=interface.pk, changed_object_type__model="interface")
        assert [change.action for change in logged] == ["create"]
        assert logged[0].postchange_data["name"] == "br0"


def test_the_vc_position_token_takes_the_devices_position_in_its_chassis(api, catalogue, org_a):
    with tenant_context(org_a.organization):
        stack = VirtualChassis.objects.create(name="stack1")

    member = created(
        call(api, "post", "/devices/", _device(catalogue, name="sw2", virtual_chassis=stack.pk, vc_position=2))
    )

    names = listed(call(api, "get", f"/interfaces/?device_id={member['id']}"))
    assert names == ["br0", "et-2/0/0", "et-2/0/0:1", "ge-2/0/1"]
    outlet = call(api, "get", f"/power-outlets/?device_id={member['id']}").json()["results"][0]
    assert outlet["name"] == "Out-2"


def test_a_vc_position_token_that_makes_two_names_one_refuses_the_device(api, catalogue, org_a):
    with tenant_context(org_a.organization):
        InterfaceTemplate.objects.create(device_type=catalogue["ex4300"], name="et-0/0/0", type="10gbase-t")

    response = call(api, "post", "/devices/", _device(catalogue, name="sw1"))

    assert response.status_code == 400
    assert response.json() == {"__all__": ["Component name conflict after resolving {vc_position}: et-0/0/0"]}
    assert call(api, "get", "/devices/").json()["count"] == 0


def test_bulk_created_devices_each_get_their_components(api, catalogue):
    response = call(api, "post", "/devices/", [_device(catalogue, name=f"sw{n}") for n in range(3)])

    assert response.status_code == 201
    for device in response.json():
        assert device["interface_count"] == 4 and device["inventory_item_count"] == 2
    assert call(api, "get", "/interfaces/").json()["count"] == 12


def _types_of_2_and_48_interfaces(catalogue, org_a) -> tuple[DeviceType, DeviceType]:
    with tenant_context(org_a.organization):
        few = DeviceType.objects.create(manufacturer=catalogue["juniper"], model="SRX300", slug="srx300")
        many = DeviceType.objects.create(manufacturer=catalogue["juniper"], model="EX4300-48T", slug="ex4300-48t")
        for device_type, count in ((few, 2), (many, 48)):
            InterfaceTemplate.objects.bulk_create(
                InterfaceTemplate(device_type=device_type, name=f"ge-0/0/{n}", type="1000base-t") for n in range(count)
            )
    return few, many


def _queries(api, payload) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = call(api, "post", "/devices/", payload)
    assert response.status_code == 201, response.content
    return len(captured)


def test_creating_a_device_costs_the_same_whatever_the_number_of_its_components(api, catalogue, org_a):
    few, many = _types_of_2_and_48_interfaces(catalogue, org_a)
    _queries(api, _device(catalogue, name="warm-up", device_type=few.pk))

    small = _queries(api, _device(catalogue, name="small", device_type=few.pk))
    large = _queries(api, _device(catalogue, name="large", device_type=many.pk))

    assert small == large
    assert call(api, "get", "/interfaces/?device=large").json()["count"] == 48


def test_creating_a_device_reads_only_the_kinds_of_template_its_type_has(api, catalogue, org_a):
    few, _many = _types_of_2_and_48_interfaces(catalogue, org_a)
    _queries(api, _device(catalogue, name="warm-up", device_type=few.pk))

    with CaptureQueriesContext(connection) as captured:
        response = call(api, "post", "/devices/", _device(catalogue, name="switch", device_type=few.pk))
    assert response.status_code == 201, response.content

    # one statement tells which kinds the type has; of the ten kinds, only its interfaces are read
    read = {
        table
        for query in captured
        if query["sql"].startswith('SELECT "inventory_')
        for table in re.findall(r'FROM "(inventory_\w+template)"', query["sql"])
    }
    assert read == {"inventory_interfacetemplate"}
    assert call(api, "get", "/interfaces/?device=switch").json()["count"] == 2


def test_bulk_creation_costs_the_same_per_device(api, catalogue):
    _queries(api, _device(catalogue, name="warm-up"))
    one = _queries(api, [_device(catalogue, name="a1")])
    two = _queries(api, [_device(catalogue, name=f"b{n}") for n in range(2)])
    five = _queries(api, [_device(catalogue, name=f"c{n}") for n in range(5)])

    per_device = two - one
    assert five == one + 4 * per_device
    assert per_device <= 6  # the device's own validation; its components cost nothing more


def test_deleting_a_device_costs_the_same_whatever_the_number_of_its_components(api, catalogue, org_a):
    # given two devices of the same site, one with 2 interfaces, one with 48
    few, many = _types_of_2_and_48_interfaces(catalogue, org_a)
    ids = {}
    for name, device_type in (("warm-up", few), ("small", few), ("large", many)):
        ids[name] = created(call(api, "post", "/devices/", _device(catalogue, name=name, device_type=device_type.pk)))[
            "id"
        ]
    call(api, "delete", f"/devices/{ids['warm-up']}/")

    # when each is deleted, its components and their change log with it
    counts = []
    for name in ("small", "large"):
        with CaptureQueriesContext(connection) as captured:
            assert call(api, "delete", f"/devices/{ids[name]}/").status_code == 204
        counts.append(len(captured))

    # then the interfaces cost nothing per row (their snapshots are read in one query, not field by field)
    assert counts[0] == counts[1]
    assert call(api, "get", "/interfaces/").json()["count"] == 0
    with tenant_context(org_a.organization):
        assert ObjectChange.objects.filter(action="delete", changed_object_type__model="interface").count() == 52


# -- rack space --------------------------------------------------------------------------------------------------------


def _mount(api, catalogue, name, position, face="front", device_type="ex4300", rack="r1"):
    return call(
        api, "post", "/devices/",
        _device(catalogue, name=name, device_type=catalogue[device_type].pk, rack=catalogue[rack].pk,
                position=position, face=face),
    )  # fmt: skip


OCCUPIED = "U{position} is already occupied or does not have sufficient space to accommodate this device type: {type}"


def test_a_device_does_not_overlap_another(api, catalogue):
    created(_mount(api, catalogue, "sw1", 10))

    same_unit = _mount(api, catalogue, "sw2", 10, face="rear")
    above = _mount(api, catalogue, "sw3", 11)

    assert same_unit.json() == {"position": [OCCUPIED.format(position="10.0", type="EX4300 (1.0U)")]}
    assert above.status_code == 201


def test_half_depth_devices_share_a_unit_front_and_back(api, catalogue):
    created(_mount(api, catalogue, "panel-front", 20, device_type="panel"))

    back = _mount(api, catalogue, "panel-back", 20, face="rear", device_type="panel")
    front_again = _mount(api, catalogue, "panel-2", 21, device_type="panel")
    full_depth = _mount(api, catalogue, "sw1", 21, face="rear")

    assert back.status_code == 201
    assert front_again.json() == {"position": [OCCUPIED.format(position="21.0", type="Panel (2.0U)")]}
    assert full_depth.json() == {"position": [OCCUPIED.format(position="21.0", type="EX4300 (1.0U)")]}


def test_a_device_fits_within_the_rack(api, catalogue):
    top = _mount(api, catalogue, "top", 42)
    beyond = _mount(api, catalogue, "panel", 42, device_type="panel")
    half_unit = _mount(api, catalogue, "half", "1.5")
    odd = _mount(api, catalogue, "odd", "2.3")

    assert top.status_code == 201 and half_unit.status_code == 201
    assert half_unit.json()["position"] == 1.5
    assert beyond.json() == {"position": [OCCUPIED.format(position="42.0", type="Panel (2.0U)")]}
    assert odd.json() == {"position": ["Position must be in increments of 0.5 rack units."]}


def test_the_racks_first_unit_counts(api, catalogue, org_a):
    with tenant_context(org_a.organization):
        catalogue["r9"] = Rack.objects.create(name="R9", site=catalogue["ams1"], u_height=10, starting_unit=5)

    below = _mount(api, catalogue, "low", 4, rack="r9")
    lowest = _mount(api, catalogue, "lowest", 5, rack="r9")
    highest = _mount(api, catalogue, "highest", 14, rack="r9")

    assert below.json() == {"position": [OCCUPIED.format(position="4.0", type="EX4300 (1.0U)")]}
    assert lowest.status_code == highest.status_code == 201


@pytest.mark.parametrize(
    ("values", "errors"),
    [
        ({"face": "front"}, {"face": ["Cannot select a rack face without assigning a rack."]}),
        ({"position": 5}, {"position": ["Cannot select a rack position without assigning a rack."]}),
        ({"rack": "r1", "position": 5}, {"face": ["Must specify rack face when defining rack position."]}),
        ({"site": "fra1", "rack": "r1"}, {"rack": ["Rack R1 does not belong to site FRA1."]}),
        ({"site": "fra1", "location": "hall"}, {"location": ["Location Hall 1 does not belong to site FRA1."]}),
        (
            {"device_type": "blade", "rack": "r1", "face": "front"},
            {"face": [
                "Child device types cannot be assigned to a rack face. This is an attribute of the parent device."
            ]},
        ),
        (
            {"device_type": "blade", "rack": "r1", "position": 3, "face": "front"},
            {"position": ["A 0U device type (MPC) cannot be assigned to a rack position."]},
        ),
    ],
)  # fmt: skip
def test_netbox_placement_rules(api, catalogue, values, errors):
    payload = _device(catalogue, name="sw1", **{key: catalogue[value].pk if value in catalogue else value
                                                for key, value in values.items()})  # fmt: skip

    response = call(api, "post", "/devices/", payload)

    assert (response.status_code, response.json()) == (400, errors)


def test_a_rack_location_mismatch_is_refused(api, catalogue, org_a):
    with tenant_context(org_a.organization):
        cage = Location.objects.create(name="Cage 2", slug="cage-2", site=catalogue["ams1"])

    response = call(api, "post", "/devices/", _device(catalogue, rack=catalogue["r1"].pk, location=cage.pk))

    assert response.json() == {"rack": ["Rack R1 does not belong to location Cage 2."]}


def test_devices_of_one_request_do_not_overlap_each_other(api, catalogue):
    rack, panel = catalogue["r1"].pk, catalogue["panel"].pk
    payload = [
        _device(catalogue, name="a", rack=rack, position=5, face="front", device_type=panel),
        _device(catalogue, name="b", rack=rack, position=6, face="front"),
    ]

    response = call(api, "post", "/devices/", payload)

    assert response.status_code == 400
    assert response.json() == {
        "detail": "1 of 2 objects could not be created.",
        "errors": [{"index": 1, "errors": {"position": [OCCUPIED.format(position="6.0", type="EX4300 (1.0U)")]}}],
    }
    assert call(api, "get", "/devices/").json()["count"] == 0


def test_moving_a_device_checks_its_new_units(api, catalogue):
    first = created(_mount(api, catalogue, "sw1", 10))
    second = created(_mount(api, catalogue, "sw2", 12))

    onto = call(api, "patch", f"/devices/{second['id']}/", {"position": 10})
    nudged = call(api, "patch", f"/devices/{first['id']}/", {"position": 11})

    assert onto.json() == {"position": [OCCUPIED.format(position="10.0", type="EX4300 (1.0U)")]}
    assert nudged.status_code == 200


def test_a_rack_keeps_room_for_its_devices(api, catalogue):
    created(_mount(api, catalogue, "sw1", 30))
    rack = f"/racks/{catalogue['r1'].pk}/"

    shorter = call(api, "patch", rack, {"u_height": 20})
    renumbered = call(api, "patch", rack, {"starting_unit": 31})
    enough = call(api, "patch", rack, {"u_height": 30})

    assert shorter.json() == {"u_height": ["Rack must be at least 30.0U tall to house currently installed devices."]}
    assert renumbered.json() == {
        "starting_unit": ["Rack unit numbering must begin at 30.0 or less to house currently installed devices."]
    }
    assert enough.status_code == 200


def test_the_rack_counts_its_devices(api, catalogue):
    created(_mount(api, catalogue, "sw1", 1))
    created(_mount(api, catalogue, "sw2", 2))

    assert call(api, "get", f"/racks/{catalogue['r1'].pk}/").json()["device_count"] == 2
    assert call(api, "get", f"/sites/{catalogue['ams1'].pk}/").json()["device_count"] == 2


# -- child devices ----------------------------------------------------------------------------------------------------


def test_a_child_device_is_installed_in_a_bay_and_follows_its_parent(api, catalogue):
    chassis = created(_mount(api, catalogue, "mx1", 1, device_type="mx960"))
    blade = created(call(api, "post", "/devices/", _device(catalogue, name="mpc0", device_type=catalogue["blade"].pk)))
    bay = call(api, "get", f"/device-bays/?device_id={chassis['id']}").json()["results"][0]

    installed = call(api, "patch", f"/device-bays/{bay['id']}/", {"installed_device": blade["id"]})
    elsewhere = {"site": catalogue["fra1"].pk, "rack": None, "location": None, "position": None, "face": ""}
    moved = call(api, "patch", f"/devices/{chassis['id']}/", elsewhere)
    child = call(api, "get", f"/devices/{blade['id']}/").json()

    assert installed.status_code == 200 and installed.json()["_occupied"] is True
    assert moved.status_code == 200, moved.content
    assert child["site"]["slug"] == "fra1"
    assert child["parent_device"]["id"] == chassis["id"]
    assert child["parent_device"]["device_bay"]["name"] == "Slot 0"


def test_only_child_devices_go_in_bays(api, catalogue):
    chassis = created(_mount(api, catalogue, "mx1", 1, device_type="mx960"))
    other = created(call(api, "post", "/devices/", _device(catalogue, name="sw1")))
    bay = call(api, "get", f"/device-bays/?device_id={chassis['id']}").json()["results"][0]

    response = call(api, "patch", f"/device-bays/{bay['id']}/", {"installed_device": other["id"]})
    itself = call(api, "post", "/device-bays/", {"device": other["id"], "name": "Bay"})

    assert response.json() == {"installed_device": ["Cannot install device; device type (EX4300) is not a child type."]}
    assert itself.json() == {"__all__": ["This type of device (EX4300) does not support device bays."]}


def test_a_devices_role_counts_the_devices_of_its_subtree(api, catalogue, org_a):
    with tenant_context(org_a.organization):
        access = catalogue["role"]
        edge = DeviceRole.objects.create(name="Edge", slug="edge", parent=access)
    created(call(api, "post", "/devices/", _device(catalogue, name="sw1")))
    created(call(api, "post", "/devices/", _device(catalogue, name="sw2", role=edge.pk)))
    created(call(api, "post", "/devices/", _device(catalogue, name="sw3", role=edge.pk)))

    roles = {row["name"]: row["role"] for row in call(api, "get", "/devices/").json()["results"]}

    # NetBox's cumulative count: a role counts its own devices and those of the roles below it
    assert roles["sw1"]["device_count"] == 3 and roles["sw2"]["device_count"] == 2
    assert roles["sw3"]["device_count"] == 2 and roles["sw2"]["_depth"] == 1


def test_a_racks_utilization_counts_devices_and_reservations(api, catalogue, org_a):
    from django.contrib.auth import get_user_model

    from inventory.models import RackReservation

    created(_mount(api, catalogue, "sw1", 1))
    created(_mount(api, catalogue, "panel", 3, device_type="panel"))  # 2U, half depth
    with tenant_context(org_a.organization):
        shelf = DeviceType.objects.create(
            manufacturer=catalogue["juniper"], model="Shelf", slug="shelf", exclude_from_utilization=True
        )
        owner = get_user_model().objects.get(email="owner-a@example.com")
        RackReservation.objects.create(rack=catalogue["r1"], units=[10, 11], user_id=owner.pk, description="x")
    created(call(api, "post", "/devices/", _device(catalogue, name="shelf", device_type=shelf.pk,
                                                   rack=catalogue["r1"].pk, position=20, face="front")))  # fmt: skip

    rack = call(api, "get", f"/racks/{catalogue['r1'].pk}/").json()
    listed_racks = call(api, "get", "/racks/").json()["results"]

    assert rack["utilization"] == round(5 / 42 * 100, 1)  # U1, U3-U4 and U10-U11 of 42
    assert listed_racks[0]["utilization"] == rack["utilization"]
    assert rack["power_utilization"] == 0.0


def test_a_bulk_create_of_devices_costs_the_same_statements_for_20_devices_as_for_2(api, catalogue, org_a):
    few, _many = _types_of_2_and_48_interfaces(catalogue, org_a)
    _queries(api, [_device(catalogue, name=f"warm-{n}", device_type=few.pk) for n in range(2)])

    two = _queries(api, [_device(catalogue, name=f"two-{n}", device_type=few.pk) for n in range(2)])
    twenty = _queries(api, [_device(catalogue, name=f"twenty-{n}", device_type=few.pk) for n in range(20)])

    assert two == twenty
    assert call(api, "get", "/devices/?name__isw=twenty-").json()["count"] == 20


def test_a_bulk_create_is_refused_at_the_device_whose_name_is_taken_whatever_the_case(api, catalogue):
    created(call(api, "post", "/devices/", _device(catalogue, name="sw1")))

    response = call(api, "post", "/devices/", [_device(catalogue, name="sw2"), _device(catalogue, name="SW1")])

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"index": 1, "errors": {"__all__": ["Device name must be unique per site and tenant."]}}
    ]
    assert call(api, "get", "/devices/?name=sw2").json()["count"] == 0
