"""The change log as people read it (issue #18): field labels, related objects by name and linked, no
timestamp noise, the changed object linked and its type by name; the REST change log keeps NetBox's shapes."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.models import ObjectChange, ObjectPermission
from inventory.models import Region, Site
from tenants.context import tenant_context
from tenants.models import Membership, MembershipRole

CHANGES = "/o/org-a/core/object-changes/"


def _site_form(**values) -> dict:
    return {"name": "AMS1", "slug": "ams1", "status": "active", **values}


@pytest.fixture
def history(org_a):
    """AMS1 created in Europe, then moved to Asia and planned with a time zone; Europe then deleted."""
    owner = org_a.client()
    assert owner.post("/o/org-a/dcim/regions/add/", {"name": "Europe", "slug": "europe"}).status_code == 302
    assert owner.post("/o/org-a/dcim/regions/add/", {"name": "Asia", "slug": "asia"}).status_code == 302
    with tenant_context(org_a.organization):
        europe, asia = Region.objects.get(slug="europe"), Region.objects.get(slug="asia")
    assert owner.post("/o/org-a/dcim/sites/add/", _site_form(region=europe.pk)).status_code == 302
    with tenant_context(org_a.organization):
        site = Site.objects.get(slug="ams1")
    edit = _site_form(region=asia.pk, status="planned", time_zone="Europe/Amsterdam")
    assert owner.post(f"/o/org-a/dcim/sites/{site.pk}/edit/", edit).status_code == 302
    assert owner.post(f"/o/org-a/dcim/regions/{europe.pk}/delete/").status_code == 302
    with tenant_context(org_a.organization):
        site_type = ContentType.objects.get_for_model(Site)
        update = ObjectChange.objects.get(changed_object_type=site_type, action="update")
        region_delete = ObjectChange.objects.get(changed_object_type__model="region", action="delete")
    return {"site": site, "europe_id": europe.pk, "asia": asia, "update": update, "region_delete": region_delete}


def _difference(body: str) -> str:
    start = body.index("mb-0 wb-diff")
    return body[start : body.index("</table>", start)]


def test_the_difference_shows_labels_related_objects_by_name_and_no_timestamps(org_a, history):
    body = org_a.client().get(f"{CHANGES}{history['update'].pk}/").content.decode()

    diff = _difference(body)
    rows = dict(re.findall(r'<th scope="row">([^<]+)</th>(.*?)</tr>', diff, re.S))
    # labels, not field names
    assert {"Region", "Status", "Time zone"} <= set(rows) and "time_zone" not in diff
    # the region moved from the deleted Europe to Asia, linked to its page
    asia = history["asia"]
    assert f"#{history['europe_id']} (deleted)" in rows["Region"]
    assert f'<a href="/o/org-a/dcim/regions/{asia.pk}/">Asia</a>' in rows["Region"]
    assert "Planned" in rows["Status"]  # a choice by its label
    # the timestamps every save moves are not differences
    assert not {"Last updated", "Created", "last_updated", "created"} & set(rows)


def test_a_creation_shows_its_fields_without_timestamps(org_a, history):
    with tenant_context(org_a.organization):
        created = ObjectChange.objects.get(
            changed_object_type__model="site", changed_object_id=history["site"].pk, action="create"
        )

    diff = _difference(org_a.client().get(f"{CHANGES}{created.pk}/").content.decode())

    rows = dict(re.findall(r'<th scope="row">([^<]+)</th>(.*?)</tr>', diff, re.S))
    assert "Name" in rows and not {"Created", "Last updated"} & set(rows)  # NetBox's snapshots have neither
    assert f"#{history['europe_id']} (deleted)" in rows["Region"]


def test_the_change_page_links_the_changed_object_and_names_its_type(org_a, history):
    owner = org_a.client()
    site = history["site"]

    update = owner.get(f"{CHANGES}{history['update'].pk}/").content.decode()
    deletion = owner.get(f"{CHANGES}{history['region_delete'].pk}/").content.decode()

    assert f'<a href="/o/org-a/dcim/sites/{site.pk}/">AMS1</a>' in update
    assert re.search(r">\s*Site\s*<", update) and "dcim.site" not in update
    # a deleted object is named, not linked
    assert "Europe" in deletion and f"/dcim/regions/{history['europe_id']}/" not in deletion
    assert re.search(r">\s*Region\s*<", deletion) and "dcim.region" not in deletion


def test_the_change_list_links_the_objects_and_names_their_types(org_a, history):
    body = org_a.client().get(CHANGES).content.decode()

    table = body[body.index("<tbody") :]
    assert f'<a href="/o/org-a/dcim/sites/{history["site"].pk}/">AMS1</a>' in table
    assert f'<a href="/o/org-a/dcim/regions/{history["asia"].pk}/">Asia</a>' in table
    assert f"/dcim/regions/{history['europe_id']}/" not in table  # deleted: its name only
    assert "dcim.site" not in table and "dcim.region" not in table
    assert re.search(r"<td[^>]*>\s*Site\s*</td>", table)
    # the changed object's column is headed as NetBox heads it
    headers = [
        re.sub(r"<[^>]+>", "", text).strip() for text in re.findall(r"<th[^>]*data-column[^>]*>(.*?)</th>", body, re.S)
    ]
    assert "Object" in headers and "Object repr" not in headers


def test_the_api_keeps_netboxs_shapes(org_a, history):
    data = org_a.client().get(f"/o/org-a/api/core/object-changes/{history['update'].pk}/").json()

    assert data["changed_object_type"] == "dcim.site" and data["object_repr"] == "AMS1"
    assert data["prechange_data"]["region"] == history["europe_id"]
    assert "name" in data["postchange_data"] and "last_updated" not in data["postchange_data"]


def test_only_what_the_viewer_may_see_is_named_and_linked(org_a, org_b, history, monkeypatch):
    # given a member whose role grants nothing, allowed to see the change log and sites but not regions
    from core.context import ROLE_ACTIONS

    monkeypatch.setitem(ROLE_ACTIONS, MembershipRole.VIEWER, frozenset())
    Membership.objects.create(user=org_b.owner, organization=org_a.organization, role=MembershipRole.VIEWER)
    with tenant_context(org_a.organization):
        permission = ObjectPermission.objects.create(name="Log", actions=["view"], user_ids=[org_b.owner.pk])
        permission.object_types.set(ContentType.objects.get_for_models(ObjectChange, Site).values())
    asia = history["asia"]

    # when they open the site's update and the change list
    viewer = org_b.client()
    diff = _difference(viewer.get(f"{CHANGES}{history['update'].pk}/").content.decode())
    listing = viewer.get(CHANGES).content.decode()

    # then Asia is an id only (it exists: not "deleted"), the site is linked
    assert f"#{asia.pk}" in diff and "Asia" not in diff and f"#{asia.pk} (deleted)" not in diff
    assert f"/dcim/regions/{asia.pk}/" not in diff
    assert f'<a href="/o/org-a/dcim/sites/{history["site"].pk}/">AMS1</a>' in listing
    assert f"/dcim/regions/{asia.pk}/" not in listing


def test_other_organizations_and_anonymous_see_nothing(org_a, org_b, history):
    page = f"{CHANGES}{history['update'].pk}/"

    assert org_b.client().get(page).status_code == 404
    assert org_b.client().get(page.replace("/o/org-a/", "/o/org-b/")).status_code == 404
    assert org_b.client().get(f"/o/org-a/dcim/sites/{history['site'].pk}/changelog/").status_code == 404
    anonymous = Client().get(page)
    assert anonymous.status_code in (302, 404) and "AMS1" not in anonymous.content.decode()


def test_the_object_changelog_tab_reads_the_same(org_a, history):
    body = org_a.client().get(f"/o/org-a/dcim/sites/{history['site'].pk}/changelog/").content.decode()

    assert f'<a href="/o/org-a/dcim/regions/{history["asia"].pk}/">Asia</a>' in body
    assert f"#{history['europe_id']} (deleted)" in body and "Time zone" in body and "Last updated" not in body


def _queries(client, url: str) -> int:
    client.get(url)  # caches (content types, the organization) filled
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_reading_related_objects_costs_one_query_per_type_not_per_row(org_a):
    # given a site moved between regions once, and another moved ten times, each move changing several fields
    owner = org_a.client()
    with tenant_context(org_a.organization):
        regions = [Region.objects.create(name=f"R{number}", slug=f"r{number}") for number in range(10)]
    for slug, moves in (("few", 1), ("many", 10)):
        owner.post("/o/org-a/dcim/sites/add/", {"name": slug, "slug": slug, "status": "active"})
        with tenant_context(org_a.organization):
            site = Site.objects.get(slug=slug)
        for number in range(moves):
            values = {"name": slug, "slug": slug, "region": regions[number].pk, "description": f"move {number}"}
            values |= {"status": "planned" if number % 2 else "active", "facility": f"F{number}"}
            assert owner.post(f"/o/org-a/dcim/sites/{site.pk}/edit/", values).status_code == 302
    with tenant_context(org_a.organization):
        few, many = Site.objects.get(slug="few"), Site.objects.get(slug="many")
        last = ObjectChange.objects.filter(changed_object_id=many.pk, changed_object_type__model="site").first()
        first = ObjectChange.objects.filter(changed_object_id=few.pk, changed_object_type__model="site").first()
        site_type = ContentType.objects.get_for_model(Site).pk

    # when their change log tabs, the change list and a change with more fields are read, then
    # the number of changes, changed fields and related objects does not change the number of queries
    tab = "/o/org-a/dcim/sites/{}/changelog/"
    assert _queries(owner, tab.format(many.pk)) == _queries(owner, tab.format(few.pk))
    assert _queries(owner, f"{CHANGES}{last.pk}/") == _queries(owner, f"{CHANGES}{first.pk}/")
    listed = CHANGES + "?changed_object_type_id={}&changed_object_id={}"
    assert _queries(owner, listed.format(site_type, many.pk)) == _queries(owner, listed.format(site_type, few.pk))


def test_many_to_many_values_are_named_and_linked_each(org_a):
    from addressing.models import ASN, RIR

    with tenant_context(org_a.organization):
        rir = RIR.objects.create(name="RIPE", slug="ripe")
        sites = [Site.objects.create(name=f"S{number}", slug=f"s{number}") for number in range(2)]
    owner = org_a.client()
    form = {"asn": 65001, "rir": rir.pk, "sites": [site.pk for site in sites]}
    assert owner.post("/o/org-a/ipam/asns/add/", form).status_code == 302
    with tenant_context(org_a.organization):
        asn = ASN.objects.get(asn=65001)
        change = ObjectChange.objects.get(changed_object_id=asn.pk, changed_object_type__model="asn")

    diff = _difference(owner.get(f"{CHANGES}{change.pk}/").content.decode())

    rows = dict(re.findall(r'<th scope="row">([^<]+)</th>(.*?)</tr>', diff, re.S))
    links = [f'<a href="/o/org-a/dcim/sites/{site.pk}/">{site.name}</a>' for site in sites]
    assert ", ".join(links) in rows["Sites"]
    assert f'<a href="/o/org-a/ipam/rirs/{rir.pk}/">RIPE</a>' in rows["RIR"]
