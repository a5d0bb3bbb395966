"""How fast does `manage.py import_netbox` import? The recorded NetBox 4.7 data set (tests/compat/netbox_import/),
served by a NetBox on 127.0.0.1 (tests/compat/netbox_import/server.py), imported into a fresh organization per
sample, then imported again (every object unchanged). Records objects per second, the seconds per import and the
requests sent to NetBox to benchmarks/results/import_netbox.json. NetBox's answers cost nothing here: the figures
are Wirebook's side (the plan, the writes, the change log, cable paths); `--rate` is lifted.

Runs in its own throwaway database next to DATABASE_URL's (suffix `_bench`), dropped afterwards:

    .venv/bin/python -m saas_platform.devstack exec -- .venv/bin/python benchmarks/import_netbox.py --samples 5
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "import_netbox.json"
sys.path.insert(0, str(ROOT))

from benchmarks.provisioning import machine, run_in_bench_database  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=5, help="imports measured (each into a new organization)")
    parser.add_argument("--parallel", type=int, default=4, help="requests to NetBox at the same time")
    args = parser.parse_args()
    return run_in_bench_database(lambda: measure(args.samples, args.parallel), RESULTS)


def measure(samples: int, parallel: int) -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from core.netbox_import import netbox_import
    from tenants.context import tenant_context
    from tenants.services import organization_create
    from tests.compat.netbox_import.server import RecordedNetBox

    call_command("migrate", verbosity=0)
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = True  # the recorded NetBox listens on 127.0.0.1
    owner = get_user_model().objects.create_user("bench-netbox@example.com")
    first, again, objects, requests = [], [], 0, 0
    with RecordedNetBox() as netbox:
        for number in range(samples):
            organization = organization_create(name=f"NetBox import {number}", slug=f"nbimport{number}", owner=owner)
            with tenant_context(organization):
                for times in (first, again):
                    started = time.perf_counter()
                    report = netbox_import(url=netbox.url, token=netbox.token, parallel=parallel, rate=10_000.0)
                    times.append(time.perf_counter() - started)
                    assert report.failures == [], report.failures
                    totals = report.totals()
                    objects = totals["created"] + totals["unchanged"]
                    requests = report.requests
            print(f"sample {number + 1}: {first[-1]:.2f} s, again {again[-1]:.2f} s", file=sys.stderr)
    return {
        "objects": objects,
        "requests_per_import": requests,
        "parallel": parallel,
        "first_import": {
            "median_s": round(statistics.median(first), 3),
            "objects_per_second": round(objects / statistics.median(first), 1),
            "samples_s": [round(t, 3) for t in first],
        },
        "unchanged_import": {
            "median_s": round(statistics.median(again), 3),
            "objects_per_second": round(objects / statistics.median(again), 1),
            "samples_s": [round(t, 3) for t in again],
        },
        "machine": machine(connection),
    }


if __name__ == "__main__":
    sys.exit(main())
