import glob
import json
import re
import subprocess
import threading

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, router

from automation.models import Job
from tenants import schemas, services, snapshots
from tenants.context import schema_context, tenant_context
from tenants.models import Domain, Membership, MembershipRole, Organization, SchemaSnapshot, SpareSchema
from tenants.provisioning import spare_pool_refill
from tenants.schemas import (
    TEMPLATE_SCHEMA,
    current_fingerprint,
    expected_migrations,
    schema_drop,
    schema_exists,
    snapshot_sql_for,
    template_refresh,
)
from tenants.services import organization_create
from tenants.snapshots import SnapshotUnavailable, pg_dump_major_version, snapshot_from_catalog
from tests.conftest import ROOT
from tests.tenants.catalog import catalog_differences, schema_catalog

pytestmark = pytest.mark.slow_file(55)


def tables_in(schema_name):
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [schema_name])
        return {row[0] for row in cursor.fetchall()}


def migration_rows_in(schema_name):
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT app, name FROM "{schema_name}".django_migrations')
        return set(cursor.fetchall())


def expected_tenant_tables():
    with schema_context("org_any", include_public=False):
        models = [m for m in apps.get_models(include_auto_created=True) if router.allow_migrate_model("default", m)]
    return {m._meta.db_table for m in models} | {"django_migrations"}


def assert_complete_organization(organization, owner):
    assert schema_exists(organization.schema_name)
    assert tables_in(organization.schema_name) == expected_tenant_tables()
    assert migration_rows_in(organization.schema_name) == set(expected_migrations())
    assert Domain.objects.get(tenant=organization).domain == f"{organization.slug}.localhost"
    assert Membership.objects.get(organization=organization).user == owner
    assert Membership.objects.get(organization=organization).role == MembershipRole.OWNER
    with tenant_context(organization):
        Job.objects.create(name="works", function="x.y")
        assert Job.objects.count() == 1


def test_tenant_tables_are_only_tenant_apps():
    tables = expected_tenant_tables()
    assert "automation_job" in tables
    assert "tenants_organization" not in tables and "saas_platform_user" not in tables


def test_warm_path_hands_out_a_spare_by_renaming_it(org_a):
    # given one current spare
    SpareSchema.objects.all().delete()
    spare_pool_refill(target=1)
    spare = SpareSchema.objects.get()

    # when
    organization = organization_create(name="Warm", slug="warm", owner=org_a.owner)

    # then the spare became the organization's schema
    assert not SpareSchema.objects.exists()
    assert not schema_exists(spare.schema_name)
    assert organization.schema_name == "org_warm"
    assert_complete_organization(organization, org_a.owner)


def test_cold_path_builds_from_the_snapshot_when_the_pool_is_empty(org_a):
    SpareSchema.objects.all().delete()

    organization = organization_create(name="Cold", slug="cold-start", owner=org_a.owner)

    assert organization.schema_name == "org_cold_start"
    assert_complete_organization(organization, org_a.owner)


def test_stale_spares_are_never_handed_out(org_a):
    SpareSchema.objects.all().delete()
    spare_pool_refill(target=1)
    SpareSchema.objects.update(fingerprint="stale")

    organization_create(name="Fresh", slug="fresh", owner=org_a.owner)

    assert SpareSchema.objects.get().fingerprint == "stale"  # still there, untouched


def test_a_failure_leaves_no_schema_and_no_rows(org_a, monkeypatch):
    SpareSchema.objects.all().delete()

    def build_then_fail(schema_name):
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{schema_name}"')
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "schema_build", build_then_fail)

    with pytest.raises(RuntimeError, match="disk full"):
        organization_create(name="Doomed", slug="doomed", owner=org_a.owner)

    assert not schema_exists("org_doomed")
    assert not Organization.objects.filter(slug="doomed").exists()
    assert not Domain.objects.filter(domain="doomed.localhost").exists()
    assert Membership.objects.filter(user=org_a.owner).count() == 1


def test_a_failure_after_claiming_a_spare_gives_the_spare_back(org_a, monkeypatch):
    SpareSchema.objects.all().delete()
    spare_pool_refill(target=1)
    spare = SpareSchema.objects.get()

    def fail(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "spare_pool_schedule_refill", fail)
    with pytest.raises(RuntimeError):
        organization_create(name="Doomed", slug="doomed", owner=org_a.owner)

    assert SpareSchema.objects.get() == spare
    assert schema_exists(spare.schema_name)
    assert not schema_exists("org_doomed")


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("org-a", "already exists"),
        ("ORG-A", "already exists"),
        ("bad slug", "lowercase letters"),
        ("-edge", "lowercase letters"),
        ("double--hyphen", "lowercase letters"),
        ("x" * 51, "lowercase letters"),
        ("api", "reserved"),
        ("", "lowercase letters"),
    ],
)
def test_bad_or_taken_slugs_are_refused_clearly(org_a, slug, message):
    with pytest.raises(ValidationError) as error:
        organization_create(name="Name", slug=slug, owner=org_a.owner)

    assert message in " ".join(error.value.message_dict["slug"])


