"""The OpenAPI document: valid references, NetBox's operation ids, and a committed snapshot."""

import json

from django.db import models
from django.test import Client

from core.management.commands.openapi import SNAPSHOT, snapshot_text


def refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs(item)


def test_schema_is_served_to_anyone_alike(org_a):
    response = org_a.client().get("/o/org-a/api/schema/?format=json")

    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert document["servers"] == [{"url": "http://testserver/o/org-a"}]
    anonymous = Client().get("/o/org-a/api/schema/")
    unknown = Client().get("/o/no-such-org/api/schema/")
    assert anonymous.status_code == unknown.status_code == 200
    assert anonymous.json()["paths"] == document["paths"]
    assert without_aliases(unknown.json()["paths"], "/o/no-such-org") == without_aliases(document["paths"], "/o/org-a")
    assert anonymous["API-Version"] == "4.7"


def without_aliases(paths: dict, base_path: str) -> dict:
    return {path: item for path, item in paths.items() if not path.startswith(base_path)}


def test_the_lists_nb_inventory_reads_are_also_under_the_organization_path(org_a):
    """Ansible's nb_inventory looks its filters up under the path of its `api_endpoint`; pynetbox's strict
    filters relative to the API root: both find them. On the organization's own host the two are one."""
    document = org_a.client().get("/o/org-a/api/schema/").json()
    own_host = Client().get("/api/schema/", HTTP_HOST="org-a.localhost").json()

    for path in ("/api/dcim/devices/", "/api/virtualization/virtual-machines/"):
        alias = document["paths"][f"/o/org-a{path}"]
        assert list(alias) == ["get"]
        assert alias["get"]["parameters"] == document["paths"][path]["get"]["parameters"]
        assert own_host["paths"][path]["get"]["parameters"] == document["paths"][path]["get"]["parameters"]
    assert [path for path in own_host["paths"] if not path.startswith("/api/")] == []
    assert [path for path in document["paths"] if not path.startswith("/api/")] == [
        "/o/org-a/api/dcim/devices/",
        "/o/org-a/api/virtualization/virtual-machines/",
    ]


