"""Modules at NetBox's dcim/modules endpoint: installing one makes its type's components (`{module}` from the
bay positions, nested bays included), adopts the device's own or refuses a name taken; the bay rules; moving
a module takes its components along."""

import pytest

from inventory.models import (
    ConsolePortTemplate,
    Device,
    DeviceRole,
    DeviceType,
    InterfaceTemplate,
    Manufacturer,
    ModuleBay,
    ModuleBayTemplate,
    ModuleBayType,
    ModuleType,
    Site,
)
from tenants.context import tenant_context
from tests.inventory.dcim import call, created, listed


@pytest.fixture
def chassis(org_a):
    """sw1 and sw2 (Cisco C9400), each with line card slots 1 and 2 (positions "1", "2") and a slot with no
    position; the line card type (ports Gi{module}/0/1-2, a console, a sub-slot "{module}/1" at position
    "{module}") and the optic type (port Te{module}/{module}/1, for nested bays)."""
    with tenant_context(org_a.organization):
        site = Site.objects.create(name="AMS1", slug="ams1")
        cisco = Manufacturer.objects.create(name="Cisco", slug="cisco")
        chassis_type = DeviceType.objects.create(manufacturer=cisco, model="C9400", slug="c9400")
        role = DeviceRole.objects.create(name="Core", slug="core")
        devices = {}
        for name in ("sw1", "sw2"):
            device = Device.objects.create(name=name, device_type=chassis_type, role=role, site=site)
            devices[name] = device
            for number in (1, 2):
                devices[f"{name}-slot{number}"] = ModuleBay.objects.create(
                    device=device, name=f"Slot {number}", position=str(number)
                )
            devices[f"{name}-nameless"] = ModuleBay.objects.create(device=device, name="Spare")
        card = ModuleType.objects.create(manufacturer=cisco, model="C9400-LC-48T")
        for port in (1, 2):
            InterfaceTemplate.objects.create(module_type=card, name=f"Gi{{module}}/0/{port}", type="1000base-t")
        ConsolePortTemplate.objects.create(module_type=card, name="Console", type="usb-c")
        ModuleBayTemplate.objects.create(module_type=card, name="Sub {module}/1", position="{module}")
        optic = ModuleType.objects.create(manufacturer=cisco, model="SFP-10G")
        InterfaceTemplate.objects.create(module_type=optic, name="Te{module}/{module}/1", type="10gbase-x-sfpp")
        return {**devices, "card": card, "optic": optic, "cisco": cisco}


def _install(api, chassis, device="sw1", bay="sw1-slot1", module_type="card", **extra):
    return call(
        api, "post", "/modules/",
        {"device": chassis[device].pk, "module_bay": chassis[bay].pk, "module_type": chassis[module_type].pk, **extra},
    )  # fmt: skip


def _names(api, path: str, **filters) -> list[str]:
    query = "&".join(f"{key}={value}" for key, value in filters.items())
    return listed(call(api, "get", f"{path}?{query}"))


def test_a_module_brings_its_types_components_named_after_its_bay(api, chassis):
    module = created(_install(api, chassis, bay="sw1-slot2"))

    assert list(module) == [
        "id", "url", "display_url", "display", "device", "module_bay", "module_type", "status", "serial",
        "asset_tag", "description", "owner", "comments", "tags", "custom_fields", "created", "last_updated",
        "is_bay_compatible",
    ]  # fmt: skip
    assert module["display"] == f"Slot 2: C9400-LC-48T ({module['id']})"
    assert set(module["module_bay"]) == {"id", "url", "display_url", "display", "name"}
    assert _names(api, "/interfaces/", module_id=module["id"]) == ["Gi2/0/1", "Gi2/0/2"]
    assert _names(api, "/console-ports/", module_id=module["id"]) == ["Console"]
    sub = call(api, "get", f"/module-bays/?module_id={module['id']}").json()["results"][0]
    assert (sub["name"], sub["position"]) == ("Sub 2/1", "2")
    assert sub["module"]["id"] == module["id"]
    interface = call(api, "get", f"/interfaces/?module_id={module['id']}").json()["results"][0]
    assert set(interface["module"]) == {"id", "url", "display", "device", "module_bay"}


def test_a_nested_module_resolves_every_level(api, chassis):
    card = created(_install(api, chassis, bay="sw1-slot2"))
    sub = call(api, "get", f"/module-bays/?module_id={card['id']}").json()["results"][0]

    optic = call(api, "post", "/modules/", {"device": chassis["sw1"].pk, "module_bay": sub["id"],
                                            "module_type": chassis["optic"].pk})  # fmt: skip

    assert optic.status_code == 201, optic.content
    assert _names(api, "/interfaces/", module_id=optic.json()["id"]) == ["Te2/2/1"]
    bay = call(api, "get", f"/module-bays/{sub['id']}/").json()
    assert bay["installed_module"]["id"] == optic.json()["id"] and bay["_occupied"] is True


