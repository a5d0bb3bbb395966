"""NetBox's device-type library format: device and module types imported with their component templates
from real library files (tests/inventory/library/), through the import pages and the REST API as
NetBox's library importer calls it; all or nothing; exported again in the same format."""

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.models import ObjectPermission
from frontend import transfer
from inventory.models import (
    ConsolePortTemplate,
    DeviceType,
    FrontPortTemplate,
    InterfaceTemplate,
    InventoryItemRole,
    InventoryItemTemplate,
    Manufacturer,
    ModuleBayType,
    ModuleType,
    ModuleTypeProfile,
    PortMapping,
    PortTemplateMapping,
    PowerOutletTemplate,
    PowerPortTemplate,
    RearPortTemplate,
)
from tenants.context import tenant_context
from tenants.models import Membership, MembershipRole
from tests.inventory.dcim import call, created

LIBRARY = Path(__file__).parent / "library"
UI = "/o/org-a/dcim"
PDU = (LIBRARY / "APC-AP7900B.yaml").read_text()
PANEL = (LIBRARY / "Generic-8-port-copper-patch-panel.yaml").read_text()
UPLINK = (LIBRARY / "Juniper-EX4400-EM-4S.yaml").read_text()


@pytest.fixture
def makers(org_a):
    """The manufacturers the files name (NetBox's import takes existing ones only)."""
    with tenant_context(org_a.organization):
        return {
            name: Manufacturer.objects.create(name=name, slug=name.lower()) for name in ("APC", "Generic", "Juniper")
        }


def import_page(client, path: str, text: str, fmt: str = "yaml"):
    return client.post(f"{UI}/{path}/import/", {"data": text, "format": fmt})


def errors_shown(response) -> list[tuple[str, str, str]]:
    """The import page's errors as (record, field, message)."""
    body = response.content.decode()
    rows = re.findall(
        r'<tr class="wb-import-error" data-record="([^"]*)" data-field="([^"]*)"><td>[^<]*</td><td>[^<]*</td>'
        r"<td>([^<]*)</td>",
        body,
    )
    return [(record, name, message.replace("&#x27;", "'").replace("&quot;", '"')) for record, name, message in rows]


def test_library_files_import_with_their_templates(api, org_a, makers):
    response = import_page(api, "device-types", PDU + PANEL)

    assert response.status_code == 302, errors_shown(response) or response.content.decode()[:3000]
    with tenant_context(org_a.organization):
        pdu = DeviceType.objects.get(model="AP7900B")
        panel = DeviceType.objects.get(model="8-port Copper Patch Panel")
        outlets = list(PowerOutletTemplate.objects.filter(device_type=pdu).select_related("power_port"))
        interface = InterfaceTemplate.objects.get(device_type=pdu)
        console = ConsolePortTemplate.objects.get(device_type=pdu)
        fronts = FrontPortTemplate.objects.filter(device_type=panel).count()
        rears = RearPortTemplate.objects.filter(device_type=panel).count()
    assert (pdu.manufacturer_id, pdu.slug, pdu.part_number, pdu.is_full_depth) == (
        makers["APC"].pk,
        "apc-ap7900b",
        "AP7900B",
        False,
    )
    assert (str(pdu.weight), pdu.weight_unit, pdu.airflow) == ("2.25", "kg", "passive")
    assert pdu.comments.startswith("Rack PDU, Switched, 1U, 12A, 120V, (8)5-15\n[Product Page]")
    assert len(outlets) == 8
    assert {(o.type, o.power_port.name, o.feed_leg) for o in outlets} == {("nema-5-15r", "Power Port 1", "A")}
    assert (interface.name, interface.type, interface.mgmt_only) == ("Management", "100base-tx", True)
    assert (console.name, console.type) == ("Serial", "rj-12")
    assert (panel.is_full_depth, fronts, rears) == (True, 8, 8)


