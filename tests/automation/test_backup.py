"""Backup and restore of an organization (automation.backup): an export archive restored into a new
or empty organization gives back every object, custom field, tag, journal entry, change-log entry and
id, for every registered model, and nothing else anywhere."""

import io
import json
import zipfile

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from automation import backup, export
from automation.backup import ArchiveRefused, archive_open, organization_restore, restored_models, tenant_models
from automation.export import archive_write
from core.context import SYSTEM, acting_as
from core.customfields import supports_custom_fields, supports_journaling
from core.models import CustomField, CustomFieldChoiceSet, JournalEntry, ObjectChange, Tag
from core.models.base import BaseModel
from core.registry import registry
from core.services import object_create
from inventory.models import Site
from tenants.context import tenant_context
from tenants.models import Membership, MembershipRole
from tests.api_cases import all_api_cases
from tests.test_query_counts import endpoint, make_objects

ROOT = "https://example.com/o/any/"


def archive_of(organization) -> bytes:
    buffer = io.BytesIO()
    with tenant_context(organization):
        archive_write(buffer, root=ROOT)
    return buffer.getvalue()


def restore(organization, content: bytes, progress=None) -> dict[str, int]:
    with tenant_context(organization):
        return organization_restore(archive_open(io.BytesIO(content)), progress=progress)


