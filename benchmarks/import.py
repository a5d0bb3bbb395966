"""How fast is a bulk import? 1,000 sites through the UI's import page, as CSV, JSON and YAML.

Fills one organization with what the rows refer to (a region, a tenant, two tags, an integer and a
selection custom field), then posts ROWS site records to `/o/<slug>/dcim/sites/import/` in each
format, inline (the background threshold is raised above ROWS for the run) and through the
background job's function, and for comparison the same sites to the REST API's bulk create. Each
sample imports into an emptied site table. Records the median time in milliseconds and the SQL
statements per import (which must not grow with the rows) to benchmarks/results/import.json.

Runs in its own throwaway database next to DATABASE_URL's (suffix `_bench`), dropped afterwards:

    make benchmark                      # or, with services of your own:
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/import.py --rows 1000
    .venv/bin/python benchmarks/import.py --profile csv   # where the time goes (cProfile, top 40)
"""

import argparse
import csv
import io
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "import.json"
sys.path.insert(0, str(ROOT))

from benchmarks.provisioning import machine, run_in_bench_database  # noqa: E402

SLUG = "importbench"
TARGET_MS = 2000  # 1,000 rows through the UI, on the 2-core machine the results are recorded on
FORMATS = ("csv", "json", "yaml")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1000, help="site records per import")
    parser.add_argument("--samples", type=int, default=5, help="measurements per case")
    parser.add_argument("--profile", choices=FORMATS, help="profile one UI import instead of measuring")
    args = parser.parse_args()
    if args.profile:
        return run_in_bench_database(lambda: profile(args.rows, args.profile), ROOT / ".data" / "import-profile.json")
    return run_in_bench_database(lambda: measure(args.rows, args.samples), RESULTS)


def records(rows: int) -> list[dict]:
    """Site records as an export writes them: related objects by name, tags by slug, custom fields as cf_."""
    return [
        {
            "name": f"Import Site {number:05d}",
            "slug": f"import-site-{number:05d}",
            "status": ("active", "planned", "staging")[number % 3],
            "region": "Europe",
            "tenant": "Acme",
            "facility": f"DC{number % 9}",
            "time_zone": "Europe/Amsterdam",
            "description": f"imported site {number}",
            "tags": "core,edge" if number % 2 else "core",
            "cf_rack_count": str(number % 40),
            "cf_tier": ("gold", "silver", "bronze")[number % 3],
        }
        for number in range(1, rows + 1)
    ]


def as_text(data: list[dict], fmt: str) -> str:
    import yaml

    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(data[0]))
        writer.writeheader()
        writer.writerows(data)
        return buffer.getvalue()
    structured = [
        {**record, "tags": record["tags"].split(","), "cf_rack_count": int(record["cf_rack_count"])} for record in data
    ]
    if fmt == "json":
        return json.dumps(structured)
    return yaml.safe_dump(structured, sort_keys=False)


def setup():
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.core import signals
    from django.core.management import call_command
    from django.db import close_old_connections
    from django.test import Client

    from core.models import CustomField, CustomFieldChoiceSet, Tag
    from inventory.models import Region, Site, Tenant
    from tenants.context import tenant_context
    from tenants.services import organization_create

    call_command("migrate", verbosity=0)
    owner = get_user_model().objects.create_user("bench@example.com")
    organization = organization_create(name="Import bench", slug=SLUG, owner=owner)
    with tenant_context(organization):
        Region.objects.create(name="Europe", slug="europe")
        Tenant.objects.create(name="Acme", slug="acme")
        Tag.objects.create(name="Core", slug="core")
        Tag.objects.create(name="Edge", slug="edge")
        site_type = ContentType.objects.get_for_model(Site)
        tiers = CustomFieldChoiceSet.objects.create(
            name="Tiers", extra_choices=[["gold", "Gold"], ["silver", "Silver"], ["bronze", "Bronze"]]
        )
        CustomField.objects.create(name="rack_count", type="integer").object_types.add(site_type)
        CustomField.objects.create(name="tier", type="select", choice_set=tiers).object_types.add(site_type)
    # One connection for the whole run, as the tests keep it: the handler would close it per request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    settings.WIREBOOK_IMPORT_BACKGROUND_ROWS = 10**9  # measure the import itself, inline
    client = Client(HTTP_HOST="localhost")
    client.force_login(owner)
    return organization, owner, client


def empty_sites(organization) -> None:
    from django.contrib.contenttypes.models import ContentType

    from core.models import ObjectChange, SearchEntry, TaggedItem
    from inventory.models import Site
    from tenants.context import tenant_context

    with tenant_context(organization):
        site_type = ContentType.objects.get_for_model(Site)
        TaggedItem.objects.filter(content_type=site_type).delete()
        SearchEntry.objects.filter(object_type=site_type).delete()
        ObjectChange.objects.all().delete()
        Site.objects.all().delete()


