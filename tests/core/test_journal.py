"""Journal entries at extras/journal-entries/: remarks on an object, by the caller, isolated per organization."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.models import JournalEntry, ObjectChange
from inventory.models import Site
from tenants.context import tenant_context

API = "/o/org-a/api"
ENTRIES = "/extras/journal-entries/"


def call(client, method, path, payload=None):
    if payload is None:
        return getattr(client, method)(f"{API}{path}")
    return getattr(client, method)(f"{API}{path}", json.dumps(payload), content_type="application/json")


@pytest.fixture
def api(org_a):
    return org_a.client()


@pytest.fixture
def site(org_a):
    with tenant_context(org_a.organization):
        return Site.objects.create(name="AMS1", slug="ams1")


def write(api, site, **extra):
    payload = {"assigned_object_type": "dcim.site", "assigned_object_id": site.pk, "comments": "Replaced PSU", **extra}
    return call(api, "post", ENTRIES, payload)


def test_journal_entry_on_a_site(api, org_a, site):
    created = write(api, site, kind="warning", created_by=999999)

    assert created.status_code == 201, created.content
    entry = created.json()
    assert list(entry)[:4] == ["id", "url", "display_url", "display"]
    assert entry["assigned_object_type"] == "dcim.site"
    assert entry["assigned_object_id"] == site.pk
    assert entry["assigned_object"] == {
        "id": site.pk,
        "url": f"http://testserver{API}/dcim/sites/{site.pk}/",
        "display": "AMS1",
        "name": "AMS1",
        "slug": "ams1",
        "description": "",
    }
    assert entry["kind"] == {"value": "warning", "label": "Warning"}
    assert entry["created_by"] == org_a.owner.pk  # the caller, whatever the body says
    assert entry["comments"] == "Replaced PSU"
    assert entry["display"].endswith("(Warning)")
    assert entry["tags"] == [] and entry["custom_fields"] == {}
    assert set(call(api, "get", f"{ENTRIES}{entry['id']}/?brief=1").json()) == {"id", "url", "display", "created"}
    with tenant_context(org_a.organization):
        stored = JournalEntry.objects.get(pk=entry["id"])
        assert stored.created_by_name == "owner-a@example.com"
        assert ObjectChange.objects.filter(changed_object_id=entry["id"], action="create").exists()


def test_default_kind_and_updates(api, site):
    entry = write(api, site).json()

    patched = call(api, "patch", f"{ENTRIES}{entry['id']}/", {"comments": "Replaced both PSUs", "kind": "success"})
    deleted = call(api, "delete", f"{ENTRIES}{entry['id']}/")

    assert entry["kind"] == {"value": "info", "label": "Info"}
    assert patched.status_code == 200
    assert patched.json()["comments"] == "Replaced both PSUs" and patched.json()["kind"]["value"] == "success"
    assert patched.json()["created_by"] == entry["created_by"]
    assert deleted.status_code == 204


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        (
            {"assigned_object_type": "dcim.site", "assigned_object_id": 999999, "comments": "x"},
            {"assigned_object_id": ["Invalid assigned_object: dcim.site ID 999999"]},
        ),
        (
            {"assigned_object_type": "extras.tag", "assigned_object_id": 1, "comments": "x"},
            {"assigned_object_type": ["Invalid content type: extras.tag"]},
        ),
        (
            {"assigned_object_type": "extras.journalentry", "assigned_object_id": 1, "comments": "x"},
            {"assigned_object_type": ["Invalid content type: extras.journalentry"]},
        ),
        (
            {"assigned_object_type": None, "assigned_object_id": 1, "comments": "x"},
            {"assigned_object_type": ["This field may not be null."]},
        ),
        ({"assigned_object_type": "dcim.site", "comments": "x"}, {"assigned_object_id": ["This field is required."]}),
        (
            {"assigned_object_type": "dcim.site", "assigned_object_id": "abc", "comments": "x"},
            {"assigned_object_id": ["“abc” value must be an integer."]},
        ),
        ({"assigned_object_type": "dcim.site", "assigned_object_id": 1}, {"comments": ["This field is required."]}),
        (
            {"assigned_object_type": "dcim.site", "assigned_object_id": "SITE", "comments": "x", "kind": "meh"},
            {"kind": ["Value 'meh' is not a valid choice."]},
        ),
    ],
)
def test_invalid_entries_are_refused(api, site, payload, errors):
    if payload.get("assigned_object_id") == "SITE":
        payload = {**payload, "assigned_object_id": site.pk}
    response = call(api, "post", ENTRIES, payload)

    assert response.status_code == 400
    assert response.json() == errors


def test_filters(api, org_a, site):
    with tenant_context(org_a.organization):
        other = Site.objects.create(name="FRA1", slug="fra1")
    write(api, site, kind="warning")
    write(api, site, comments="All good", kind="success")
    write(api, other, comments="Power outage")

    def comments(query):
        response = call(api, "get", f"{ENTRIES}?{query}")
        assert response.status_code == 200, response.content
        return sorted(entry["comments"] for entry in response.json()["results"])

    assert comments(f"assigned_object_type=dcim.site&assigned_object_id={site.pk}") == ["All good", "Replaced PSU"]
    assert comments("kind=warning") == ["Replaced PSU"]
    assert comments("q=outage") == ["Power outage"]
    assert comments("assigned_object_type=tenancy.tenant") == []
    assert comments(f"created_by_id={org_a.owner.pk}") == ["All good", "Power outage", "Replaced PSU"]
    assert comments("created_by=owner-a@example.com&kind__n=warning") == ["All good", "Power outage"]


def test_newest_first(api, site):
    first = write(api, site, comments="first").json()
    second = write(api, site, comments="second").json()

    listed = call(api, "get", ENTRIES).json()["results"]

    assert [entry["id"] for entry in listed] == [second["id"], first["id"]]


def test_entries_go_with_their_object_and_are_logged(api, org_a, site):
    entry = write(api, site).json()

    assert call(api, "delete", f"/dcim/sites/{site.pk}/").status_code == 204

    assert call(api, "get", f"{ENTRIES}{entry['id']}/").status_code == 404
    with tenant_context(org_a.organization):
        assert ObjectChange.objects.filter(changed_object_id=entry["id"], action="delete").exists()


def test_other_organizations_see_and_change_nothing(org_a, org_b, site):
    entry = write(org_a.client(), site).json()
    outsider = org_b.client()

    responses = [
        outsider.get(f"{API}{ENTRIES}"),
        outsider.get(f"{API}{ENTRIES}{entry['id']}/"),
        outsider.patch(f"{API}{ENTRIES}{entry['id']}/", '{"comments": "x"}', content_type="application/json"),
        outsider.delete(f"{API}{ENTRIES}{entry['id']}/"),
        outsider.post(
            f"{API}{ENTRIES}",
            json.dumps({"assigned_object_type": "dcim.site", "assigned_object_id": site.pk, "comments": "x"}),
            content_type="application/json",
        ),
    ]
    # In its own organization, B cannot attach an entry to A's site id either.
    on_b = outsider.post(
        "/o/org-b/api/extras/journal-entries/",
        json.dumps({"assigned_object_type": "dcim.site", "assigned_object_id": site.pk, "comments": "x"}),
        content_type="application/json",
    )

    assert {response.status_code for response in responses} == {404}
    assert Client().get(f"{API}{ENTRIES}").status_code == 403
    assert on_b.status_code == 400
    assert outsider.get(f"/o/org-b/api{ENTRIES}").json()["count"] == 0
    with tenant_context(org_a.organization):
        assert JournalEntry.objects.get(pk=entry["id"]).comments == "Replaced PSU"
        assert JournalEntry.objects.count() == 1


def test_list_queries_do_not_grow_with_rows(api, org_a, site):
    with tenant_context(org_a.organization):
        region_site = Site.objects.create(name="FRA1", slug="fra1")
    write(api, site)
    call(api, "post", "/dcim/regions/", {"name": "Europe", "slug": "europe"})
    few = _queries(api, ENTRIES)
    for number in range(6):
        write(api, site if number % 2 else region_site, comments=f"entry {number}")
    region = call(api, "get", "/dcim/regions/").json()["results"][0]
    write(api, site, assigned_object_type="dcim.region", assigned_object_id=region["id"])

    many = _queries(api, ENTRIES)

    # Per object type the entries point at (not per row): its objects (content types are cached
    # per schema: tenants.content_types).
    assert many == few + 1
    assert _queries(api, ENTRIES) == many


def _queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = call(client, "get", path)
    assert response.status_code == 200
    return len(queries)
