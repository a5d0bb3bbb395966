"""Custom fields and choice sets: definitions at extras/…, values checked on every write, cf_ filters."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.context import SYSTEM, acting_as
from core.models import CustomField, ObjectChange
from core.services import object_create
from inventory.models import Site, Tenant
from tenants.context import tenant_context

API = "/o/org-a/api"
SITES = "/dcim/sites/"


def call(client, method, path, payload=None, *, api=API):
    if payload is None:
        return getattr(client, method)(f"{api}{path}")
    return getattr(client, method)(f"{api}{path}", json.dumps(payload), content_type="application/json")


@pytest.fixture
def api(org_a):
    return org_a.client()


def define(api, name, kind, *, base=API, **extra):
    payload = {"name": name, "type": kind, "object_types": ["dcim.site"], **extra}
    response = call(api, "post", "/extras/custom-fields/", payload, api=base)
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def colors(api):
    response = call(
        api,
        "post",
        "/extras/custom-field-choice-sets/",
        {"name": "Colors", "extra_choices": [["red", "Red"], ["blue", "Blue"], ["green", "Green"]]},
    )
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def tenant_ids(org_a):
    with tenant_context(org_a.organization):
        return [Tenant.objects.create(name=f"T{n}", slug=f"t{n}").pk for n in range(2)]


def create_site(api, slug, custom_fields=None, **extra):
    payload = {"name": slug.upper(), "slug": slug, **extra}
    if custom_fields is not None:
        payload["custom_fields"] = custom_fields
    return call(api, "post", SITES, payload)


# -- definitions -------------------------------------------------------------------------------


def test_custom_field_has_netbox_shape(api, colors):
    created = define(api, "color", "select", choice_set=colors["id"], label="Colour", default="red")

    fetched = call(api, "get", f"/extras/custom-fields/{created['id']}/").json()
    brief = call(api, "get", f"/extras/custom-fields/{created['id']}/?brief=1").json()

    assert list(fetched)[:4] == ["id", "url", "display_url", "display"]
    assert fetched["object_types"] == ["dcim.site"]
    assert fetched["type"] == {"value": "select", "label": "Selection"}
    assert fetched["filter_logic"] == {"value": "loose", "label": "Loose"}
    assert fetched["data_type"] == "string"
    assert fetched["display"] == "Colour"
    assert fetched["default"] == "red"
    assert fetched["related_object_type"] is None
    assert fetched["choice_set"] == {
        "id": colors["id"],
        "url": f"http://testserver{API}/extras/custom-field-choice-sets/{colors['id']}/",
        "display": "Colors",
        "name": "Colors",
        "description": "",
        "choices_count": 3,
    }
    assert set(brief) == {"id", "url", "display", "name", "description"}


def test_choice_set_has_netbox_shape(api, colors):
    fetched = call(api, "get", f"/extras/custom-field-choice-sets/{colors['id']}/").json()

    assert fetched["extra_choices"] == [["red", "Red"], ["blue", "Blue"], ["green", "Green"]]
    assert fetched["base_choices"] is None
    assert fetched["choices_count"] == 3
    assert fetched["order_alphabetically"] is False


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"name": "Bad-Name", "type": "text"}, {"name": ["Only alphanumeric characters and underscores are allowed."]}),
        ({"name": "a__b", "type": "text"}, {"name": ["Double underscores are not permitted in custom field names."]}),
        ({"name": "_a", "type": "text"}, {"name": ["Custom field names may not begin or end with an underscore."]}),
        (
            {"name": "a", "type": "text", "object_types": ["dcim.nothing"]},
            {"object_types": ["Invalid content type: dcim.nothing"]},
        ),
        (
            {"name": "a", "type": "text", "object_types": ["extras.tag"]},
            {"object_types": ["Invalid content type: extras.tag"]},
        ),
        (
            {"name": "a", "type": "text", "object_types": ["site"]},
            {"object_types": ["Invalid value. Specify a content type as '<app_label>.<model_name>'."]},
        ),
        ({"name": "a", "type": "select"}, {"choice_set": ["Selection fields must specify a set of choices."]}),
        ({"name": "a", "type": "object"}, {"related_object_type": ["Object fields must define an object type."]}),
        (
            {"name": "a", "type": "text", "related_object_type": "dcim.site"},
            {"type": ["Text fields may not define an object type."]},
        ),
        (
            {"name": "a", "type": "text", "validation_minimum": 1},
            {"validation_minimum": ["A minimum value may be set only for numeric fields"]},
        ),
        (
            {"name": "a", "type": "integer", "validation_regex": "^x"},
            {"validation_regex": ["Regular expression validation is supported only for text and URL fields"]},
        ),
        (
            {"name": "a", "type": "text", "validation_regex": "("},
            {
                "validation_regex": [
                    "( is not a valid regular expression: missing ): ( (RE2 syntax: no backreferences or lookarounds)."
                ]
            },
        ),
        (
            {"name": "a", "type": "boolean", "unique": True},
            {"unique": ["Uniqueness cannot be enforced for boolean fields"]},
        ),
        (
            {"name": "a", "type": "integer", "default": "x"},
            {"default": ['Invalid default value "x": Value must be an integer.']},
        ),
        ({"name": "a", "type": "nope"}, {"type": ["Value 'nope' is not a valid choice."]}),
    ],
)
def test_custom_field_definitions_are_validated(api, payload, errors):
    response = call(api, "post", "/extras/custom-fields/", {"object_types": ["dcim.site"], **payload})

    assert response.status_code == 400
    assert response.json() == errors


def test_the_type_cannot_change_the_name_can(api):
    field = define(api, "rack_count", "integer")

    retyped = call(api, "patch", f"/extras/custom-fields/{field['id']}/", {"type": "text"})
    renamed = call(api, "patch", f"/extras/custom-fields/{field['id']}/", {"name": "racks"})
    relabelled = call(api, "patch", f"/extras/custom-fields/{field['id']}/", {"label": "Racks"})

    assert retyped.json() == {"type": ["Changing the type of custom fields is not supported."]}
    assert renamed.status_code == 200 and renamed.json()["name"] == "racks"  # values follow: tests/automation
    assert relabelled.status_code == 200 and relabelled.json()["display"] == "Racks"


def test_object_types_are_replaced_on_update(api):
    field = define(api, "note", "text")

    updated = call(
        api, "patch", f"/extras/custom-fields/{field['id']}/", {"object_types": ["dcim.site", "tenancy.tenant"]}
    )

    assert updated.status_code == 200, updated.content
    assert updated.json()["object_types"] == ["dcim.site", "tenancy.tenant"]
    assert call(api, "get", "/extras/custom-fields/?object_type=tenancy.tenant").json()["count"] == 1
    assert call(api, "get", "/extras/custom-fields/?object_type=dcim.region").json()["count"] == 0


def test_choice_sets_validate_their_choices(api, colors):
    empty = call(api, "post", "/extras/custom-field-choice-sets/", {"name": "Empty", "extra_choices": []})
    odd = call(api, "post", "/extras/custom-field-choice-sets/", {"name": "Odd", "extra_choices": [["a"]]})
    twice = call(
        api, "post", "/extras/custom-field-choice-sets/", {"name": "Twice", "extra_choices": [["a", "A"], ["a", "B"]]}
    )

    assert empty.json() == {"extra_choices": ["Must define base or extra choices."]}
    assert odd.json() == {"extra_choices": ["Ensure this field has at least 2 elements."]}
    assert twice.json() == {"extra_choices": ["Duplicate choice values: a"]}


def test_choice_set_ordering_and_choices_in_use(api, colors):
    define(api, "color", "select", choice_set=colors["id"])
    assert create_site(api, "ams1", {"color": "red"}).status_code == 201

    sorted_set = call(api, "patch", f"/extras/custom-field-choice-sets/{colors['id']}/", {"order_alphabetically": True})
    remove_used = call(
        api, "patch", f"/extras/custom-field-choice-sets/{colors['id']}/", {"extra_choices": [["blue", "Blue"]]}
    )
    remove_unused = call(
        api, "patch", f"/extras/custom-field-choice-sets/{colors['id']}/", {"extra_choices": [["red", "Red"]]}
    )
    delete_used = call(api, "delete", f"/extras/custom-field-choice-sets/{colors['id']}/")

    assert sorted_set.status_code == 200
    assert remove_used.json() == {
        "extra_choices": ["Cannot remove choice red as there are objects which reference it."]
    }
    assert remove_unused.status_code == 200 and remove_unused.json()["choices_count"] == 1
    assert delete_used.status_code == 409


# -- values, type by type ----------------------------------------------------------------------

INVALID = "Invalid value for custom field 'cf': "


@pytest.mark.parametrize(
    ("kind", "options", "value", "stored"),
    [
        ("text", {}, "Amsterdam", "Amsterdam"),
        ("text", {"validation_regex": "^[A-Z]{3}$"}, "AMS", "AMS"),
        ("longtext", {}, "line 1\nline 2", "line 1\nline 2"),
        ("integer", {}, 42, 42),
        ("integer", {"validation_minimum": 1, "validation_maximum": 10}, 10, 10),
        ("decimal", {}, 1.5, 1.5),
        ("decimal", {}, "2.25", 2.25),
        ("boolean", {}, True, True),
        ("boolean", {}, 0, False),
        ("date", {}, "2024-02-29", "2024-02-29"),
        ("datetime", {}, "2024-01-01T10:00:00Z", "2024-01-01T10:00:00Z"),
        ("datetime", {}, "2024-01-01 10:00:00+02:00", "2024-01-01T10:00:00+02:00"),
        ("url", {}, "https://example.com/racks?x=1", "https://example.com/racks?x=1"),
        ("json", {}, {"a": [1, 2]}, {"a": [1, 2]}),
        ("select", {"choice_set": "colors"}, "blue", "blue"),
        ("select", {"choice_set": "colors"}, {"value": "blue", "label": "Blue"}, "blue"),
        ("multiselect", {"choice_set": "colors"}, ["red", "green"], ["red", "green"]),
        ("object", {"related_object_type": "tenancy.tenant"}, "tenant0", "tenant0"),
        ("object", {"related_object_type": "tenancy.tenant"}, {"id": "tenant0"}, "tenant0"),
        ("multiobject", {"related_object_type": "tenancy.tenant"}, ["tenant0", "tenant1"], ["tenant0", "tenant1"]),
        ("text", {}, None, None),
        ("multiselect", {"choice_set": "colors"}, [], []),
    ],
)
def test_valid_values_are_stored(api, colors, tenant_ids, kind, options, value, stored):
    define(api, "cf", kind, **_resolve(options, colors, tenant_ids))

    response = create_site(api, "ams1", {"cf": _resolve(value, colors, tenant_ids)})

    assert response.status_code == 201, response.content
    expected = _as_read(kind, _resolve(stored, colors, tenant_ids))
    assert response.json()["custom_fields"]["cf"] == expected
    assert call(api, "get", f"{SITES}{response.json()['id']}/").json()["custom_fields"] == {"cf": expected}


def _as_read(kind, stored):
    """NetBox 4.7 reads selections back as {value, label} (stored as the bare value)."""
    labels = {"red": "Red", "blue": "Blue", "green": "Green"}
    if kind == "select" and stored is not None:
        return {"value": stored, "label": labels[stored]}
    if kind == "multiselect" and stored is not None:
        return [{"value": item, "label": labels[item]} for item in stored]
    return stored


@pytest.mark.parametrize(
    ("kind", "options", "value", "message"),
    [
        ("text", {}, 5, "Value must be a string."),
        ("text", {"validation_regex": "^[A-Z]{3}$"}, "ams", "Value must match regex '^[A-Z]{3}$'"),
        ("longtext", {}, ["x"], "Value must be a string."),
        ("integer", {}, "5", "Value must be an integer."),
        ("integer", {}, True, "Value must be an integer."),
        ("integer", {}, 1.5, "Value must be an integer."),
        ("integer", {"validation_minimum": 1}, 0, "Value must be at least 1"),
        ("integer", {"validation_maximum": 10}, 11, "Value must not exceed 10"),
        ("decimal", {}, "abc", "Value must be a decimal."),
        ("decimal", {}, "NaN", "Value must be a decimal."),
        ("decimal", {"validation_maximum": 2}, 2.5, "Value must not exceed 2"),
        ("boolean", {}, "yes", "Value must be true or false."),
        ("boolean", {}, 2, "Value must be true or false."),
        ("date", {}, "2024-02-30", "Date values must be in ISO 8601 format (YYYY-MM-DD)."),
        ("date", {}, "29/02/2024", "Date values must be in ISO 8601 format (YYYY-MM-DD)."),
        ("date", {}, 20240229, "Date values must be in ISO 8601 format (YYYY-MM-DD)."),
        ("datetime", {}, "yesterday", "Date and time values must be in ISO 8601 format (YYYY-MM-DD HH:MM:SS)."),
        ("url", {}, "not a url", "Enter a valid URL."),
        ("url", {"validation_regex": "^https://"}, "http://example.com", "Value must match regex '^https://'"),
        ("select", {"choice_set": "colors"}, "pink", "Invalid choice (pink) for choice set Colors."),
        (
            "multiselect",
            {"choice_set": "colors"},
            ["red", "pink"],
            "Invalid choice(s) (red, pink) for choice set Colors.",
        ),
        ("multiselect", {"choice_set": "colors"}, "red", 'Expected a list of items but got type "str".'),
        ("object", {"related_object_type": "tenancy.tenant"}, "x", "Value must be an object ID, not str"),
        ("object", {"related_object_type": "tenancy.tenant"}, 999999, "Unknown related object(s): 999999"),
        ("multiobject", {"related_object_type": "tenancy.tenant"}, 5, "Value must be a list of object IDs, not int"),
        ("multiobject", {"related_object_type": "tenancy.tenant"}, ["x"], "Found invalid object ID: x"),
        (
            "multiobject",
            {"related_object_type": "tenancy.tenant"},
            ["tenant0", 999999],
            "Unknown related object(s): [tenant0, 999999]",
        ),
    ],
)
def test_invalid_values_are_refused(api, org_a, colors, tenant_ids, kind, options, value, message):
    define(api, "cf", kind, **_resolve(options, colors, tenant_ids))

    response = create_site(api, "ams1", {"cf": _resolve(value, colors, tenant_ids)})

    assert response.status_code == 400
    assert response.json() == {"custom_fields": [INVALID + message.replace("tenant0", str(tenant_ids[0]))]}
    with tenant_context(org_a.organization):
        assert not Site.objects.exists()


def _resolve(value, colors, tenant_ids):
    """Stand-ins in parameters: "colors" is the choice set's id, "tenantN" the N-th tenant's id."""
    if isinstance(value, dict):
        return {key: _resolve(item, colors, tenant_ids) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolve(item, colors, tenant_ids) for item in value]
    if value == "colors":
        return colors["id"]
    if isinstance(value, str) and value.startswith("tenant") and value[6:].isdigit():
        return tenant_ids[int(value[6:])]
    return value


# -- required, defaults, unknown names, merging ------------------------------------------------


def test_required_fields(api):
    define(api, "asset_tag", "text", required=True)

    missing = create_site(api, "ams1", {})
    null = create_site(api, "ams1", {"asset_tag": None})
    empty = create_site(api, "ams1", {"asset_tag": ""})
    given = create_site(api, "ams1", {"asset_tag": "A-1"})
    cleared = call(api, "patch", f"{SITES}{given.json()['id']}/", {"custom_fields": {"asset_tag": None}})

    assert missing.json() == {"custom_fields": ["Missing required custom field 'asset_tag'."]}
    assert null.json() == {
        "custom_fields": ["Invalid value for custom field 'asset_tag': Required field cannot be empty."]
    }
    assert empty.status_code == 400
    assert given.status_code == 201
    assert cleared.status_code == 400


def test_defaults_are_filled_into_new_objects_and_into_those_a_new_field_finds(api, org_a):
    with tenant_context(org_a.organization):
        older = Site.objects.create(name="OLD", slug="old")
    define(api, "racks", "integer", default=4)
    define(api, "note", "text")
    define(api, "owner_required", "text", required=True, default="noc")
    define(api, "asset", "text", required=True)

    created = create_site(api, "ams1", {"asset": "A-1"})
    explicit = create_site(api, "fra1", {"racks": 8, "asset": "A-2"})
    untouched = call(api, "patch", f"{SITES}{older.pk}/", {"description": "x"})

    assert created.json()["custom_fields"] == {"racks": 4, "note": None, "owner_required": "noc", "asset": "A-1"}
    assert explicit.json()["custom_fields"] == {"racks": 8, "note": None, "owner_required": "noc", "asset": "A-2"}
    # The fields' defaults were filled into the older object when they were defined (NetBox); a
    # required field without one must be given a value when it is next changed (as in NetBox).
    with tenant_context(org_a.organization):
        older.refresh_from_db()
    assert older.custom_field_data == {"racks": 4, "owner_required": "noc"}
    assert untouched.json() == {"custom_fields": ["Missing required custom field 'asset'."]}


def test_unknown_names_are_refused(api, org_a):
    define(api, "racks", "integer")

    unknown = create_site(api, "ams1", {"nope": 1, "racks": 2})
    other_model = call(api, "post", "/tenancy/tenants/", {"name": "T", "slug": "t", "custom_fields": {"racks": 2}})
    not_a_dict = create_site(api, "ams1", ["racks"])

    assert unknown.json() == {"custom_fields": ["Unknown field name 'nope' in custom field data."]}
    assert other_model.json() == {"custom_fields": ["Unknown field name 'racks' in custom field data."]}
    assert not_a_dict.json() == {"custom_fields": ["Invalid data. Expected a dictionary."]}


def test_patch_merges_custom_fields(api):
    define(api, "racks", "integer")
    define(api, "note", "text")
    site = create_site(api, "ams1", {"racks": 2, "note": "first"}).json()

    patched = call(api, "patch", f"{SITES}{site['id']}/", {"custom_fields": {"note": "second"}})
    untouched = call(api, "patch", f"{SITES}{site['id']}/", {"description": "no custom fields"})
    bulk = call(api, "patch", SITES, [{"id": site["id"], "custom_fields": {"racks": "x"}}])

    assert patched.json()["custom_fields"] == {"racks": 2, "note": "second"}
    assert untouched.json()["custom_fields"] == {"racks": 2, "note": "second"}
    assert bulk.status_code == 400
    assert bulk.json()["errors"] == [
        {"index": 0, "errors": {"custom_fields": ["Invalid value for custom field 'racks': Value must be an integer."]}}
    ]


def test_values_of_a_deleted_field_are_dropped_with_it(api, org_a):
    field = define(api, "racks", "integer")
    site = create_site(api, "ams1", {"racks": 2}).json()

    assert call(api, "delete", f"/extras/custom-fields/{field['id']}/").status_code == 204

    with tenant_context(org_a.organization):
        assert Site.objects.get(pk=site["id"]).custom_field_data == {}
    patched = call(api, "patch", f"{SITES}{site['id']}/", {"description": "x"})
    assert patched.status_code == 200, patched.content
    assert patched.json()["custom_fields"] == {}


def test_unique_values(api):
    define(api, "asset_tag", "text", unique=True)

    first = create_site(api, "ams1", {"asset_tag": "A-1"})
    second = create_site(api, "fra1", {"asset_tag": "A-1"})
    empty_twice = [create_site(api, slug, {"asset_tag": None}).status_code for slug in ("x1", "x2")]
    same_object = call(api, "patch", f"{SITES}{first.json()['id']}/", {"custom_fields": {"asset_tag": "A-1"}})

    assert first.status_code == 201
    assert second.json() == {"custom_fields": ["Custom field 'asset_tag' must have a unique value."]}
    assert empty_twice == [201, 201]
    assert same_object.status_code == 200


def test_change_log_snapshots_carry_custom_fields(api, org_a):
    define(api, "racks", "integer")
    site = create_site(api, "ams1", {"racks": 2}).json()
    call(api, "patch", f"{SITES}{site['id']}/", {"custom_fields": {"racks": 3}})

    with tenant_context(org_a.organization):
        changes = list(ObjectChange.objects.filter(changed_object_id=site["id"], action__in=["create", "update"]))
    create, update = sorted(changes, key=lambda change: change.pk)
    assert create.postchange_data["custom_fields"] == {"racks": 2}
    assert update.prechange_data["custom_fields"] == {"racks": 2}
    assert update.postchange_data["custom_fields"] == {"racks": 3}


def test_services_validate_every_writer(api, org_a):
    define(api, "racks", "integer", default=1)

    with tenant_context(org_a.organization), acting_as(SYSTEM):
        site = object_create(model=Site, data={"name": "S", "slug": "s"})
        with pytest.raises(ValidationError) as refused:
            object_create(model=Site, data={"name": "T", "slug": "t"}, custom_fields={"racks": "many"})

    assert site.custom_field_data == {"racks": 1}
    assert refused.value.message_dict == {
        "custom_fields": ["Invalid value for custom field 'racks': Value must be an integer."]
    }


# -- cf_ filters -------------------------------------------------------------------------------


@pytest.fixture
def filtered_sites(api, org_a, colors, tenant_ids):
    with tenant_context(org_a.organization):
        Site.objects.create(name="OLD1", slug="old1")  # predates the fields: no keys at all
    define(api, "city", "text")
    define(api, "code", "text", filter_logic="exact")
    define(api, "hidden", "text", filter_logic="disabled")
    define(api, "racks", "integer")
    define(api, "ratio", "decimal")
    define(api, "active", "boolean")
    define(api, "since", "date")
    define(api, "audited", "datetime")
    define(api, "color", "select", choice_set=colors["id"])
    define(api, "colors", "multiselect", choice_set=colors["id"])
    define(api, "owner", "object", related_object_type="tenancy.tenant")
    define(api, "owners", "multiobject", related_object_type="tenancy.tenant")
    sites = {
        "ams1": {
            "city": "Amsterdam", "code": "AMS", "hidden": "x", "racks": 10, "ratio": 1.5, "active": True,
            "since": "2024-01-01", "audited": "2024-01-01T10:00:00Z", "color": "red", "colors": ["red", "blue"],
            "owner": tenant_ids[0], "owners": [tenant_ids[0], tenant_ids[1]],
        },
        "fra1": {
            "city": "Frankfurt", "code": "FRA", "racks": 20, "ratio": 0.5, "active": False, "since": "2024-06-01",
            "audited": "2024-06-01T10:00:00Z", "color": "blue", "colors": ["blue"], "owners": [tenant_ids[1]],
        },
        "nyc1": {},
    }  # fmt: skip
    for slug, values in sites.items():
        assert create_site(api, slug, values).status_code == 201
    return tenant_ids


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("cf_city=sterd", ["AMS1"]),
        ("cf_city=amsterdam&cf_city=frankfurt", ["AMS1", "FRA1"]),
        ("cf_code=ams", []),
        ("cf_code=AMS", ["AMS1"]),
        ("cf_code__ie=ams", ["AMS1"]),
        ("cf_code__n=AMS", ["FRA1", "NYC1", "OLD1"]),
        ("cf_city__ic=FURT", ["FRA1"]),
        ("cf_city__nic=furt", ["AMS1", "NYC1", "OLD1"]),
        ("cf_city__isw=ams", ["AMS1"]),
        ("cf_city__iew=furt", ["FRA1"]),
        ("cf_city__regex=^A.*m$", ["AMS1"]),
        ("cf_city__empty=true", ["NYC1", "OLD1"]),
        ("cf_city__empty=false", ["AMS1", "FRA1"]),
        ("cf_hidden=x", ["AMS1", "FRA1", "NYC1", "OLD1"]),
        ("cf_racks=10", ["AMS1"]),
        ("cf_racks=10&cf_racks=20", ["AMS1", "FRA1"]),
        ("cf_racks__n=10", ["FRA1", "NYC1", "OLD1"]),
        ("cf_racks__gte=15", ["FRA1"]),
        ("cf_racks__lt=15", ["AMS1"]),
        ("cf_racks__gt=5&cf_racks__lte=10", ["AMS1"]),
        ("cf_racks=null", ["NYC1", "OLD1"]),
        ("cf_ratio__gt=1", ["AMS1"]),
        ("cf_ratio=0.5", ["FRA1"]),
        ("cf_active=true", ["AMS1"]),
        ("cf_active=false", ["FRA1"]),
        ("cf_since__gte=2024-03-01", ["FRA1"]),
        ("cf_since=2024-01-01", ["AMS1"]),
        ("cf_audited__lt=2024-03-01T00:00:00Z", ["AMS1"]),
        ("cf_color=red", ["AMS1"]),
        ("cf_color__n=red", ["FRA1", "NYC1", "OLD1"]),
        ("cf_colors=blue", ["AMS1", "FRA1"]),
        ("cf_colors=red", ["AMS1"]),
        ("cf_colors__n=red", ["FRA1", "NYC1", "OLD1"]),
        ("cf_colors__empty=true", ["NYC1", "OLD1"]),
        ("cf_owner=tenant0", ["AMS1"]),
        ("cf_owner__n=tenant0", ["FRA1", "NYC1", "OLD1"]),
        ("cf_owners=tenant1", ["AMS1", "FRA1"]),
        ("cf_owners=tenant0", ["AMS1"]),
        ("cf_unknown=1", ["AMS1", "FRA1", "NYC1", "OLD1"]),
        ("cf_racks__bogus=1", ["AMS1", "FRA1", "NYC1", "OLD1"]),
        ("cf_city=ams&status=active", ["AMS1"]),
    ],
)
def test_custom_field_filters(api, filtered_sites, query, expected):
    query = query.replace("tenant0", str(filtered_sites[0])).replace("tenant1", str(filtered_sites[1]))

    response = call(api, "get", f"{SITES}?{query}")

    assert response.status_code == 200, response.content
    assert [site["name"] for site in response.json()["results"]] == expected


def test_bad_custom_field_filter_values_are_a_400(api, filtered_sites):
    response = call(api, "get", f"{SITES}?cf_racks=abc&cf_since__gt=someday")

    assert response.status_code == 400
    assert response.json() == {
        "cf_racks": ["“abc” is not a valid value."],
        "cf_since__gt": ["“someday” is not a valid value."],
    }


def test_custom_field_filters_apply_only_to_their_object_types(api, filtered_sites):
    call(api, "post", "/tenancy/tenants/", {"name": "Acme", "slug": "acme"})

    response = call(api, "get", "/tenancy/tenants/?cf_city=amsterdam")

    assert response.status_code == 200
    assert response.json()["count"] == 3  # the two fixture tenants and Acme: the filter is ignored


# -- who may see what, and what it costs -------------------------------------------------------


@pytest.mark.parametrize("path", ["/extras/custom-fields/", "/extras/custom-field-choice-sets/"])
def test_other_organizations_see_and_change_nothing(org_a, org_b, colors, path):
    api = org_a.client()
    define(api, "racks", "integer")
    existing = call(api, "get", path).json()["results"][0]
    outsider = org_b.client()

    responses = [
        outsider.get(f"{API}{path}"),
        outsider.get(f"{API}{path}{existing['id']}/"),
        outsider.patch(f"{API}{path}{existing['id']}/", '{"description": "x"}', content_type="application/json"),
        outsider.delete(f"{API}{path}{existing['id']}/"),
        outsider.post(f"{API}{path}", json.dumps({"name": "x", "type": "text"}), content_type="application/json"),
    ]
    anonymous = Client().get(f"{API}{path}")

    assert {response.status_code for response in responses} == {404}
    assert anonymous.status_code == 403
    assert outsider.get(f"/o/org-b/api{path}").json()["count"] == 0
    assert call(api, "get", f"{path}{existing['id']}/").json()["description"] == ""


def test_organization_b_fields_do_not_apply_to_a(org_a, org_b):
    define(org_b.client(), "racks", "integer", required=True, base="/o/org-b/api")

    site = create_site(org_a.client(), "ams1")
    unknown = create_site(org_a.client(), "fra1", {"racks": 1})

    assert site.status_code == 201 and site.json()["custom_fields"] == {}
    assert unknown.json() == {"custom_fields": ["Unknown field name 'racks' in custom field data."]}
    with tenant_context(org_a.organization):
        assert not CustomField.objects.exists()


def test_list_queries_do_not_grow_with_rows(api, colors):
    for number in range(2):
        define(api, f"field{number}", "select", choice_set=colors["id"])
    define(api, "racks", "integer")
    create_site(api, "s0", {"racks": 1})
    paths = (SITES, f"{SITES}?cf_racks__gte=1", "/extras/custom-fields/", "/extras/custom-field-choice-sets/")
    few = [_queries(api, path) for path in paths]
    for number in range(1, 8):
        define(api, f"more{number}", "text")
        create_site(api, f"s{number}", {"racks": number})
        call(api, "post", "/extras/custom-field-choice-sets/", {"name": f"Set {number}", "extra_choices": [["a", "A"]]})

    many = [_queries(api, path) for path in paths]

    assert many == few


def _queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = call(client, "get", path)
    assert response.status_code == 200
    return len(queries)


# -- the choices route (a registration's extra API route) ---------------------------------------


def test_a_choice_sets_choices_page_like_netbox(api, colors):
    path = f"/extras/custom-field-choice-sets/{colors['id']}/choices/"

    everything = call(api, "get", path).json()
    searched = call(api, "get", path + "?q=RE").json()
    first_page = call(api, "get", path + "?limit=2").json()
    second_page = call(api, "get", path + "?limit=2&offset=2").json()

    assert everything == {
        "count": 3,
        "next": None,
        "previous": None,
        "results": [
            {"id": "red", "display": "Red"},
            {"id": "blue", "display": "Blue"},
            {"id": "green", "display": "Green"},
        ],
    }
    assert searched["results"] == [{"id": "red", "display": "Red"}, {"id": "green", "display": "Green"}]
    assert first_page["count"] == 3 and len(first_page["results"]) == 2
    assert first_page["next"] == f"http://testserver{API}{path}?limit=2&offset=2"
    assert second_page["results"] == [{"id": "green", "display": "Green"}] and second_page["next"] is None
    assert second_page["previous"] == f"http://testserver{API}{path}?limit=2"
    # and the set's own ordering applies
    call(api, "patch", f"/extras/custom-field-choice-sets/{colors['id']}/", {"order_alphabetically": True})
    assert [c["id"] for c in call(api, "get", path).json()["results"]] == ["blue", "green", "red"]


def test_the_choices_route_is_the_organizations_own(api, colors, org_b, client):
    path = f"/extras/custom-field-choice-sets/{colors['id']}/choices/"

    assert call(api, "get", "/extras/custom-field-choice-sets/999999/choices/").status_code == 404
    assert call(api, "get", path + "?limit=x").status_code == 200  # NetBox's default page size then
    assert call(api, "post", path, {}).status_code == 405
    assert call(org_b.client(), "get", path, api="/o/org-b/api").status_code == 404
    assert call(org_b.client(), "get", path).status_code == 404
    assert call(client, "get", path).status_code in (401, 403)


def test_a_route_needs_its_action_and_finds_only_permitted_objects(org_a, colors):
    from django.test import RequestFactory

    from core.api import endpoints
    from core.context import actor_for
    from core.models import CustomFieldChoiceSet
    from core.permissions import NotPermitted
    from core.registry import Route, registry
    from tenants.models import Membership, MembershipRole

    touched = []
    spec = registry.get(CustomFieldChoiceSet)
    renaming = Route(
        "rename", lambda request, actor, obj: touched.append(obj.pk) or {}, methods=("POST",), action="change"
    )
    viewer = Membership.objects.create(
        user=org_a.owner.__class__.objects.create_user(email="viewer@example.com", password="x"),
        organization=org_a.organization,
        role=MembershipRole.VIEWER,
    )
    request = RequestFactory().post("/")

    with tenant_context(org_a.organization):
        with pytest.raises(NotPermitted):  # the API answers it with 403
            endpoints.route(spec, renaming, request, actor_for(viewer.user, viewer), colors["id"])
        assert touched == []
        owner = Membership.objects.get(user=org_a.owner, organization=org_a.organization)
        with pytest.raises(endpoints.ApiError) as missing:
            endpoints.route(spec, renaming, request, actor_for(org_a.owner, owner), colors["id"] + 1000)
        assert missing.value.status == 404 and touched == []
        allowed = endpoints.route(spec, renaming, request, actor_for(org_a.owner, owner), colors["id"])

    assert allowed.status_code == 201 and touched == [colors["id"]]


# -- NetBox 4.7's validation schema, nulls first, choice colors ------------------------------------


def test_a_json_fields_values_follow_its_validation_schema(api):
    schema = {"type": "object", "properties": {"vlan": {"type": "integer"}}, "required": ["vlan"]}
    define(api, "probe", "json", validation_schema=schema)

    assert create_site(api, "ok", {"probe": {"vlan": 10}}).status_code == 201
    refused = create_site(api, "bad", {"probe": {"vlan": "ten"}})
    assert refused.status_code == 400
    assert refused.json() == {
        "custom_fields": [
            'Invalid value for custom field \'probe\': Invalid schema: "ten" is not of type "integer" (at vlan)'
        ]
    }


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        (
            {"type": "text", "validation_schema": {"type": "string"}},
            {"validation_schema": ["A validation schema may be set only for JSON fields"]},
        ),
        (
            {"type": "json", "validation_schema": {"type": "nope"}},
            {
                "validation_schema": [
                    'Invalid JSON schema definition: "nope" is not valid under any of the schemas listed in the'
                    " 'anyOf' keyword"
                ]
            },
        ),
        ({"type": "json", "validation_schema": "x"}, {"validation_schema": ["Invalid JSON schema definition"]}),
    ],
)
def test_validation_schemas_are_checked(api, payload, errors):
    response = call(api, "post", "/extras/custom-fields/", {"name": "a", "object_types": ["dcim.site"], **payload})

    assert response.status_code == 400
    assert response.json() == errors


@pytest.mark.parametrize(("nulls_first", "expected"), [(True, ["c", "a", "b"]), (False, ["a", "b", "c"])])
def test_ordering_by_a_custom_field_puts_nulls_where_the_field_says(api, nulls_first, expected):
    define(api, "rank", "integer", nulls_first=nulls_first)
    create_site(api, "a", {"rank": 1})
    create_site(api, "b", {"rank": 2})
    create_site(api, "c")

    ascending = call(api, "get", f"{SITES}?ordering=cf_rank").json()["results"]
    descending = call(api, "get", f"{SITES}?ordering=-cf_rank").json()["results"]

    assert [site["slug"] for site in ascending] == expected
    nulls = ["c"] if nulls_first else []
    assert [site["slug"] for site in descending] == nulls + ["b", "a"] + (["c"] if not nulls_first else [])


def test_choice_colors_name_a_choice_and_a_color(api, colors):
    changed = call(api, "patch", f"/extras/custom-field-choice-sets/{colors['id']}/", {"choice_colors": {"red": "red"}})
    assert changed.status_code == 200 and changed.json()["choice_colors"] == {"red": "red"}

    for wrong, error in [
        ({"red": "crimson"}, '"crimson" is not a valid choice.'),
        ({"teal": "teal"}, "teal is not a value of the set's choices."),
        (["red"], "Must be a dictionary mapping choice values to colors."),
    ]:
        response = call(api, "patch", f"/extras/custom-field-choice-sets/{colors['id']}/", {"choice_colors": wrong})
        assert response.status_code == 400 and response.json() == {"choice_colors": [error]}