def counted(function) -> tuple[float, int]:
    """(milliseconds, SQL statements) of one call."""
    from django.db import connection

    statements = 0

    def count(execute, sql, params, many, context):
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        start = time.perf_counter()
        function()
        elapsed = time.perf_counter() - start
    return round(1000 * elapsed, 1), statements


def measure(rows: int, samples: int) -> dict:
    organization, owner, client = setup()
    from django.db import connection

    from core.context import Actor, acting_as
    from core.registry import registry
    from frontend import transfer
    from inventory.models import Site
    from tenants.context import tenant_context

    data = records(rows)
    path = f"/o/{SLUG}/dcim/sites/import/"
    cases: dict[str, dict] = {}

    def run_case(name: str, one, *, written: int = rows) -> None:
        times, statements = [], set()
        for _ in range(samples):
            empty_sites(organization)
            elapsed, count = counted(one)
            with tenant_context(organization):
                assert Site.objects.count() == written, f"{name}: {Site.objects.count()} sites written"
            times.append(elapsed)
            statements.add(count)
        cases[name] = {
            "median_ms": round(statistics.median(times), 1),
            "ms_per_row": round(statistics.median(times) / rows, 3),
            "statements": max(statements),
            "samples_ms": times,
        }
        print(f"{name}: {cases[name]['median_ms']} ms, {cases[name]['statements']} statements", file=sys.stderr)

    # The first request of a process imports the views and fills caches: not part of any case.
    warm_up = client.post(path, {"data": as_text(records(1), "csv"), "format": "csv"})
    assert warm_up.status_code == 302, warm_up.content.decode()[-2000:]

    for fmt in FORMATS:
        text = as_text(data, fmt)

        def ui(text=text, fmt=fmt):
            response = client.post(path, {"data": text, "format": fmt})
            assert response.status_code == 302, response.content.decode()[-2000:]

        run_case(f"ui_{fmt}", ui)

    # One bad row in the middle: nothing is written, and the page names the row and the field.
    bad = [dict(record) for record in data]
    bad[rows // 2]["status"] = "no-such-status"
    bad_text = as_text(bad, "csv")

    def ui_bad_row():
        response = client.post(path, {"data": bad_text, "format": "csv"})
        assert response.status_code == 400
        assert f'data-record="{rows // 2 + 1}" data-field="status"' in response.content.decode()

    run_case("ui_csv_one_bad_row", ui_bad_row, written=0)

    spec = registry.get(Site)
    actor = Actor(user_id=owner.pk, user_name=owner.email, role="owner")

    def job():
        with tenant_context(organization), acting_as(actor):
            result = transfer.import_records(spec, actor, data)
        assert result.ok, result.errors[:3]

    run_case("job_csv_records", job)

    api_items = [
        {
            "name": record["name"],
            "slug": record["slug"],
            "status": record["status"],
            "region": {"name": "Europe"},
            "tenant": {"name": "Acme"},
            "facility": record["facility"],
            "time_zone": record["time_zone"],
            "description": record["description"],
            "tags": [{"slug": slug} for slug in record["tags"].split(",")],
            "custom_fields": {"rack_count": int(record["cf_rack_count"]), "tier": record["cf_tier"]},
        }
        for record in data
    ]

    def api():
        response = client.post(f"/o/{SLUG}/api/dcim/sites/", json.dumps(api_items), content_type="application/json")
        assert response.status_code == 201, response.content.decode()[-2000:]

    run_case("api_bulk_create", api)

    ui_csv = cases["ui_csv"]["median_ms"]
    return {
        "rows": rows,
        "cases": cases,
        "target_ms": TARGET_MS,
        "ui_csv_within_target": ui_csv < TARGET_MS,
        "samples": samples,
        **machine(connection),
    }


def profile(rows: int, fmt: str) -> dict:
    import cProfile
    import pstats

    organization, _owner, client = setup()
    text = as_text(records(rows), fmt)
    empty_sites(organization)
    profiler = cProfile.Profile()
    profiler.enable()
    response = client.post(f"/o/{SLUG}/dcim/sites/import/", {"data": text, "format": fmt})
    profiler.disable()
    assert response.status_code == 302, response.content.decode()[-2000:]
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(60)
    print(out.getvalue(), file=sys.stderr)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(30)
    print(out.getvalue(), file=sys.stderr)
    return {}


if __name__ == "__main__":
    sys.exit(main())
