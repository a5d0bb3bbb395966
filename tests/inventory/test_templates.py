"""Component templates at NetBox's dcim/*-templates endpoints: whose they are, NetBox's rules for power,
interfaces, bays and inventory items, and the counts and filters they give device and module types."""

import json

import pytest

from core.models import ObjectChange, TaggedItem
from inventory.models import (
    ConsolePortTemplate,
    DeviceRole,
    DeviceType,
    FrontPortTemplate,
    InterfaceTemplate,
    Manufacturer,
    ModuleBayTemplate,
    ModuleBayType,
    ModuleType,
    PortMapping,
    PowerPortTemplate,
    Site,
)
from tenants.context import tenant_context
from tests.inventory.dcim import call, created, listed

JSON = "application/json"


@pytest.fixture
def types(org_a):
    """Juniper's EX4300 (a parent chassis, with PSU0 and xe-0/0/0 channelized in 4) and SRX300, and an
    uplink module type."""
    with tenant_context(org_a.organization):
        juniper = Manufacturer.objects.create(name="Juniper", slug="juniper")
        ex4300 = DeviceType.objects.create(manufacturer=juniper, model="EX4300", slug="ex4300", subdevice_role="parent")
        srx300 = DeviceType.objects.create(manufacturer=juniper, model="SRX300", slug="srx300")
        uplink = ModuleType.objects.create(manufacturer=juniper, model="EX-UM-4X4SFP")
        psu = PowerPortTemplate.objects.create(device_type=ex4300, name="PSU0", maximum_draw=350)
        xe = InterfaceTemplate.objects.create(device_type=ex4300, name="xe-0/0/0", type="100gbase-x-qsfp28", channels=4)
    return {"ex4300": ex4300, "srx300": srx300, "uplink": uplink, "psu": psu, "xe": xe}


def pks(types) -> dict[str, int]:
    return {name: obj.pk for name, obj in types.items()}


# -- whose a template is -------------------------------------------------------------------------------------------


def test_a_template_belongs_to_a_device_type_or_a_module_type(api, types):
    owners = {"device_type": types["ex4300"].pk, "module_type": types["uplink"].pk}
    both = call(api, "post", "/console-port-templates/", {"name": "Con", **owners})
    neither = call(api, "post", "/console-port-templates/", {"name": "Con"})

    assert both.json() == {
        "__all__": ["A component template cannot be associated with both a device type and a module type."]
    }
    assert neither.json() == {
        "__all__": ["A component template must be associated with either a device type or a module type."]
    }


def test_template_names_are_unique_per_type(api, types):
    payload = {"name": "Console", "type": "rj-45"}
    created(call(api, "post", "/console-port-templates/", {"device_type": types["ex4300"].pk, **payload}))
    created(call(api, "post", "/console-port-templates/", {"module_type": types["uplink"].pk, **payload}))

    again = call(api, "post", "/console-port-templates/", {"device_type": types["ex4300"].pk, **payload})
    other_type = call(api, "post", "/console-port-templates/", {"device_type": types["srx300"].pk, **payload})
    again_on_module = call(api, "post", "/console-port-templates/", {"module_type": types["uplink"].pk, **payload})

    assert again.json() == {"__all__": ["Console port template with this Device type and Name already exists."]}
    assert other_type.status_code == 201
    assert again_on_module.json() == {
        "__all__": ["Console port template with this Module type and Name already exists."]
    }


def test_a_template_is_not_moved_to_another_device_type(api, types):
    moved = call(api, "patch", f"/power-port-templates/{types['psu'].pk}/", {"device_type": types["srx300"].pk})

    assert moved.json() == {"device_type": ["Component templates cannot be moved to a different device type."]}


def test_a_templates_display_carries_its_label(api, types):
    port = created(
        call(
            api, "post", "/console-port-templates/", {"device_type": types["ex4300"].pk, "name": "Con", "label": "RJ45"}
        )
    )

    assert port["display"] == "Con (RJ45)"
    assert list(port)[:8] == ["id", "url", "display", "device_type", "module_type", "name", "label", "type"]
    assert port["device_type"]["model"] == "EX4300" and port["module_type"] is None


