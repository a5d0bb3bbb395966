"""The device catalogue at NetBox's dcim endpoints: manufacturers, platforms and device roles (trees),
device types (half units), module type profiles (JSON Schema) and module types."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.models import (
    DeviceRole,
    DeviceType,
    Manufacturer,
    ModuleBayType,
    ModuleType,
    ModuleTypeProfile,
    Platform,
)
from tenants.context import tenant_context
from tests.inventory.dcim import call, created, listed


@pytest.fixture
def catalogue(org_a):
    """Juniper (Junos > Junos EVO) and Cisco (IOS-XE); Linux for any vendor; device types EX4300 (Junos EVO)
    and SRX300 of Juniper, C9300 of Cisco; a PSU profile with a schema; PSU and fan bay types."""
    with tenant_context(org_a.organization):
        juniper = Manufacturer.objects.create(name="Juniper", slug="juniper")
        cisco = Manufacturer.objects.create(name="Cisco", slug="cisco")
        junos = Platform.objects.create(name="Junos", slug="junos", manufacturer=juniper)
        evo = Platform.objects.create(name="Junos EVO", slug="junos-evo", manufacturer=juniper, parent=junos)
        iosxe = Platform.objects.create(name="IOS-XE", slug="ios-xe", manufacturer=cisco)
        linux = Platform.objects.create(name="Linux", slug="linux")
        ex4300 = DeviceType.objects.create(manufacturer=juniper, model="EX4300", slug="ex4300", default_platform=evo)
        srx300 = DeviceType.objects.create(manufacturer=juniper, model="SRX300", slug="srx300")
        c9300 = DeviceType.objects.create(manufacturer=cisco, model="C9300", slug="c9300", u_height=1)
        psu = ModuleTypeProfile.objects.create(
            name="Power supply",
            schema={"properties": {"watts": {"type": "integer", "minimum": 1}}, "required": ["watts"]},
        )
        psu_bay = ModuleBayType.objects.create(name="PSU bay", slug="psu-bay")
        fan_bay = ModuleBayType.objects.create(name="Fan bay", slug="fan-bay")
    return {
        "juniper": juniper, "cisco": cisco, "junos": junos, "evo": evo, "iosxe": iosxe, "linux": linux,
        "ex4300": ex4300, "srx300": srx300, "c9300": c9300, "psu": psu, "psu_bay": psu_bay, "fan_bay": fan_bay,
    }  # fmt: skip


def ids(catalogue) -> dict[str, int]:
    return {name: obj.pk for name, obj in catalogue.items()}


# -- manufacturers ---------------------------------------------------------------------------------------------------


def test_a_manufacturer_counts_what_it_makes(api, org_a, catalogue):
    with tenant_context(org_a.organization):
        ModuleType.objects.create(manufacturer=catalogue["cisco"], model="PWR-C1")

    juniper = call(api, "get", f"/manufacturers/{catalogue['juniper'].pk}/").json()
    cisco = call(api, "get", "/manufacturers/?slug=cisco").json()["results"][0]

    assert list(juniper)[-4:] == ["devicetype_count", "moduletype_count", "inventoryitem_count", "platform_count"]
    assert (juniper["devicetype_count"], juniper["moduletype_count"], juniper["platform_count"]) == (2, 0, 2)
    assert (cisco["devicetype_count"], cisco["moduletype_count"], cisco["platform_count"]) == (1, 1, 1)
    assert juniper["inventoryitem_count"] == 0


def test_a_manufacturer_in_use_cannot_be_deleted(api, catalogue):
    assert call(api, "delete", f"/manufacturers/{catalogue['juniper'].pk}/").status_code == 409


# -- platforms and device roles (trees) --------------------------------------------------------------------------------


def test_platform_names_are_unique_per_manufacturer(api, catalogue):
    same_vendor = call(
        api, "post", "/platforms/", {"name": "Junos", "slug": "junos-2", "manufacturer": ids(catalogue)["juniper"]}
    )
    other_vendor = call(
        api, "post", "/platforms/", {"name": "Junos", "slug": "junos", "manufacturer": ids(catalogue)["cisco"]}
    )
    no_vendor = call(api, "post", "/platforms/", {"name": "Linux", "slug": "linux-2"})
    no_vendor_slug = call(api, "post", "/platforms/", {"name": "GNU/Linux", "slug": "linux"})

    assert same_vendor.json() == {"__all__": ["Platform name must be unique."]}
    assert other_vendor.status_code == 201
    assert no_vendor.json() == {"__all__": ["Platform name must be unique."]}
    assert no_vendor_slug.json() == {"__all__": ["Platform slug must be unique."]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("manufacturer=juniper", ["Junos", "Junos EVO"]),
        ("manufacturer_id__n={juniper}", ["IOS-XE", "Linux"]),
        ("parent_id={junos}", ["Junos EVO"]),  # the immediate parent
        ("ancestor=junos", ["Junos", "Junos EVO"]),  # the platform and those below it
        ("available_for_device_type={c9300}", ["IOS-XE", "Linux"]),  # Cisco's, and those of no manufacturer
        ("q=evo", ["Junos EVO"]),
    ],
)
def test_platform_filters(api, catalogue, query, expected):
    assert listed(call(api, "get", f"/platforms/?{query.format(**ids(catalogue))}")) == expected


def test_platform_filters_refuse_an_unknown_device_type(api, catalogue):
    response = call(api, "get", "/platforms/?available_for_device_type=999999")

    assert response.status_code == 400 and "available_for_device_type" in response.json()


def test_a_platform_tree(api, catalogue):
    evo = call(api, "get", f"/platforms/{catalogue['evo'].pk}/").json()

    assert list(evo)[:8] == ["id", "url", "display_url", "display", "parent", "name", "slug", "manufacturer"]
    assert evo["parent"]["slug"] == "junos" and evo["_depth"] == 1
    assert evo["device_count"] == evo["virtualmachine_count"] == 0


def test_device_role_names_are_unique_among_siblings(api):
    switches = created(call(api, "post", "/device-roles/", {"name": "Switches", "slug": "switches"}))
    created(call(api, "post", "/device-roles/", {"name": "Core", "slug": "core", "parent": switches["id"]}))
    sibling = call(api, "post", "/device-roles/", {"name": "Core", "slug": "core-2", "parent": switches["id"]})
    root = call(api, "post", "/device-roles/", {"name": "Core", "slug": "core"})
    root_again = call(api, "post", "/device-roles/", {"name": "Switches", "slug": "switches-2"})

    assert sibling.status_code == 400
    assert root.status_code == 201  # another branch of the tree
    assert root_again.json() == {"__all__": ["A top-level device role with this name already exists."]}


def test_a_device_role_has_netboxs_defaults_and_colour_rules(api):
    role = created(call(api, "post", "/device-roles/", {"name": "Server", "slug": "server"}))
    bad = call(api, "post", "/device-roles/", {"name": "Red", "slug": "red", "color": "red"})
    upper = call(api, "post", "/device-roles/", {"name": "Blue", "slug": "blue", "color": "0000FF"})

    assert (role["color"], role["vm_role"]) == ("9e9e9e", True)
    assert list(role)[4:11] == ["name", "slug", "color", "vm_role", "config_template", "parent", "description"]
    assert bad.json() == {"color": ["Enter a 6-digit lowercase hexadecimal color, e.g. 9e9e9e."]}
    assert upper.status_code == 400


# -- device types ----------------------------------------------------------------------------------------------------


def test_a_device_type_is_represented_as_netbox_does(api, catalogue):
    body = call(api, "get", f"/device-types/{catalogue['ex4300'].pk}/").json()

    assert list(body) == [
        "id", "url", "display_url", "display", "manufacturer", "default_platform", "model", "slug", "part_number",
        "u_height", "exclude_from_utilization", "is_full_depth", "subdevice_role", "airflow", "cooling_method",
        "weight", "weight_unit", "end_of_life", "front_image", "rear_image", "description", "owner", "comments",
        "tags", "custom_fields", "created", "last_updated", "device_count", "console_port_template_count",
        "console_server_port_template_count", "power_port_template_count", "power_outlet_template_count",
        "cooling_intake_template_count", "cooling_outflow_template_count", "interface_template_count",
        "front_port_template_count", "rear_port_template_count", "device_bay_template_count",
        "module_bay_template_count", "inventory_item_template_count",
    ]  # fmt: skip
    assert body["u_height"] == 1.0 and body["is_full_depth"] is True and body["subdevice_role"] is None
    assert body["front_image"] is None and body["rear_image"] is None
    assert body["default_platform"]["slug"] == "junos-evo" and body["display"] == "EX4300"
    assert body["manufacturer"] == {
        "id": catalogue["juniper"].pk,
        "url": f"http://testserver/o/org-a/api/dcim/manufacturers/{catalogue['juniper'].pk}/",
        "display": "Juniper",
        "name": "Juniper",
        "slug": "juniper",
        "description": "",
    }


@pytest.mark.parametrize(
    ("u_height", "status"),
    [("0.5", 201), ("1.5", 201), ("0", 201), ("44", 201), ("0.7", 400), ("1.25", 400), ("-1", 400)],
)
def test_device_types_are_whole_or_half_units(api, catalogue, u_height, status):
    response = call(
        api, "post", "/device-types/",
        {"manufacturer": ids(catalogue)["cisco"], "model": "X", "slug": "x", "u_height": u_height},
    )  # fmt: skip

    assert response.status_code == status, response.content
    if u_height == "0.7":
        assert response.json() == {"u_height": ["U height must be in increments of 0.5 rack units."]}
    if u_height == "1.25":
        assert response.json()["u_height"][0] == "Ensure that there are no more than 1 decimal place."


def test_a_child_device_type_is_zero_units(api, catalogue):
    payload = {"manufacturer": ids(catalogue)["cisco"], "model": "Blade", "slug": "blade", "subdevice_role": "child"}

    tall = call(api, "post", "/device-types/", payload)
    flat = call(api, "post", "/device-types/", {**payload, "u_height": 0})

    assert tall.json() == {"u_height": ["Child device types must be 0U."]}
    assert flat.status_code == 201


def test_device_type_models_and_slugs_are_unique_per_manufacturer(api, catalogue):
    same_slug = call(
        api, "post", "/device-types/", {"manufacturer": ids(catalogue)["juniper"], "model": "EX2300", "slug": "ex4300"}
    )
    same_model = call(
        api, "post", "/device-types/", {"manufacturer": ids(catalogue)["juniper"], "model": "EX4300", "slug": "ex-4300"}
    )
    other_vendor = call(
        api, "post", "/device-types/", {"manufacturer": ids(catalogue)["cisco"], "model": "EX4300", "slug": "ex4300"}
    )

    assert same_slug.json() == {"__all__": ["Device type with this Manufacturer and Slug already exists."]}
    assert same_model.json() == {"__all__": ["Device type with this Manufacturer and Model already exists."]}
    assert other_vendor.status_code == 201


def test_device_type_images_are_not_written_through_json(api, catalogue):
    response = call(api, "patch", f"/device-types/{catalogue['srx300'].pk}/", {"front_image": "x.png"})

    assert response.status_code == 200 and response.json()["front_image"] is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("manufacturer=juniper", ["EX4300", "SRX300"]),
        ("manufacturer_id={cisco}", ["C9300"]),
        ("default_platform_id={junos}", ["EX4300"]),  # a platform stands for those below it
        ("default_platform=junos-evo", ["EX4300"]),
        ("has_front_image=false", ["C9300", "EX4300", "SRX300"]),
        ("has_front_image=true", []),
        ("u_height=1", ["C9300", "EX4300", "SRX300"]),
        ("is_full_depth=false", []),
        ("q=srx", ["SRX300"]),
    ],
)
def test_device_type_filters(api, catalogue, query, expected):
    assert listed(call(api, "get", f"/device-types/?{query.format(**ids(catalogue))}"), "model") == expected


def test_a_platform_in_use_as_a_default_is_released_when_deleted(api, org_a, catalogue):
    assert call(api, "delete", f"/platforms/{catalogue['evo'].pk}/").status_code == 204

    assert call(api, "get", f"/device-types/{catalogue['ex4300'].pk}/").json()["default_platform"] is None


# -- module type profiles and module types -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "objekt"},
        {"properties": 5},
        {"properties": {"x": {"$ref": "https://169.254.169.254/latest/meta-data"}}},
        {"properties": {"x": {"type": "string", "pattern": "(?=lookahead)"}}},
        "not an object",
    ],
)
def test_a_profile_schema_must_be_a_json_schema(api, schema):
    response = call(api, "post", "/module-type-profiles/", {"name": "Broken", "schema": schema})

    assert response.status_code == 400
    assert list(response.json()) == ["schema"]
    assert response.json()["schema"][0].startswith("Invalid JSON schema definition")


def test_module_type_attributes_follow_the_profile_schema(api, catalogue):
    base = {"manufacturer": ids(catalogue)["cisco"], "profile": ids(catalogue)["psu"]}

    good = created(call(api, "post", "/module-types/", {**base, "model": "PWR-715", "attributes": {"watts": 715}}))
    missing = call(api, "post", "/module-types/", {**base, "model": "PWR-0", "attributes": {}})
    wrong = call(api, "post", "/module-types/", {**base, "model": "PWR-X", "attributes": {"watts": "lots"}})
    unprofiled = created(
        call(
            api,
            "post",
            "/module-types/",
            {"manufacturer": ids(catalogue)["cisco"], "model": "FAN", "attributes": {"a": 1}},
        )
    )

    assert good["attributes"] == {"watts": 715} and good["profile"]["name"] == "Power supply"
    assert missing.status_code == wrong.status_code == 400
    assert missing.json()["__all__"][0].startswith("Invalid schema:") and "watts" in missing.json()["__all__"][0]
    assert "(at watts)" in wrong.json()["__all__"][0]
    assert unprofiled["attributes"] is None  # no profile, no attributes (as NetBox)


def test_attributes_written_to_a_module_type_are_merged_into_its_own(api, org_a, catalogue):
    """NetBox's API: a client changes one attribute without sending the others; the result follows the
    profile's schema; an empty value replaces them."""
    with tenant_context(org_a.organization):
        catalogue["psu"].schema = {
            "properties": {"watts": {"type": "integer"}, "fans": {"type": "integer"}},
            "required": ["watts"],
        }
        catalogue["psu"].save()
    base = {"manufacturer": ids(catalogue)["cisco"], "profile": ids(catalogue)["psu"], "model": "PWR-1100"}
    pk = created(call(api, "post", "/module-types/", {**base, "attributes": {"watts": 715, "fans": 2}}))["id"]

    merged = call(api, "patch", f"/module-types/{pk}/", {"attributes": {"watts": 1100}})
    put = call(api, "put", f"/module-types/{pk}/", {**base, "attributes": {"fans": 3}})
    wrong = call(api, "patch", f"/module-types/{pk}/", {"attributes": {"fans": "many"}})
    emptied = call(api, "patch", f"/module-types/{pk}/", {"attributes": {}})
    other_field = call(api, "patch", f"/module-types/{pk}/", {"description": "1.1 kW"})

    assert merged.json()["attributes"] == {"watts": 1100, "fans": 2}
    assert put.json()["attributes"] == {"watts": 1100, "fans": 3}
    assert wrong.status_code == 400 and "(at fans)" in wrong.json()["__all__"][0]
    assert emptied.status_code == 400 and "watts" in emptied.json()["__all__"][0]  # {} replaces: watts missing
    assert other_field.json()["attributes"] == {"watts": 1100, "fans": 3}


