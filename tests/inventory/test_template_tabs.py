"""A device type's and a module type's page: a tab per kind of component template, as NetBox's, with
the type's count of them, left out while there are none."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from inventory.models import (
    ConsolePortTemplate,
    DeviceBayTemplate,
    DeviceType,
    InterfaceTemplate,
    Manufacturer,
    ModuleBayTemplate,
    ModuleType,
    PowerOutletTemplate,
    PowerPortTemplate,
)
from tenants.context import tenant_context

UI = "/o/org-a/dcim"


@pytest.fixture
def chassis(org_a):
    """EX4300 (a parent) with a console port, PSU0 feeding two outlets, three interfaces and a device
    bay; SRX300 with one interface of its own; an uplink module type with two interfaces and a bay."""
    with tenant_context(org_a.organization):
        juniper = Manufacturer.objects.create(name="Juniper", slug="juniper")
        ex4300 = DeviceType.objects.create(manufacturer=juniper, model="EX4300", slug="ex4300", subdevice_role="parent")
        srx300 = DeviceType.objects.create(manufacturer=juniper, model="SRX300", slug="srx300")
        uplink = ModuleType.objects.create(manufacturer=juniper, model="EX-UM-4X4SFP")
        ConsolePortTemplate.objects.create(device_type=ex4300, name="Console", type="rj-45")
        psu = PowerPortTemplate.objects.create(device_type=ex4300, name="PSU0", type="iec-60320-c14")
        for number in (1, 2):
            PowerOutletTemplate.objects.create(device_type=ex4300, name=f"Out{number}", power_port=psu, feed_leg="A")
        for number in range(3):
            InterfaceTemplate.objects.create(device_type=ex4300, name=f"ge-0/0/{number}", type="1000base-t")
        DeviceBayTemplate.objects.create(device_type=ex4300, name="Bay 1")
        InterfaceTemplate.objects.create(device_type=srx300, name="ge-0/0/9", type="1000base-t")
        for number in range(2):
            InterfaceTemplate.objects.create(
                module_type=uplink, name=f"xe-{{module}}/2/{number}", type="10gbase-x-sfpp"
            )
        ModuleBayTemplate.objects.create(module_type=uplink, name="SFP 1", position="1")
    return {"ex4300": ex4300, "srx300": srx300, "uplink": uplink}


def tab_badges(body: str, path: str) -> dict[str, int]:
    """The page's template tabs below `path` (a type's page), by name, with their badges (every object page's
    journal, changelog and images tabs left out)."""
    found = re.findall(rf'href="{re.escape(path)}([a-z-]+)/">[^<]*<span[^>]*>(\d+)</span>', body)
    return {name: int(badge) for name, badge in found if name not in {"journal", "changelog", "images"}}


def test_a_device_types_page_has_a_tab_per_kind_of_template_it_has(org_a, chassis):
    path = f"{UI}/device-types/{chassis['ex4300'].pk}/"

    body = org_a.client().get(path).content.decode()

    assert tab_badges(body, path) == {
        "console-ports": 1, "power-ports": 1, "power-outlets": 2, "interfaces": 3, "device-bays": 1,
    }  # fmt: skip
    assert list(tab_badges(body, path)) == [
        "console-ports",
        "power-ports",
        "power-outlets",
        "interfaces",
        "device-bays",
    ]
    assert f'href="{path}front-ports/"' not in body  # none: no tab, as NetBox's hide_if_empty


def test_a_template_tab_lists_the_types_templates(org_a, chassis):
    pk = chassis["ex4300"].pk

    response = org_a.client().get(f"{UI}/device-types/{pk}/power-outlets/")

    body = response.content.decode()
    table = body[body.index("wb-related-table") :]
    headers = re.findall(r'<th scope="col">([^<]*)</th>', table)
    assert response.status_code == 200
    assert headers == ["Name", "Label", "Type", "Power port", "Feed leg", "Description"]
    assert "Out1" in table and "Out2" in table and "PSU0" in table
    assert f'aria-current="page" href="{UI}/device-types/{pk}/power-outlets/"' in body
    assert f"{UI}/power-outlet-templates/add/?device_type={pk}" in body
    assert f"{UI}/power-outlet-templates/?device_type_id={pk}" in body
    interfaces = org_a.client().get(f"{UI}/device-types/{pk}/interfaces/").content.decode()
    assert "ge-0/0/9" not in interfaces  # the SRX300's


def test_an_empty_template_tab_is_still_there(org_a, chassis):
    pk = chassis["srx300"].pk
    response = org_a.client().get(f"{UI}/device-types/{pk}/rear-ports/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "Rear port templates" in body and "None" in body[body.index("Rear port templates") :]
    assert f'aria-current="page" href="{UI}/device-types/{pk}/rear-ports/"' in body  # shown while open


def test_a_module_types_page_has_the_modular_templates_tabs(org_a, chassis):
    path = f"{UI}/module-types/{chassis['uplink'].pk}/"
    client = org_a.client()

    body = client.get(path).content.decode()
    interfaces = client.get(f"{path}interfaces/").content.decode()

    assert tab_badges(body, path) == {"interfaces": 2, "module-bays": 1}
    assert "xe-{module}/2/0" in interfaces and "ge-0/0/0" not in interfaces
    assert client.get(f"{path}device-bays/").status_code == 404  # module types have none
    assert client.get(f"{path}inventory-items/").status_code == 404


def test_template_tabs_are_the_organizations_own(org_a, org_b, chassis):
    pk = chassis["ex4300"].pk
    for path in (f"device-types/{pk}/interfaces/", f"device-types/{pk}/console-ports/", "module-types/{}/interfaces/"):
        path = path.format(chassis["uplink"].pk)
        assert org_b.client().get(f"{UI}/{path}").status_code == 404, path
        assert org_b.client().get(f"/o/org-b/dcim/{path}").status_code == 404, path
        assert Client().get(f"{UI}/{path}").status_code == 302, path  # to the login page


def test_a_device_types_page_reads_its_template_counts_with_the_type(org_a, chassis):
    client = org_a.client()
    path = f"{UI}/device-types/{chassis['srx300'].pk}/"
    client.get(path)  # caches warmed

    with CaptureQueriesContext(connection) as one:
        client.get(path)
    with tenant_context(org_a.organization):
        for number in range(20):
            InterfaceTemplate.objects.create(device_type=chassis["srx300"], name=f"xe-0/1/{number}", type="10gbase-t")
            ConsolePortTemplate.objects.create(device_type=chassis["srx300"], name=f"con{number}")
    with CaptureQueriesContext(connection) as many:
        body = client.get(path).content.decode()

    assert tab_badges(body, path) == {"console-ports": 20, "interfaces": 21}
    assert len(many) == len(one) > 0