# -- power ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"allocated_draw": 400}, {"allocated_draw": ["Allocated draw cannot exceed the maximum draw (350W)."]}),
        ({"maximum_draw": 0}, {"maximum_draw": ["Ensure this value is greater than or equal to 1."]}),
        ({"type": "schuko"}, {"type": ["Value 'schuko' is not a valid choice."]}),
    ],
)
def test_power_port_template_validation(api, types, payload, errors):
    response = call(api, "patch", f"/power-port-templates/{types['psu'].pk}/", payload)

    assert (response.status_code, response.json()) == (400, errors)


def test_a_power_outlet_draws_from_a_power_port_of_its_own_type(api, types):
    payload = {"name": "Outlet 1", "power_port": types["psu"].pk, "feed_leg": "C"}

    own = call(api, "post", "/power-outlet-templates/", {"device_type": types["ex4300"].pk, **payload})
    other = call(api, "post", "/power-outlet-templates/", {"device_type": types["srx300"].pk, **payload})
    module = call(api, "post", "/power-outlet-templates/", {"module_type": types["uplink"].pk, **payload})

    assert own.status_code == 201 and own.json()["power_port"]["name"] == "PSU0"
    assert other.json() == {"power_port": ["Parent power port (PSU0) must belong to the same device type"]}
    assert module.json() == {"power_port": ["Parent power port (PSU0) must belong to the same module type"]}


# -- interfaces ----------------------------------------------------------------------------------------------------


def interface(api, types, **payload):
    return call(api, "post", "/interface-templates/", {"device_type": types["ex4300"].pk, "name": "x", **payload})


PARENT_RULE = (
    "Only virtual interfaces, or a channel subinterface with a channel ID assigned, may be assigned to a parent "
    "interface."
)


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        (
            {"type": "1000base-t", "poe_type": "type1-ieee802.3af"},
            "poe_type",
            "Must specify PoE mode when designating a PoE type.",
        ),
        ({"type": "lag", "poe_mode": "pse"}, "poe_mode", "Virtual interfaces cannot have a PoE mode."),
        ({"type": "1000base-t", "rf_role": "ap"}, "rf_role", "Wireless role may be set only on wireless interfaces."),
        ({"type": "lag", "channels": 4}, "channels", "Link Aggregation Group (LAG) interfaces cannot be channelized."),
        ({"type": "channel"}, "channel_id", "Channel interfaces must have a channel ID assigned."),
        ({"type": "1000base-t", "parent": "{xe}"}, "parent", PARENT_RULE),
        (
            {"type": "channel", "channel_id": 5, "parent": "{xe}"},
            "channel_id",
            "Invalid channel ID (5): the parent interface provides only 4 channels.",
        ),
        (
            {"type": "channel", "channel_id": 1},
            "parent",
            "A channel subinterface must be assigned to a parent interface.",
        ),
        (
            {"type": "virtual", "channel_id": 1, "parent": "{xe}"},
            "channel_id",
            "A channel ID cannot be assigned to a virtual, LAG, bridge, or wireless interface.",
        ),
        (
            {"type": "100gbase-x-qsfp28", "channels": 4, "channel_id": 1},
            "__all__",
            "An interface cannot be both channelized and bound to a channel on a parent interface.",
        ),
        ({"type": "whatever"}, "type", "Value 'whatever' is not a valid choice."),
    ],
)
def test_interface_template_rules(api, types, payload, field, message):
    payload = {key: types["xe"].pk if value == "{xe}" else value for key, value in payload.items()}

    response = interface(api, types, **payload)

    assert (response.status_code, response.json()) == (400, {field: [message]})


def test_channel_subinterfaces_and_virtual_children(api, types):
    channel = interface(api, types, name="xe-0/0/0:1", type="channel", channel_id=1, parent=types["xe"].pk)
    again = interface(api, types, name="xe-0/0/0:1b", type="channel", channel_id=1, parent=types["xe"].pk)
    vlan = interface(api, types, name="xe-0/0/0.100", type="virtual", parent=types["xe"].pk)
    shrunk = call(api, "patch", f"/interface-templates/{types['xe'].pk}/", {"channels": None})
    elsewhere = call(
        api, "post", "/interface-templates/",
        {"device_type": types["srx300"].pk, "name": "v", "type": "virtual", "parent": types["xe"].pk},
    )  # fmt: skip

    assert channel.status_code == 201 and channel.json()["parent"]["name"] == "xe-0/0/0"
    assert again.json() == {"__all__": ["Interface template with this Parent interface and Channel ID already exists."]}
    assert vlan.status_code == 201
    assert shrunk.json() == {
        "channels": [
            "Cannot remove channelization: a channel subinterface is bound to channel 1. Delete or reassign the "
            "affected subinterface(s) first."
        ]
    }
    assert elsewhere.json() == {"parent": ["Parent interface (xe-0/0/0) must belong to the same device type"]}


