"""Webhook deliveries through real Celery workers and Redis: exponential backoff between retries,
at-least-once delivery when a worker is killed in the middle of one, and fairness between organizations."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType

from automation.models import EventRule, Job, Webhook, WebhookDelivery
from core.services import object_create
from inventory.models import Site
from saas_platform.celery import app as celery_app
from tenants.context import tenant_context
from tests.automation.receiver import Receiver
from tests.conftest import ROOT, database_url, wait_for


class Workers:
    """Celery worker processes on the test database and Redis, started and killed at will."""

    def __init__(self, tmp_path, **env):
        self.tmp_path = tmp_path
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "DJANGO_SETTINGS_MODULE": "saas_platform.settings",
            "WIREBOOK_SPARE_SCHEMAS": "0",
            "OUTBOUND_ALLOW_PRIVATE_NETWORKS": "true",
            **env,
        }
        self.processes: list[subprocess.Popen] = []

    def start(self, *pool: str) -> subprocess.Popen:
        log = self.tmp_path / f"worker-{len(self.processes)}.log"
        command = [sys.executable, "-m", "celery", "-A", "saas_platform", "worker", *(pool or ("--pool", "solo"))]
        command += ["--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel", "INFO"]
        with log.open("w") as output:
            process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=output, stderr=subprocess.STDOUT)
        self.processes.append(process)
        return process

    def logs(self) -> str:
        return "\n".join(path.read_text() for path in sorted(self.tmp_path.glob("worker-*.log")))

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=20)


@pytest.fixture
def workers(committed, tmp_path):
    celery_app.control.purge()
    made = []

    def start(**env):
        group = Workers(tmp_path, **env)
        made.append(group)
        return group

    yield start
    for group in made:
        group.stop()


def _sites(organization, names) -> None:
    from core.services import ObjectWrite, objects_create

    with tenant_context(organization):
        objects_create([ObjectWrite(model=Site, data={"name": name, "slug": name.lower()}) for name in names])


def _watch(organization, url: str) -> None:
    with tenant_context(organization):
        webhook = object_create(model=Webhook, data={"name": "Receiver", "payload_url": url, "secret": "s"})
        object_create(
            model=EventRule,
            data={
                "name": "Sites",
                "event_types": ["object_created"],
                "object_types": [ContentType.objects.get_for_model(Site)],
                "action_object_type": ContentType.objects.get_for_model(Webhook),
                "action_object_id": webhook.pk,
            },
        )


def _deliveries(organization) -> list[WebhookDelivery]:
    with tenant_context(organization):
        return list(WebhookDelivery.objects.order_by("pk"))


def test_retries_wait_longer_each_time(committed, workers):
    organization = committed.organization("hooks-backoff")
    with Receiver(answers=(503, 503, 200)) as flaky:
        _watch(organization, flaky.url)
        group = workers(WEBHOOK_RETRY_SECONDS="1", WEBHOOK_RETRIES="3")
        group.start()

        with tenant_context(organization):
            object_create(model=Site, data={"name": "AMS1", "slug": "ams1"})

        assert wait_for(lambda: len(flaky.received) == 3, timeout=60), group.logs()[-3000:]
        assert wait_for(lambda: _deliveries(organization)[0].status == "succeeded"), group.logs()[-3000:]
        first, second, third = (sent.at for sent in flaky.received)
        assert 0.9 <= second - first < 1.9  # WEBHOOK_RETRY_SECONDS
        assert 1.9 <= third - second < 3.9  # twice that
        assert len({sent.headers["Idempotency-Key"] for sent in flaky.received}) == 1
        assert _deliveries(organization)[0].attempts == 3


def test_a_worker_killed_mid_delivery_leaves_it_to_another(committed, workers):
    organization = committed.organization("hooks-kill")
    # The first request is held until the worker sending it is dead; the redelivery is answered at once.
    with Receiver(answers=(200,), hold=20, hold_count=1) as receiver:
        _watch(organization, receiver.url)
        group = workers(CELERY_VISIBILITY_TIMEOUT="2")
        first = group.start()

        with tenant_context(organization):
            created = object_create(model=Site, data={"name": "AMS1", "slug": "ams1"})
        assert wait_for(lambda: len(receiver.received) == 1, timeout=60), group.logs()[-3000:]
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        # Redis restores an unacknowledged message once it is older than the visibility timeout, when a
        # worker looks: the next one starts after that, as a replacement worker would.
        time.sleep(3)
        group.start()

        assert wait_for(lambda: len(receiver.received) >= 2, timeout=90), group.logs()[-3000:]
        assert wait_for(lambda: _deliveries(organization)[0].status == "succeeded", timeout=30), group.logs()[-3000:]
        killed, redelivered = receiver.received[:2]
        assert killed.headers["Idempotency-Key"] == redelivered.headers["Idempotency-Key"]
        assert killed.body == redelivered.body
        assert json.loads(redelivered.body)["data"]["id"] == created.pk
        delivery = _deliveries(organization)[0]
        assert delivery.attempts == 1 and delivery.response_code == 200  # the killed attempt never finished
        with tenant_context(organization):
            job = Job.objects.get(pk=delivery.job_id)  # the batch's job, ended by the redelivery
        assert (job.status, job.data) == ("completed", {"delivered": 1, "failed": 0})


def test_a_slow_receiver_of_one_organization_does_not_delay_another(committed, workers):
    slow_org, other_org = committed.organization("hooks-slow"), committed.organization("hooks-other")
    with Receiver(hold=4, hold_count=100) as slow, Receiver() as quick:
        _watch(slow_org, slow.url)
        _watch(other_org, quick.url)
        group = workers(WEBHOOK_ORGANIZATION_CONCURRENCY="1", WEBHOOK_FAIRNESS_DEFER_SECONDS="1")
        group.start("--pool", "prefork", "--concurrency", "2")

        # given a backlog of the slow organization's deliveries queued first, one in flight
        _sites(slow_org, [f"S{i}" for i in range(6)])
        assert wait_for(lambda: len(slow.received) == 1, timeout=60), group.logs()[-3000:]

        # when the other organization's delivery is queued behind them
        started = time.monotonic()
        _sites(other_org, ["Q1"])

        # then it is delivered while the slow organization's first request is still waiting
        assert wait_for(lambda: len(quick.received) == 1, timeout=30), group.logs()[-3000:]
        assert quick.received[0].at - started < 3.0
        assert len(slow.received) == 1  # at most one of the slow organization's in flight