def test_a_placeholder_needs_a_bay_position(api, chassis):
    response = _install(api, chassis, bay="sw1-nameless")

    assert response.status_code == 400
    assert response.json() == {
        "__all__": ["Cannot install module with placeholder values in a module bay with no position defined."]
    }
    assert call(api, "get", "/modules/").json()["count"] == 0


def test_a_name_the_device_has_is_refused_unless_adopted(api, chassis):
    existing = created(call(api, "post", "/interfaces/", {"device": chassis["sw1"].pk, "name": "Gi1/0/1",
                                                          "type": "1000base-t"}))  # fmt: skip

    refused = _install(api, chassis)
    adopted = _install(api, chassis, adopt_components=True)

    assert refused.json() == {"__all__": ["A Interface named Gi1/0/1 already exists"]}
    assert adopted.status_code == 201
    interfaces = call(api, "get", f"/interfaces/?module_id={adopted.json()['id']}").json()["results"]
    assert [(row["id"], row["name"]) for row in interfaces if row["name"] == "Gi1/0/1"] == [(existing["id"], "Gi1/0/1")]
    assert len(interfaces) == 2


def test_components_can_be_left_out(api, chassis):
    module = created(_install(api, chassis, replicate_components=False))

    assert call(api, "get", f"/interfaces/?module_id={module['id']}").json()["count"] == 0
    bad = _install(api, chassis, bay="sw1-slot2", replicate_components="no")
    assert bad.json() == {"replicate_components": ["Must be a valid boolean."]}


def test_bay_rules(api, chassis, org_a):
    created(_install(api, chassis))
    with tenant_context(org_a.organization):
        psu_slot = ModuleBayType.objects.create(name="PSU slot", slug="psu-slot")
        fan_slot = ModuleBayType.objects.create(name="Fan slot", slug="fan-slot")
        chassis["sw1-slot2"].module_bay_types.set([psu_slot])
        chassis["card"].module_bay_types.set([fan_slot])
        chassis["sw2-slot1"].enabled = False
        chassis["sw2-slot1"].save()

    occupied = _install(api, chassis)
    incompatible = _install(api, chassis, bay="sw1-slot2")
    disabled = _install(api, chassis, device="sw2", bay="sw2-slot1")
    elsewhere = _install(api, chassis, device="sw2", bay="sw1-slot2")

    assert occupied.json()["module_bay"][0].startswith("Module bay Slot 1 is already occupied by module Slot 1:")
    assert incompatible.json() == {
        "__all__": [
            "Module type C9400-LC-48T is not compatible with module bay Slot 2: their bay type sets have no common "
            "members."
        ]
    }
    assert disabled.json() == {"module_bay": ["Cannot install a module in a disabled module bay."]}
    assert elsewhere.json() == {
        "__all__": ["Module must be installed within a module bay belonging to the assigned device (sw2)."]
    }


def test_moving_a_module_takes_its_components_and_renames_them(api, chassis):
    card = created(_install(api, chassis, bay="sw1-slot1"))
    sub = call(api, "get", f"/module-bays/?module_id={card['id']}").json()["results"][0]
    optic = created(call(api, "post", "/modules/", {"device": chassis["sw1"].pk, "module_bay": sub["id"],
                                                    "module_type": chassis["optic"].pk}))  # fmt: skip

    moved = call(api, "patch", f"/modules/{card['id']}/", {"module_bay": chassis["sw2-slot2"].pk})

    assert moved.status_code == 200, moved.content
    assert moved.json()["device"]["name"] == "sw2"
    assert _names(api, "/interfaces/", module_id=card["id"]) == ["Gi2/0/1", "Gi2/0/2"]
    assert _names(api, "/interfaces/", device_id=chassis["sw2"].pk) == ["Gi2/0/1", "Gi2/0/2", "Te2/2/1"]
    assert _names(api, "/interfaces/", device_id=chassis["sw1"].pk) == []
    assert call(api, "get", f"/modules/{optic['id']}/").json()["device"]["name"] == "sw2"
    assert call(api, "get", f"/module-bays/{sub['id']}/").json()["device"]["name"] == "sw2"


def test_a_module_cannot_change_type_while_moving(api, chassis, org_a):
    card = created(_install(api, chassis))
    with tenant_context(org_a.organization):
        other = ModuleType.objects.create(manufacturer=chassis["cisco"], model="C9400-LC-24S")

    response = call(
        api, "patch", f"/modules/{card['id']}/", {"module_bay": chassis["sw1-slot2"].pk, "module_type": other.pk}
    )

    assert response.json() == {
        "module_type": [
            "Changing a module's type while moving it is not supported. Change the module type and move the module "
            "as separate operations."
        ]
    }


def test_removing_a_module_removes_its_components(api, chassis):
    card = created(_install(api, chassis))

    assert call(api, "delete", f"/modules/{card['id']}/").status_code == 204
    assert call(api, "get", f"/interfaces/?device_id={chassis['sw1'].pk}").json()["count"] == 0
    assert _names(api, "/module-bays/", device_id=chassis["sw1"].pk) == ["Slot 1", "Slot 2", "Spare"]
