"""What thousands of organizations cost on one PostgreSQL, and what stays fast (issue #20).

Builds N organizations (`--organizations`, default 2,000) by replaying the schema snapshot into
N schemas -- copies of a migrated schema, not migrations -- in `--jobs` processes, then measures:

- catalog: the catalog rows one organization's schema adds (per catalog table) and the catalog's
  growth in MB per organization; disk: the database's growth per organization;
- provisioning at N: `organization_create` warm (a spare is renamed) and cold (built from the
  snapshot), p50/p95;
- the schema snapshot at N: read from the catalog (`tenants.snapshots`) and, for comparison,
  `pg_dump --schema` of one organization; Django's table list and ours (`tenants.db.introspection`);
- `manage.py migrate` at N with nothing to do, and with a new one-column migration (an `AddField`
  on core's object change, added for the run through MIGRATION_MODULES), with the time of
  Django's migrate on one schema for comparison;
- connection memory: one connection, not recycled, after touching 100, 1,000 and all
  organizations (the queries a list request makes); then with the default recycling, the most any
  connection held;
- an API request (`GET /api/dcim/sites/?limit=50` with a token) at N, on organizations the
  connection had not served and again on ones it had: p50/p95, in-process (no HTTP server).

Runs in its own throwaway database next to DATABASE_URL's (suffix `_scale`), dropped afterwards
(`--keep` keeps it). Writes benchmarks/results/scale.json.

    .venv/bin/python -m saas_platform.devstack exec --dir .data/run -- .venv/bin/python benchmarks/scale.py
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/scale.py --organizations 10000 --jobs 2
"""

import argparse
import functools
import io
import multiprocessing
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import traceback
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "scale.json"
sys.path.insert(0, str(ROOT))

from benchmarks.provisioning import machine, run_in_bench_database  # noqa: E402

