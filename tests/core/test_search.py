"""Global search: ranked, prefix matching, kept in step with writes, permission-aware, isolated."""

import json

from django.test import Client

from core.models import SearchEntry
from tenants.context import tenant_context
from tenants.models import Membership, MembershipRole

API = "/o/org-a/api"


def post(client, path, payload):
    response = client.post(f"{API}{path}", json.dumps(payload), content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def found(client, query, org="org-a"):
    response = client.get(f"/o/{org}/api/search/?{query}")
    assert response.status_code == 200, response.content
    return [(r["object_type"], r["display"]) for r in response.json()["results"]]


def test_search_finds_by_prefix_and_ranks_names_first(org_a):
    api = org_a.client()
    post(api, "/dcim/sites/", {"name": "AMS1", "slug": "ams1", "description": "Amsterdam"})
    post(api, "/dcim/sites/", {"name": "FRA1", "slug": "fra1", "description": "near AMS hub"})
    post(api, "/dcim/regions/", {"name": "Amsterdam area", "slug": "ams-area"})

    results = found(api, "q=ams")

    # a match in the name outranks one in the description
    assert results.index(("dcim.site", "AMS1")) < results.index(("dcim.site", "FRA1"))
    assert set(results) == {("dcim.site", "AMS1"), ("dcim.site", "FRA1"), ("dcim.region", "Amsterdam area")}
    assert found(api, "q=ams&type=dcim.region") == [("dcim.region", "Amsterdam area")]
    assert found(api, "q=amsterdam area") == [("dcim.region", "Amsterdam area")]
    assert found(api, "q=") == []


def test_the_index_follows_updates_and_deletes(org_a):
    api = org_a.client()
    site = post(api, "/dcim/sites/", {"name": "Old name", "slug": "s1"})

    api.patch(f"{API}/dcim/sites/{site['id']}/", json.dumps({"name": "Renamed"}), content_type="application/json")
    assert found(api, "q=old") == []
    assert found(api, "q=renamed") == [("dcim.site", "Renamed")]

    api.delete(f"{API}/dcim/sites/{site['id']}/")
    assert found(api, "q=renamed") == []
    with tenant_context(org_a.organization):
        assert not SearchEntry.objects.exists()


def test_custom_field_values_are_searchable(org_a):
    api = org_a.client()
    post(api, "/extras/custom-fields/", {"name": "circuit_ref", "type": "text", "object_types": ["dcim.site"]})
    post(api, "/dcim/sites/", {"name": "AMS1", "slug": "ams1", "custom_fields": {"circuit_ref": "XK-4411"}})

    assert found(api, "q=xk-4411") == [("dcim.site", "AMS1")]


def test_search_shows_only_what_the_actor_may_view(org_a, org_b):
    post(org_a.client(), "/dcim/sites/", {"name": "AMS1", "slug": "ams1"})
    Membership.objects.create(user=org_b.owner, organization=org_a.organization, role=MembershipRole.VIEWER)

    assert found(org_b.client(), "q=ams") == [("dcim.site", "AMS1")]


def test_outsiders_cannot_search_an_organization(org_a, org_b):
    post(org_a.client(), "/dcim/sites/", {"name": "Secret", "slug": "secret"})

    assert org_b.client().get(f"{API}/search/?q=secret").status_code == 404
    assert Client().get(f"{API}/search/?q=secret").status_code == 403
    assert found(org_b.client(), "q=secret", org="org-b") == []


def test_unknown_type_is_a_400(org_a):
    assert org_a.client().get(f"{API}/search/?q=x&type=dcim.nope").status_code == 400