def test_a_blank_name_is_refused(org_a):
    with pytest.raises(ValidationError) as error:
        organization_create(name="  ", slug="nameless", owner=org_a.owner)

    assert "name" in error.value.message_dict
    assert not schema_exists("org_nameless")


def test_create_organization_command(org_a, capsys):
    call_command(
        "create_organization", "cli-made", "--name", "CLI Made", "--owner", "new@example.com", "--create-owner"
    )

    organization = Organization.objects.get(slug="cli-made")
    assert organization.name == "CLI Made"
    assert "org_cli_made" in capsys.readouterr().out
    assert_complete_organization(organization, Membership.objects.get(organization=organization).user)


def test_create_organization_command_errors(org_a):
    with pytest.raises(CommandError, match="pass --create-owner"):
        call_command("create_organization", "nobody-org", "--owner", "nobody@example.com")
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_organization", "org-a", "--owner", "owner-a@example.com")


def _race(functions):
    """Run the functions at the same moment, each on its own connection."""
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def run(index, function):
        try:
            barrier.wait()
            results[index] = function()
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_signups_racing_for_one_slug_cannot_both_win(committed):
    owner = committed.user()

    results = _race([lambda: organization_create(name="Twin", slug="twin", owner=owner)] * 2)

    winners = [r for r in results if isinstance(r, Organization)]
    losers = [r for r in results if isinstance(r, ValidationError)]
    for winner in winners:
        committed.track(winner)
    assert len(winners) == 1 and len(losers) == 1, results
    assert "already exists" in str(losers[0])
    assert Organization.objects.filter(slug="twin").count() == 1


def test_two_signups_racing_for_one_spare_both_get_a_schema(committed):
    # given exactly one spare
    owner = committed.user()
    spare_pool_refill(target=1)
    for spare in SpareSchema.objects.filter(fingerprint=current_fingerprint())[1:]:
        schema_drop(spare.schema_name)
        spare.delete()
    assert SpareSchema.objects.filter(fingerprint=current_fingerprint()).count() == 1

    results = _race([lambda s=slug: organization_create(name=s, slug=s, owner=owner) for slug in ("left", "right")])

    for result in results:
        assert isinstance(result, Organization), result
        committed.track(result)
    assert {r.schema_name for r in results} == {"org_left", "org_right"}
    for result in results:
        assert schema_exists(result.schema_name)


def test_creating_an_organization_refills_the_pool_after_commit(org_a, settings, django_capture_on_commit_callbacks):
    from saas_platform.celery import app as celery_app

    SpareSchema.objects.all().delete()
    settings.WIREBOOK_SPARE_SCHEMAS = 2
    celery_app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            organization_create(name="Refill", slug="refill", owner=org_a.owner)
    finally:
        celery_app.conf.task_always_eager = False

    # the refill (and the invalidation of cached lookups: tenants.authcache)
    assert len([callback for callback in callbacks if "refill" in callback.__qualname__]) == 1
    assert SpareSchema.objects.filter(fingerprint=current_fingerprint()).count() == 2


def test_no_refill_is_queued_when_the_pool_is_disabled(org_a, settings, django_capture_on_commit_callbacks):
    settings.WIREBOOK_SPARE_SCHEMAS = 0

    with django_capture_on_commit_callbacks() as callbacks:
        organization_create(name="No pool", slug="no-pool", owner=org_a.owner)

    assert [callback for callback in callbacks if "refill" in callback.__qualname__] == []


@pytest.mark.parametrize(
    ("output", "major"),
    [
        ("pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)\n", 15),
        ("pg_dump (PostgreSQL) 16.4\n", 16),
        ("pg_dump (PostgreSQL) 15.4 (Ubuntu 15.4-1.pgdg22.04+1)\n", 15),
        ("pg_dump (PostgreSQL) 17beta1\n", 17),
        ("pg_dump (PostgreSQL) 9.6.24\n", 9),
        ("pg_dump 14.2\n", 14),
        ("no version here\n", 0),
    ],
)
def test_pg_dump_versions_are_read_whatever_the_packager_appends(output, major):
    assert pg_dump_major_version(output) == major


def test_a_debian_pg_dump_is_accepted_for_the_server_it_belongs_to():
    debian = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"))
    if not debian:
        pytest.skip("no Debian PostgreSQL packages on this machine")
    binary = debian[-1]
    major = int(binary.split("/")[4])

    assert snapshots._major_version(binary) == major


# -- the snapshot: read from the template's own catalog entries ------------------------------------