SLUG = "scale-{:05d}"
BUILD_CHUNK = 50  # schemas per worker task (each in its own transaction)
MEMORY_CHECKPOINTS = (100, 1_000, 10_000)
PG_DUMP_TIMEOUT = 600
# The one-column migration of the run: what a release adding a field to every organization does.
ONE_COLUMN_MIGRATION = """from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "{previous}")]
    operations = [
        migrations.AddField(
            model_name="objectchange",
            name="scale_benchmark_note",
            field=models.CharField(blank=True, default="", max_length=100),
        ),
    ]
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--organizations", type=int, default=2000, help="organizations to build (N)")
    parser.add_argument("--jobs", type=int, default=2, help="processes building schemas and migrating")
    parser.add_argument("--samples", type=int, default=20, help="measurements per provisioning path")
    parser.add_argument("--requests", type=int, default=100, help="organizations the API requests go to")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    args = parser.parse_args()
    return run_in_bench_database(lambda: measure(args), RESULTS, keep=args.keep, suffix="_scale")


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 1), "p95_ms": round(p95 * 1000, 1)}


def timed(function) -> tuple[float, object]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def measure(args) -> dict:
    import django

    django.setup()
    # Imported now: a run takes long enough for the environment to change under it.
    import django.test
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    import tenants.services
    import tenants.snapshots
    import tenants.tokens  # noqa: F401

    results: dict = {"organizations": args.organizations, "jobs": args.jobs, **machine(connection)}
    call_command("migrate", verbosity=0)  # the public schema and the snapshot; no organization yet
    owner = get_user_model().objects.create_user("scale@example.com")
    empty = database_sizes()

    say(f"building {args.organizations} organizations")
    seconds, _ = timed(lambda: organizations_build(args.organizations, owner, args.jobs))
    full = database_sizes()
    per_organization_ms = round(seconds / args.organizations * 1000, 1)
    results["build"] = {"seconds": round(seconds, 1), "per_organization_ms": per_organization_ms}
    results["footprint"] = footprint(empty, full, args.organizations)
    say(f"footprint {results['footprint']}")

    sections = {
        "provisioning": lambda: provisioning(owner, args.samples),
        "catalog_reads": catalog_reads,
        "migrate": lambda: migrate_at_scale(args.organizations, args.jobs),
        "connection_memory": lambda: connection_memory(args.organizations),
        "api_request": lambda: api_requests(owner, args.organizations, args.requests),
    }
    for name, section in sections.items():
        try:  # one failing measurement does not lose the others (the build took long)
            results[name] = section()
        except Exception as exc:
            traceback.print_exc()
            results[name] = {"error": f"{type(exc).__name__}: {exc}"}
        say(f"{name} {results[name]}")
    from tenants.models import Organization

    results["organization_schemas_at_end"] = Organization.objects.count()
    return results


# -- building N organizations ------------------------------------------------------------------------


def organizations_build(count: int, owner, jobs: int) -> None:
    """N organizations (rows, domains, the owner's memberships) whose schemas are copies of the
    snapshot, replayed in `jobs` processes."""
    from django.conf import settings
    from django.db import connections, transaction

    from tenants.models import Domain, Membership, MembershipRole, Organization
    from tenants.schemas import organization_schema_name

    names = []
    for start in range(0, count, 1000):
        with transaction.atomic():
            organizations = Organization.objects.bulk_create(
                Organization(name=f"Scale {n:05d}", slug=slug, schema_name=organization_schema_name(slug))
                for n in range(start, min(count, start + 1000))
                for slug in [SLUG.format(n)]
            )
            Domain.objects.bulk_create(
                Domain(domain=f"{o.slug}.{settings.WIREBOOK_BASE_DOMAIN}", tenant=o) for o in organizations
            )
            Membership.objects.bulk_create(
                Membership(user=owner, organization=o, role=MembershipRole.OWNER) for o in organizations
            )
        names += [o.schema_name for o in organizations]
    chunks = [names[start : start + BUILD_CHUNK] for start in range(0, len(names), BUILD_CHUNK)]
    connections.close_all()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        for done, _ in enumerate(pool.map(_schemas_build, chunks), 1):
            if done % 20 == 0:
                say(f"  {done * BUILD_CHUNK} schemas")


def _schemas_build(schema_names: list[str]) -> None:
    from django.db import connections

    from tenants.context import connection
    from tenants.models import SchemaSnapshot
    from tenants.schemas import current_fingerprint, snapshot_sql_for

    try:
        sql = SchemaSnapshot.objects.get(fingerprint=current_fingerprint()).sql
        connection.ensure_connection()
        raw = connection.connection
        for name in schema_names:
            with raw.transaction():
                raw.execute(snapshot_sql_for(sql, name))
    finally:
        connections.close_all()


def database_sizes() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_database_size(current_database()), "
            "(SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
            " WHERE c.relnamespace = 'pg_catalog'::regnamespace AND c.relkind = 'r')"
        )
        database, catalog = cursor.fetchone()
    return {"database": int(database), "catalog": int(catalog)}


def footprint(empty: dict, full: dict, count: int) -> dict:
    """What one organization adds: catalog rows per catalog table (one schema counted), catalog
    and disk growth per organization."""
    from django.db import connection

    schema = "org_" + SLUG.format(0).replace("-", "_")
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH rels AS (
                SELECT c.oid FROM pg_class c WHERE c.relnamespace = %(ns)s::regnamespace
                UNION SELECT c.reltoastrelid FROM pg_class c WHERE c.relnamespace = %(ns)s::regnamespace
                    AND c.reltoastrelid <> 0
                UNION SELECT i.indexrelid FROM pg_index i JOIN pg_class t ON t.reltoastrelid = i.indrelid
                    WHERE t.relnamespace = %(ns)s::regnamespace
            )
            SELECT 'pg_class', count(*) FROM rels
            UNION ALL SELECT 'pg_attribute', count(*) FROM pg_attribute WHERE attrelid IN (SELECT oid FROM rels)
            UNION ALL SELECT 'pg_type', count(*) FROM pg_type WHERE typrelid IN (SELECT oid FROM rels)
                OR typelem IN (SELECT reltype FROM pg_class WHERE oid IN (SELECT oid FROM rels) AND reltype <> 0)
            UNION ALL SELECT 'pg_index', count(*) FROM pg_index WHERE indexrelid IN (SELECT oid FROM rels)
            UNION ALL SELECT 'pg_constraint', count(*) FROM pg_constraint WHERE conrelid IN (SELECT oid FROM rels)
            UNION ALL SELECT 'pg_attrdef', count(*) FROM pg_attrdef WHERE adrelid IN (SELECT oid FROM rels)
            UNION ALL SELECT 'pg_sequence', count(*) FROM pg_sequence WHERE seqrelid IN (SELECT oid FROM rels)
            UNION ALL SELECT 'pg_depend', count(*) FROM pg_depend
                WHERE classid = 'pg_class'::regclass AND objid IN (SELECT oid FROM rels)
                   OR classid = 'pg_constraint'::regclass
                      AND objid IN (SELECT oid FROM pg_constraint WHERE conrelid IN (SELECT oid FROM rels))
                   OR classid = 'pg_type'::regclass
                      AND objid IN (SELECT oid FROM pg_type WHERE typrelid IN (SELECT oid FROM rels))
            """,
            {"ns": schema},
        )
        rows = dict(cursor.fetchall())
        cursor.execute(
            "SELECT count(*) FILTER (WHERE relkind = 'r'), count(*) FILTER (WHERE relkind = 'i') "
            "FROM pg_class WHERE relnamespace = %s::regnamespace",
            [schema],
        )
        tables, indexes = cursor.fetchone()
    megabyte = 2**20
    return {
        "tables": tables,
        "indexes": indexes,
        "catalog_rows_per_organization": rows,
        "catalog_rows_per_organization_total": sum(rows.values()),
        "catalog_mb_per_organization": round((full["catalog"] - empty["catalog"]) / count / megabyte, 3),
        "disk_mb_per_organization": round((full["database"] - empty["database"]) / count / megabyte, 3),
        "catalog_mb_total": round(full["catalog"] / megabyte, 1),
        "database_mb_total": round(full["database"] / megabyte, 1),
    }


