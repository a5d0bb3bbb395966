"""`manage.py migrate` across the public schema, organizations and spares."""

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.management.commands import migrate as django_migrate
from django.db import connection, models
from django.db.migrations.loader import MigrationLoader

from automation.models import Job
from tenants import migration
from tenants.context import schema_context
from tenants.migration import SchemaTarget, schemas_migrate, stale_schemas
from tenants.migration_plan import MigrationPlan, PlannedMigration, plan_replay, runs_python
from tenants.models import SpareSchema
from tenants.provisioning import spare_pool_refill
from tenants.schemas import current_fingerprint, schema_drop, schema_migrate, snapshot_sql_for
from tenants.snapshots import snapshot_from_catalog
from tests.tenants.catalog import catalog_differences, schema_catalog

pytestmark = pytest.mark.slow_file(170)

# The tenant migrations that run Python: each is run by Django in every organization's schema, one
# schema at a time -- hours at ten thousand organizations -- where the others are replayed as SQL
# in minutes (tenants.migration_plan). A new one belongs here only after that cost was weighed.
MIGRATIONS_RUNNING_PYTHON = {
    "contenttypes.0002_remove_content_type_name runs Python",  # Django's; ran once, in the first schemas
    "automation.0002_export_job_function_moved runs Python",
}


def drop_automation_tables(schema_name):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tablename LIKE 'automation%%'", [schema_name]
        )
        for (table,) in cursor.fetchall():
            cursor.execute(f'DROP TABLE IF EXISTS "{schema_name}"."{table}" CASCADE')


# Inventory's migrations from this one on depend on automation's (devices' config templates), so they are
# forgotten with them, and their tables and columns dropped with automation's tables; so are IPAM's that
# depend on those (VPN terminations on VM interfaces).
INVENTORY_AFTER_AUTOMATION = "0011"
ADDRESSING_AFTER_INVENTORY = "0003"


def drop_inventory_after_automation(schema_name):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s AND (tablename LIKE 'inventory_cluster%%' "
            "OR tablename LIKE 'inventory_virtual%%' OR tablename LIKE 'inventory_vminterface%%' "
            "OR tablename LIKE 'inventory_wireless%%' OR tablename LIKE 'inventory_interface_wireless%%' "
            "OR tablename LIKE 'addressing_tunnel%%' OR tablename LIKE 'addressing_ike%%' "
            "OR tablename LIKE 'addressing_ipsec%%' OR tablename LIKE 'addressing_l2vpn%%' "
            "OR tablename = 'inventory_porttemplatemapping')",
            [schema_name],
        )
        for (table,) in cursor.fetchall():
            cursor.execute(f'DROP TABLE IF EXISTS "{schema_name}"."{table}" CASCADE')
        for table, columns in (
            ("inventory_device", ("cluster_id", "config_template_id")),
            ("inventory_interface", ("wireless_link_id",)),
            ("inventory_devicerole", ("config_template_id",)),
            ("inventory_platform", ("config_template_id",)),
        ):
            drops = ", ".join(f'DROP COLUMN IF EXISTS "{column}"' for column in columns)
            cursor.execute(f'ALTER TABLE "{schema_name}"."{table}" {drops}')


