"""What does a list page cost as it grows? Query counts and time per row of the generic UI list.

Fills one organization with ROWS sites (each with a region, a tag and a custom field value, shown
as columns), then requests `/o/<slug>/dcim/sites/?per_page=N` for N in 10, 100, 1000 and records
the SQL queries per page (must not grow) and the median time, as a ratio to the 10-row page.
Writes benchmarks/results/ui_list.json.

Runs in its own throwaway database next to DATABASE_URL's (suffix `_bench`), dropped afterwards:

    make benchmark                      # or, with services of your own:
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/ui_list.py
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "ui_list.json"
sys.path.insert(0, str(ROOT))

from benchmarks.provisioning import machine, run_in_bench_database  # noqa: E402

PAGE_SIZES = (10, 100, 1000)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=7, help="measurements per page size")
    args = parser.parse_args()
    return run_in_bench_database(lambda: measure(args.samples), RESULTS)


def measure(samples: int) -> dict:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.core import signals
    from django.core.management import call_command
    from django.db import close_old_connections, connection
    from django.test import Client

    from core.models import CustomField, Tag
    from inventory.models import Region, Site
    from tenants.context import tenant_context
    from tenants.services import organization_create

    call_command("migrate", verbosity=0)
    owner = get_user_model().objects.create_user("bench@example.com")
    organization = organization_create(name="Bench", slug="bench", owner=owner)
    with tenant_context(organization):
        region = Region.objects.create(name="Europe", slug="europe")
        tag = Tag.objects.create(name="Core", slug="core")
        field = CustomField.objects.create(name="rack_count", type="integer")
        field.object_types.add(ContentType.objects.get_for_model(Site))
        sites = Site.objects.bulk_create(
            Site(name=f"Site {n:04}", slug=f"site-{n:04}", region=region, custom_field_data={"rack_count": n})
            for n in range(max(PAGE_SIZES))
        )
        for site in sites:
            site.tagged_items.create(tag=tag)

    # Keep one connection for the whole run, as the tests do: the handler would close it after each
    # request, and the query log with it.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    client = Client(HTTP_HOST="localhost")
    client.force_login(owner)
    client.post("/o/bench/dcim/sites/table/", {"columns": ["name", "status", "region", "tags", "cf_rack_count"]})
    pages = {}
    for size in PAGE_SIZES:
        path = f"/o/bench/dcim/sites/?per_page={size}"
        executed: list[str] = []

        def count(execute, sql, params, many, context, executed=executed):
            executed.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            assert client.get(path).status_code == 200
        times = []
        for _ in range(samples):
            start = time.perf_counter()
            client.get(path)
            times.append(time.perf_counter() - start)
        pages[size] = {"queries": len(executed), "median_s": round(statistics.median(times), 4)}
    base = pages[PAGE_SIZES[0]]["median_s"]
    return {
        "pages": {str(size): page for size, page in pages.items()},
        "queries_constant": len({page["queries"] for page in pages.values()}) == 1,
        "time_ratio_1000_vs_10": round(pages[1000]["median_s"] / base, 1),
        "ms_per_row_at_1000": round(1000 * pages[1000]["median_s"] / 1000, 3),
        "samples": samples,
        **machine(connection),
    }


if __name__ == "__main__":
    sys.exit(main())
