"""How fast do webhooks go out? 1,000 object changes with one event rule, delivered by real Celery
workers to a local HTTP receiver.

Creates one organization with a webhook (signed, to a receiver on 127.0.0.1) and an event rule on
sites, starts Celery workers on the benchmark database, then creates CHANGES sites one request-sized
transaction at a time. Records deliveries per second (from the first change to the last delivery
received) and the end-to-end latency of each delivery (from the change's event timestamp to its
arrival at the receiver), p50 and p95, to benchmarks/results/webhooks.json.

Runs in its own throwaway database next to DATABASE_URL's (suffix `_bench`), dropped afterwards:

    .venv/bin/python -m saas_platform.devstack exec --dir .data/run -- .venv/bin/python benchmarks/webhooks.py
    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python benchmarks/webhooks.py --changes 1000
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "webhooks.json"
sys.path.insert(0, str(ROOT))

from benchmarks.provisioning import machine, run_in_bench_database  # noqa: E402

SLUG = "webhookbench"


class Receiver:
    """Records when each delivery arrived, with its event's timestamp."""

    def __init__(self) -> None:
        self.arrivals: list[tuple[float, float]] = []  # (arrived, event time), epoch seconds
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                arrived = time.time()
                event_time = datetime.fromisoformat(json.loads(body)["timestamp"]).timestamp()
                with receiver.lock:
                    receiver.arrivals.append((arrived, event_time))
                self.send_response(204)
                self.end_headers()

            def log_message(self, format, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hook"


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure(changes: int, concurrency: int, timeout: float) -> dict:
    import django

    os.environ["OUTBOUND_ALLOW_PRIVATE_NETWORKS"] = "true"  # the receiver listens on 127.0.0.1
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from automation.models import EventRule, Job, Webhook, WebhookDelivery
    from automation.webhooks import WEBHOOK_BATCH_NAME
    from core.context import SYSTEM
    from core.registry import registry
    from core.usecases import Item, write_objects
    from inventory.models import Site
    from saas_platform.celery import app as celery_app
    from tenants.context import tenant_context
    from tenants.services import organization_create

    def write(model, payload):
        """One object written as a request writes it (its own transaction), as the system."""
        return write_objects(registry.get(model), SYSTEM, [Item(payload)])[0]

    call_command("migrate", verbosity=0)
    owner = get_user_model().objects.create_user("bench@example.com")
    organization = organization_create(name="Webhook bench", slug=SLUG, owner=owner)
    receiver = Receiver()
    with tenant_context(organization):
        webhook = write(Webhook, {"name": "Bench", "payload_url": receiver.url, "secret": "s"})
        write(
            EventRule,
            {
                "name": "Sites",
                "event_types": ["object_created"],
                "object_types": ["dcim.site"],
                "action_type": "webhook",
                "action_object_type": "extras.webhook",
                "action_object_id": webhook.pk,
            },
        )
    celery_app.control.purge()
    env = {**os.environ, "WEBHOOK_ORGANIZATION_CONCURRENCY": str(concurrency), "WIREBOOK_SPARE_SCHEMAS": "0"}
    command = [sys.executable, "-m", "celery", "-A", "saas_platform", "worker", "--pool", "prefork"]
    command += ["--concurrency", str(concurrency), "--without-heartbeat", "--without-gossip", "--without-mingle"]
    command += ["--loglevel", "WARNING"]
    worker = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        time.sleep(3)  # the worker's start-up is not what is measured
        started = time.time()
        with tenant_context(organization):
            for number in range(changes):
                write(Site, {"name": f"Bench {number:05d}", "slug": f"bench-{number:05d}"})
        written = time.time()
        deadline = time.monotonic() + timeout
        while len(receiver.arrivals) < changes and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    with tenant_context(organization):
        statuses = {status: WebhookDelivery.objects.filter(status=status).count() for status in ("succeeded", "failed")}
        batches = dict(
            Job.objects.filter(name=WEBHOOK_BATCH_NAME).values_list("status").annotate(Count("pk")).order_by("status")
        )
    arrivals = list(receiver.arrivals)
    latencies = [(arrived - event_time) * 1000 for arrived, event_time in arrivals]
    last = max((arrived for arrived, _ in arrivals), default=written)
    return {
        "changes": changes,
        "delivered": len(arrivals),
        "deliveries_by_status": statuses,
        "batch_jobs_by_status": batches,  # each change's deliveries are one job (automation.webhooks)
        "worker_concurrency": concurrency,
        "writes_per_second": round(changes / (written - started), 1),
        "deliveries_per_second": round(len(arrivals) / (last - started), 1) if arrivals else 0,
        "latency_ms_p50": round(statistics.median(latencies), 1) if latencies else None,
        "latency_ms_p95": round(_percentile(latencies, 0.95), 1) if latencies else None,
        "machine": machine(connection),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--changes", type=int, default=1000, help="sites created, one transaction each")
    parser.add_argument("--concurrency", type=int, default=os.cpu_count() or 2, help="worker processes")
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for the deliveries")
    args = parser.parse_args()
    return run_in_bench_database(lambda: measure(args.changes, args.concurrency, args.timeout), RESULTS)


if __name__ == "__main__":
    sys.exit(main())