def forget_first_job_migration(schema_name, *, drop_table):
    """Make a schema look as if automation's migrations had never run (the first and those after it),
    nor inventory's that depend on them, nor IPAM's that depend on those."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM \"{schema_name}\".django_migrations WHERE app = 'automation'")
        cursor.execute(
            f"DELETE FROM \"{schema_name}\".django_migrations WHERE app = 'inventory' AND name >= %s",
            [INVENTORY_AFTER_AUTOMATION],
        )
        cursor.execute(
            f"DELETE FROM \"{schema_name}\".django_migrations WHERE app = 'addressing' AND name >= %s",
            [ADDRESSING_AFTER_INVENTORY],
        )
    if drop_table:  # every table of automation's migrations, and what inventory's after them made
        drop_automation_tables(schema_name)
        drop_inventory_after_automation(schema_name)


def has_job_table(schema_name):
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f"{schema_name}.automation_job"])
        return cursor.fetchone()[0] is not None


def migrate(**options):
    out, err = io.StringIO(), io.StringIO()
    call_command("migrate", stdout=out, stderr=err, **options)
    return out.getvalue() + err.getvalue()


def test_up_to_date_schemas_are_skipped(committed):
    organization = committed.organization("mig-fresh")

    assert stale_schemas([organization.schema_name]) == set()
    output = migrate(jobs=2)

    assert "0 to migrate" in output
    assert "No migrations to apply" in output


def test_failures_are_reported_by_organization_and_the_others_complete(committed):
    # given one repairable organization, one that will fail (both lacking automation's migrations, one of
    # which runs Python), and a stale spare (lacking one migration: a group of its own, migrated in seconds)
    repairable = committed.organization("mig-ok")
    broken = committed.organization("mig-stuck")  # after the repairable one: it pilots, this one follows
    spare_pool_refill(target=1)
    spare = SpareSchema.objects.first()
    forget_first_job_migration(repairable.schema_name, drop_table=True)
    forget_first_job_migration(broken.schema_name, drop_table=False)  # CREATE TABLE will collide
    take_back_newest_inventory_migration(spare.schema_name)
    SpareSchema.objects.filter(pk=spare.pk).update(fingerprint="old")
    assert stale_schemas([repairable.schema_name, broken.schema_name, spare.schema_name]) == {
        repairable.schema_name,
        broken.schema_name,
        spare.schema_name,
    }

    # when
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("migrate", jobs=2, stdout=out, stderr=err)

    # then the failure names the organization, and the others were migrated (one by one: Python runs)
    assert "org_mig_stuck (Mig-Stuck (mig-stuck))" in str(error.value)
    assert "migrated one by one: automation.0002_export_job_function_moved runs Python" in out.getvalue()
    assert "org_mig_ok" not in str(error.value)
    assert has_job_table(repairable.schema_name)
    assert stale_schemas([repairable.schema_name, spare.schema_name]) == set()
    assert SpareSchema.objects.get(pk=spare.pk).fingerprint == current_fingerprint()

    # when the cause is fixed, re-running completes
    drop_automation_tables(broken.schema_name)
    drop_inventory_after_automation(broken.schema_name)
    output = migrate(jobs=1)
    assert f"migrated {broken.schema_name}" in output
    assert stale_schemas([broken.schema_name]) == set()
    assert connection.connection.execute("SHOW search_path").fetchone()[0] == "public"


def take_back_newest_inventory_migration(schema_name):
    """Unapply inventory's newest migration (and whatever depends on it) in one schema: a cheap stale
    schema, where forgetting automation's migrations costs a replay of most of them."""
    loader = MigrationLoader(connection)
    [newest] = loader.graph.leaf_nodes("inventory")
    [previous] = [parent for parent in loader.graph.node_map[newest].parents if parent.key[0] == "inventory"]
    with schema_context(schema_name, include_public=False):
        call_command(django_migrate.Command(), *previous.key, interactive=False, verbosity=0, skip_checks=True)


def test_only_named_schemas(committed):
    organization = committed.organization("mig-one")
    take_back_newest_inventory_migration(organization.schema_name)
    assert stale_schemas([organization.schema_name]) == {organization.schema_name}

    output = migrate(only_schemas=[organization.schema_name])

    assert f"migrated {organization.schema_name}" in output
    assert "No migrations to apply" not in output  # public untouched
    with pytest.raises(CommandError, match="org_nope"):
        migrate(only_schemas=["org_nope"])


def test_check_and_plan_list_stale_schemas_without_migrating(committed):
    organization = committed.organization("mig-check")
    forget_first_job_migration(organization.schema_name, drop_table=True)

    plan = migrate(plan=True)
    with pytest.raises(SystemExit) as exited:
        migrate(check_unapplied=True)

    assert f"would migrate {organization.schema_name}: Mig-Check (mig-check)" in plan
    assert exited.value.code == 1
    assert stale_schemas([organization.schema_name]) == {organization.schema_name}
    assert not has_job_table(organization.schema_name)


def test_public_only_options_leave_organizations_alone(committed):
    organization = committed.organization("mig-fake")
    forget_first_job_migration(organization.schema_name, drop_table=True)

    output = migrate(fake=True)

    assert "--fake applied to the public schema only" in output
    assert stale_schemas([organization.schema_name]) == {organization.schema_name}
    with pytest.raises(CommandError, match="cannot be combined"):
        migrate(fake=True, only_schemas=[organization.schema_name])


def test_spares_being_migrated_are_withdrawn_from_the_pool(org_a):
    from tenants.migration import SchemaTarget, spares_withdraw
    from tenants.provisioning import spare_claim

    SpareSchema.objects.all().delete()
    spare_pool_refill(target=2)
    kept, claimed = SpareSchema.objects.order_by("id")
    targets = [SchemaTarget(s.schema_name, "spare", is_spare=True) for s in (kept, claimed)]
    targets.append(SchemaTarget(org_a.organization.schema_name, "Organization A"))
    claimed.delete()  # a signup took it between listing and withdrawing

    remaining = spares_withdraw(targets)

    assert [t.schema_name for t in remaining] == [kept.schema_name, org_a.organization.schema_name]
    assert spare_claim("org_would_be") is False  # the withdrawn spare is not handed out


