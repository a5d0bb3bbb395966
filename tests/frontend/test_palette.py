"""The command palette's answers (frontend/palette.py, `palette/?q=`): pages of the navigation and
objects of the global search, only those the member may open, nothing for anyone else."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.models import SavedFilter
from core.services import object_create
from inventory.models import Site
from tenants.context import tenant_context
from tests.saas_platform.members import client_of, member

PALETTE = "/o/org-a/palette/"


def private_filter(user_id: int, name: str) -> SavedFilter:
    """A saved filter only its owner (and admins) may see, written through the services (change-logged)."""
    data = {"name": name, "slug": "secret", "user_id": user_id, "shared": False, "parameters": {"status": "active"}}
    return object_create(model=SavedFilter, data=data)


def ask(client, text: str) -> dict:
    response = client.get(PALETTE, {"q": text})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    return response.json()


def labels(answer: dict, kind: str) -> list[str]:
    return [item["label"] for item in answer[kind]]


def test_pages_match_every_word_typed_names_first(org_a):
    owner = org_a.client()

    sites = ask(owner, "sites")
    assert labels(sites, "pages")[0] == "Sites"
    assert sites["pages"][0] == {"label": "Sites", "detail": "Organization / Sites", "url": "/o/org-a/dcim/sites/"}
    assert "Import sites" in labels(sites, "pages")

    add = ask(owner, "add site")
    assert labels(add, "pages")[0] == "Add site"
    assert add["pages"][0]["url"] == "/o/org-a/dcim/sites/add/"

    assert labels(ask(owner, "graphiql"), "pages") == ["GraphiQL"]
    assert labels(ask(owner, "tokens"), "pages") == ["API tokens"]
    assert "Danger zone: export, restore, delete" in labels(ask(owner, "danger"), "pages")
    assert ask(owner, "zzzz-nothing") == {
        "query": "zzzz-nothing",
        "pages": [],
        "objects": [],
        "search_url": "/o/org-a/search/?q=zzzz-nothing",
    }
    assert ask(owner, "  ") == {"query": "", "pages": [], "objects": [], "search_url": ""}


def test_objects_come_from_the_search_index_with_their_page(org_a):
    with tenant_context(org_a.organization):
        site = object_create(model=Site, data={"name": "AMS1", "slug": "ams1"})

    answer = ask(org_a.client(), "ams")

    assert answer["objects"] == [{"label": "AMS1", "detail": "Site", "url": f"/o/org-a/dcim/sites/{site.pk}/"}]
    assert answer["search_url"] == "/o/org-a/search/?q=ams"


def test_a_member_finds_only_pages_and_objects_they_may_open(org_a):
    # given a viewer, and the owner's private saved filter
    viewer = member(org_a, "viewer")
    with tenant_context(org_a.organization):
        private_filter(org_a.owner.pk, "Secret racks")
    theirs = client_of(viewer.user)

    # then the viewer is offered no add or import page, no admin-only settings page, not the private filter
    assert "Add site" not in labels(ask(theirs, "add site"), "pages")
    assert labels(ask(theirs, "audit"), "pages") == []
    assert labels(ask(theirs, "danger"), "pages") == []
    assert labels(ask(theirs, "tokens"), "pages") == ["API tokens"]
    assert ask(theirs, "secret")["objects"] == []
    # and the owner is
    assert labels(ask(org_a.client(), "secret"), "objects") == ["Secret racks"]
    assert labels(ask(org_a.client(), "audit"), "pages") == ["Audit log"]


def test_a_long_query_is_cut_and_costs_a_bounded_number_of_statements(org_a):
    client = org_a.client()
    with tenant_context(org_a.organization):
        for number in range(12):
            object_create(model=Site, data={"name": f"Edge{number}", "slug": f"edge{number}"})
    ask(client, "edge")

    with CaptureQueriesContext(connection) as queries:
        answer = ask(client, "edge")

    assert len(answer["objects"]) == 8
    # the savepoint and its release, search's types present, its total, its page, one per type loaded
    assert len(queries) <= 8, [query["sql"][:100] for query in queries]
    assert len(ask(client, "x" * 5000)["query"]) == 100


def test_another_organization_and_anonymous_get_nothing(org_a, org_b):
    with tenant_context(org_a.organization):
        object_create(model=Site, data={"name": "Hidden", "slug": "hidden"})

    assert org_b.client().get(PALETTE, {"q": "hidden"}).status_code == 404
    anonymous = Client().get(PALETTE, {"q": "hidden"})
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")
    # and B's own palette does not find A's objects
    assert ask_b(org_b, "hidden")["objects"] == []


def ask_b(org_b, text: str) -> dict:
    response = org_b.client().get(f"/o/{org_b.organization.slug}/palette/", {"q": text})
    assert response.status_code == 200
    return response.json()
