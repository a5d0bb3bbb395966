"""A custom field's definition changes and the values objects store follow, as in NetBox: the
default filled in, a rename keeping the values, values dropped with the field or its object type --
inline for small organizations, as a job with progress for large ones, noted in the change log."""

import json
import re
from importlib import import_module

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from automation import customfields
from automation.customfields import VALUES_JOB_FUNCTION, custom_field_values_job
from automation.models import Job, JobStatus
from core.context import SYSTEM
from core.models import CustomField, ObjectChange
from core.search import search
from inventory.models import Site, Tenant
from tenants.context import connection, tenant_context
from tests.conftest import wait_for

API = "/o/org-a/api"
FIELDS = f"{API}/extras/custom-fields/"


def call(client, method, path, payload=None, *, api=API):
    if payload is None:
        return getattr(client, method)(f"{api}{path}")
    return getattr(client, method)(f"{api}{path}", json.dumps(payload), content_type="application/json")


def define(client, name, kind="integer", *, api=API, **extra):
    payload = {"name": name, "type": kind, "object_types": ["dcim.site"], **extra}
    response = call(client, "post", "/extras/custom-fields/", payload, api=api)
    assert response.status_code == 201, response.content
    return response.json()


def change(client, field, payload, *, api=API, status=200):
    response = call(client, "patch", f"/extras/custom-fields/{field['id']}/", payload, api=api)
    assert response.status_code == status, response.content
    return response.json()


def stored(organization, model=Site) -> dict[str, dict]:
    """What each object holds in its row, by name (or slug)."""
    with tenant_context(organization):
        return {getattr(obj, "slug", obj.pk): obj.custom_field_data for obj in model._base_manager.order_by("pk")}


def sites(organization, *slugs, **values) -> None:
    """Sites written straight to their table (as older objects are: no value for later fields)."""
    with tenant_context(organization):
        Site.objects.bulk_create(Site(name=slug.upper(), slug=slug, custom_field_data=dict(values)) for slug in slugs)


def field_changes(organization, field_id) -> list[str]:
    with tenant_context(organization):
        content_type = ContentType.objects.get_for_model(CustomField)
        return list(
            ObjectChange.objects.filter(changed_object_type=content_type, changed_object_id=field_id)
            .order_by("pk")
            .values_list("message", flat=True)
        )


@pytest.fixture
def owner(org_a):
    return org_a.client()


# -- what a change does to the values (inline: a small organization) ------------------------------


def test_a_new_field_fills_its_default_into_the_objects_of_its_types(owner, org_a):
    # given sites and tenants made before the field
    sites(org_a.organization, "ams1", "fra1")
    with tenant_context(org_a.organization):
        Tenant.objects.create(name="Acme", slug="acme")

    # when a field with a default is defined for sites, and one without for sites too
    racks = define(owner, "racks", default=4)
    define(owner, "note", "text")

    # then every site holds the default (the field without one stays absent: shown as null), no tenant does
    assert stored(org_a.organization) == {"ams1": {"racks": 4}, "fra1": {"racks": 4}}
    assert all(not data for data in stored(org_a.organization, Tenant).values())
    listed = call(owner, "get", "/dcim/sites/").json()["results"]
    assert [site["custom_fields"] for site in listed] == [{"note": None, "racks": 4}] * 2
    assert field_changes(org_a.organization, racks["id"]) == ["Values filled with the default on 2 objects"]


def test_a_renamed_field_keeps_its_values(owner, org_a):
    racks = define(owner, "racks")
    for slug, count in (("ams1", 2), ("fra1", 7)):
        assert call(owner, "post", "/dcim/sites/", {"name": slug, "slug": slug, "custom_fields": {"racks": count}})
    sites(org_a.organization, "old")  # older than the field: nothing to rename

    renamed = change(owner, racks, {"name": "rack_count"}, status=200)

    assert renamed["name"] == "rack_count"
    assert stored(org_a.organization) == {"ams1": {"rack_count": 2}, "fra1": {"rack_count": 7}, "old": {}}
    by_slug = {site["slug"]: site["custom_fields"] for site in call(owner, "get", "/dcim/sites/").json()["results"]}
    assert by_slug == {"ams1": {"rack_count": 2}, "fra1": {"rack_count": 7}, "old": {"rack_count": None}}
    assert call(owner, "get", "/dcim/sites/?cf_rack_count=7").json()["count"] == 1
    assert field_changes(org_a.organization, racks["id"])[-1] == "Values renamed from 'racks' on 2 objects"