# -- plans: Django's migrate on one schema, its SQL replayed in the others ---------------------------


def unapply_recent_migrations(schema_name, *, vpn=True):
    """Take a schema back to before inventory's wireless tables (and IPAM's VPN tables, which they
    build on): what a release adding them finds. Their content types go too, as if they had never
    been created. Only the newest migrations are taken back: each one taken back costs seconds."""
    with schema_context(schema_name, include_public=False):
        app, target = ("addressing", "0002_owner") if vpn else ("inventory", "0013_device_cluster")
        call_command(django_migrate.Command(), app, target, interactive=False, verbosity=0, skip_checks=True)
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM django_content_type WHERE (app_label = 'inventory' AND model LIKE 'wireless%')"
                " OR (app_label = 'addressing' AND model ~ '^(tunnel|ike|ipsec|l2vpn)')"
            )


def organizations_lacking_recent_migrations(committed, slugs, *, vpn=True):
    """Organizations whose schemas lack the same recent migrations: one taken back by Django, the
    others copies of it (taking each back would cost seconds apiece)."""
    organizations = [committed.organization(slug) for slug in slugs]
    first = organizations[0].schema_name
    unapply_recent_migrations(first, vpn=vpn)
    sql = snapshot_from_catalog(first)
    for organization in organizations[1:]:
        schema_drop(organization.schema_name)
        with connection.cursor() as cursor:
            cursor.execute(snapshot_sql_for(sql, organization.schema_name, source=first))
    return organizations


def migrations_recorded(schema_name) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{schema_name}".django_migrations')
        return cursor.fetchone()[0]


def test_a_replayed_plan_leaves_each_schema_as_djangos_migrate_does(committed, monkeypatch):
    # given organizations lacking the same migrations -- one whose wireless LAN table exists already
    slugs = ("plan-pilot", "plan-copy", "plan-bad", "plan-ref")
    pilot, copy, broken, reference = organizations_lacking_recent_migrations(committed, slugs)
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE TABLE "{broken.schema_name}".inventory_wirelesslan (id int)')
    schema_migrate(reference.schema_name)  # Django's migrate, as before plans
    lacking = migrations_recorded(reference.schema_name) - migrations_recorded(pilot.schema_name)
    assert lacking >= 3  # IPAM's VPN, inventory's wireless and its concurrent index at least
    monkeypatch.setattr(migration, "_REPLAY_CHUNK", 1)  # each replayed schema in a task of its own: both workers run

    # when
    run = schemas_migrate([SchemaTarget(o.schema_name, o.name) for o in (pilot, copy, broken)], jobs=2)

    # then Django migrated the pilot, its SQL was replayed in the copy, the broken one is reported
    results = {result.target.schema_name: result for result in run.results}
    assert results[pilot.schema_name].error is None
    assert results[pilot.schema_name].note.startswith("pilot")
    assert results[copy.schema_name].error is None
    assert results[copy.schema_name].note is None  # replayed, not migrated by Django
    assert "inventory_wirelesslan" in results[broken.schema_name].error
    assert results[broken.schema_name].note.startswith("the planned SQL failed (DuplicateTable")
    assert results[broken.schema_name].note.endswith("Django's migrate failed too")
    [note] = run.notes
    assert re.fullmatch(
        rf"2 schema\(s\) migrated by replaying the SQL of {lacking} migration\(s\) \(\d+ statement\(s\)\) "
        rf"recorded on {pilot.schema_name}",
        note,
    )
    assert stale_schemas([o.schema_name for o in (pilot, copy, broken)]) == {broken.schema_name}
    # ...and the schemas are what Django's migrate makes: tables, columns, constraints, indexes,
    # sequences, migration rows and content types (with the same ids)
    expected = schema_catalog(reference.schema_name)
    assert catalog_differences(schema_catalog(copy.schema_name), expected) == {}
    assert catalog_differences(schema_catalog(pilot.schema_name), expected) == {}
    assert len(expected["content_types"]) > 60


