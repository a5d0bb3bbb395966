"""`manage.py migrate` across the public schema, organizations and spares."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tenants.migration import stale_schemas
from tenants.models import SpareSchema
from tenants.provisioning import spare_pool_refill
from tenants.schemas import current_fingerprint


def forget_first_job_migration(schema_name, *, drop_table):
    """Make a schema look as if automation's migrations had never run (the first and those after it)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM \"{schema_name}\".django_migrations WHERE app = 'automation'")
        if drop_table:
            cursor.execute(f'DROP TABLE "{schema_name}".automation_job')


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
    # given one repairable organization, one that will fail, and a stale spare
    repairable = committed.organization("mig-ok")
    broken = committed.organization("mig-bad")
    spare_pool_refill(target=1)
    spare = SpareSchema.objects.first()
    forget_first_job_migration(repairable.schema_name, drop_table=True)
    forget_first_job_migration(broken.schema_name, drop_table=False)  # CREATE TABLE will collide
    forget_first_job_migration(spare.schema_name, drop_table=True)
    SpareSchema.objects.filter(pk=spare.pk).update(fingerprint="old")
    assert stale_schemas([repairable.schema_name, broken.schema_name, spare.schema_name]) == {
        repairable.schema_name,
        broken.schema_name,
        spare.schema_name,
    }

    # when
    with pytest.raises(CommandError) as error:
        migrate(jobs=2)

    # then the failure names the organization, and the others were migrated
    assert "org_mig_bad (Mig-Bad (mig-bad))" in str(error.value)
    assert "org_mig_ok" not in str(error.value)
    assert has_job_table(repairable.schema_name)
    assert stale_schemas([repairable.schema_name, spare.schema_name]) == set()
    assert SpareSchema.objects.get(pk=spare.pk).fingerprint == current_fingerprint()

    # when the cause is fixed, re-running completes
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TABLE "{broken.schema_name}".automation_job')
    output = migrate(jobs=1)
    assert f"migrated {broken.schema_name}" in output
    assert stale_schemas([broken.schema_name]) == set()
    assert connection.connection.execute("SHOW search_path").fetchone()[0] == "public"


def test_only_named_schemas(committed):
    organization = committed.organization("mig-one")
    forget_first_job_migration(organization.schema_name, drop_table=True)

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
