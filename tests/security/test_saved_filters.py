"""Private saved filters (`shared=False`) belong to their owner: other members (viewers and
editors alike) cannot see, change or delete them through REST, GraphQL or the UI, nor read them
in the change log; admins and owners see every filter; shared ones are visible to all members
(core.querysets `visible_to`, core.registrations.api `_saved_filter_visibility`)."""

import json

import pytest
from django.test import Client

from core.models import SavedFilter
from tenants.context import tenant_context
from tenants.models import MembershipRole
from tests.saas_platform.members import client_of, member

API = "/o/org-a/api/extras/saved-filters/"
UI = "/o/org-a/extras/saved-filters/"
CHANGES = "/o/org-a/api/core/object-changes/"
SECRET = "Secret racks of the author"
SHARED = "Racks for everybody"


@pytest.fixture
def people(org_a):
    return {
        role: member(org_a, role, f"{role}@example.com").user
        for role in (MembershipRole.VIEWER, MembershipRole.EDITOR, MembershipRole.ADMIN)
    } | {"author": member(org_a, MembershipRole.EDITOR, "author@example.com").user, "owner": org_a.owner}


@pytest.fixture
def filters(people):
    """The author's private and shared filters, created through the API (so change-logged)."""
    author = client_of(people["author"])
    created = {}
    for name, slug, shared in ((SECRET, "secret", False), (SHARED, "shared", True)):
        payload = {
            "name": name,
            "slug": slug,
            "object_types": ["dcim.site"],
            "parameters": {"status": ["active"]},
            "shared": shared,
        }
        response = author.post(API, json.dumps(payload), content_type="application/json")
        assert response.status_code == 201, response.content
        created[slug] = response.json()["id"]
    return created


def listed(client) -> set[str]:
    return {row["name"] for row in client.get(API).json()["results"]}


def patch(client, path, data):
    return client.patch(path, json.dumps(data), content_type="application/json")


def unchanged(org_a, pk) -> bool:
    with tenant_context(org_a.organization):
        saved = SavedFilter.objects.filter(pk=pk).first()
        return saved is not None and saved.name == SECRET and saved.shared is False


def graphql(client, query: str) -> str:
    response = client.post("/o/org-a/graphql/", json.dumps({"query": query}), content_type="application/json")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("role", [MembershipRole.VIEWER, MembershipRole.EDITOR])
def test_other_members_cannot_see_a_private_filter_through_rest(org_a, people, filters, role):
    client = client_of(people[role])

    assert listed(client) == {SHARED}
    assert client.get(f"{API}{filters['secret']}/").status_code == 404
    assert client.get(f"{API}{filters['shared']}/").status_code == 200
    assert client.get(f"{API}?usable=true").json()["count"] == 1
    # nor in the change log, whose snapshots would show it
    reprs = {row["object_repr"] for row in client.get(f"{CHANGES}?limit=100").json()["results"]}
    assert SHARED in reprs and SECRET not in reprs


def test_an_editor_cannot_change_or_delete_another_members_private_filter(org_a, people, filters):
    editor = client_of(people[MembershipRole.EDITOR])
    secret = filters["secret"]

    responses = [
        patch(editor, f"{API}{secret}/", {"shared": True}),
        editor.put(f"{API}{secret}/", json.dumps({"name": "x", "slug": "x", "parameters": {}}), "application/json"),
        editor.delete(f"{API}{secret}/"),
        patch(editor, API, [{"id": secret, "shared": True}]),
        editor.delete(API, json.dumps([{"id": secret}]), content_type="application/json"),
    ]

    assert [r.status_code for r in responses[:3]] == [404, 404, 404]
    assert all(400 <= r.status_code < 500 for r in responses[3:]), [r.content for r in responses]
    assert unchanged(org_a, secret)
    # a shared filter stays editable by editors, as in NetBox
    assert patch(editor, f"{API}{filters['shared']}/", {"description": "ok"}).status_code == 200


@pytest.mark.parametrize("who", ["author", MembershipRole.ADMIN, "owner"])
def test_the_author_admins_and_owners_see_and_change_it(org_a, people, filters, who):
    client = client_of(people[who])

    assert listed(client) == {SECRET, SHARED}
    assert client.get(f"{API}{filters['secret']}/").status_code == 200
    assert patch(client, f"{API}{filters['secret']}/", {"description": who}).status_code == 200


def test_graphql_hides_it_from_other_members(org_a, people, filters):
    viewer, author = client_of(people[MembershipRole.VIEWER]), client_of(people["author"])
    one = f"{{ saved_filter(id: {filters['secret']}) {{ id name }} }}"
    every = "{ saved_filter_list { id name } }"

    assert SECRET not in graphql(viewer, one) and SECRET not in graphql(viewer, every)
    assert SHARED in graphql(viewer, every)
    assert SECRET in graphql(author, one) and SECRET in graphql(author, every)


def test_the_ui_hides_it_from_other_members(org_a, people, filters):
    viewer, editor = client_of(people[MembershipRole.VIEWER]), client_of(people[MembershipRole.EDITOR])
    secret = filters["secret"]

    assert SECRET not in viewer.get(UI).content.decode()
    assert viewer.get(f"{UI}{secret}/").status_code == 404
    assert viewer.get(f"{UI}{secret}/changelog/").status_code == 404
    assert editor.get(f"{UI}{secret}/edit/").status_code == 404
    assert editor.post(f"{UI}{secret}/edit/", {"name": "x", "slug": "x", "parameters": "{}"}).status_code == 404
    assert editor.post(f"{UI}{secret}/delete/").status_code == 404
    # bulk delete selects nothing it cannot see, so there is nothing to confirm
    assert editor.post(f"{UI}delete/", {"pk": [secret], "_confirm": "1"}).status_code != 302
    assert unchanged(org_a, secret)
    # the list page's saved-filter menu (applying a filter) offers only the shared one
    sites = editor.get("/o/org-a/dcim/sites/").content.decode()
    assert SHARED in sites and SECRET not in sites
    # while the author and the admins find it
    assert SECRET in client_of(people["author"]).get("/o/org-a/dcim/sites/").content.decode()
    assert client_of(people[MembershipRole.ADMIN]).get(f"{UI}{secret}/").status_code == 200


def test_other_organizations_and_anonymous_callers_see_nothing(org_a, org_b, filters):
    outsider = org_b.client()

    assert outsider.get(f"{API}{filters['shared']}/").status_code == 404
    assert outsider.get(f"{API}{filters['secret']}/").status_code == 404
    assert patch(outsider, f"{API}{filters['secret']}/", {"shared": True}).status_code == 404
    assert Client().get(f"{API}{filters['secret']}/").status_code in (403, 404)
    assert Client().delete(f"{API}{filters['secret']}/").status_code in (403, 404)
    assert unchanged(org_a, filters["secret"])
    with tenant_context(org_b.organization):
        assert not SavedFilter.objects.exists()
