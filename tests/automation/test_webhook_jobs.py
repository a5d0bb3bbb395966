"""Each batch of webhook deliveries is a background job (/api/core/jobs/, the Jobs page): pending, running
while its deliveries are sent, then completed or failed from their outcomes; cancelling it while pending
sends nothing; a resend is a batch of its own; a batch whose deliveries were deleted is ended by the
jobs' housekeeping; other organizations and anonymous callers see none of it."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from automation.models import Job, JobStatus, Webhook, WebhookDelivery
from automation.tasks import WrongOrganization, jobs_prune, webhook_deliver
from automation.webhooks import WEBHOOK_BATCH_NAME, webhook_delivery_attempt
from core.context import Actor, acting_as
from core.services import object_delete
from saas_platform.celery import app as celery_app
from tenants.context import tenant_context
from tests.automation.receiver import Receiver
from tests.automation.test_webhooks import committing, hook, rule, site

JOBS = "/o/org-a/api/core/jobs"


def _commit_unsent(callbacks) -> None:
    """Run the commit's work (the events become deliveries and their batch), queueing the deliveries'
    tasks without running them (the queue is emptied after)."""
    celery_app.conf.task_always_eager = False
    try:
        for callback in callbacks:
            callback()
    finally:
        celery_app.conf.task_always_eager = True
        celery_app.control.purge()


def _batches(organization) -> list[Job]:
    with tenant_context(organization):
        return list(Job.objects.filter(name=WEBHOOK_BATCH_NAME).order_by("pk"))


def test_a_committed_change_is_one_job_that_ends_when_its_deliveries_did(
    org_a, org_b, eager, receiver, django_capture_on_commit_callbacks
):
    with tenant_context(org_a.organization):
        rule(hook(receiver.url, name="One"), name="One")
        rule(hook(receiver.url, name="Two"), name="Two")
        owner = Actor(user_id=org_a.owner.pk, user_name=org_a.owner.email, role="owner")
        with acting_as(owner), committing(django_capture_on_commit_callbacks):
            site("AMS1")

    assert len(receiver.received) == 2
    [job] = _batches(org_a.organization)
    assert job.status == JobStatus.COMPLETED and job.user_id == org_a.owner.pk
    assert job.started is not None and job.completed is not None and job.started <= job.completed
    assert job.data == {"delivered": 2, "failed": 0} and job.error == ""
    assert [entry["message"] for entry in job.log_entries] == ["2 of 2 deliveries delivered."]
    with tenant_context(org_a.organization):
        assert set(WebhookDelivery.objects.values_list("job_id", flat=True)) == {job.pk}

    shown = org_a.client().get(f"{JOBS}/{job.pk}/")
    assert shown.status_code == 200, shown.content
    assert shown.json()["name"] == WEBHOOK_BATCH_NAME
    assert shown.json()["status"] == {"value": "completed", "label": "Completed"}
    with tenant_context(org_a.organization):
        delivery = WebhookDelivery.objects.first()
    linked = org_a.client().get(f"/o/org-a/api/extras/webhook-deliveries/{delivery.pk}/").json()
    assert linked["job"]["id"] == job.pk
    page = org_a.client().get(f"/o/org-a/core/jobs/{job.pk}/")
    assert page.status_code == 200 and b"2 of 2 deliveries delivered." in page.content

    # outsiders: another organization's owner, anonymous
    assert org_b.client().get(f"{JOBS}/{job.pk}/").status_code == 404
    assert job.pk not in [row["id"] for row in org_b.client().get("/o/org-b/api/core/jobs/").json()["results"]]
    assert Client().get(f"{JOBS}/{job.pk}/").status_code in (401, 403, 404)
    assert _batches(org_b.organization) == []


def test_a_batch_with_a_failed_delivery_fails_and_names_it(org_a, eager, django_capture_on_commit_callbacks, settings):
    settings.WEBHOOK_RETRIES = 1
    with (
        Receiver(answers=(200,)) as fine,
        Receiver(answers=(404,)) as wrong,
        tenant_context(org_a.organization),
    ):
        rule(hook(fine.url, name="Fine"), name="Fine")
        rule(hook(wrong.url, name="Wrong"), name="Wrong")
        with committing(django_capture_on_commit_callbacks):
            site("AMS1")
        failed = WebhookDelivery.objects.get(webhook__name="Wrong")

    [job] = _batches(org_a.organization)
    assert job.status == JobStatus.FAILED
    assert job.data == {"delivered": 1, "failed": 1}
    assert job.error == "1 of 2 deliveries failed."
    messages = [entry["message"] for entry in job.log_entries]
    assert messages[0] == "1 of 2 deliveries delivered."
    assert messages[1].startswith(f"Delivery {failed.pk} (Object created: AMS1) to webhook Wrong: HTTP 404")


def test_a_retried_delivery_keeps_its_job_running_until_it_ends(
    org_a, eager, django_capture_on_commit_callbacks, settings
):
    settings.WEBHOOK_RETRIES = 3
    seen = []
    with Receiver(answers=(503, 200)) as flaky, tenant_context(org_a.organization):
        rule(hook(flaky.url))
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            site("AMS1")
        _commit_unsent(callbacks)
        [job] = Job.objects.filter(name=WEBHOOK_BATCH_NAME)
        seen.append(job.status)
        delivery = WebhookDelivery.objects.get()
        webhook_delivery_attempt(delivery.pk, final=False)  # 503: retried later
        job.refresh_from_db()
        seen.append(job.status)
        webhook_delivery_attempt(delivery.pk, final=False)  # 200
        job.refresh_from_db()
        seen.append(job.status)

    assert seen == [JobStatus.PENDING, JobStatus.RUNNING, JobStatus.COMPLETED]
    assert job.data == {"delivered": 1, "failed": 0}


def test_a_cancelled_batch_sends_nothing(org_a, eager, receiver, django_capture_on_commit_callbacks):
    with tenant_context(org_a.organization):
        rule(hook(receiver.url))
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            site("AMS1")
        _commit_unsent(callbacks)
        [job] = Job.objects.filter(name=WEBHOOK_BATCH_NAME)
        delivery = WebhookDelivery.objects.get()

    response = org_a.client().post(f"{JOBS}/{job.pk}/cancel/")
    assert response.status_code == 200, response.content
    with tenant_context(org_a.organization):
        webhook_deliver.apply((org_a.organization.pk, delivery.pk), throw=True).get()  # its task arrives
        delivery.refresh_from_db()
        job.refresh_from_db()

    assert receiver.received == []
    assert delivery.status == "failed" and delivery.error == "Not sent: its job was cancelled."
    assert delivery.attempts == 0
    assert job.status == JobStatus.FAILED and job.data == {"cancelled_by": org_a.owner.pk}


def test_a_resend_is_a_batch_of_its_own_started_by_who_resent_it(
    org_a, eager, receiver, django_capture_on_commit_callbacks
):
    with tenant_context(org_a.organization):
        rule(hook(receiver.url))
        with committing(django_capture_on_commit_callbacks):
            site("AMS1")
        first = WebhookDelivery.objects.get()

    with committing(django_capture_on_commit_callbacks):
        response = org_a.client().post(f"/o/org-a/api/extras/webhook-deliveries/{first.pk}/resend/")
    assert response.status_code == 201, response.content

    original, resent = _batches(org_a.organization)
    assert resent.user_id == org_a.owner.pk and original.user_id is None  # the first change was the system's
    assert resent.status == JobStatus.COMPLETED and resent.data == {"delivered": 1, "failed": 0}
    with tenant_context(org_a.organization):
        assert WebhookDelivery.objects.get(pk=response.json()["id"]).job_id == resent.pk


def test_housekeeping_ends_a_batch_whose_deliveries_were_deleted(org_a, django_capture_on_commit_callbacks):
    with tenant_context(org_a.organization):
        webhook = hook("https://receiver.example.com/")
        rule(webhook)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            site("AMS1")
        _commit_unsent(callbacks)  # never sent
        [job] = Job.objects.filter(name=WEBHOOK_BATCH_NAME)
        young = Job.objects.create(name=WEBHOOK_BATCH_NAME, function=job.function)
        object_delete(instance=Webhook.objects.get(pk=webhook.pk))  # its deliveries go with it
        assert not WebhookDelivery.objects.exists()
        Job.objects.filter(pk=job.pk).update(created=timezone.now() - timedelta(days=2))

        jobs_prune.run(org_a.organization.pk)

        job.refresh_from_db()
        young.refresh_from_db()
    assert job.status == JobStatus.COMPLETED and job.data == {"delivered": 0, "failed": 0}
    assert job.log_entries[0]["message"].startswith("Deliveries of this batch were deleted with their webhook")
    assert young.status == JobStatus.PENDING  # too young to tell from a batch still being written


def test_a_delivery_task_ends_the_batch_of_its_own_organization_only(
    org_a, org_b, eager, receiver, django_capture_on_commit_callbacks
):
    with tenant_context(org_a.organization):
        rule(hook(receiver.url))
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            site("AMS1")
        _commit_unsent(callbacks)
        delivery = WebhookDelivery.objects.get()
    with tenant_context(org_b.organization), pytest.raises(WrongOrganization):
        webhook_deliver.apply((org_a.organization.pk, delivery.pk), throw=True).get()
    [job] = _batches(org_a.organization)
    assert job.status == JobStatus.PENDING and receiver.received == []