def test_without_a_snapshot_the_schema_is_migrated_and_the_snapshot_rebuilds_what_migrations_make(committed):
    # given the snapshot the migrate command stored when it built the test database (`template_refresh`
    # took it from the catalog entries of the template Django's migrate made from scratch), and no spare
    snapshot = SchemaSnapshot.objects.get(fingerprint=current_fingerprint())
    assert "json_populate_recordset" in snapshot.sql  # not pg_dump's output
    for spare in SpareSchema.objects.all():
        schema_drop(spare.schema_name)
        spare.delete()
    owner = committed.user()

    # when an organization is created without a snapshot (Django's migrate builds its schema from scratch,
    # as it built the template), then one with it (the cold path)
    saved = list(SchemaSnapshot.objects.all())
    SchemaSnapshot.objects.all().delete()
    try:
        migrated = committed.organization("slow", owner=owner)
    finally:
        SchemaSnapshot.objects.all().delete()
        SchemaSnapshot.objects.bulk_create(saved)
    organization = committed.organization("from-snapshot")

    # then the first is complete, and the second's schema is what Django's migrate made: tables, columns,
    # defaults, identities, constraints, indexes, sequence positions, migration rows and content types
    # (same ids)
    assert catalog_differences(schema_catalog(organization.schema_name), schema_catalog(migrated.schema_name)) == {}
    with tenant_context(organization):
        assert Job.objects.create(name="works", function="x.y").pk == 1
    assert_complete_organization(migrated, owner)  # last: it writes a job


def test_the_snapshot_keeps_comments_collations_generated_columns_and_unlogged_tables(committed):
    # given an organization's schema (built the fast way: what is compared is the replay of its catalog)
    # with what migrations can declare beyond plain tables
    schemas.schema_build("_wb_test_extras")
    try:
        with connection.cursor() as cursor:
            cursor.execute("""
                CREATE UNLOGGED TABLE _wb_test_extras.extra (
                    id integer GENERATED ALWAYS AS IDENTITY (START WITH 10 INCREMENT BY 5) PRIMARY KEY,
                    name varchar(20) COLLATE "C" NOT NULL DEFAULT 'x',
                    upper_name text GENERATED ALWAYS AS (upper(name)) STORED,
                    tags text[] NOT NULL DEFAULT '{}',
                    data jsonb,
                    CONSTRAINT extra_name_short CHECK (length(name) < 10) NOT VALID
                ) WITH (fillfactor = 70);
                COMMENT ON TABLE _wb_test_extras.extra IS 'it''s extra';
                COMMENT ON COLUMN _wb_test_extras.extra.name IS 'a name';
                CREATE INDEX extra_lower ON _wb_test_extras.extra (lower(name)) WHERE data IS NOT NULL;
                INSERT INTO _wb_test_extras.extra (name, tags, data) VALUES ('a''b', '{x,"y z"}', '{"k": [1, null]}');
            """)

        # when the snapshot is replayed under another name
        sql = snapshot_from_catalog("_wb_test_extras")
        with connection.cursor() as cursor:
            cursor.execute(snapshot_sql_for(sql, "_wb_test_copy", source="_wb_test_extras"))

        # then both are the same, rows and the identity's position included
        assert catalog_differences(schema_catalog("_wb_test_copy"), schema_catalog("_wb_test_extras")) == {}
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, name, upper_name, tags, data FROM _wb_test_copy.extra")
            assert cursor.fetchall() == [(10, "a'b", "A'B", ["x", "y z"], '{"k": [1, null]}')]
            cursor.execute("INSERT INTO _wb_test_copy.extra (name) VALUES ('c') RETURNING id")
            assert cursor.fetchone()[0] == 15
    finally:
        schema_drop("_wb_test_copy")
        schema_drop("_wb_test_extras")


@pytest.mark.parametrize(
    ("statement", "refused"),
    [
        ("CREATE VIEW {s}.v AS SELECT 1 AS one", "pg_class v (relkind v)"),
        ("CREATE SEQUENCE {s}.counter", "sequences not owned by an identity column"),
        ("CREATE FUNCTION {s}.f() RETURNS int LANGUAGE sql AS 'SELECT 1'", "pg_proc"),
        (
            "CREATE FUNCTION public._wb_test_trigger() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';"
            "CREATE TRIGGER t BEFORE INSERT ON {s}.automation_job FOR EACH ROW "
            "EXECUTE FUNCTION public._wb_test_trigger()",
            "a trigger",
        ),
    ],
)
def test_what_the_catalog_snapshot_does_not_rebuild_is_refused(org_a, statement, refused):
    schema_name = org_a.organization.schema_name
    with connection.cursor() as cursor:
        cursor.execute(statement.format(s=schema_name))

    with pytest.raises(SnapshotUnavailable, match=re.escape(refused)):
        snapshot_from_catalog(schema_name)