def assert_same(source: dict[str, list], target: dict[str, list]) -> None:
    """Equal, file by file and row by row (so that a difference shows as one row's fields)."""
    assert set(source) == set(target)
    for name in sorted(source):
        assert len(source[name]) == len(target[name]), name
        for before, after in zip(source[name], target[name], strict=True):
            differing = {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
            assert before == after, (name, {key: (before.get(key), after.get(key)) for key in differing})


def rest_files(content: bytes) -> dict[str, object]:
    """The archive's REST-shaped files (all but its tables and manifest)."""
    return {name: value for name, value in files(content).items() if name.endswith(".json") and "/" in name}


def files(content: bytes) -> dict[str, object]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {
            name: archive.read(name).decode() if name.endswith(".jsonl") else json.loads(archive.read(name))
            for name in archive.namelist()
        }


# Jobs are not restored (they run named functions of the organization they were queued in).
CASES = {endpoint(case): case for case in all_api_cases() if case.spec().model not in backup._not_restored()}


def populated(org, *endpoints: str) -> None:
    """Three objects of each endpoint's model, written through the REST API (so each has its change
    log), each tagged twice, with values in two custom fields and an entry in its journal."""
    with tenant_context(org.organization):
        tier = CustomFieldChoiceSet.objects.create(name="tier", extra_choices=[["gold", "Gold"]])
        types = [ContentType.objects.get_for_model(s.model) for s in registry if supports_custom_fields(s.model)]
        for name, kind in (("owner", "text"), ("tier", "select")):
            field = CustomField.objects.create(name=name, type=kind, choice_set=tier if kind == "select" else None)
            field.object_types.set(types)
        tags = [Tag.objects.create(name=name, slug=name) for name in ("alpha", "beta")]
    client = org.client()
    for name in endpoints:
        model = CASES[name].spec().model
        pks = make_objects(CASES[name], org, client, tags)
        with tenant_context(org.organization), acting_as(SYSTEM):
            if supports_custom_fields(model):
                model._base_manager.filter(pk__in=pks).update(custom_field_data={"owner": "noc", "tier": "gold"})
            if supports_journaling(model):
                data = {"assigned_object_type": ContentType.objects.get_for_model(model), "assigned_object_id": pks[0]}
                object_create(model=JournalEntry, data={**data, "comments": "checked"})


def table_rows(organization) -> dict[str, list[dict]]:
    """Every restored table's rows as PostgreSQL renders them, content types by natural key."""
    with tenant_context(organization):
        names = {ct.pk: f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.all()}
        models = restored_models()
        # Every table in one statement (not one per table: each round trip reads them all twice), each
        # table's rows in the order of their text.
        tables = " UNION ALL ".join(
            f'SELECT {number}, row_to_json(t)::text FROM "{model._meta.db_table}" t'
            for number, model in enumerate(models)
        )
        with connection.cursor() as cursor:
            cursor.execute(f"{tables} ORDER BY 1, 2")
            by_table: dict[int, list[dict]] = {}
            for number, text in cursor.fetchall():
                by_table.setdefault(number, []).append(json.loads(text))
        rows = {}
        for number, model in enumerate(models):
            type_columns = [
                f.column for f in model._meta.concrete_fields if f.is_relation and f.related_model is ContentType
            ]
            found = by_table.get(number, [])
            for row in found:
                for column in type_columns:
                    row[column] = names.get(row[column], row[column])
                if model is ObjectChange:
                    for data in (row["prechange_data"], row["postchange_data"]):
                        _snapshot_named(data, row["changed_object_type_id"], names)
            rows[model._meta.db_table] = found
    return rows


def _snapshot_named(data: dict | None, type_name: str, names: dict[int, str]) -> None:
    """A change-log snapshot's content type ids, by natural key."""
    described = apps.get_model(type_name)
    for field in described._meta.get_fields():
        if data and field.is_relation and field.related_model is ContentType and data.get(field.name) is not None:
            value = data[field.name]
            data[field.name] = [names[item] for item in value] if isinstance(value, list) else names[value]


def test_every_registered_model_is_in_the_round_trip_below():
    restored = [spec for spec in registry if spec.model not in backup._not_restored()]
    assert set(CASES) == {f"{spec.api_app}/{spec.api_path}" for spec in restored}


@pytest.mark.parametrize("name", sorted(CASES))
def test_an_organization_restored_from_its_archive_is_the_same_object_by_object(org_a, org_b, name):
    # given an organization with objects of the model (and those they need), custom fields, tags,
    # journal entries and their change log
    populated(org_a, name)
    content = archive_of(org_a.organization)

    # when its archive is restored into an empty organization
    reported = []
    counts = restore(org_b.organization, content, progress=lambda done, total: reported.append((done, total)))

    # then every table holds the same rows, ids, relations and timestamps included
    source, target = table_rows(org_a.organization), table_rows(org_b.organization)
    assert_same(source, target)
    assert counts == {table: len(rows) for table, rows in source.items()}
    model = CASES[name].spec().model
    assert counts[model._meta.db_table] >= 3
    for table in ("core_objectchange", "core_customfield", "core_customfield_object_types"):
        if table == "core_objectchange" and CASES[name].spec().access.read_only:
            continue  # made without the API (cable terminations come with their cables): no change log
        assert counts[table] > 0, table
    if issubclass(model, BaseModel):
        assert counts["core_taggeditem"] >= 6
    if supports_journaling(model):
        assert counts["core_journalentry"] > 0
    # ... every registered model's objects, in the REST shapes, are the same (people shown by name
    # are those who are members of the organization, as the source's author is)
    Membership.objects.create(user=org_a.owner, organization=org_b.organization, role=MembershipRole.VIEWER)
    assert_same(rest_files(content), rest_files(archive_of(org_b.organization)))
    # ... the progress went up to all rows
    assert reported[-1] == (sum(counts.values()), sum(counts.values()))
    # ... and ids given out afterwards follow the restored ones
    with tenant_context(org_b.organization), acting_as(SYSTEM):
        tag = object_create(model=Tag, data={"name": "after", "slug": "after"})
        assert tag.pk > max(Tag.objects.exclude(pk=tag.pk).values_list("pk", flat=True))
        assert ObjectChange.objects.filter(changed_object_id=tag.pk, changed_object_type__model="tag").count() == 1


@pytest.fixture
def content_types_forgotten_afterwards():
    """The next test's organization B is a new schema of the same name, numbered as usual: the ids this
    test cached for it must not outlive it."""
    yield
    ContentType.objects.clear_cache()


def test_content_type_ids_are_translated_when_the_two_schemas_numbered_them_differently(
    org_a, org_b, content_types_forgotten_afterwards
):
    # given an organization whose content types have other ids than the source's
    populated(org_a, "dcim/sites", "extras/custom-fields")
    content = archive_of(org_a.organization)
    with tenant_context(org_b.organization), connection.cursor() as cursor:
        cursor.execute("UPDATE django_content_type SET id = id + 1000")
    ContentType.objects.clear_cache()

    # when the archive is restored into it
    restore(org_b.organization, content)

    # then every reference to a content type means the same type as before
    assert_same(table_rows(org_a.organization), table_rows(org_b.organization))
    with tenant_context(org_b.organization):
        assert min(ContentType.objects.values_list("pk", flat=True)) > 1000
        site_type = ContentType.objects.get_for_model(Site).pk
        snapshots = [
            change.postchange_data for change in ObjectChange.objects.filter(changed_object_type__model="customfield")
        ]
    # ... in change-log snapshots too (a custom field's object types are content type ids)
    assert snapshots and all(min(data["object_types"]) > 1000 for data in snapshots)
    assert any(site_type in data["object_types"] for data in snapshots)
    # ... so the REST shapes of both are the same (but for those snapshots, which show ids)
    restored = rest_files(archive_of(org_b.organization))
    assert_same(
        {name: value for name, value in rest_files(content).items() if name != "core/object-changes.json"},
        {name: value for name, value in restored.items() if name != "core/object-changes.json"},
    )


def test_every_table_of_an_organizations_schema_is_in_the_archive(org_a):
    with tenant_context(org_a.organization), connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tablename <> 'django_migrations'",
            [org_a.organization.schema_name],
        )
        in_schema = {name for (name,) in cursor.fetchall()}
    manifest = files(archive_of(org_a.organization))["manifest.json"]

    assert set(manifest["tables"]) == in_schema == {model._meta.db_table for model in tenant_models()}