def test_a_deleted_field_takes_its_values_with_it(owner, org_a):
    note = define(owner, "note", "text")
    define(owner, "racks")
    call(owner, "post", "/dcim/sites/", {"name": "A", "slug": "a", "custom_fields": {"note": "zebra", "racks": 1}})
    with tenant_context(org_a.organization):
        assert [hit.object.slug for hit in search(SYSTEM, "zebra")[0]] == ["a"]

    response = call(owner, "delete", f"/extras/custom-fields/{note['id']}/")

    assert response.status_code == 204
    assert stored(org_a.organization) == {"a": {"racks": 1}}
    with tenant_context(org_a.organization):
        assert search(SYSTEM, "zebra") == ([], 0)  # the search index follows
    assert field_changes(org_a.organization, note["id"])[-1] == "Values dropped on 1 object"


def test_object_types_added_get_the_default_and_removed_ones_lose_the_values(owner, org_a):
    sites(org_a.organization, "ams1")
    with tenant_context(org_a.organization):
        Tenant.objects.create(name="Acme", slug="acme")
    tier = define(owner, "tier", "text", default="bronze")
    assert stored(org_a.organization) == {"ams1": {"tier": "bronze"}}

    change(owner, tier, {"object_types": ["tenancy.tenant"]})

    assert stored(org_a.organization) == {"ams1": {}}
    assert list(stored(org_a.organization, Tenant).values()) == [{"tier": "bronze"}]
    assert field_changes(org_a.organization, tier["id"])[-1] == (
        "Values dropped on 1 object, filled with the default on 1 object"
    )


def test_a_changed_default_fills_only_objects_without_a_value(owner, org_a):
    racks = define(owner, "racks")
    call(owner, "post", "/dcim/sites/", {"name": "Given", "slug": "given", "custom_fields": {"racks": 9}})
    call(owner, "post", "/dcim/sites/", {"name": "Empty", "slug": "empty"})  # stores racks: null
    sites(org_a.organization, "older")  # from before the field: no value at all

    change(owner, racks, {"default": 4})

    assert stored(org_a.organization) == {"given": {"racks": 9}, "empty": {"racks": None}, "older": {"racks": 4}}
    change(owner, racks, {"description": "no values change"})
    assert field_changes(org_a.organization, racks["id"])[-1] == ""


def test_a_rename_and_new_types_and_default_in_one_change(owner, org_a):
    racks = define(owner, "racks")
    call(owner, "post", "/dcim/sites/", {"name": "A", "slug": "a", "custom_fields": {"racks": 3}})
    with tenant_context(org_a.organization):
        Tenant.objects.create(name="Acme", slug="acme")

    change(owner, racks, {"name": "rack_count", "default": 1, "object_types": ["dcim.site", "tenancy.tenant"]})

    assert stored(org_a.organization) == {"a": {"rack_count": 3}}  # renamed; the value it had is kept
    assert list(stored(org_a.organization, Tenant).values()) == [{"rack_count": 1}]


def test_the_rewrite_costs_the_same_statements_for_30_objects_as_for_3(owner, org_a):
    def statements(name: str) -> int:
        field = define(owner, name)
        log: list[str] = []
        with connection.observe_statements(lambda kind, sql: log.append(sql)):
            types = ["dcim.site", "tenancy.tenant"]
            change(owner, field, {"name": f"{name}_count", "default": 2, "object_types": types})
        return len(log)

    sites(org_a.organization, *(f"s{n}" for n in range(3)), a=1, b=1, c=1)
    statements("a")  # caches filled
    few = statements("b")
    sites(org_a.organization, *(f"t{n}" for n in range(27)), c=1)

    # a rename, a fill and a new object type: statements per table, not per object
    assert statements("c") == few
    assert {json.dumps(data, sort_keys=True) for data in stored(org_a.organization).values()} == {
        '{"a_count": 1, "b_count": 1, "c_count": 1}',
        '{"c_count": 1}',
    }


# -- the organization's own ----------------------------------------------------------------------