# -- provisioning, snapshot and introspection at N ---------------------------------------------------


def provisioning(owner, samples: int) -> dict:
    from django.db import transaction

    from tenants.models import SpareSchema
    from tenants.provisioning import spare_pool_refill
    from tenants.schemas import schema_drop
    from tenants.services import organization_create

    def empty_pool():
        for spare in SpareSchema.objects.all():
            with transaction.atomic():
                schema_drop(spare.schema_name)
                spare.delete()

    def create(slug):
        return timed(lambda: organization_create(name=slug, slug=slug, owner=owner, enforce_quota=False))[0]

    warm, cold = [], []
    for sample in range(samples):
        spare_pool_refill(target=1)
        warm.append(create(f"warm-{sample}"))
        empty_pool()
        cold.append(create(f"cold-{sample}"))
    spare_pool_refill(target=1)
    return {"warm": percentiles(warm), "cold": percentiles(cold), "samples": samples}


def catalog_reads() -> dict:
    """One organization's snapshot, by its catalog entries and by pg_dump; Django's table list and ours."""
    from django.db.backends.postgresql.introspection import DatabaseIntrospection

    from tenants.context import connection, tenant_context
    from tenants.db.introspection import SchemaScopedIntrospection
    from tenants.models import Organization
    from tenants.snapshots import SnapshotUnavailable, pg_dump_schema, snapshot_from_catalog

    schema = "org_" + SLUG.format(1).replace("-", "_")
    catalog_seconds, _ = timed(lambda: snapshot_from_catalog(schema))
    try:
        pg_dump_seconds, _ = timed(lambda: pg_dump_schema(schema, timeout=PG_DUMP_TIMEOUT))
    except SnapshotUnavailable as exc:
        say(f"  pg_dump: {exc}")
        pg_dump_seconds = None
    organization = Organization.objects.get(schema_name=schema)
    with tenant_context(organization), connection.cursor() as cursor:
        django_seconds, _ = timed(lambda: DatabaseIntrospection(connection).get_table_list(cursor))
        scoped_seconds, _ = timed(lambda: SchemaScopedIntrospection(connection).get_table_list(cursor))
    return {
        "snapshot_from_catalog_ms": round(catalog_seconds * 1000, 1),
        "pg_dump_one_schema_ms": None if pg_dump_seconds is None else round(pg_dump_seconds * 1000, 1),
        "pg_dump_timeout_s": PG_DUMP_TIMEOUT,  # pg_dump_one_schema_ms is null when it took longer
        "django_table_list_ms": round(django_seconds * 1000, 1),
        "scoped_table_list_ms": round(scoped_seconds * 1000, 1),
    }