def test_a_failing_pilot_is_reported_and_a_schema_the_plan_does_not_fit_is_migrated_by_django(committed, monkeypatch):
    # given three organizations lacking inventory's wireless tables: the first has one already,
    # and the plan will not fit the last
    slugs = ("fit-bad", "fit-pilot", "fit-other")
    broken, pilot, other = organizations_lacking_recent_migrations(committed, slugs, vpn=False)
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE TABLE "{broken.schema_name}".inventory_wirelesslangroup (id int)')
    replay = migration.plan_replay

    def replay_unless_other(plan, schema_name):
        if schema_name == other.schema_name:
            raise RuntimeError("does not fit")
        replay(plan, schema_name)

    monkeypatch.setattr(migration, "plan_replay", replay_unless_other)

    # when
    run = schemas_migrate([SchemaTarget(o.schema_name, o.name) for o in (broken, pilot, other)], jobs=1)

    # then the next schema piloted, and Django migrated the one the plan did not fit
    results = {result.target.schema_name: result for result in run.results}
    assert "inventory_wirelesslangroup" in results[broken.schema_name].error
    assert results[pilot.schema_name].note.startswith("pilot")
    assert results[other.schema_name].error is None
    assert results[other.schema_name].note == (
        "the planned SQL failed (RuntimeError: does not fit); migrated by Django's migrate instead"
    )
    assert stale_schemas([o.schema_name for o in (broken, pilot, other)]) == {broken.schema_name}
    assert catalog_differences(schema_catalog(other.schema_name), schema_catalog(pilot.schema_name)) == {}


def test_a_concurrent_index_is_replayed_outside_a_transaction_in_each_schema(committed):
    # given a non-atomic migration recorded on one schema: a concurrent index, as the rules require
    pilot, other = committed.organization("conc-pilot"), committed.organization("conc-other")
    recorded = []
    index = models.Index(fields=["name", "function"], name="automation_job_name_fn_test")
    with (
        schema_context(pilot.schema_name, include_public=False),
        connection.observe_schema_statements(recorded.append),
        connection.schema_editor(atomic=False) as editor,
    ):
        editor.add_index(Job, index, concurrently=True)
    row = ("automation", "9999_job_name_function")
    plan = MigrationPlan(pilot.schema_name, [PlannedMigration(*row, False, tuple(recorded), (row,))])

    # when
    plan_replay(plan, other.schema_name)

    # then the index was built in the other schema (the statement named the pilot's) and recorded
    assert recorded == [
        f'CREATE INDEX CONCURRENTLY "automation_job_name_fn_test" ON "{pilot.schema_name}"."automation_job" '
        '("name", "function")'
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT schemaname FROM pg_indexes WHERE indexname = 'automation_job_name_fn_test' ORDER BY 1")
        assert [r[0] for r in cursor.fetchall()] == sorted([pilot.schema_name, other.schema_name])
        cursor.execute(f'SELECT count(*) FROM "{other.schema_name}".django_migrations WHERE name = %s', [row[1]])
        assert cursor.fetchone()[0] == 1


def test_a_plan_that_names_its_schema_elsewhere_is_not_replayed(org_a):
    from tenants.migration_plan import _RecordingMigrate

    plan = MigrationPlan("org_a")
    command = _RecordingMigrate(plan)
    command.current = []
    command.statement('CREATE INDEX CONCURRENTLY "i" ON "org_a"."automation_job" ("name")')
    assert plan.replayable
    command.statement("UPDATE automation_job SET name = 'org_a'")

    assert not plan.replayable
    with pytest.raises(ValueError, match="cannot be replayed"):
        plan_replay(plan, "org_b")


def test_the_migrations_that_run_python_in_every_schema_are_known():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    with schema_context("org_any", include_public=False):  # what RunPython skips depends on the schema
        found = {reason for migration in loader.graph.nodes.values() if (reason := runs_python(migration))}

    assert found == MIGRATIONS_RUNNING_PYTHON, (
        "A tenant migration runs Python: `manage.py migrate` then runs Django's migrate in every "
        "organization's schema, one at a time, instead of replaying SQL. Prefer RunSQL (or a batched "
        "background job); if it must be Python, add it to MIGRATIONS_RUNNING_PYTHON."
    )


def test_statements_are_replayed_one_after_the_other_whatever_comments_they_end_with(committed):
    organization = committed.organization("comments")
    row = ("automation", "9999_two_columns")
    statements = (
        "ALTER TABLE automation_job ADD COLUMN first int -- why",
        "ALTER TABLE automation_job ADD COLUMN second int",
    )
    plan = MigrationPlan("org_elsewhere", [PlannedMigration(*row, True, statements, (row,))])

    plan_replay(plan, organization.schema_name)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attname IN ('first', 'second')",
            [f"{organization.schema_name}.automation_job"],
        )
        assert sorted(r[0] for r in cursor.fetchall()) == ["first", "second"]