def test_the_document_names_its_fixed_paths_and_error_responses(org_a):
    document = org_a.client().get("/o/org-a/api/schema/").json()

    for path in ("status/", "schema/", "authentication-check/", "core/object-types/", "users/tokens/", "users/users/"):
        assert f"/api/{path}" in document["paths"]
    sites = document["paths"]["/api/dcim/sites/{id}/"]["get"]["responses"]
    assert sites["404"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Detail"}


def test_operation_ids_are_unique_and_netbox_named(org_a):
    document = org_a.client().get("/o/org-a/api/schema/").json()
    operation_ids = [op["operationId"] for path in document["paths"].values() for op in path.values()]

    assert len(operation_ids) == len(set(operation_ids))
    for expected in ("dcim_sites_list", "dcim_sites_create", "dcim_sites_bulk_partial_update", "dcim_sites_retrieve",
                     "dcim_sites_partial_update", "dcim_sites_destroy", "tenancy_tenants_list"):  # fmt: skip
        assert expected in operation_ids
    assert "/api/dcim/sites/{id}/" in document["paths"]


def test_every_reference_resolves(org_a):
    document = org_a.client().get("/o/org-a/api/schema/").json()
    schemas = document["components"]["schemas"]

    missing = {ref for ref in refs(document) if ref.removeprefix("#/components/schemas/") not in schemas}

    assert missing == set()
    assert schemas["Site"]["properties"]["status"]["properties"]["value"]["enum"][0] == "planned"
    assert "slug" in schemas["WritableSiteRequest"]["required"]


def test_committed_snapshot_matches_the_code():
    assert SNAPSHOT.exists(), "run `make openapi` and commit docs/openapi.json"
    assert json.loads(SNAPSHOT.read_text()) == json.loads(snapshot_text()), (
        "the REST API changed: run `make openapi` and commit docs/openapi.json"
    )


def test_committed_graphql_schema_matches_the_code():
    from core.graphql import schema_sdl
    from core.management.commands.graphql_schema import SNAPSHOT as GRAPHQL_SNAPSHOT

    assert GRAPHQL_SNAPSHOT.exists(), "run `make openapi` and commit docs/graphql.schema"
    assert GRAPHQL_SNAPSHOT.read_text() == schema_sdl(), "the GraphQL schema changed: run `make openapi` and commit it"


def _registered_schemas(document) -> dict[str, dict]:
    from core.api.openapi import component
    from core.registry import registry

    schemas = document["components"]["schemas"]
    names = {component(spec) for spec in registry}
    prefixes = ("", "Brief", "Writable", "PatchedWritable")
    return {
        name: schemas[name]
        for base in names
        for prefix in prefixes
        if (name := f"{prefix}{base}" + ("Request" if "Writable" in prefix else "")) in schemas
    }


def test_every_property_of_a_registered_model_has_a_type():
    """Nothing is `{}` ("nobody described this"): model fields take their kind's schema, rendered
    fields their renderer's type, and free-form JSON says so explicitly."""
    from core.fields import ANY_JSON

    document = json.loads(snapshot_text())
    schemas = _registered_schemas(document)
    assert {"ContactAssignment", "BriefContactAssignment", "WritableSavedFilterRequest"} <= set(schemas)

    empty = [f"{name}.{prop}" for name, schema in schemas.items() for prop, value in schema["properties"].items()
             if not value]  # fmt: skip
    untyped = [
        f"{name}.{prop}"
        for name, schema in schemas.items()
        for prop, value in schema["properties"].items()
        if not {"type", "$ref", "allOf", "oneOf"} & set(value) and value.get("description") != ANY_JSON["description"]
    ]

    assert empty == []
    assert untyped == []


def test_rendered_fields_take_their_renderers_type():
    schemas = json.loads(snapshot_text())["components"]["schemas"]

    assignment = schemas["ContactAssignment"]["properties"]
    assert assignment["object"]["type"] == "object"
    assert assignment["object"]["nullable"] is True
    assert assignment["object"]["readOnly"] is True  # not written: object_type and object_id are
    assert assignment["object_type"] == {"type": "string"}
    custom_field = schemas["CustomField"]["properties"]
    assert custom_field["object_types"] == {"type": "array", "items": {"type": "string"}}  # written: not read-only
    assert custom_field["related_object_type"] == {"type": "string", "nullable": True}
    assert custom_field["data_type"] == {"type": "string", "readOnly": True}
    assert schemas["BriefCustomFieldChoiceSet"]["properties"]["choices_count"] == {"type": "integer", "readOnly": True}
    assert schemas["SavedFilter"]["properties"]["parameters"] == {"description": "Any JSON value."}


def test_formats_are_given_where_every_value_has_them():
    from core.fields import EMAIL, URL

    email, link = models.EmailField(), models.URLField(blank=True)

    assert EMAIL.schema(email) == {"type": "string", "format": "email", "maxLength": 254}
    assert URL.schema(link) == {"type": "string", "maxLength": 200}


def test_field_kinds_shape_the_schema():
    schemas = json.loads(snapshot_text())["components"]["schemas"]

    permission = schemas["ObjectPermission"]["properties"]
    assert permission["actions"] == {"type": "array", "items": {"type": "string", "maxLength": 30}}
    contact = schemas["Contact"]["properties"]
    assert contact["email"] == {"type": "string", "maxLength": 254}  # blank: "" is no e-mail address
    assert schemas["Site"]["properties"]["slug"]["pattern"] == "^[-a-zA-Z0-9_]+$"
    assert schemas["Site"]["properties"]["latitude"] == {"type": "number", "format": "double", "nullable": True}
    assert schemas["WritableSiteRequest"]["properties"]["status"]["enum"][0] == "planned"