# -- migrate at N ------------------------------------------------------------------------------------------


def _phases(module, names: list[str], spent: dict):
    """Wrap the functions `names` of `module` to add the seconds each takes to `spent`."""
    originals = {name: getattr(module, name) for name in names}

    def wrapped(name, *args, **kwargs):
        start = time.perf_counter()
        try:
            return originals[name](*args, **kwargs)
        finally:
            spent[name] = round(spent.get(name, 0) + time.perf_counter() - start, 2)

    for name in names:
        setattr(module, name, functools.partial(wrapped, name))
    return originals


def _timed_migrate() -> dict:
    from django.core.management import call_command

    from tenants.management.commands import migrate as command_module

    spent: dict = {}
    phases = ["template_refresh", "missing_migrations", "schemas_migrate", "spare_pool_refill"]
    originals = _phases(command_module, phases, spent)
    out = io.StringIO()
    try:
        seconds, _ = timed(lambda: call_command("migrate", verbosity=1, stdout=out, stderr=out))
    finally:
        for name, function in originals.items():
            setattr(command_module, name, function)
    lines = [line.strip() for line in out.getvalue().splitlines() if "migrated org_" not in line]
    public = seconds - sum(spent.values())
    return {
        "seconds": round(seconds, 1),
        "phases_s": {"public_schema": round(public, 2), **spent},
        "output": lines[-6:],
    }


def migrate_at_scale(count: int, jobs: int) -> dict:
    from django.conf import settings
    from django.db import connection

    from tenants import schemas
    from tenants.migration import stale_schemas
    from tenants.models import Organization

    os.environ["WIREBOOK_MIGRATE_JOBS"] = str(jobs)
    settings.WIREBOOK_MIGRATE_JOBS = jobs
    nothing = _timed_migrate()
    say(f"  nothing to migrate: {nothing['seconds']} s")

    # a release adding one column to a table of every organization
    package = Path(tempfile.mkdtemp(prefix="wirebook-scale-")) / "scale_core_migrations"
    shutil.copytree(ROOT / "core" / "migrations", package, ignore=shutil.ignore_patterns("__pycache__"))
    previous = sorted(p.stem for p in package.glob("0*.py"))[-1]
    (package / "9999_scale_benchmark_note.py").write_text(ONE_COLUMN_MIGRATION.format(previous=previous))
    sys.path.insert(0, str(package.parent))
    settings.MIGRATION_MODULES = {"core": "scale_core_migrations"}
    schemas.expected_migrations.cache_clear()
    schemas.current_fingerprint.cache_clear()
    try:
        # Django's migrate, one schema at a time (what every schema cost before plans)
        sample = list(Organization.objects.order_by("?").values_list("schema_name", flat=True)[:5])
        one_by_one = [timed(lambda s=s: schemas.schema_migrate(s))[0] for s in sample]
        say(f"  Django's migrate of one schema: {statistics.median(one_by_one):.2f} s")
        one_column = _timed_migrate()
        say(f"  one column: {one_column['seconds']} s")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                "WHERE c.relname = 'core_objectchange' AND a.attname = 'scale_benchmark_note'"
            )
            with_column = cursor.fetchone()[0]
        stale = len(stale_schemas(list(Organization.objects.values_list("schema_name", flat=True))))
    finally:
        settings.MIGRATION_MODULES = {}
        sys.path.remove(str(package.parent))
        shutil.rmtree(package.parent)
        schemas.expected_migrations.cache_clear()
        schemas.current_fingerprint.cache_clear()
    return {
        "nothing_to_migrate": nothing,
        "one_column": one_column,
        "one_column_schemas_with_the_column": with_column,
        "one_column_schemas_left_stale": stale,
        "django_migrate_one_schema_s": round(statistics.median(one_by_one), 2),
        "django_migrate_all_schemas_estimate_s": round(statistics.median(one_by_one) * count / jobs),
    }