def test_an_interface_is_not_bridged_to_itself(api, types):
    response = call(api, "patch", f"/interface-templates/{types['xe'].pk}/", {"bridge": types["xe"].pk})

    assert response.json() == {"bridge": ["An interface cannot be bridged to itself."]}


def test_a_parent_interface_with_children_cannot_be_deleted(api, types):
    created(interface(api, types, name="xe-0/0/0.5", type="virtual", parent=types["xe"].pk))

    assert call(api, "delete", f"/interface-templates/{types['xe'].pk}/").status_code == 409


# -- bays ----------------------------------------------------------------------------------------------------------


def test_device_bays_belong_to_parent_device_types(api, types):
    on_parent = call(api, "post", "/device-bay-templates/", {"device_type": types["ex4300"].pk, "name": "Bay 1"})
    on_other = call(api, "post", "/device-bay-templates/", {"device_type": types["srx300"].pk, "name": "Bay 1"})
    declassified = call(api, "patch", f"/device-types/{types['ex4300'].pk}/", {"subdevice_role": ""})

    assert on_parent.status_code == 201
    assert on_other.json() == {
        "__all__": ['Subdevice role of device type (SRX300) must be set to "parent" to allow device bays.']
    }
    assert declassified.json() == {
        "subdevice_role": [
            "Must delete all device bay templates associated with this device before declassifying it as a parent "
            "device."
        ]
    }


def test_module_bay_templates_filter_by_bay_type_once(api, org_a, types):
    with tenant_context(org_a.organization):
        psu, fan = (ModuleBayType.objects.create(name=n, slug=n.lower()) for n in ("PSU", "Fan"))
        bay = ModuleBayTemplate.objects.create(device_type=types["ex4300"], name="Slot 1")
        bay.module_bay_types.set([psu, fan])
        ModuleBayTemplate.objects.create(device_type=types["ex4300"], name="Slot 2")

    response = call(api, "get", f"/module-bay-templates/?module_bay_type_id={psu.pk}&module_bay_type_id={fan.pk}")

    assert [row["name"] for row in response.json()["results"]] == ["Slot 1"]
    assert [t["slug"] for t in response.json()["results"][0]["module_bay_types"]] == ["fan", "psu"]


# -- inventory items -----------------------------------------------------------------------------------------------


def test_inventory_item_templates_form_a_tree_and_stand_for_components(api, types):
    cage = created(
        call(
            api, "post", "/inventory-item-templates/",
            {"device_type": types["ex4300"].pk, "name": "Cage", "component_type": "dcim.interfacetemplate",
             "component_id": types["xe"].pk},
        )
    )  # fmt: skip
    optic = created(
        call(
            api,
            "post",
            "/inventory-item-templates/",
            {"device_type": types["ex4300"].pk, "name": "Optic", "parent": cage["id"]},
        )
    )
    sibling = call(
        api,
        "post",
        "/inventory-item-templates/",
        {"device_type": types["ex4300"].pk, "name": "Optic", "parent": cage["id"]},
    )

    assert cage["component_type"] == "dcim.interfacetemplate"
    assert cage["component"]["name"] == "xe-0/0/0" and cage["_depth"] == 0
    assert optic["parent"] == cage["id"] and cage["parent"] is None  # NetBox shows the parent by id
    assert optic["_depth"] == 1
    assert sibling.status_code == 400


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"component_type": "dcim.site", "component_id": 1}, "component_type"),
        ({"component_type": "dcim.interfacetemplate"}, "component_id"),
        ({"component_type": "dcim.interfacetemplate", "component_id": 999999}, "component_id"),
        ({"component_id": 5}, "component_type"),
    ],
)
def test_inventory_item_template_components_are_checked(api, types, payload, field):
    response = call(
        api, "post", "/inventory-item-templates/", {"device_type": types["ex4300"].pk, "name": "X", **payload}
    )

    assert response.status_code == 400 and list(response.json()) == [field]


def test_an_inventory_item_stands_for_a_component_of_its_own_type(api, types):
    response = call(
        api, "post", "/inventory-item-templates/",
        {"device_type": types["srx300"].pk, "name": "X", "component_type": "dcim.interfacetemplate",
         "component_id": types["xe"].pk},
    )  # fmt: skip

    assert response.json() == {"component_id": ["The component (xe-0/0/0) must belong to the same device type."]}