def test_another_organizations_values_are_untouched(owner, org_a, org_b):
    # given a field of the same name in both organizations, with values
    define(org_b.client(), "racks", api="/o/org-b/api")
    sites(org_b.organization, "b1", racks=5)
    racks = define(owner, "racks")
    sites(org_a.organization, "a1", racks=1)

    # when organization A renames and then deletes its field
    renamed = change(owner, racks, {"name": "rack_count"})
    assert call(owner, "delete", f"/extras/custom-fields/{renamed['id']}/").status_code == 204

    # then B's objects hold what they held, and B's member cannot reach A's field
    assert stored(org_b.organization) == {"b1": {"racks": 5}}
    assert stored(org_a.organization) == {"a1": {}}
    outsider = org_b.client()
    assert (
        outsider.patch(f"{FIELDS}{racks['id']}/", '{"name": "x"}', content_type="application/json").status_code == 404
    )
    assert Client().patch(f"{FIELDS}{racks['id']}/", '{"name": "x"}', content_type="application/json").status_code in (
        401,
        403,
    )


# -- large organizations: a job ------------------------------------------------------------------


def test_a_large_organization_gets_a_job_and_overlapping_changes_wait_for_it(owner, org_a, settings):
    settings.WIREBOOK_CUSTOM_FIELD_BACKGROUND_ROWS = 3
    racks = define(owner, "racks")
    sites(org_a.organization, "a", "b", "c", racks=2)

    # when the field is renamed in an organization at the threshold
    change(owner, racks, {"name": "rack_count"})

    # then the values are not rewritten yet: a job will (it is queued when the transaction commits)
    assert stored(org_a.organization)["a"] == {"racks": 2}
    with tenant_context(org_a.organization):
        job = Job.objects.get(function=VALUES_JOB_FUNCTION)
    assert job.status == JobStatus.PENDING and job.user_id == org_a.owner.pk
    assert job.arguments["rewrites"][0]["action"] == "rename"
    assert field_changes(org_a.organization, racks["id"])[-1] == (
        f"Values renamed from 'racks' in the background (job {job.pk})"
    )
    # ... a site written meanwhile keeps its value (under the old name, for the job to move)
    site_id = stored_ids(org_a.organization)["a"]
    assert call(owner, "patch", f"/dcim/sites/{site_id}/", {"description": "meanwhile"}).status_code == 200
    assert stored(org_a.organization)["a"] == {"racks": 2}
    exported = json.loads(owner.get("/o/org-a/dcim/sites/?export=json").content)
    assert [sorted(name for name in row if name.startswith("cf_")) for row in exported] == [[]] * 3
    # ... and a change that would rewrite the same values waits for the job
    refused = change(owner, racks, {"name": "racks_total"}, status=400)
    assert refused == {
        "__all__": [
            f"The values of custom field 'rack_count' are still being rewritten by job {job.pk}; "
            "change it again when that job has finished."
        ]
    }
    deleted = call(owner, "delete", f"/extras/custom-fields/{racks['id']}/")
    assert deleted.status_code == 400
    assert call(owner, "post", "/extras/custom-fields/", {"name": "racks", "type": "text"}).status_code == 400
    change(owner, racks, {"label": "Racks"})  # nothing to rewrite: allowed

    # when the job runs (here in process, three rows a slice)
    with tenant_context(org_a.organization):
        result = custom_field_values_job(job, **job.arguments)

    # then every site holds its value under the new name
    assert set(map(json.dumps, stored(org_a.organization).values())) == {'{"rack_count": 2}'}
    assert result["rewritten"][0]["objects"] == 3
    assert result["summary"] == "Custom field values rewritten (rack_count: renamed from 'racks' on 3 objects)."


def stored_ids(organization) -> dict[str, int]:
    with tenant_context(organization):
        return dict(Site.objects.values_list("slug", "pk"))


def test_the_job_goes_slice_by_slice_and_reports_progress(org_a, monkeypatch):
    monkeypatch.setattr(customfields, "CHUNK_ROWS", 2)
    sites(org_a.organization, *(f"s{n}" for n in range(5)))
    reported = []
    monkeypatch.setattr(customfields, "job_progress_report", lambda pk, done, total, unit: reported.append(done))
    with tenant_context(org_a.organization):
        field = CustomField.objects.create(name="racks", type="integer", default=1)
        field.object_types.set([ContentType.objects.get_for_model(Site)])
        job = Job.objects.create(name="values", function=VALUES_JOB_FUNCTION)
        rewrite = {"action": "fill", "name": "racks", "object_types": [ContentType.objects.get_for_model(Site).pk]}
        result = custom_field_values_job(job, rewrites=[{**rewrite, "value": 1, "new_name": ""}])

    assert reported == [2, 4, 5, 5]
    assert result["rewritten"][0]["objects"] == 5
    assert {json.dumps(data) for data in stored(org_a.organization).values()} == {'{"racks": 1}'}