def cassette(*, inline: bool) -> str:
    """A 24-port LC to MPO-24 cassette as the library writes one: 24 front ports passing through to the 24
    positions of one rear port, in NetBox 4.5+'s `port-mappings` or the older files' `rear_port` of each port."""
    lines = [
        "---", "manufacturer: Generic", "model: 24-port LC to MPO-24 Cassette", "slug: generic-24-port-lc-mpo-cassette",
        "u_height: 1", "is_full_depth: false", "airflow: passive", "front-ports:",
    ]  # fmt: skip
    for n in range(1, 25):
        lines += [f"  - name: LC {n}", "    type: lc", "    positions: 1"]
        if inline:
            lines += ["    rear_port: MPO", f"    rear_port_position: {n}"]
    lines += ["rear-ports:", "  - name: MPO", "    type: mpo", "    positions: 24"]
    if not inline:
        lines.append("port-mappings:")
        for n in range(1, 25):
            lines += [f"  - front_port: LC {n}", "    front_port_position: 1", "    rear_port: MPO",
                      f"    rear_port_position: {n}"]  # fmt: skip
    return "\n".join(lines) + "\n"


def mappings_of(device_type) -> list[tuple[str, int, str, int]]:
    return list(
        PortTemplateMapping.objects.filter(front_port__device_type=device_type)
        .order_by("front_port__pk", "front_port_position")
        .values_list("front_port__name", "front_port_position", "rear_port__name", "rear_port_position")
    )


@pytest.mark.parametrize("inline", [False, True], ids=["port-mappings", "rear_port"])
def test_front_ports_pass_through_to_the_rear_port_positions_they_name(api, org_a, makers, inline):
    response = import_page(api, "device-types", cassette(inline=inline) + PANEL)

    assert response.status_code == 302, errors_shown(response)
    with tenant_context(org_a.organization):
        box = DeviceType.objects.get(slug="generic-24-port-lc-mpo-cassette")
        panel = DeviceType.objects.get(slug="generic-8-port-copper-patch-panel")
        assert mappings_of(box) == [(f"LC {n}", 1, "MPO", n) for n in range(1, 25)]
        assert mappings_of(panel) == [(f"Port {n}", 1, f"Port {n}", 1) for n in range(1, 9)]  # one to one
    # a device of the type gets the mappings between its ports, as NetBox makes them
    site = created(call(api, "post", "/sites/", [{"name": "S", "slug": "s"}]))[0]["id"]
    role = created(call(api, "post", "/device-roles/", [{"name": "R", "slug": "r"}]))[0]["id"]
    device = created(
        call(api, "post", "/devices/", [{"name": "C1", "device_type": box.pk, "role": role, "site": site}])
    )[0]["id"]
    with tenant_context(org_a.organization):
        found = PortMapping.objects.filter(device_id=device).values_list(
            "front_port__name", "rear_port__name", "rear_port_position"
        )
        assert sorted(found, key=lambda row: row[2]) == [(f"LC {n}", "MPO", n) for n in range(1, 25)]


@pytest.mark.parametrize(
    ("change", "place", "message"),
    [
        (("  - front_port: LC 3\n", "  - front_port: LC 99\n"), "port-mappings[3].front_port",
         "Select a valid choice. That choice is not one of the available choices."),
        (("    rear_port: MPO\n    rear_port_position: 2\n", "    rear_port: MP0\n    rear_port_position: 2\n"),
         "port-mappings[2].rear_port", "Select a valid choice. That choice is not one of the available choices."),
        (("    rear_port_position: 24\n", "    rear_port_position: 25\n"), "front-ports[24].rear_ports", None),
    ],
)  # fmt: skip
def test_a_mapping_naming_nothing_writes_nothing(api, org_a, makers, change, place, message):
    text = cassette(inline=False).replace(*change, 1)
    assert text != cassette(inline=False)

    response = import_page(api, "device-types", text)

    assert response.status_code == 400
    shown = {name: shown for _record, name, shown in errors_shown(response)}
    assert place in shown, shown
    assert message is None or shown[place] == message
    with tenant_context(org_a.organization):
        assert not DeviceType.objects.exists() and not PortTemplateMapping.objects.exists()