# -- what templates give types ---------------------------------------------------------------------------------------


def test_device_and_module_types_count_their_templates(api, org_a, types):
    with tenant_context(org_a.organization):
        ConsolePortTemplate.objects.create(device_type=types["ex4300"], name="Con")
        FrontPortTemplate.objects.create(module_type=types["uplink"], name="F1", type="lc")
        InterfaceTemplate.objects.create(module_type=types["uplink"], name="xe-{module}/0", type="10gbase-x-sfpp")

    chassis = call(api, "get", f"/device-types/{types['ex4300'].pk}/").json()
    module = call(api, "get", f"/module-types/{types['uplink'].pk}/").json()

    assert (chassis["console_port_template_count"], chassis["power_port_template_count"]) == (1, 1)
    assert (chassis["interface_template_count"], chassis["front_port_template_count"]) == (1, 0)
    assert chassis["cooling_intake_template_count"] == 0
    assert (module["interface_template_count"], module["front_port_template_count"]) == (1, 1)
    assert "device_bay_template_count" not in module


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("interfaces=true", ["EX4300"]),
        ("interfaces=false", ["SRX300"]),
        ("power_ports=true", ["EX4300"]),
        ("console_ports=true", []),
        ("pass_through_ports=false", ["EX4300", "SRX300"]),
    ],
)
def test_device_types_filter_by_the_templates_they_have(api, types, query, expected):
    response = call(api, "get", f"/device-types/?{query}")

    assert sorted(row["model"] for row in response.json()["results"]) == expected


def test_deleting_a_device_type_deletes_its_templates(api, org_a, types):
    assert call(api, "delete", f"/device-types/{types['srx300'].pk}/").status_code == 204
    created(call(api, "post", "/console-port-templates/", {"module_type": types["uplink"].pk, "name": "Con"}))

    assert call(api, "delete", f"/module-types/{types['uplink'].pk}/").status_code == 204
    with tenant_context(org_a.organization):
        assert not ConsolePortTemplate.objects.exists()


# -- what NetBox's templates do not take: tags, custom fields, a journal -------------------------------------------


def test_templates_take_no_tags_or_custom_fields(api, org_a, types):
    # given a tag
    api.post("/o/org-a/api/extras/tags/", json.dumps({"name": "Core", "slug": "core"}), content_type=JSON)
    port = {"device_type": types["ex4300"].pk, "name": "Con"}

    # when a template is written with tags or custom fields
    tagged = call(api, "post", "/console-port-templates/", {**port, "tags": [{"slug": "core"}]})
    custom = call(api, "post", "/console-port-templates/", {**port, "custom_fields": {"rack_count": 3}})
    # or with the empty values a client copying another object sends
    empty = created(call(api, "post", "/console-port-templates/", {**port, "tags": [], "custom_fields": {}}))

    # then values are refused (never dropped), empty ones are no write, and the template shows neither
    assert tagged.json() == {"tags": ["Console port templates have no tags."]}
    assert custom.json() == {"custom_fields": ["Console port templates have no custom fields."]}
    assert "tags" not in empty and "custom_fields" not in empty
    with tenant_context(org_a.organization):
        assert list(ConsolePortTemplate.objects.values_list("name", flat=True)) == ["Con"]
        assert not TaggedItem.objects.exists()


def test_templates_have_no_tag_filter_and_are_no_custom_field_type(api, types):
    # NetBox's template filters have no `tag`: the parameter is ignored as any unknown one (no tag is named so)
    tag_filter = call(api, "get", "/power-port-templates/?tag=core")
    custom_field = api.post(
        "/o/org-a/api/extras/custom-fields/",
        json.dumps({"name": "asset", "type": "text", "object_types": ["dcim.consoleporttemplate"]}),
        content_type=JSON,
    )
    features = api.get("/o/org-a/api/core/object-types/", {"app_label": "dcim", "model": "consoleporttemplate"})

    assert listed(tag_filter) == ["PSU0"]
    assert custom_field.status_code == 400, custom_field.content
    assert list(custom_field.json()) == ["object_types"]
    assert features.json()["results"][0]["features"] == ["change_logging"]