def test_a_real_worker_rewrites_a_large_organizations_values(committed, worker, settings):
    settings.WIREBOOK_CUSTOM_FIELD_BACKGROUND_ROWS = 10
    owner = committed.user()
    organization = committed.organization("cf-values", owner=owner)
    client = Client()
    client.force_login(owner)
    api = f"/o/{organization.slug}/api"
    sites(organization, *(f"s{n:02}" for n in range(25)))
    with tenant_context(organization):
        Tenant.objects.create(name="Acme", slug="acme")

    # when a field with a default is defined for sites in an organization of 26 objects
    field = define(client, "tier", "text", api=api, default="gold")

    # then a job fills it in, with a page showing its progress, and the change log names it
    with tenant_context(organization):
        job = Job.objects.get(function=VALUES_JOB_FUNCTION)
    assert wait_for(lambda: _finished(organization, job.pk), timeout=60), worker.read_text()[-3000:]
    with tenant_context(organization):
        job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED, job.error
    assert {json.dumps(data) for data in stored(organization).values()} == {'{"tier": "gold"}'}
    assert all(not data for data in stored(organization, Tenant).values())
    page = client.get(f"/o/{organization.slug}/jobs/{job.pk}/").content.decode()
    assert "100%" in page and "25 of 25 objects" in page and "filled with the default on 25 objects" in page
    assert re.search(rf"in the background \(job {job.pk}\)", field_changes(organization, field["id"])[-1])


def _finished(organization, pk) -> bool:
    with tenant_context(organization):
        return Job.objects.get(pk=pk).status in (JobStatus.COMPLETED, JobStatus.ERRORED)


# -- what earlier versions left behind -------------------------------------------------------------


def test_the_migration_drops_values_left_by_fields_deleted_before(org_a, org_b):
    # given objects holding values of fields that no longer exist for their type (left by deletions
    # that did not rewrite values), beside values of a field that does
    with tenant_context(org_a.organization):
        racks = CustomField.objects.create(name="racks", type="integer")
        racks.object_types.set([ContentType.objects.get_for_model(Site)])
    sites(org_a.organization, "a", racks=1, gone=2, old_note="x")
    sites(org_a.organization, "b")
    with tenant_context(org_a.organization):
        Tenant.objects.create(name="Acme", slug="acme", custom_field_data={"racks": 5})
    sites(org_b.organization, "b1", gone=3)
    migration = import_module("core.migrations.0006_customfield_stale_values")

    # when the migration's SQL runs in organization A
    with tenant_context(org_a.organization), connection.cursor() as cursor:
        cursor.execute(migration.STALE_VALUES_DROP)

    # then only the defined values are left there, and organization B's schema is not touched
    assert stored(org_a.organization) == {"a": {"racks": 1}, "b": {}}
    assert list(stored(org_a.organization, Tenant).values()) == [{}]  # racks is not a tenant's field
    assert stored(org_b.organization) == {"b1": {"gone": 3}}


def test_a_field_created_in_a_large_organization_is_provisioning_until_its_job_ends(owner, org_a, settings):
    # given an organization at the threshold
    settings.WIREBOOK_CUSTOM_FIELD_BACKGROUND_ROWS = 3
    sites(org_a.organization, "a", "b", "c")

    # when a field with a default is defined: its default is filled in by a job
    tier = define(owner, "tier", "text", default="gold")

    # then it is provisioning, and not live: objects show no value for it, and none can be written
    assert tier["status"] == {"value": "provisioning", "label": "Provisioning"}
    site_id = stored_ids(org_a.organization)["a"]
    assert "tier" not in call(owner, "get", f"/dcim/sites/{site_id}/").json()["custom_fields"]
    refused = call(owner, "patch", f"/dcim/sites/{site_id}/", {"custom_fields": {"tier": "silver"}})
    assert refused.status_code == 400
    provisioning = call(owner, "get", "/extras/custom-fields/?status=provisioning").json()
    assert [field["name"] for field in provisioning["results"]] == ["tier"]

    # when the job has run
    with tenant_context(org_a.organization):
        job = Job.objects.get(function=VALUES_JOB_FUNCTION)
        custom_field_values_job(job, **job.arguments)

    # then the field is active and live, with its default filled in
    assert call(owner, "get", f"/extras/custom-fields/{tier['id']}/").json()["status"]["value"] == "active"
    assert call(owner, "get", f"/dcim/sites/{site_id}/").json()["custom_fields"] == {"tier": "gold"}


def test_status_is_read_only(owner):
    field = define(owner, "racks", status="deleting")

    assert field["status"]["value"] == "active"