def test_one_statement_names_the_tables_holding_rows(org_a):
    populated(org_a, "dcim/sites")
    with tenant_context(org_a.organization):
        tables = [model._meta.db_table for model in tenant_models()]
        expected = {model._meta.db_table for model in tenant_models() if model._base_manager.exists()}
        with CaptureQueriesContext(connection) as queries:
            found = backup.tables_holding_rows(tables)

    assert found == expected
    assert {"inventory_site", "core_tag", "core_objectchange"} <= found
    assert "inventory_device" not in found
    assert len(queries) == 1


def test_tables_found_empty_are_written_as_reading_them_would(org_a, monkeypatch):
    """The export reads no table the one statement found empty: its archive is, file by file and in the
    same order, the one written reading every table (most of them empty)."""
    populated(org_a, "dcim/sites")

    def without_times(content: bytes) -> tuple[list[str], dict]:
        found = files(content)
        for key in ("created", "snapshot_time"):
            del found["manifest.json"][key]
        return zipfile.ZipFile(io.BytesIO(content)).namelist(), found

    skipping = without_times(archive_of(org_a.organization))
    every_table = lambda tables: set(tables)  # noqa: E731
    monkeypatch.setattr(backup, "tables_holding_rows", every_table)
    monkeypatch.setattr(export, "tables_holding_rows", every_table)
    reading = without_times(archive_of(org_a.organization))

    assert skipping == reading
    found = skipping[1]
    assert found["tables/inventory_site.jsonl"].count("\n") == 3
    assert found["tables/inventory_device.jsonl"] == ""
    assert found["dcim/devices.json"] == []
    assert len(found["dcim/sites.json"]) == 3


# --- refusals: nothing is written -------------------------------------------------------------------


def test_a_restore_into_an_organization_with_data_is_refused_and_changes_nothing(org_a, org_b):
    populated(org_a, "dcim/sites", "extras/custom-fields")
    content = archive_of(org_a.organization)
    with tenant_context(org_b.organization):
        Tag.objects.create(name="mine", slug="mine")
    before = table_rows(org_b.organization)

    with pytest.raises(ArchiveRefused, match="new or empty organization"):
        restore(org_b.organization, content)

    assert table_rows(org_b.organization) == before


def test_a_restore_that_fails_halfway_leaves_the_target_as_it_was(org_a, org_b, monkeypatch):
    populated(org_a, "dcim/sites", "extras/custom-fields")
    content = archive_of(org_a.organization)
    real_insert = backup._insert
    tables = []

    def failing_insert(table, rows):
        tables.append(table)
        if table == "inventory_site":
            raise RuntimeError("disk full")
        return real_insert(table, rows)

    monkeypatch.setattr(backup, "_insert", failing_insert)
    with pytest.raises(RuntimeError, match="disk full"):
        restore(org_b.organization, content)

    assert "core_tag" in tables  # some tables were written before the failure
    assert all(rows == [] for rows in table_rows(org_b.organization).values())


def _rewritten(content: bytes, change) -> bytes:
    """The archive with its manifest changed by `change`."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in source.namelist():
            data = source.read(name)
            if name == "manifest.json":
                manifest = json.loads(data)
                change(manifest)
                data = json.dumps(manifest).encode()
            archive.writestr(name, data)
    return buffer.getvalue()


def test_archives_of_another_migration_state_are_refused_with_the_difference_named(org_a, org_b):
    content = archive_of(org_a.organization)

    newer = _rewritten(content, lambda manifest: manifest["migrations"]["core"].append("9999_from_the_future"))
    with pytest.raises(ArchiveRefused, match=r"newer version of Wirebook.*core\.9999_from_the_future"):
        restore(org_b.organization, newer)

    older = _rewritten(content, lambda manifest: manifest["migrations"]["core"].pop())
    with pytest.raises(ArchiveRefused, match="before this server's last upgrade"):
        restore(org_b.organization, older)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a zip", "not a Wirebook export archive"),
        (None, "format 1"),
    ],
)
def test_what_is_not_a_restorable_archive_is_refused(org_a, org_b, content, message):
    if content is None:  # an export made before archives held their tables
        content = _rewritten(archive_of(org_a.organization), lambda manifest: manifest.update(format=1))
    with pytest.raises(ArchiveRefused, match=message):
        restore(org_b.organization, content)
