"""Bulk import beyond the per-model round trips: uploads, formats, unreadable data, updates by id."""

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import Tag
from inventory.models import Region, Site, Tenant
from tenants.context import tenant_context

IMPORT = "/o/org-a/dcim/sites/import/"


def _names(organization) -> list[str]:
    with tenant_context(organization):
        return sorted(Site.objects.values_list("name", flat=True))


def test_an_uploaded_csv_file_with_related_objects_by_name_and_tags_by_slug(org_a):
    with tenant_context(org_a.organization):
        Region.objects.create(name="Europe", slug="europe")
        Tenant.objects.create(name="Acme", slug="acme")
        Tag.objects.create(name="Core", slug="core")
        Tag.objects.create(name="Edge", slug="edge")
    upload = SimpleUploadedFile(
        "sites.csv",
        b'name,slug,status,region,tenant,tags\nAMS1,ams1,active,Europe,Acme,"core,edge"\nAMS2,ams2,planned,,,\n',
        content_type="text/csv",
    )

    response = org_a.client().post(IMPORT, {"upload": upload, "format": "auto"})

    assert response.status_code == 302
    with tenant_context(org_a.organization):
        ams1 = Site.objects.get(slug="ams1")
        assert ams1.region.name == "Europe" and ams1.tenant.name == "Acme"
        assert sorted(t.slug for t in ams1.tags) == ["core", "edge"]
        assert Site.objects.get(slug="ams2").region is None


def test_yaml_documents_and_json_objects_are_accepted(org_a):
    owner = org_a.client()
    yaml_text = "---\nname: Y1\nslug: y1\nstatus: active\n---\nname: Y2\nslug: y2\nstatus: active\n"
    assert owner.post(IMPORT, {"data": yaml_text, "format": "auto"}).status_code == 302
    json_text = '{"name": "J1", "slug": "j1", "status": "active"}'
    assert owner.post(IMPORT, {"data": json_text, "format": "json"}).status_code == 302
    assert _names(org_a.organization) == ["J1", "Y1", "Y2"]


def test_unreadable_data_is_explained_and_nothing_is_written(org_a):
    owner = org_a.client()
    cases = {
        ("[{broken", "json"): "Invalid JSON",
        ("name,slug\nA,a,extra\n", "csv"): "Line 2: 3 values for 2 columns",
        ("name,name\nA,B\n", "csv"): "Duplicate column names",
        ("- just\n- strings\n", "yaml"): "Expected a list of objects",
        ("", "csv"): "No data",
    }
    for (text, fmt), message in cases.items():
        response = owner.post(IMPORT, {"data": text, "format": fmt})
        assert response.status_code == 400, (text, fmt)
        assert message in response.content.decode(), (text, fmt)
    assert _names(org_a.organization) == []


def test_an_id_column_updates_existing_objects(org_a):
    with tenant_context(org_a.organization):
        site = Site.objects.create(name="AMS1", slug="ams1")
    owner = org_a.client()

    response = owner.post(IMPORT, {"data": f"id,status,description\n{site.pk},retired,moved\n", "format": "csv"})

    assert response.status_code == 302
    with tenant_context(org_a.organization):
        site.refresh_from_db()
        assert (site.status, site.description, site.name) == ("retired", "moved", "AMS1")
    missing = owner.post(IMPORT, {"data": "id,status\n999999,retired\n", "format": "csv"})
    assert missing.status_code == 400 and re.search(r'data-record="1" data-field="id"', missing.content.decode())


def test_an_import_cannot_reach_another_organizations_objects(org_a, org_b):
    with tenant_context(org_b.organization):
        Region.objects.create(name="Secret", slug="secret")
        other = Site.objects.create(name="B1", slug="b1")

    response = org_a.client().post(IMPORT, {"data": "name,slug,status,region\nA1,a1,active,Secret\n", "format": "csv"})
    update = org_a.client().post(IMPORT, {"data": f"id,description\n{other.pk},hijacked\n", "format": "csv"})

    assert response.status_code == 400 and "Secret" in response.content.decode()
    assert update.status_code == 400
    assert _names(org_a.organization) == []
    with tenant_context(org_b.organization):
        other.refresh_from_db()
        assert other.description == ""


def test_an_import_reads_the_column_definitions_once_not_per_record(org_a):
    def definition_queries(count: int) -> int:
        text = "name,slug,status\n" + "".join(f"S{count}-{n},s{count}-{n},active\n" for n in range(count))
        with CaptureQueriesContext(connection) as captured:
            assert org_a.client().post(IMPORT, {"data": text, "format": "csv"}).status_code == 302
        return sum('FROM "core_customfield"' in query["sql"] for query in captured.captured_queries)

    # The import's columns and the services' check of the whole batch: as many reads for 20 records as for 2
    assert definition_queries(20) == definition_queries(2)