def test_a_templates_change_log_shows_no_tags_or_custom_fields(api, org_a, types):
    # given a template whose custom field data was stored while templates still took them
    with tenant_context(org_a.organization):
        ConsolePortTemplate.objects.create(device_type=types["ex4300"], name="Con", custom_field_data={"old": 1})
        pk = ConsolePortTemplate.objects.get(name="Con").pk

    # when it is changed
    changed = call(api, "patch", f"/console-port-templates/{pk}/", {"label": "RJ45"})

    # then the change is written, the stale values dropped, and the snapshots are NetBox's (no tags or custom fields)
    assert changed.status_code == 200, changed.content
    with tenant_context(org_a.organization):
        assert ConsolePortTemplate.objects.get(pk=pk).custom_field_data == {}
        change = ObjectChange.objects.get(changed_object_id=pk, action="update")
    assert change.postchange_data["label"] == "RJ45"
    assert not {"tags", "custom_fields"} & set(change.postchange_data)


def test_template_graphql_types_have_no_tags_or_custom_fields(api, types):
    query = "{ console_port_template_list { name tags { name } } }"
    answer = api.post("/o/org-a/graphql/", json.dumps({"query": query}), content_type=JSON).json()
    fields = api.post(
        "/o/org-a/graphql/",
        json.dumps({"query": '{ __type(name: "ConsolePortTemplateType") { fields { name } } }'}),
        content_type=JSON,
    ).json()

    assert "errors" in answer
    names = {field["name"] for field in fields["data"]["__type"]["fields"]}
    assert "name" in names and not {"tags", "custom_fields"} & names


# -- port mappings ------------------------------------------------------------------------------------------------


def test_port_template_mappings_are_given_to_the_devices_made_from_the_type(api, org_a, types):
    # given a patch panel type whose two front ports pass through to positions 1 and 2 of its rear port
    ex4300 = types["ex4300"].pk
    rear = created(
        call(api, "post", "/rear-port-templates/", {"device_type": ex4300, "name": "R", "type": "mpo", "positions": 2})
    )
    front = [
        created(call(api, "post", "/front-port-templates/", {
            "device_type": ex4300, "name": f"F{n}", "type": "lc",
            "rear_ports": [{"position": 1, "rear_port": rear["id"], "rear_port_position": n}],
        }))
        for n in (1, 2)
    ]  # fmt: skip

    # then each template shows its side of the mappings
    assert front[1]["rear_ports"] == [{"position": 1, "rear_port": rear["id"], "rear_port_position": 2}]
    rear_shown = call(api, "get", f"/rear-port-templates/{rear['id']}/").json()
    assert rear_shown["front_ports"] == [
        {"position": 1, "front_port": front[0]["id"], "front_port_position": 1},
        {"position": 2, "front_port": front[1]["id"], "front_port_position": 1},
    ]

    # when a device is made from the type
    with tenant_context(org_a.organization):
        site = Site.objects.create(name="AMS1", slug="ams1")
        role = DeviceRole.objects.create(name="Panel", slug="panel")
    device = created(
        call(api, "post", "/devices/", {"name": "pp1", "device_type": ex4300, "role": role.pk, "site": site.pk})
    )

    # then its ports are mapped as their templates are
    with tenant_context(org_a.organization):
        mappings = sorted(
            PortMapping.objects.filter(device_id=device["id"]).values_list(
                "front_port__name", "front_port_position", "rear_port__name", "rear_port_position"
            )
        )
    assert mappings == [("F1", 1, "R", 1), ("F2", 1, "R", 2)]


def test_a_port_template_maps_only_to_templates_of_its_own_type(api, types):
    rear = created(
        call(api, "post", "/rear-port-templates/", {"device_type": types["srx300"].pk, "name": "R", "type": "lc"})
    )
    mapped_elsewhere = call(api, "post", "/front-port-templates/", {
        "device_type": types["ex4300"].pk, "name": "F", "type": "lc",
        "rear_ports": [{"position": 1, "rear_port": rear["id"]}],
    })  # fmt: skip
    beyond = call(api, "post", "/front-port-templates/", {
        "device_type": types["srx300"].pk, "name": "F", "type": "lc",
        "rear_ports": [{"position": 1, "rear_port": rear["id"], "rear_port_position": 2}],
    })  # fmt: skip

    assert mapped_elsewhere.status_code == 400
    assert mapped_elsewhere.json() == {
        "rear_ports": ["Rear port template (R) must belong to the same device or module type"]
    }
    assert beyond.json() == {
        "rear_ports": ["Invalid rear port template position (2): rear port template R has only 1 positions."]
    }