def test_an_older_front_port_naming_no_rear_port_is_refused(api, makers):
    text = cassette(inline=True).replace("    rear_port: MPO\n    rear_port_position: 2\n", "    rear_port: X\n", 1)

    response = import_page(api, "device-types", text)

    assert response.status_code == 400
    assert errors_shown(response) == [
        ("1", "front-ports[2].rear_port", "Select a valid choice. That choice is not one of the available choices.")
    ]


def test_a_library_file_uploads_as_it_is(api, org_a, makers):
    upload = SimpleUploadedFile("AP7900B.yaml", PDU.encode())

    response = api.post(f"{UI}/device-types/import/", {"data": "", "format": "auto", "upload": upload})

    assert response.status_code == 302, errors_shown(response)
    with tenant_context(org_a.organization):
        assert DeviceType.objects.get().interfacetemplates.count() == 1


def test_a_pasted_record_without_a_document_marker_is_read_as_yaml(api, org_a, makers):
    response = import_page(api, "device-types", PDU.removeprefix("---\n"), fmt="auto")

    assert response.status_code == 302, errors_shown(response)


def test_module_types_import_with_their_templates(api, org_a, makers):
    response = import_page(api, "module-types", UPLINK)

    assert response.status_code == 302, errors_shown(response)
    with tenant_context(org_a.organization):
        uplink = ModuleType.objects.get()
        names = sorted(uplink.interfacetemplates.values_list("name", "type"))
    assert (uplink.manufacturer_id, uplink.part_number, str(uplink.weight), uplink.weight_unit) == (
        makers["Juniper"].pk, "EX4400-EM-4S", "0.20", "lb"
    )  # fmt: skip
    assert names == [(f"xe-0/2/{n}", "10gbase-x-sfpp") for n in range(4)]


def test_a_manufacturer_is_not_made_up(api, org_a):
    """As NetBox: a manufacturer the organization does not have is an error, nothing is created."""
    response = import_page(api, "device-types", PDU)

    assert response.status_code == 400
    assert errors_shown(response) == [
        ("1", "manufacturer", "Related object not found using the provided attributes: {'name': 'APC'}")
    ]
    with tenant_context(org_a.organization):
        assert not Manufacturer.objects.exists() and not DeviceType.objects.exists()


def test_one_bad_template_writes_nothing(api, org_a, makers):
    broken = PANEL.replace("  - name: Port 3\n    type: 8p8c", "  - name: Port 3\n    type: rj-99", 1)

    response = import_page(api, "device-types", PDU + broken)

    assert response.status_code == 400
    assert errors_shown(response) == [("2", "front-ports[3].type", "Value 'rj-99' is not a valid choice.")]
    with tenant_context(org_a.organization):
        assert not DeviceType.objects.exists()
        assert not PowerOutletTemplate.objects.exists() and not InterfaceTemplate.objects.exists()


@pytest.mark.parametrize(
    ("change", "place", "message"),
    [
        (
            ("power_port: Power Port 1\n    feed_leg: A\n  - name: Power Outlet 2", "power_port: PP9\n    feed_leg: A\n"
             "  - name: Power Outlet 2"),
            "power-outlets[1].power_port",
            "Select a valid choice. That choice is not one of the available choices.",
        ),
        (("    mgmt_only: true\n", "    mgmt_only: true\n    speed: 100\n"), "interfaces[1].speed", "Unknown field."),
        (("console-ports:\n  - name: Serial", "console-ports: Serial\nx:\n  - name: Serial"), "console-ports",
         "Must be a list."),
        (("  - name: Serial\n", "  - Serial\n  - name: Serial\n"), "console-ports[1]", "Must be a dictionary."),
        (("slug: apc-ap7900b\n", "slug: apc-ap7900b\nheight: 1\n"), "height", "Unknown column."),
        (("u_height: 1\n", "u_height: 0.3\n"), "u_height", "U height must be in increments of 0.5 rack units."),
    ],
)  # fmt: skip
def test_import_errors_name_the_record_and_the_place(api, org_a, makers, change, place, message):
    text = PDU.replace(*change, 1)
    assert text != PDU

    response = import_page(api, "device-types", PANEL + text)

    assert response.status_code == 400
    assert (place, message) in [(name, shown) for record, name, shown in errors_shown(response) if record == "2"]
    with tenant_context(org_a.organization):
        assert not DeviceType.objects.exists()


