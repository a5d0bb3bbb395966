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


def test_custom_field_values_follow_bulk_writes(org_a):
    api = org_a.client()
    post(api, "/extras/custom-field-choice-sets/", {"name": "tiers", "extra_choices": [["gold", "Gold"]]})
    post(api, "/extras/custom-fields/", {"name": "rack_total", "type": "integer", "object_types": ["dcim.site"]})
    post(
        api,
        "/extras/custom-fields/",
        {"name": "tier", "type": "select", "object_types": ["dcim.site"], "choice_set": {"name": "tiers"}},
    )
    sites = post(
        api,
        "/dcim/sites/",
        [
            {"name": f"Bulk {n}", "slug": f"bulk-{n}", "custom_fields": {"rack_total": 4200 + n, "tier": "gold"}}
            for n in range(3)
        ],
    )

    assert found(api, "q=4201") == [("dcim.site", "Bulk 1")]
    assert sorted(found(api, "q=gold")) == [("dcim.site", f"Bulk {n}") for n in range(3)]

    changed = [{"id": site["id"], "custom_fields": {"rack_total": 9000 + n}} for n, site in enumerate(sites)]
    assert api.patch(f"{API}/dcim/sites/", json.dumps(changed), content_type="application/json").status_code == 200
    assert found(api, "q=4201") == []
    assert found(api, "q=9001") == [("dcim.site", "Bulk 1")]


def test_objects_are_found_by_the_names_of_related_objects_they_index(org_a):
    # given a contact assignment, indexed by its contact's and its role's names
    api = org_a.client()
    site = post(api, "/dcim/sites/", {"name": "AMS1", "slug": "ams1"})
    contact = post(api, "/tenancy/contacts/", {"name": "Zelda Quinn"})
    role = post(api, "/tenancy/contact-roles/", {"name": "Escalation", "slug": "escalation"})
    post(
        api,
        "/tenancy/contact-assignments/",
        {"object_type": "dcim.site", "object_id": site["id"], "contact": contact["id"], "role": role["id"]},
    )

    # when searching for the role's name, then the assignment (and the role) are found
    assert sorted(found(api, "q=escalation")) == [
        ("tenancy.contactassignment", "Zelda Quinn -> AMS1"),
        ("tenancy.contactrole", "Escalation"),
    ]


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