def test_a_template_the_catalog_snapshot_refuses_is_dumped_by_pg_dump(committed, monkeypatch):
    def refuse(schema_name):
        raise SnapshotUnavailable("a view")

    saved = list(SchemaSnapshot.objects.all())
    current = next((row for row in saved if row.fingerprint == current_fingerprint()), None)
    if current is not None:  # the template is built from the current snapshot, not migrated: pg_dump is tested

        def build_from_snapshot(schema_name, **options):
            with connection.cursor() as cursor:
                cursor.execute(snapshot_sql_for(current.sql, schema_name))

        monkeypatch.setattr(schemas, "schema_migrate", build_from_snapshot)
    monkeypatch.setattr(schemas, "snapshot_from_catalog", refuse)
    SchemaSnapshot.objects.all().delete()

    try:
        snapshot = template_refresh()

        assert "CREATE TABLE" in snapshot.sql and "json_populate_recordset" not in snapshot.sql  # pg_dump's
        assert not schema_exists(TEMPLATE_SCHEMA)
    finally:  # the catalog snapshot comes back for the tests after this one
        SchemaSnapshot.objects.all().delete()
        SchemaSnapshot.objects.bulk_create(saved)


def test_a_new_migration_state_builds_its_template_from_the_previous_snapshot(org_a, monkeypatch):
    # given the stored snapshot, as if it were an earlier migration state's
    earlier = SchemaSnapshot.objects.get(fingerprint=current_fingerprint())
    SchemaSnapshot.objects.filter(pk=earlier.pk).update(fingerprint="earlier")
    migrated_from = []
    migrate = schemas.schema_migrate

    def record_then_migrate(schema_name, **options):
        migrated_from.append(migration_rows_in(schema_name) if schema_exists(schema_name) else set())
        migrate(schema_name, **options)

    monkeypatch.setattr(schemas, "schema_migrate", record_then_migrate)

    # when
    snapshot = template_refresh()

    # then Django's migrate started from the earlier snapshot (it had only new migrations to apply),
    # and the snapshot of what it made is the earlier one, which it replaces
    assert migrated_from == [set(expected_migrations())]
    assert snapshot.fingerprint == current_fingerprint()
    assert snapshot.sql == earlier.sql
    assert list(SchemaSnapshot.objects.values_list("fingerprint", flat=True)) == [current_fingerprint()]
    assert not schema_exists(TEMPLATE_SCHEMA)


def test_a_template_is_migrated_from_scratch_when_a_migration_the_previous_snapshot_recorded_is_gone(
    org_a, monkeypatch
):
    # given an earlier snapshot taken with a plugin installed that is not any more
    current = SchemaSnapshot.objects.get(fingerprint=current_fingerprint())
    uninstalled = f"""INSERT INTO "{TEMPLATE_SCHEMA}".django_migrations (app, name, applied)
        VALUES ('maintenance', '0001_initial', now())"""
    SchemaSnapshot.objects.filter(pk=current.pk).update(
        fingerprint="with-a-plugin", sql=f"{current.sql};\n{uninstalled}"
    )
    template_existed = []

    def build_from_current_snapshot(schema_name, **options):  # a migrate from scratch makes the same
        template_existed.append(schema_exists(schema_name))
        with connection.cursor() as cursor:
            cursor.execute(snapshot_sql_for(current.sql, schema_name))

    monkeypatch.setattr(schemas, "schema_migrate", build_from_current_snapshot)

    # when
    snapshot = template_refresh()

    # then the earlier snapshot was not built upon
    assert template_existed == [False]
    assert snapshot.fingerprint == current_fingerprint()
    assert "maintenance" not in snapshot.sql


def test_the_recorded_provisioning_benchmark_ran_on_the_current_migrations():
    """Provisioning is measured again with every wave of models (benchmarks/scale.py, tens of
    minutes, records the migrations it ran on without being held to them)."""
    recorded = json.loads((ROOT / "benchmarks" / "results" / "provisioning.json").read_text())

    assert recorded.get("migration_fingerprint") == current_fingerprint(), (
        f"benchmarks/results/provisioning.json was measured on other migrations ({recorded.get('migration_leaves')}): "
        "re-run benchmarks/provisioning.py (make benchmark) and commit the result"
    )


def test_a_pg_dump_that_takes_too_long_is_a_snapshot_unavailable(org_a, monkeypatch):
    def too_slow(command, **kwargs):
        raise subprocess.TimeoutExpired(command, kwargs["timeout"])

    monkeypatch.setattr(snapshots, "pg_dump_path", lambda: "/usr/bin/pg_dump")
    monkeypatch.setattr(snapshots.subprocess, "run", too_slow)

    with pytest.raises(SnapshotUnavailable, match="longer than 5 s"):
        snapshots.pg_dump_schema(org_a.organization.schema_name, timeout=5)