# -- connection memory and an API request at N ---------------------------------------------------------


def _touch(organization) -> None:
    """The queries of a list request: a few tables, their relations."""
    from automation.models import Job
    from core.models import ObjectChange
    from inventory.models import Rack, Site
    from tenants.context import tenant_context

    with tenant_context(organization):
        list(Site.objects.select_related("region", "group", "tenant")[:10])
        list(Rack.objects.select_related("site", "location", "role", "rack_type")[:10])
        list(ObjectChange.objects.all()[:10])
        Job.objects.exists()


def connection_memory(count: int) -> dict:
    from django.db import connection

    from tenants.models import Organization

    organizations = list(Organization.objects.order_by("slug"))
    saved = {key: connection.settings_dict[key] for key in ("CONN_MAX_SCHEMAS", "CONN_MAX_MEMORY_MB")}
    results: dict = {"unrecycled_mb_after": {}}
    connection.settings_dict.update(CONN_MAX_SCHEMAS=0, CONN_MAX_MEMORY_MB=0)
    connection.close()
    connection.ensure_connection()
    results["fresh_connection_mb"] = round(connection.server_memory_mb(), 1)
    checkpoints = sorted({c for c in MEMORY_CHECKPOINTS if c < len(organizations)} | {len(organizations)})
    start = time.perf_counter()
    for number, organization in enumerate(organizations, 1):
        _touch(organization)
        if number in checkpoints:
            read_seconds, megabytes = timed(connection.server_memory_mb)
            results["unrecycled_mb_after"][str(number)] = round(megabytes, 1)
            results[f"memory_read_ms_at_{number}"] = round(read_seconds * 1000, 1)
    per_organization = (time.perf_counter() - start) / len(organizations)
    results["unrecycled_touch_ms_per_organization"] = round(per_organization * 1000, 2)
    last = max(checkpoints)
    results["mb_per_organization"] = round(
        (results["unrecycled_mb_after"][str(last)] - results["fresh_connection_mb"]) / last, 3
    )

    # with the default recycling
    connection.settings_dict.update(saved)
    connection.close()
    peak, reconnects = 0.0, 0
    for number, organization in enumerate(organizations, 1):
        _touch(organization)
        if connection.connection is None:
            reconnects += 1
        elif number % 10 == 0:
            peak = max(peak, connection.server_memory_mb() or 0)
    results["recycled"] = {
        "conn_max_schemas": saved["CONN_MAX_SCHEMAS"],
        "conn_max_memory_mb": saved["CONN_MAX_MEMORY_MB"],
        "peak_mb": round(peak, 1),
        "connections_closed": reconnects,
    }
    return results


def api_requests(owner, count: int, organizations: int) -> dict:
    from django.db import connection
    from django.test import Client

    from tenants.models import Organization
    from tenants.tokens import token_create

    sample = random.Random(20).sample(range(1, count), min(organizations, count - 1))  # noqa: S311 (fixed)
    tokens = {}
    for number in [0, *sample]:
        organization = Organization.objects.get(slug=SLUG.format(number))
        tokens[organization.slug] = token_create(organization=organization, user=owner)[1]
    client = Client()
    connection.settings_dict["CONN_MAX_AGE"] = 600  # as served: connections kept between requests
    connection.close()

    def request(slug):
        start = time.perf_counter()
        response = client.get(f"/o/{slug}/api/dcim/sites/?limit=50", HTTP_AUTHORIZATION=f"Token {tokens[slug]}")
        elapsed = time.perf_counter() - start
        assert response.status_code == 200, (response.status_code, response.content[:300])
        return elapsed

    request(SLUG.format(0))  # the process's first request loads what every later one uses
    measured = [SLUG.format(number) for number in sample]
    first = [request(slug) for slug in measured]  # organizations this connection had not served yet
    again = [request(slug) for slug in measured for _ in range(2)]
    return {
        "path": "/o/<slug>/api/dcim/sites/?limit=50",
        "organizations": len(measured),
        "first_request_to_an_organization": percentiles(first),
        "later_requests": percentiles(again),
    }


if __name__ == "__main__":
    sys.exit(main())
