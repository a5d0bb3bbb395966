"""How long does a new organization take to become usable?

With ORGANIZATIONS organizations already present, measures `organization_create` on the warm
path (a spare schema is renamed), on the cold path (no spare: the schema is built from the
snapshot) and, for comparison, a plain `migrate` of a new schema. Writes medians in seconds to
benchmarks/results/provisioning.json.

Runs in its own throwaway database next to DATABASE_URL's (suffix `_bench`), dropped afterwards:

    make benchmark                      # or, with services of your own:
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/provisioning.py --organizations 100
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "provisioning.json"


def bench_database_url(url: str, suffix: str = "_bench") -> tuple[str, str]:
    parts = urlsplit(url)
    name = parts.path.lstrip("/") + suffix
    return urlunsplit(parts._replace(path="/" + name)), name


def recreate_database(url: str, name: str, *, drop_only: bool = False) -> None:
    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--organizations", type=int, default=100, help="organizations present while measuring")
    parser.add_argument("--samples", type=int, default=9, help="measurements per path")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    args = parser.parse_args()
    return run_in_bench_database(lambda: measure(args.organizations, args.samples), RESULTS, keep=args.keep)


def run_in_bench_database(measure_function, results: Path, *, keep: bool = False, suffix: str = "_bench") -> int:
    """Run `measure_function` against a fresh `<DATABASE_URL's name><suffix>` database (no spare
    schemas) and write what it returns to `results` as JSON."""
    base_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/wirebook")
    url, name = bench_database_url(base_url, suffix)
    recreate_database(url, name)
    os.environ["DATABASE_URL"] = url
    os.environ["WIREBOOK_SPARE_SCHEMAS"] = "0"  # the benchmark controls the pool itself
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saas_platform.settings")
    sys.path.insert(0, str(ROOT))
    try:
        measured = measure_function()
    except BaseException:
        traceback.print_exc()  # now: dropping a big database takes minutes
        raise
    finally:
        if not keep:
            from django.db import connections

            connections.close_all()
            recreate_database(url, name, drop_only=True)
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(measured, indent=2) + "\n")
    print(json.dumps(measured, indent=2))
    return 0


def machine(connection) -> dict:
    """Where a measurement was taken, and on which migrations (a test checks that results files
    recording them were produced by the current migration state)."""
    from tenants.schemas import current_fingerprint, expected_migrations

    leaves = {app: name for app, name in expected_migrations()}  # sorted: each app's last migration wins
    return {
        "migration_fingerprint": current_fingerprint(),
        "migration_leaves": [f"{app}.{name}" for app, name in sorted(leaves.items())],
        "postgresql": connection.pg_version,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        # Other work on the machine slows every figure down: 1-minute load average when measured.
        "load_average": round(os.getloadavg()[0], 1),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def measure(organizations: int, samples: int) -> dict:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction

    from tenants.models import SpareSchema
    from tenants.provisioning import spare_pool_refill
    from tenants.schemas import schema_drop, schema_migrate
    from tenants.services import organization_create

    call_command("migrate", verbosity=0)
    owner = get_user_model().objects.create_user("bench@example.com")
    for number in range(organizations):
        organization_create(name=f"Existing {number}", slug=f"existing-{number}", owner=owner, enforce_quota=False)

    def empty_pool():
        for spare in SpareSchema.objects.all():
            with transaction.atomic():
                schema_drop(spare.schema_name)
                spare.delete()

    warm, cold, migrate = [], [], []
    for sample in range(samples):
        spare_pool_refill(target=1)
        warm.append(
            timed(lambda s=sample: organization_create(name="Warm", slug=f"warm-{s}", owner=owner, enforce_quota=False))
        )
        empty_pool()
        cold.append(
            timed(lambda s=sample: organization_create(name="Cold", slug=f"cold-{s}", owner=owner, enforce_quota=False))
        )
        migrate.append(timed(lambda s=sample: schema_migrate(f"migrated_{s}")))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'org\\_%%'")
        schemas_present = cursor.fetchone()[0]

    warm_median, cold_median, migrate_median = map(statistics.median, (warm, cold, migrate))
    return {
        "warm_median_s": round(warm_median, 4),
        "cold_median_s": round(cold_median, 4),
        "migrate_median_s": round(migrate_median, 4),
        "warm_speedup_vs_migrate": round(migrate_median / warm_median, 1),
        "cold_speedup_vs_migrate": round(migrate_median / cold_median, 1),
        "organizations_present": organizations,
        "organization_schemas_at_end": schemas_present,
        "samples": samples,
        "warm_samples_s": [round(x, 4) for x in warm],
        "cold_samples_s": [round(x, 4) for x in cold],
        "migrate_samples_s": [round(x, 4) for x in migrate],
        **machine(connection),
    }


if __name__ == "__main__":
    sys.exit(main())