def test_every_name_that_names_nothing_is_reported(api, makers):
    first = PDU.replace(
        "power_port: Power Port 1\n    feed_leg: A\n  - name: Power Outlet 2",
        "power_port: PP9\n    feed_leg: A\n  - name: Power Outlet 2",
        1,
    )
    second = first.replace("AP7900B", "AP7901B").replace("ap7900b", "ap7901b").replace("PP9", "PP8")
    second = second.replace(
        "    power_port: Power Port 1\n    feed_leg: A\n  - name: Power Outlet 8",
        "    power_port: PP7\n    feed_leg: A\n  - name: Power Outlet 8",
    )

    response = import_page(api, "device-types", first + second)

    invalid = "Select a valid choice. That choice is not one of the available choices."
    assert errors_shown(response) == [
        ("1", "power-outlets[1].power_port", invalid),
        ("2", "power-outlets[1].power_port", invalid),
        ("2", "power-outlets[7].power_port", invalid),
    ]


EVERY_KIND = """---
manufacturer: Juniper
model: MX204
slug: mx204
u_height: 1
subdevice_role: parent
front_image: true
rear_image: true
console-server-ports:
  - name: CS1
    type: rj-45
power-ports:
  - name: PEM0
    type: iec-60320-c14
    maximum_draw: 650
    allocated_draw: 400
interfaces:
  - name: ae0.0
    type: virtual
    parent: ae0
  - name: ae0
    type: lag
  - name: et-0/0/0
    type: 100gbase-x-qsfp28
    channels: 4
  - name: et-0/0/0:1
    type: 25gbase-x-sfp28
    parent: et-0/0/0
    channel_id: 1
  - name: br0
    type: bridge
  - name: xe-0/1/0
    type: 10gbase-x-sfpp
    bridge: br0
    label: Uplink
module-bays:
  - name: PSU 0
    position: '0'
    module_bay_types: [PSU]
  - name: FPC 0
    position: '0'
    enabled: false
device-bays:
  - name: Blade 1
    label: B1
inventory-items:
  - name: Chassis
  - name: Fan tray
    parent: Chassis
    role: Cooling
    manufacturer: Juniper
    part_id: FANTRAY-MX204
"""


def test_every_kind_of_template_and_what_it_names(api, org_a, makers):
    with tenant_context(org_a.organization):
        InventoryItemRole.objects.create(name="Cooling", slug="cooling")
        ModuleBayType.objects.create(name="PSU", slug="psu")  # of no manufacturer
        juniper_psu = ModuleBayType.objects.create(name="PSU", slug="juniper-psu", manufacturer=makers["Juniper"])
        ModuleBayType.objects.create(name="PSU", slug="apc-psu", manufacturer=makers["APC"])

    response = import_page(api, "device-types", EVERY_KIND)

    assert response.status_code == 302, errors_shown(response)
    with tenant_context(org_a.organization):
        mx = DeviceType.objects.get()
        interfaces = {
            i.name: i for i in InterfaceTemplate.objects.filter(device_type=mx).select_related("parent", "bridge")
        }
        bays = {b.name: b for b in mx.modulebaytemplates.prefetch_related("module_bay_types")}
        fan = InventoryItemTemplate.objects.select_related("parent", "role", "manufacturer").get(name="Fan tray")
        power = mx.powerporttemplates.get()
        assert (mx.front_image, mx.rear_image) == ("", "")  # the library's picture flags: no file, nothing recorded
        assert mx.consoleserverporttemplates.get().type == "rj-45"
        assert (power.maximum_draw, power.allocated_draw) == (650, 400)
        assert interfaces["ae0.0"].parent == interfaces["ae0"]  # named before it was listed: a later wave
        assert (interfaces["et-0/0/0:1"].parent, interfaces["et-0/0/0:1"].channel_id) == (interfaces["et-0/0/0"], 1)
        assert (interfaces["xe-0/1/0"].bridge, interfaces["xe-0/1/0"].label) == (interfaces["br0"], "Uplink")
        assert list(bays["PSU 0"].module_bay_types.all()) == [juniper_psu]  # the maker's own, as NetBox 4.7 picks
        assert (bays["FPC 0"].enabled, bays["FPC 0"].position) == (False, "0")
        assert mx.devicebaytemplates.get().label == "B1"
        assert (fan.parent.name, fan.role.name, fan.manufacturer, fan.part_id) == (
            "Chassis", "Cooling", makers["Juniper"], "FANTRAY-MX204"
        )  # fmt: skip


