"""The derived REST API, exercised on the organizational models (regions, sites, tenants)."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.models import ObjectChange, ObjectPermission, Tag
from inventory.models import Region, Site
from tenants.context import tenant_context
from tenants.models import Membership, MembershipRole

API = "/o/org-a/api"


def call(client, method, path, payload=None, **extra):
    kwargs = {"content_type": "application/json"} if payload is not None else {}
    body = json.dumps(payload) if payload is not None else None
    return (
        getattr(client, method)(f"{API}{path}", body, **kwargs, **extra)
        if body
        else getattr(client, method)(f"{API}{path}", **extra)
    )


@pytest.fixture
def api(org_a):
    return org_a.client()


@pytest.fixture
def europe(org_a):
    with tenant_context(org_a.organization):
        europe = Region.objects.create(name="Europe", slug="europe")
        netherlands = Region.objects.create(name="Netherlands", slug="nl", parent=europe)
        Site.objects.create(name="AMS1", slug="ams1", region=netherlands)
        Site.objects.create(name="FRA1", slug="fra1", region=europe, status="planned")
        Site.objects.create(name="NYC1", slug="nyc1")
    return europe


def names(response):
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


# -- representation ---------------------------------------------------------------------------


def test_root_and_status(api):
    root = call(api, "get", "/")
    status = call(api, "get", "/status/")

    assert root.status_code == 200
    assert root["API-Version"] == "4.7"
    assert root.json()["dcim"] == "http://testserver/o/org-a/api/dcim/"
    assert status.json()["netbox-version"] == "4.7.3"
    assert "wirebook-version" in status.json()


def test_object_shape_matches_netbox(api, europe):
    response = call(api, "get", "/dcim/sites/?slug=ams1")

    site = response.json()["results"][0]
    assert list(site)[:4] == ["id", "url", "display_url", "display"]
    assert site["url"] == f"http://testserver/o/org-a/api/dcim/sites/{site['id']}/"
    assert site["status"] == {"value": "active", "label": "Active"}
    assert site["region"]["slug"] == "nl" and site["region"]["_depth"] == 1
    assert set(site["region"]) == {"id", "url", "display", "name", "slug", "description", "site_count", "_depth"}
    assert site["region"]["site_count"] == 1
    assert site["tags"] == [] and site["custom_fields"] == {}
    assert site["created"].endswith("Z")
    assert response["X-Request-ID"]


def test_tree_counts_include_descendants(api, europe):
    regions = {row["slug"]: row for row in call(api, "get", "/dcim/regions/").json()["results"]}

    assert regions["europe"]["site_count"] == 2
    assert regions["nl"]["site_count"] == 1
    assert regions["nl"]["_depth"] == 1


def test_brief_fields_and_omit(api, europe):
    brief = call(api, "get", "/dcim/sites/?brief=1&slug=ams1").json()["results"][0]
    fields = call(api, "get", "/dcim/sites/?fields=id,name&slug=ams1").json()["results"][0]
    omitted = call(api, "get", "/dcim/sites/?omit=region,tags&slug=ams1").json()["results"][0]

    assert set(brief) == {"id", "url", "display", "name", "slug", "description"}
    assert set(fields) == {"id", "name"}
    assert "region" not in omitted and "tags" not in omitted and "status" in omitted


# -- filters, ordering, pagination -------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("name=AMS1&name=NYC1", ["AMS1", "NYC1"]),
        ("name__ic=ms", ["AMS1"]),
        ("slug__n=ams1", ["FRA1", "NYC1"]),
        ("region=europe", ["AMS1", "FRA1"]),
        ("region_id__n=null", ["AMS1", "FRA1"]),
        ("region=nl", ["AMS1"]),
        ("status=planned", ["FRA1"]),
        ("status__n=planned", ["AMS1", "NYC1"]),
        ("q=fra", ["FRA1"]),
        ("description__empty=true", ["AMS1", "FRA1", "NYC1"]),
        ("unknown_filter=1", ["AMS1", "FRA1", "NYC1"]),
        ("ordering=-name", ["NYC1", "FRA1", "AMS1"]),
    ],
)
def test_filters(api, europe, query, expected):
    assert names(call(api, "get", f"/dcim/sites/?{query}")) == expected


def test_region_filter_by_id_includes_descendants(api, europe):
    assert names(call(api, "get", f"/dcim/sites/?region_id={europe.pk}")) == ["AMS1", "FRA1"]
    assert names(call(api, "get", f"/dcim/regions/?ancestor_id={europe.pk}")) == ["Europe", "Netherlands"]


def test_a_tree_without_slugs_has_no_ancestor_filter_by_slug(api):
    # inventory items are filtered by ancestor_id only, as NetBox's; `?ancestor=` was a 500 (they
    # have no slug), and is now a filter they do not have, ignored as NetBox ignores one
    response = call(api, "get", "/dcim/inventory-items/?ancestor=x")

    assert response.status_code == 200, response.content
    assert call(api, "get", "/dcim/inventory-items/?ancestor_id=1").status_code == 200


def test_tag_filters(api, org_a, europe):
    tag = call(api, "post", "/extras/tags/", {"name": "Core", "slug": "core"}).json()
    site = call(api, "get", "/dcim/sites/?slug=ams1").json()["results"][0]
    call(api, "patch", f"/dcim/sites/{site['id']}/", {"tags": [tag["id"]]})

    assert names(call(api, "get", "/dcim/sites/?tag=core")) == ["AMS1"]
    assert names(call(api, "get", "/dcim/sites/?tag__n=core")) == ["FRA1", "NYC1"]


def test_a_tag_counts_the_objects_it_is_on(api, org_a, europe):
    # given two tags, one on two sites and a region
    core = call(api, "post", "/extras/tags/", {"name": "Core", "slug": "core"}).json()
    call(api, "post", "/extras/tags/", {"name": "Spare", "slug": "spare"})
    for site in call(api, "get", "/dcim/sites/?slug=ams1&slug=fra1").json()["results"]:
        call(api, "patch", f"/dcim/sites/{site['id']}/", {"tags": [core["id"]]})
    call(api, "patch", f"/dcim/regions/{europe.pk}/", {"tags": [core["id"]]})

    # when they are read, and listed by that count
    one = call(api, "get", f"/extras/tags/{core['id']}/").json()
    listed = call(api, "get", "/extras/tags/?ordering=-tagged_items").json()["results"]

    # then NetBox's tagged_items counts them, between its object types and its timestamps
    assert one["tagged_items"] == 3
    assert list(one)[list(one).index("object_types") + 1] == "tagged_items"
    assert [(tag["slug"], tag["tagged_items"]) for tag in listed] == [("core", 3), ("spare", 0)]


def test_bad_filter_values_are_a_400(api, europe):
    response = call(api, "get", "/dcim/sites/?id=abc")

    assert response.status_code == 400
    assert response.json() == {"id": ["“abc” is not a valid value."]}


def test_offset_pagination_links(api, europe):
    first = call(api, "get", "/dcim/sites/?limit=2").json()
    second = call(api, "get", "/dcim/sites/?limit=2&offset=2").json()

    assert first["count"] == 3
    assert first["next"] == "http://testserver/o/org-a/api/dcim/sites/?limit=2&offset=2"
    assert first["previous"] is None
    assert second["previous"] == "http://testserver/o/org-a/api/dcim/sites/?limit=2"
    assert second["next"] is None
    assert [r["name"] for r in first["results"] + second["results"]] == ["AMS1", "FRA1", "NYC1"]


def test_a_page_is_cut_after_filtering_and_ordering_even_by_a_count(api, europe):
    # a page's rows are chosen by their keys before their related objects are joined (endpoints.page_rows)
    by_count = [names(call(api, "get", f"/dcim/regions/?ordering=-site_count&limit=1&offset={n}")) for n in (0, 1)]
    reversed_names = names(call(api, "get", "/dcim/sites/?ordering=-name&limit=2&offset=1"))
    filtered = call(api, "get", "/dcim/sites/?region=europe&ordering=-name&limit=1&offset=1").json()

    assert by_count == [["Europe"], ["Netherlands"]]
    assert reversed_names == ["FRA1", "AMS1"]
    assert filtered["count"] == 2 and [row["name"] for row in filtered["results"]] == ["AMS1"]
    assert filtered["results"][0]["region"]["slug"] == "nl"


def test_a_brief_list_orders_by_a_count_it_does_not_show(api, europe):
    # given a rack in the last site by name (a site's brief form has no rack_count)
    [nyc] = call(api, "get", "/dcim/sites/?slug=nyc1").json()["results"]
    assert call(api, "post", "/dcim/racks/", {"name": "R1", "site": nyc["id"]}).status_code == 201

    # when
    response = call(api, "get", "/dcim/sites/?brief=1&ordering=-rack_count")

    # then
    assert names(response) == ["NYC1", "AMS1", "FRA1"]
    assert "rack_count" not in response.json()["results"][0]


def test_cursor_pagination(api, europe):
    first = call(api, "get", "/dcim/sites/?start=0&limit=2").json()
    assert first["count"] is None and first["previous"] is None
    rest = api.get(first["next"]).json()

    assert len(first["results"]) == 2 and len(rest["results"]) == 1 and rest["next"] is None
    assert call(api, "get", "/dcim/sites/?start=0&offset=1").status_code == 400


def test_page_size_is_capped(api, europe):
    response = call(api, "get", "/dcim/sites/?limit=5000")

    assert response.status_code == 200
    assert len(response.json()["results"]) == 3


@pytest.mark.parametrize("query", ["limit=-1", "limit=abc", "offset=-5", "offset=x", "id=", "name=&slug="])
def test_unusable_paging_and_empty_filters_are_ignored_as_netbox_ignores_them(api, europe, query):
    response = call(api, "get", f"/dcim/sites/?{query}")

    assert response.status_code == 200, response.content
    assert response.json()["count"] == 3
    assert len(response.json()["results"]) == 3


# -- writes ------------------------------------------------------------------------------------


def test_create_with_related_objects_by_id_or_attributes(api, europe):
    by_attributes = call(api, "post", "/dcim/sites/", {"name": "AMS2", "slug": "ams2", "region": {"slug": "nl"}})
    by_id = call(api, "post", "/dcim/sites/", {"name": "AMS3", "slug": "ams3", "region": europe.pk})

    assert by_attributes.status_code == 201, by_attributes.content
    assert by_attributes.json()["region"]["slug"] == "nl"
    assert by_id.json()["region"]["id"] == europe.pk


def test_an_empty_string_for_a_reference_is_null_as_drf_reads_it(api, europe):
    # Go clients (the Terraform provider) send "" for an unset string pointer
    site = call(api, "post", "/dcim/sites/", {"name": "AMS4", "slug": "ams4", "region": ""})
    address = call(api, "post", "/ipam/ip-addresses/", {"address": "10.0.0.1/24", "assigned_object_type": ""})
    required = call(api, "post", "/dcim/locations/", {"name": "L", "slug": "l", "site": ""})

    assert site.status_code == 201, site.content
    assert site.json()["region"] is None
    assert address.status_code == 201, address.content
    assert address.json()["assigned_object_type"] is None
    assert required.json() == {"site": ["This field may not be null."]}


def test_create_errors_have_netbox_shapes(api, europe):
    missing = call(api, "post", "/dcim/sites/", {})
    bad_choice = call(api, "post", "/dcim/sites/", {"name": "X", "slug": "x", "status": "nope"})
    bad_related = call(api, "post", "/dcim/sites/", {"name": "X", "slug": "x", "region": {"slug": "mars"}})
    duplicate = call(api, "post", "/dcim/sites/", {"name": "AMS1", "slug": "ams1-b"})
    not_json = api.post(f"{API}/dcim/sites/", "{", content_type="application/json")
    not_an_object = call(api, "patch", f"/dcim/regions/{europe.pk}/", "Europe")

    assert missing.status_code == 400
    assert missing.json() == {"name": ["This field is required."], "slug": ["This field is required."]}
    assert bad_choice.json() == {"status": ["Value 'nope' is not a valid choice."]}
    assert bad_related.json() == {
        "region": ["Related object not found using the provided attributes: {'slug': 'mars'}"]
    }
    assert duplicate.json() == {"name": ["site with this name already exists."]}
    assert not_json.status_code == 400 and "JSON parse error" in not_json.json()["detail"]
    # NetBox 4.7 keys an error that concerns no one field `__all__` (Django's key, its NON_FIELD_ERRORS_KEY)
    assert not_an_object.status_code == 400
    assert not_an_object.json() == {"__all__": ["Invalid data. Expected a dictionary, but got str."]}


def test_sibling_names_must_be_unique(api, europe):
    clash = call(api, "post", "/dcim/regions/", {"name": "Netherlands", "slug": "nl2", "parent": europe.pk})
    elsewhere = call(api, "post", "/dcim/regions/", {"name": "Netherlands", "slug": "nl2"})

    assert clash.status_code == 400
    assert elsewhere.status_code == 201


def test_patch_put_and_delete(api, europe):
    site = call(api, "get", "/dcim/sites/?slug=nyc1").json()["results"][0]

    patched = call(api, "patch", f"/dcim/sites/{site['id']}/", {"description": "Manhattan"})
    put_missing = call(api, "put", f"/dcim/sites/{site['id']}/", {"description": "x"})
    deleted = call(api, "delete", f"/dcim/sites/{site['id']}/")
    gone = call(api, "get", f"/dcim/sites/{site['id']}/")

    assert patched.status_code == 200 and patched.json()["description"] == "Manhattan"
    assert patched.json()["name"] == "NYC1"
    assert put_missing.status_code == 400 and "name" in put_missing.json()
    assert deleted.status_code == 204
    assert gone.status_code == 404
    assert gone.json() == {"detail": "No Site matches the given query."}


def test_a_change_shows_its_object_while_it_exists_each_type_read_once(api, org_b):
    site = call(api, "post", "/dcim/sites/", {"name": "AMS9", "slug": "ams9"}).json()
    region = call(api, "post", "/dcim/regions/", {"name": "Benelux", "slug": "benelux"}).json()
    call(api, "patch", f"/dcim/sites/{site['id']}/", {"region": region["id"]})
    tag = call(api, "post", "/extras/tags/", {"name": "Core", "slug": "core"}).json()

    with CaptureQueriesContext(connection) as few:
        call(api, "get", "/core/object-changes/?changed_object_type=dcim.site")
    with CaptureQueriesContext(connection) as more:
        listed = call(api, "get", "/core/object-changes/?ordering=id").json()["results"]
    by_type = {}
    for change in listed:
        by_type.setdefault(change["changed_object_type"], []).append(change["changed_object"])
    # (created, then moved: both changes show the site as it is now, in its brief form)
    assert [brief["id"] for brief in by_type["dcim.site"]] == [site["id"]] * 2
    assert {key: by_type["dcim.site"][0][key] for key in ("url", "display", "name", "slug")} == {
        "url": site["url"],
        "display": "AMS9",
        "name": "AMS9",
        "slug": "ams9",
    }
    assert by_type["dcim.region"][0]["id"] == region["id"]
    assert by_type["extras.tag"][0]["name"] == "Core"
    # each type's objects in one statement: three types cost two statements more than one
    assert len(more.captured_queries) <= len(few.captured_queries) + 2

    # a deleted object: null, its changes kept
    call(api, "delete", f"/extras/tags/{tag['id']}/")
    changes = call(api, "get", f"/core/object-changes/?changed_object_id={tag['id']}&changed_object_type=extras.tag")
    assert [(c["action"]["value"], c["changed_object"]) for c in changes.json()["results"]] == [
        ("delete", None),
        ("create", None),
    ]

    # another organization's member sees none of these changes
    outsider = org_b.client().get(f"/o/org-a/api/core/object-changes/?changed_object_id={site['id']}")
    assert outsider.status_code in (403, 404)


def test_bulk_create_is_all_or_nothing_with_per_object_errors(api, org_a):
    response = call(
        api, "post", "/dcim/sites/", [{"name": "A", "slug": "a"}, {"name": "B"}, {"name": "C", "slug": "c"}]
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "1 of 3 objects could not be created.",
        "errors": [{"index": 1, "errors": {"slug": ["This field is required."]}}],
    }
    with tenant_context(org_a.organization):
        assert not Site.objects.exists()

    created = call(api, "post", "/dcim/sites/", [{"name": "A", "slug": "a"}, {"name": "C", "slug": "c"}])
    assert created.status_code == 201 and [s["name"] for s in created.json()] == ["A", "C"]


def test_bulk_update_and_delete(api, europe):
    sites = call(api, "get", "/dcim/sites/").json()["results"]

    updated = call(api, "patch", "/dcim/sites/", [{"id": s["id"], "description": "bulk"} for s in sites])
    rejected = call(api, "patch", "/dcim/sites/", [{"id": sites[0]["id"], "status": "bad"}, {"id": sites[1]["id"]}])
    deleted = call(api, "delete", "/dcim/sites/", [{"id": s["id"]} for s in sites[:2]])

    assert updated.status_code == 200 and {s["description"] for s in updated.json()} == {"bulk"}
    assert rejected.status_code == 400 and rejected.json()["errors"][0]["index"] == 0
    assert deleted.status_code == 204
    assert names(call(api, "get", "/dcim/sites/")) == ["NYC1"]


def test_protected_objects_cannot_be_deleted(api, org_a):
    tenant = call(api, "post", "/tenancy/tenants/", {"name": "Acme", "slug": "acme"}).json()
    call(api, "post", "/dcim/sites/", {"name": "S", "slug": "s", "tenant": tenant["id"]})

    response = call(api, "delete", f"/tenancy/tenants/{tenant['id']}/")

    assert response.status_code == 409
    assert "1 dependent objects" in response.json()["detail"]


def test_options_lists_choices(api):
    response = api.options(f"{API}/dcim/sites/")

    choices = response.json()["actions"]["POST"]["status"]["choices"]
    assert {"value": "active", "display_name": "Active"} in choices


def test_read_only_endpoints_refuse_writes(api):
    assert call(api, "post", "/core/object-changes/", {}).status_code == 405


# -- change log --------------------------------------------------------------------------------


def test_every_write_is_change_logged_with_the_request_id(api, org_a):
    created = call(api, "post", "/dcim/regions/", {"name": "Asia", "slug": "asia", "changelog_message": "new"})
    region_id = created.json()["id"]
    updated = call(api, "patch", f"/dcim/regions/{region_id}/", {"description": "East"})
    call(api, "delete", f"/dcim/regions/{region_id}/")

    with tenant_context(org_a.organization):
        changes = list(ObjectChange.objects.filter(changed_object_id=region_id).order_by("id"))
    assert [c.action for c in changes] == ["create", "update", "delete"]
    assert str(changes[0].request_id) == created["X-Request-ID"]
    assert changes[0].message == "new"
    assert changes[0].user_name == "owner-a@example.com"
    assert changes[1].prechange_data["description"] == "" and changes[1].postchange_data["description"] == "East"
    assert str(changes[1].request_id) == updated["X-Request-ID"]
    assert changes[2].postchange_data is None

    listed = call(api, "get", f"/core/object-changes/?changed_object_id={region_id}&ordering=id").json()
    assert [c["action"]["value"] for c in listed["results"]] == ["create", "update", "delete"]
    assert listed["results"][0]["changed_object_type"] == "dcim.region"


def test_cascaded_deletes_are_logged_too(api, org_a, europe):
    call(api, "delete", f"/dcim/regions/{europe.pk}/")

    with tenant_context(org_a.organization):
        deleted = set(ObjectChange.objects.filter(action="delete").values_list("object_repr", flat=True))
    assert {"Europe", "Netherlands"} <= deleted


# -- who may do what ---------------------------------------------------------------------------


def test_anonymous_gets_403_json_and_an_unknown_organization_looks_the_same(db, europe):
    known = Client().get(f"{API}/dcim/sites/")
    unknown = Client().get("/o/no-such-org/api/dcim/sites/")

    assert known.status_code == unknown.status_code == 403
    assert known.json() == unknown.json() == {"detail": "Authentication credentials were not provided."}


def test_other_organizations_member_sees_nothing_and_changes_nothing(org_a, org_b, europe):
    outsider = org_b.client()
    site = Site.objects.none()
    with tenant_context(org_a.organization):
        site = Site.objects.get(slug="ams1")

    responses = [
        outsider.get(f"{API}/dcim/sites/"),
        outsider.get(f"{API}/dcim/sites/{site.pk}/"),
        outsider.patch(f"{API}/dcim/sites/{site.pk}/", "{}", content_type="application/json"),
        outsider.delete(f"{API}/dcim/sites/{site.pk}/"),
        outsider.post(f"{API}/dcim/sites/", json.dumps({"name": "X", "slug": "x"}), content_type="application/json"),
    ]

    assert {r.status_code for r in responses} == {404}
    assert responses[0].json() == {"detail": "Not found."}
    with tenant_context(org_a.organization):
        assert Site.objects.filter(pk=site.pk, name="AMS1").exists()
        assert not Site.objects.filter(slug="x").exists()
    # Organization B's own API does not show A's objects.
    assert outsider.get("/o/org-b/api/dcim/sites/").json()["count"] == 0


def test_viewer_reads_but_cannot_write(org_a, org_b, europe):
    Membership.objects.create(user=org_b.owner, organization=org_a.organization, role=MembershipRole.VIEWER)
    viewer = org_b.client()

    assert viewer.get(f"{API}/dcim/sites/").json()["count"] == 3
    refused = viewer.post(f"{API}/dcim/sites/", json.dumps({"name": "X", "slug": "x"}), content_type="application/json")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "You do not have permission to perform this action."}


def test_object_permission_grants_constrained_writes(org_a, org_b, europe):
    Membership.objects.create(user=org_b.owner, organization=org_a.organization, role=MembershipRole.VIEWER)
    with tenant_context(org_a.organization):
        from django.contrib.contenttypes.models import ContentType

        permission = ObjectPermission.objects.create(
            name="NL sites", actions=["change"], constraints={"region__slug": "nl"}, user_ids=[org_b.owner.pk]
        )
        permission.object_types.set([ContentType.objects.get_for_model(Site)])
        ams, fra = Site.objects.get(slug="ams1"), Site.objects.get(slug="fra1")
    editor = org_b.client()

    allowed = editor.patch(f"{API}/dcim/sites/{ams.pk}/", '{"description": "ok"}', content_type="application/json")
    outside = editor.patch(f"{API}/dcim/sites/{fra.pk}/", '{"description": "no"}', content_type="application/json")
    moved_out = editor.patch(f"{API}/dcim/sites/{ams.pk}/", '{"region": null}', content_type="application/json")

    assert allowed.status_code == 200
    assert outside.status_code == 404
    assert moved_out.status_code == 403
    with tenant_context(org_a.organization):
        assert Site.objects.get(pk=ams.pk).region.slug == "nl"


def test_session_writes_need_csrf(org_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(org_a.owner)

    response = client.post(
        f"{API}/dcim/sites/", json.dumps({"name": "X", "slug": "x"}), content_type="application/json"
    )

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


# -- cost --------------------------------------------------------------------------------------


def test_list_queries_do_not_grow_with_rows(api, org_a, europe):
    with tenant_context(org_a.organization):
        tag = Tag.objects.create(name="T", slug="t")
    first = call(api, "post", "/dcim/sites/", {"name": "S", "slug": "s", "region": europe.pk, "tags": [tag.pk]})
    assert first.status_code == 201
    few = _queries(api, "/dcim/sites/")
    for number in range(15):
        site = call(
            api,
            "post",
            "/dcim/sites/",
            {"name": f"S{number}", "slug": f"s{number}", "region": europe.pk, "tags": [tag.pk]},
        )
        assert site.status_code == 201

    many = _queries(api, "/dcim/sites/")

    assert many == few
    _queries(api, "/dcim/regions/")  # the regions' custom field definitions cached (core.customfields)
    regions_before = _queries(api, "/dcim/regions/")
    for number in range(5):
        call(api, "post", "/dcim/regions/", {"name": f"R{number}", "slug": f"r{number}", "parent": europe.pk})
    assert _queries(api, "/dcim/regions/") == regions_before


def _queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = call(client, "get", path)
    assert response.status_code == 200
    return len(queries)


def test_an_invalid_regular_expression_is_a_400(api, europe):
    response = call(api, "get", "/dcim/sites/?name__regex=(")

    assert response.status_code == 400
    assert "name__regex" in response.json()
