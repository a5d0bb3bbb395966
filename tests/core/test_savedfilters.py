"""Saved filters at extras/saved-filters/: named list-filter parameters, isolated per organization."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.models import SavedFilter
from tenants.context import tenant_context

API = "/o/org-a/api"
FILTERS = "/extras/saved-filters/"


def call(client, method, path, payload=None):
    if payload is None:
        return getattr(client, method)(f"{API}{path}")
    return getattr(client, method)(f"{API}{path}", json.dumps(payload), content_type="application/json")


@pytest.fixture
def api(org_a):
    return org_a.client()


def save(api, slug="active-sites", **extra):
    payload = {
        "name": slug.replace("-", " ").title(),
        "slug": slug,
        "object_types": ["dcim.site"],
        "parameters": {"status": ["active"]},
        **extra,
    }
    return call(api, "post", FILTERS, payload)


def test_create_read_update_delete(api, org_a):
    created = save(api, description="Sites in service", user=123)

    assert created.status_code == 201, created.content
    saved = created.json()
    assert list(saved) == [
        "id", "url", "display_url", "display", "object_types", "name", "slug", "description", "user", "weight",
        "enabled", "shared", "parameters", "owner", "created", "last_updated",
    ]  # fmt: skip
    assert saved["object_types"] == ["dcim.site"]
    assert saved["parameters"] == {"status": ["active"]}
    assert saved["user"] == org_a.owner.pk  # the creator, whatever the body says
    assert (saved["weight"], saved["enabled"], saved["shared"]) == (100, True, True)
    brief = call(api, "get", f"{FILTERS}{saved['id']}/?brief=1").json()
    assert set(brief) == {"id", "url", "display", "name", "slug", "description"}

    patched = call(
        api, "patch", f"{FILTERS}{saved['id']}/", {"object_types": ["dcim.site", "dcim.location"], "shared": False}
    )
    put = call(
        api,
        "put",
        f"{FILTERS}{saved['id']}/",
        {"name": "Planned", "slug": "planned", "object_types": ["dcim.site"], "parameters": {"status": "planned"}},
    )
    deleted = call(api, "delete", f"{FILTERS}{saved['id']}/")

    assert patched.status_code == 200, patched.content
    assert patched.json()["object_types"] == ["dcim.location", "dcim.site"] and patched.json()["shared"] is False
    assert put.status_code == 200 and put.json()["slug"] == "planned"
    assert put.json()["user"] == org_a.owner.pk
    assert deleted.status_code == 204
    with tenant_context(org_a.organization):
        assert not SavedFilter.objects.exists()


@pytest.mark.parametrize(
    ("extra", "errors"),
    [
        (
            {"parameters": ["status"]},
            {"parameters": ["Filter parameters must be stored as a dictionary of keyword arguments."]},
        ),
        ({"object_types": ["dcim.nothing"]}, {"object_types": ["Invalid content type: dcim.nothing"]}),
        ({"object_types": "dcim.site"}, {"object_types": ['Expected a list of items but got type "str".']}),
        (
            {"slug": "not a slug"},
            {"slug": ["Enter a valid “slug” consisting of letters, numbers, underscores or hyphens."]},
        ),
    ],
)
def test_invalid_filters_are_refused(api, extra, errors):
    response = save(api, **extra)

    assert response.status_code == 400
    assert response.json() == errors


def test_parameters_and_name_are_required(api):
    response = call(api, "post", FILTERS, {"slug": "x", "object_types": ["dcim.site"]})

    assert response.json() == {"name": ["This field is required."], "parameters": ["This field is required."]}


def test_names_are_unique(api):
    save(api)

    assert save(api).json() == {
        "name": ["saved filter with this name already exists."],
        "slug": ["saved filter with this slug already exists."],
    }


def test_filters(api, org_a):
    save(api, "active-sites")
    save(api, "tenants", object_types=["tenancy.tenant"])
    save(api, "disabled", enabled=False)
    with tenant_context(org_a.organization):
        someone_elses = SavedFilter.objects.create(
            name="Private", slug="private", shared=False, user_id=org_a.owner.pk + 1000, parameters={"q": "x"}
        )
        someone_elses.object_types.set([])
    save(api, "mine-private", shared=False)

    def slugs(query):
        response = call(api, "get", f"{FILTERS}?{query}")
        assert response.status_code == 200, response.content
        return sorted(saved["slug"] for saved in response.json()["results"])

    assert slugs("object_type=dcim.site") == ["active-sites", "disabled", "mine-private"]
    assert slugs("object_type=tenancy.tenant") == ["tenants"]
    assert slugs("usable=true") == ["active-sites", "mine-private", "tenants"]
    assert slugs("usable=false") == ["disabled", "private"]
    assert slugs("enabled=false") == ["disabled"]
    assert slugs("q=tenant") == ["tenants"]
    assert slugs("slug__isw=mine") == ["mine-private"]


def test_other_organizations_see_and_change_nothing(org_a, org_b):
    saved = save(org_a.client()).json()
    outsider = org_b.client()

    responses = [
        outsider.get(f"{API}{FILTERS}"),
        outsider.get(f"{API}{FILTERS}{saved['id']}/"),
        outsider.patch(f"{API}{FILTERS}{saved['id']}/", '{"name": "x"}', content_type="application/json"),
        outsider.delete(f"{API}{FILTERS}{saved['id']}/"),
        outsider.post(f"{API}{FILTERS}", json.dumps({"name": "x", "slug": "x", "parameters": {"a": 1}}),
                      content_type="application/json"),
    ]  # fmt: skip

    assert {response.status_code for response in responses} == {404}
    assert Client().get(f"{API}{FILTERS}").status_code == 403
    assert outsider.get(f"/o/org-b/api{FILTERS}").json()["count"] == 0
    with tenant_context(org_a.organization):
        assert list(SavedFilter.objects.values_list("name", flat=True)) == ["Active Sites"]


def test_list_queries_do_not_grow_with_rows(api):
    save(api, "f0")
    few = _queries(api, FILTERS)
    for number in range(1, 8):
        save(api, f"f{number}", object_types=["dcim.site", "tenancy.tenant"])

    assert _queries(api, FILTERS) == few


def _queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = call(client, "get", path)
    assert response.status_code == 200
    return len(queries)