def test_templates_that_name_each_other_in_a_circle_are_refused(api, org_a, makers):
    text = EVERY_KIND.replace("  - name: ae0\n    type: lag\n", "  - name: ae0\n    type: virtual\n    parent: ae0.0\n")

    response = import_page(api, "device-types", text)

    assert response.status_code == 400
    assert errors_shown(response)[0][1] in ("interfaces[1].parent", "interfaces[2].parent")
    assert "refer to each other" in errors_shown(response)[0][2]


def test_each_kind_of_template_is_written_in_one_statement(api, org_a, makers):
    def inserts(text: str) -> dict[str, int]:
        with CaptureQueriesContext(connection) as queries:
            response = import_page(api, "device-types", text)
        assert response.status_code == 302, errors_shown(response)
        found: dict[str, int] = {}
        for query in queries:
            if query["sql"].startswith('INSERT INTO "inventory_'):
                table = query["sql"].split('"')[1]
                found[table] = found.get(table, 0) + 1
        return found

    one = inserts(PDU)
    three = inserts(
        "".join(PDU.replace("AP7900B", f"AP790{n}B").replace("ap7900b", f"ap790{n}b") for n in (1, 2, 3)) + PANEL
    )

    assert one == {
        "inventory_devicetype": 1, "inventory_consoleporttemplate": 1, "inventory_powerporttemplate": 1,
        "inventory_poweroutlettemplate": 1, "inventory_interfacetemplate": 1,
    }  # fmt: skip
    assert three == {
        **one, "inventory_frontporttemplate": 1, "inventory_rearporttemplate": 1, "inventory_porttemplatemapping": 1
    }  # fmt: skip


def test_an_export_imports_again_as_it_was(api, org_a, makers):
    with tenant_context(org_a.organization):
        InventoryItemRole.objects.create(name="Cooling", slug="cooling")
        ModuleBayType.objects.create(name="PSU", slug="juniper-psu", manufacturer=makers["Juniper"])
    for text in (PDU + PANEL, EVERY_KIND):
        assert import_page(api, "device-types", text).status_code == 302

    exported = api.get(f"{UI}/device-types/?export=library")
    text = exported.content.decode()
    documents = list(yaml.safe_load_all(text))
    pks = [row["id"] for row in call(api, "get", "/device-types/").json()["results"]]
    assert call(api, "delete", "/device-types/", [{"id": pk} for pk in pks]).status_code == 204
    again = import_page(api, "device-types", text)

    assert exported["Content-Type"] == "application/yaml; charset=utf-8"
    assert exported["Content-Disposition"] == 'attachment; filename="wirebook_device_types.yaml"'
    assert [document["model"] for document in documents] == ["AP7900B", "8-port Copper Patch Panel", "MX204"]
    assert again.status_code == 302, errors_shown(again)
    assert api.get(f"{UI}/device-types/?export=library").content.decode() == text


def test_the_export_is_netboxs_document(api, makers):
    assert import_page(api, "device-types", PDU).status_code == 302

    document = yaml.safe_load(api.get(f"{UI}/device-types/?export=library").content)

    assert list(document)[:8] == [
        "manufacturer", "model", "slug", "description", "default_platform", "part_number", "u_height",
        "exclude_from_utilization",
    ]  # fmt: skip
    assert (document["manufacturer"], document["u_height"], document["weight"]) == ("APC", 1.0, 2.25)
    assert list(document)[-4:] == ["console-ports", "power-ports", "power-outlets", "interfaces"]
    assert document["power-outlets"][0] == {
        "name": "Power Outlet 1", "type": "nema-5-15r", "color": "", "power_port": "Power Port 1", "feed_leg": "A",
        "label": "", "description": "",
    }  # fmt: skip
    assert document["interfaces"][0]["mgmt_only"] is True and document["interfaces"][0]["parent"] is None


