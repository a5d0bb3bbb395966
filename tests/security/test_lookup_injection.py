"""ORM lookup injection through related-object dicts (core.writes.lookup_fields).

A related object written as a dict of attributes is looked up by the target's own concrete,
non-relational fields only. Other keys (relations, `__` paths and lookups, unknown names) would
let a writer ask the database true/false questions about other rows and tables -- here the
public schema's permission table -- one create at a time; they are refused with a 400 naming
the key before any query runs, on every write path (REST single and bulk, UI import)."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from inventory.models import Region, Site
from tenants.context import tenant_context

SITES = "/o/org-a/api/dcim/sites/"
IMPORT = "/o/org-a/dcim/sites/import/"
ORACLE_KEY = "tagged_items__content_type__permission__codename"


@pytest.fixture
def europe(org_a):
    with tenant_context(org_a.organization):
        return Region.objects.create(name="Europe", slug="europe")


def post(client, path, payload):
    return client.post(path, json.dumps(payload), content_type="application/json")


def site_names(organization) -> list[str]:
    with tenant_context(organization):
        return sorted(Site.objects.values_list("name", flat=True))


def test_the_issues_payload_is_refused_naming_the_key_and_reads_nothing(org_a, europe):
    client = org_a.client()
    answers = []
    for codename in ("add_region", "no_such_permission"):  # a true and a false condition
        payload = {"name": "S1", "slug": "s1", "region": {"slug": "europe", ORACLE_KEY: codename}}
        with CaptureQueriesContext(connection) as queries:
            response = post(client, SITES, payload)
        answers.append((response.status_code, response.json()))
        sql = " ".join(query["sql"] for query in queries.captured_queries)
        assert "permission" not in sql and "inventory_region" not in sql

    assert answers[0] == answers[1]  # no oracle: the answer is the same whatever the condition
    status, body = answers[0]
    assert status == 400
    assert list(body) == ["region"] and ORACLE_KEY in body["region"][0]
    assert site_names(org_a.organization) == []


@pytest.mark.parametrize(
    "attributes",
    [
        {"no_such_field": 1},  # FieldError, a 500 before
        {"parent": 1},  # a relation
        {"parent_id": 1},
        {"parent__slug": "europe"},  # a path into another row
        {"slug__regex": "^e"},  # a lookup
        {"tagged_items": 1},  # a reverse relation
        {"custom_field_data": {}},  # internal
        {"pk": 1},
    ],
)
def test_keys_other_than_the_objects_own_fields_are_refused(org_a, europe, attributes):
    response = post(org_a.client(), SITES, {"name": "S1", "slug": "s1", "region": attributes})

    assert response.status_code == 400
    [message] = response.json()["region"]
    assert repr(next(iter(attributes))) in message and "own fields" in message
    assert site_names(org_a.organization) == []


def test_values_must_be_single_values(org_a, europe):
    response = post(org_a.client(), SITES, {"name": "S1", "slug": "s1", "region": {"slug": {"a": 1}}})

    assert response.status_code == 400
    assert "expected a single value" in response.json()["region"][0]


def test_attribute_dicts_of_the_objects_own_fields_still_work(org_a, europe):
    client = org_a.client()

    by_slug = post(client, SITES, {"name": "S1", "slug": "s1", "region": {"slug": "europe"}})
    by_name = post(client, SITES, {"name": "S2", "slug": "s2", "region": {"name": "Europe"}})
    by_id = post(client, SITES, {"name": "S3", "slug": "s3", "region": {"id": europe.pk}})
    bulk = post(client, SITES, [{"name": "S4", "slug": "s4", "region": {"slug": "europe", "name": "Europe"}}])

    assert [r.status_code for r in (by_slug, by_name, by_id, bulk)] == [201, 201, 201, 201]
    assert by_slug.json()["region"]["id"] == europe.pk
    site_id = by_slug.json()["id"]
    patched = client.patch(
        f"{SITES}{site_id}/", json.dumps({"region": {"slug": "europe"}}), content_type="application/json"
    )
    assert patched.status_code == 200 and patched.json()["region"]["id"] == europe.pk
    bulk_update = client.patch(
        SITES, json.dumps([{"id": site_id, "region": {"name": "Europe"}}]), content_type="application/json"
    )
    assert bulk_update.status_code == 200
    refused_bulk = client.patch(
        SITES, json.dumps([{"id": site_id, "region": {ORACLE_KEY: "x"}}]), content_type="application/json"
    )
    assert refused_bulk.status_code == 400 and ORACLE_KEY in json.dumps(refused_bulk.json())


def test_not_found_and_ambiguous_are_netboxs_400s(org_a, europe):
    with tenant_context(org_a.organization):
        Region.objects.create(name="Asia", slug="asia")
    client = org_a.client()

    missing = post(client, SITES, {"name": "S1", "slug": "s1", "region": {"slug": "nowhere"}})
    bad_id = post(client, SITES, {"name": "S1", "slug": "s1", "region": {"id": "abc"}})
    ambiguous = post(client, SITES, {"name": "S1", "slug": "s1", "region": {"description": ""}})

    assert missing.status_code == 400
    assert missing.json() == {"region": ["Related object not found using the provided attributes: {'slug': 'nowhere'}"]}
    assert bad_id.status_code == 400
    assert bad_id.json() == {"region": ["Related object not found using the provided attributes: {'id': 'abc'}"]}
    assert ambiguous.status_code == 400
    assert ambiguous.json() == {"region": ["Multiple objects match the provided attributes: {'description': ''}"]}


def test_ui_import_takes_attribute_dicts_and_refuses_other_keys(org_a, europe):
    client = org_a.client()
    good = json.dumps([{"name": "J1", "slug": "j1", "status": "active", "region": {"slug": "europe"}}])
    bad = json.dumps([{"name": "J2", "slug": "j2", "status": "active", "region": {ORACLE_KEY: "add_region"}}])

    imported = client.post(IMPORT, {"data": good, "format": "json"})
    refused = client.post(IMPORT, {"data": bad, "format": "json"})

    assert imported.status_code == 302
    assert refused.status_code == 400 and ORACLE_KEY in refused.content.decode()
    assert site_names(org_a.organization) == ["J1"]


def test_another_organizations_objects_are_not_found_by_attributes(org_a, org_b):
    with tenant_context(org_b.organization):
        Region.objects.create(name="Secret", slug="secret")

    response = post(org_a.client(), SITES, {"name": "S1", "slug": "s1", "region": {"slug": "secret"}})
    anonymous = post(Client(), SITES, {"name": "S1", "slug": "s1", "region": {"slug": "secret"}})

    assert response.status_code == 400 and "not found" in response.json()["region"][0]
    assert anonymous.status_code in (403, 404)
    assert site_names(org_a.organization) == [] and site_names(org_b.organization) == []