def test_bulk_changes_of_profiled_module_types_read_the_profiles_once(api, org_a, catalogue):
    with tenant_context(org_a.organization):
        modules = [
            ModuleType.objects.create(
                manufacturer=catalogue["cisco"], model=f"PWR-{n}", profile=catalogue["psu"], attribute_data={"watts": n}
            )
            for n in range(1, 7)
        ]

    def profile_reads(chosen) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = call(api, "patch", "/module-types/", [{"id": m.pk, "description": "PSU"} for m in chosen])
        assert response.status_code == 200, response.content
        assert all(row["attributes"] for row in response.json())  # validated against the schema, kept
        return sum('FROM "inventory_moduletypeprofile"' in query["sql"] for query in queries)

    assert profile_reads(modules[:2]) == profile_reads(modules) == 1


def test_module_types_filter_by_profile_name_and_bay_type(api, org_a, catalogue):
    with tenant_context(org_a.organization):
        psu = ModuleType.objects.create(manufacturer=catalogue["cisco"], model="PWR", profile=catalogue["psu"])
        psu.module_bay_types.set([catalogue["psu_bay"], catalogue["fan_bay"]])
        ModuleType.objects.create(manufacturer=catalogue["cisco"], model="NM-8X")
    both = f"module_bay_type_id={catalogue['psu_bay'].pk}&module_bay_type_id={catalogue['fan_bay'].pk}"

    assert listed(call(api, "get", "/module-types/?profile=Power supply"), "model") == ["PWR"]
    assert listed(call(api, "get", f"/module-types/?{both}"), "model") == ["PWR"]  # listed once
    assert listed(call(api, "get", "/module-types/?module_bay_types=psu-bay&module_bay_types=fan-bay"), "model") == [
        "PWR"
    ]
    assert listed(call(api, "get", f"/module-bay-types/?module_type_id={psu.pk}")) == ["Fan bay", "PSU bay"]
    assert call(api, "get", "/module-types/?profile=nothing").status_code == 400


def test_module_bay_type_names_are_unique_per_manufacturer(api, catalogue):
    again = call(api, "post", "/module-bay-types/", {"name": "PSU bay", "slug": "psu-bay-2"})
    cisco = call(
        api,
        "post",
        "/module-bay-types/",
        {"name": "PSU bay", "slug": "psu-bay", "manufacturer": ids(catalogue)["cisco"]},
    )

    assert again.status_code == 400
    assert cisco.status_code == 201
    assert cisco.json()["display"] == "Cisco PSU bay"


def test_a_device_role_counts_are_zero_until_devices_exist(api, org_a):
    with tenant_context(org_a.organization):
        role = DeviceRole.objects.create(name="Leaf", slug="leaf", color="00ff00")

    body = call(api, "get", f"/device-roles/{role.pk}/").json()

    assert body["device_count"] == body["virtualmachine_count"] == 0
