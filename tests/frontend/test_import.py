"""Bulk import beyond the per-model round trips: uploads, formats, unreadable data, updates by id."""

import re

from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import CustomField, ObjectChange, Tag
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
    # (none once the definitions are cached: core.customfields)
    definition_queries(1)
    assert definition_queries(20) == definition_queries(2) == 0


def _site_rows(prefix: str, count: int) -> str:
    header = "name,slug,status,region,tenant,time_zone,tags,cf_rack_count\n"
    return header + "".join(
        f'{prefix}{n},{prefix.lower()}{n},active,Europe,Acme,Europe/Amsterdam,"core,edge",{n}\n' for n in range(count)
    )


def _related_objects(organization) -> None:
    with tenant_context(organization):
        Region.objects.create(name="Europe", slug="europe")
        Tenant.objects.create(name="Acme", slug="acme")
        Tag.objects.create(name="Core", slug="core")
        Tag.objects.create(name="Edge", slug="edge")
        rack_count = CustomField.objects.create(name="rack_count", type="integer")
        rack_count.object_types.add(ContentType.objects.get_for_model(Site))


def test_an_import_costs_as_many_statements_for_60_rows_as_for_3(org_a):
    # given rows naming a region, a tenant, a time zone, two tags and a custom field value each
    _related_objects(org_a.organization)
    owner = org_a.client()

    def statements(prefix: str, count: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = owner.post(IMPORT, {"data": _site_rows(prefix, count), "format": "csv"})
        assert response.status_code == 302, response.content.decode()[-2000:]
        return len(captured.captured_queries)

    statements("Warm", 1)  # caches (content types) filled

    # when 3 and then 60 rows are imported, then both cost the same statements: the batched write
    # path of the API's bulk create (one INSERT for the sites, one for their tags, one for the
    # search index, one for the change log)
    assert statements("Few", 3) == statements("Many", 60)
    with tenant_context(org_a.organization):
        assert Site.objects.count() == 64
        site = Site.objects.get(slug="many59")
        assert (site.region.name, site.tenant.name, site.time_zone) == ("Europe", "Acme", "Europe/Amsterdam")
        assert site.custom_field_data == {"rack_count": 59}
        assert sorted(tag.slug for tag in site.tags) == ["core", "edge"]
        assert ObjectChange.objects.filter(changed_object_type__model="site", action="create").count() == 64


def test_every_bad_row_is_reported_by_row_and_field_and_nothing_is_written(org_a):
    # given 50 good rows and three bad ones among them
    _related_objects(org_a.organization)
    lines = _site_rows("Ok", 50).splitlines()
    lines[5] = "Bad5,bad5,no-such-status,Europe,Acme,Europe/Amsterdam,core,1"
    lines[20] = "Bad20,bad20,active,Nowhere,Acme,Europe/Amsterdam,core,1"
    lines[30] = "Bad30,bad30,active,Europe,Acme,Mars/Olympus,core,1"
    lines[35] = "Bad35,bad35,active,Europe,Acme,Europe/Amsterdam,core,many"
    lines[40] = lines[39].replace("Ok38,", "Ok40,")  # the slug of row 38 a second time

    # when they are imported
    response = org_a.client().post(IMPORT, {"data": "\n".join(lines) + "\n", "format": "csv"})

    # then each problem is named by its record and field, and no row at all was written
    assert response.status_code == 400
    reported = set(re.findall(r'data-record="(\d+)" data-field="([^"]+)"', response.content.decode()))
    assert reported == {("5", "status"), ("20", "region"), ("30", "time_zone"), ("35", "custom_fields"), ("40", "slug")}
    assert _names(org_a.organization) == []