def test_the_export_reads_each_kind_of_template_once(api, org_a, makers):
    def export_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = api.get(f"{UI}/device-types/?export=library")
        assert response.status_code == 200
        return len(queries)

    assert import_page(api, "device-types", PDU + PANEL).status_code == 302
    export_queries()  # caches warmed
    one = export_queries()
    more = "".join(PDU.replace("AP7900B", f"AP790{n}B").replace("ap7900b", f"ap790{n}b") for n in (1, 2, 3))
    assert import_page(api, "device-types", more + cassette(inline=False)).status_code == 302

    assert export_queries() == one


def test_a_module_type_export_imports_again(api, org_a, makers):
    with tenant_context(org_a.organization):
        ModuleTypeProfile.objects.create(
            name="Uplink", schema={"properties": {"ports": {"type": "integer"}}, "required": ["ports"]}
        )
    text = UPLINK.replace("weight: 0.2\n", "weight: 0.2\nprofile: Uplink\nattribute_data:\n  ports: 4\n")
    assert import_page(api, "module-types", text).status_code == 302
    exported = api.get(f"{UI}/module-types/?export=library").content.decode()
    pk = call(api, "get", "/module-types/").json()["results"][0]["id"]
    assert call(api, "delete", f"/module-types/{pk}/").status_code == 204

    again = import_page(api, "module-types", exported)

    assert again.status_code == 302, errors_shown(again)
    document = yaml.safe_load(api.get(f"{UI}/module-types/?export=library").content)
    assert (document["profile"], document["attribute_data"]) == ("Uplink", {"ports": 4})
    assert len(document["interfaces"]) == 4


@pytest.mark.parametrize(
    ("extra", "errors"),
    [
        (
            "attribute_data:\n  ports: 4\n",
            [("1", "profile", "Profile must be specified if attribute data is provided.")],
        ),
        ("profile: Uplink\n", [("1", "__all__", 'Invalid schema: "ports" is a required property')]),
    ],
)
def test_module_type_attributes_need_a_profile_and_follow_it(api, org_a, makers, extra, errors):
    with tenant_context(org_a.organization):
        ModuleTypeProfile.objects.create(
            name="Uplink", schema={"properties": {"ports": {"type": "integer"}}, "required": ["ports"]}
        )

    response = import_page(api, "module-types", UPLINK + extra)

    assert response.status_code == 400
    assert errors_shown(response) == errors


def test_the_import_page_lists_the_template_lists(api):
    body = api.get(f"{UI}/device-types/import/").content.decode()
    module_body = api.get(f"{UI}/module-types/import/").content.decode()

    assert "console-ports, console-server-ports, power-ports, power-outlets, interfaces" in body
    assert "device-bays, inventory-items" in body and ", device-bays" not in module_body  # (the menu links it)
    assert "YAML (device-type library)" in api.get(f"{UI}/device-types/").content.decode()


def test_a_background_import_writes_the_templates_too(org_a, makers):
    records = transfer.parse(PDU + PANEL, "yaml")
    with tenant_context(org_a.organization):
        outcome = transfer.import_job(
            SimpleNamespace(pk=0), model="inventory.devicetype", records=records, user_id=org_a.owner.pk,
            user_name=org_a.owner.email, role="owner",
        )  # fmt: skip
        assert outcome["created"] == 2 and outcome["errors"] == []
        assert PowerOutletTemplate.objects.count() == 8 and FrontPortTemplate.objects.count() == 8


def test_importing_needs_the_right_to_add_each_kind_of_template(org_a, makers):
    """The templates are written through the permitted write, with its permission check: a member who
    may add device types but not their power outlets imports nothing."""
    user = get_user_model().objects.create_user("types-only@example.com")
    Membership.objects.create(user=user, organization=org_a.organization, role=MembershipRole.VIEWER)
    with tenant_context(org_a.organization):
        permission = ObjectPermission.objects.create(name="Types", actions=["add", "view"], user_ids=[user.pk])
        permission.object_types.set(
            ContentType.objects.get_for_models(
                DeviceType, ConsolePortTemplate, PowerPortTemplate, InterfaceTemplate
            ).values()
        )
    member = Client(raise_request_exception=False)
    member.force_login(user)

    response = import_page(member, "device-types", PDU)

    assert response.status_code == 400
    assert errors_shown(response) == [("None", "__all__", "You do not have permission to perform this action.")]
    with tenant_context(org_a.organization):
        assert not DeviceType.objects.exists() and not ConsolePortTemplate.objects.exists()


def test_the_library_import_and_export_are_the_organizations_own(api, org_a, org_b, makers):
    assert import_page(api, "device-types", PDU).status_code == 302
    outsider = org_b.client()

    assert import_page(outsider, "device-types", PANEL).status_code == 404
    assert outsider.get(f"{UI}/device-types/?export=library").status_code == 404
    assert Client().get(f"{UI}/device-types/?export=library").status_code == 302
    assert outsider.get("/o/org-b/dcim/device-types/?export=library").content.decode() == ""
    with tenant_context(org_b.organization):
        Manufacturer.objects.create(name="Generic", slug="generic")
    own = outsider.post("/o/org-b/dcim/device-types/import/", {"data": PDU, "format": "yaml"})
    assert own.status_code == 400  # org A's APC is no manufacturer of org B's
    with tenant_context(org_a.organization):
        assert DeviceType.objects.count() == 1


# -- the REST API, as NetBox's library importer calls it --------------------------------------------------------------


def test_the_rest_api_takes_device_types_in_bulk_as_netbox_does(api, org_a, makers):
    """NetBox's Device-Type-Library-Import posts each file's fields (a manufacturer by attributes, the
    template lists and picture flags left in, which NetBox ignores), then the templates by kind."""
    documents = [yaml.safe_load(PDU), yaml.safe_load(PANEL)]
    for document in documents:
        document["manufacturer"] = {"slug": document["manufacturer"].lower()}

    types = created(call(api, "post", "/device-types/", documents))
    pdu = types[0]["id"]
    ports = created(
        call(
            api, "post", "/power-port-templates/", [{"device_type": pdu, "name": "Power Port 1", "type": "nema-l5-20p"}]
        )
    )
    outlets = created(
        call(
            api, "post", "/power-outlet-templates/",
            [{"device_type": pdu, "name": f"Outlet {n}", "type": "nema-5-15r", "power_port": ports[0]["id"],
              "feed_leg": "A"} for n in range(1, 9)],
        )
    )  # fmt: skip

    assert [row["model"] for row in types] == ["AP7900B", "8-port Copper Patch Panel"]
    assert types[0]["weight"] == 2.25 and types[0]["airflow"]["value"] == "passive"
    assert types[0]["front_image"] is None and types[0]["interface_template_count"] == 0  # lists ignored
    assert len(outlets) == 8 and outlets[0]["power_port"]["name"] == "Power Port 1"
    assert call(api, "get", f"/device-types/{pdu}/").json()["power_outlet_template_count"] == 8


def test_the_rest_api_bulk_is_all_or_nothing(api, org_a, makers):
    good = {"manufacturer": makers["APC"].pk, "model": "AP7900B", "slug": "apc-ap7900b"}
    by_name = {"manufacturer": "APC", "model": "AP7901B", "slug": "apc-ap7901b"}

    response = call(api, "post", "/device-types/", [good, by_name])

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"index": 1, "errors": {"manufacturer": [
            "Related objects must be referenced by numeric ID or by dictionary of attributes. Received an "
            "unrecognized value: APC"
        ]}},
    ]  # fmt: skip
    with tenant_context(org_a.organization):
        assert not DeviceType.objects.exists()
