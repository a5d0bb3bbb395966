"""Cancelling a pending job (API and UI), and the job events event rules hear (job_started,
job_completed, job_errored) delivered to a real local receiver."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from automation.customfields import custom_field_values_job
from automation.models import Job, JobStatus, WebhookDelivery
from automation.services import job_enqueue
from automation.tasks import job_run
from core.context import Actor, acting_as
from tenants.context import tenant_context
from tenants.models import Membership, MembershipRole
from tests.automation.jobs import explode, record_context
from tests.automation.test_webhooks import committing, hook, rule

API = "/o/org-a/api/core/jobs"


def pending_job(organization, function=record_context, user_id=None) -> Job:
    with tenant_context(organization):
        return job_enqueue(name="Export", function=function, user_id=user_id)  # no commit: never dispatched


def job_of(organization, pk) -> Job:
    with tenant_context(organization):
        return Job.objects.get(pk=pk)


def member_client(org, role, email) -> tuple[Client, object]:
    user = get_user_model().objects.create_user(email)
    Membership.objects.create(user=user, organization=org.organization, role=role)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client, user


def test_a_pending_job_is_cancelled_and_the_worker_leaves_it_alone(org_a):
    job = pending_job(org_a.organization, user_id=org_a.owner.pk)

    response = org_a.client().post(f"{API}/{job.pk}/cancel/")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "failed"
    cancelled = job_of(org_a.organization, job.pk)
    assert cancelled.status == JobStatus.FAILED and cancelled.completed is not None
    assert cancelled.error == "Cancelled before a worker started it."
    assert cancelled.data == {"cancelled_by": org_a.owner.pk}
    # the task arriving afterwards does not run the function
    with tenant_context(org_a.organization):
        assert job_run.run(job.pk) == "skipped"
    after = job_of(org_a.organization, job.pk)
    assert after.status == JobStatus.FAILED and after.started is None
    assert org_a.client().get(f"{API}/{job.pk}/").json()["status"] == {"value": "failed", "label": "Failed"}


@pytest.mark.parametrize("status", [JobStatus.RUNNING, JobStatus.COMPLETED, JobStatus.ERRORED])
def test_a_job_that_started_or_ended_is_not_cancelled(org_a, status):
    job = pending_job(org_a.organization)
    with tenant_context(org_a.organization):
        Job.objects.filter(pk=job.pk).update(status=status)

    response = org_a.client().post(f"{API}/{job.pk}/cancel/")

    assert response.status_code == 409
    assert response.json() == {"detail": f"Only a pending or scheduled job can be cancelled; this one is {status}."}
    assert job_of(org_a.organization, job.pk).status == status


def test_a_custom_field_rewrite_cannot_be_cancelled(org_a):
    job = pending_job(org_a.organization, function=custom_field_values_job)

    response = org_a.client().post(f"{API}/{job.pk}/cancel/")

    assert response.status_code == 409
    assert "cannot be cancelled" in response.json()["detail"]
    assert job_of(org_a.organization, job.pk).status == JobStatus.PENDING


def test_only_who_sees_a_job_cancels_it(org_a, org_b):
    # a viewer who started a job cancels it; another viewer, an outsider, a stranger and nobody cannot
    starter, starter_user = member_client(org_a, MembershipRole.VIEWER, "starter-jobs@example.com")
    other, _other_user = member_client(org_a, MembershipRole.VIEWER, "other-jobs@example.com")
    job = pending_job(org_a.organization, user_id=starter_user.pk)

    assert other.post(f"{API}/{job.pk}/cancel/").status_code == 404
    assert org_b.client().post(f"{API}/{job.pk}/cancel/").status_code in (403, 404)
    assert org_b.client().post(f"/o/org-b/api/core/jobs/{job.pk}/cancel/").status_code == 404
    assert Client().post(f"{API}/{job.pk}/cancel/").status_code == 403
    assert job_of(org_a.organization, job.pk).status == JobStatus.PENDING

    assert starter.post(f"{API}/{job.pk}/cancel/").status_code == 200
    assert job_of(org_a.organization, job.pk).status == JobStatus.FAILED


def test_the_job_page_cancels_a_pending_job(org_a):
    job = pending_job(org_a.organization)
    client = org_a.client()
    page = f"/o/org-a/core/jobs/{job.pk}/"

    assert f'href="{page}cancel/"' in client.get(page).content.decode()
    assert "Cancel job" in client.get(f"{page}cancel/").content.decode()
    response = client.post(f"{page}cancel/")

    assert response.status_code == 200
    assert "Cancelled before a worker started it." in response.content.decode()
    assert job_of(org_a.organization, job.pk).status == JobStatus.FAILED
    assert f'href="{page}cancel/"' not in client.get(page).content.decode()  # the tab is gone with pending


def _job_rule(org, receiver, event_types):
    with tenant_context(org.organization):
        webhook = hook(receiver.url + "/jobs")
        rule(webhook, object_types=(Job,), event_types=event_types, name="Jobs")


def test_job_rules_hear_the_job_start_and_complete(org_a, eager, receiver, django_capture_on_commit_callbacks):
    _job_rule(org_a, receiver, ("job_started", "job_completed"))

    with tenant_context(org_a.organization), committing(django_capture_on_commit_callbacks):
        job = job_enqueue(name="Record", function=record_context, user_id=org_a.owner.pk)

    assert job_of(org_a.organization, job.pk).status == JobStatus.COMPLETED
    payloads = [json.loads(sent.body) for sent in receiver.received]
    assert [payload["event"] for payload in payloads] == ["job_started", "job_completed"]
    assert {payload["object_type"] for payload in payloads} == {"core.job"}
    assert {payload["username"] for payload in payloads} == {"owner-a@example.com"}
    assert [payload["data"]["status"]["value"] for payload in payloads] == ["running", "completed"]
    assert payloads[1]["data"]["id"] == job.pk and payloads[1]["data"]["data"]["schema"]
    with tenant_context(org_a.organization):
        assert WebhookDelivery.objects.filter(object_type=ContentType.objects.get_for_model(Job)).count() == 2


def test_job_rules_hear_a_job_error_and_only_their_event_types(
    org_a, eager, receiver, django_capture_on_commit_callbacks
):
    _job_rule(org_a, receiver, ("job_errored",))

    with tenant_context(org_a.organization), committing(django_capture_on_commit_callbacks):
        job = job_enqueue(name="Broken", function=explode)
        job_enqueue(name="Fine", function=record_context)

    assert job_of(org_a.organization, job.pk).status == JobStatus.ERRORED
    payloads = [json.loads(sent.body) for sent in receiver.received]
    assert [(payload["event"], payload["data"]["name"]) for payload in payloads] == [("job_errored", "Broken")]
    assert "the job's function broke" in payloads[0]["data"]["error"]


def test_another_organizations_job_rules_hear_nothing(
    org_a, org_b, eager, receiver, django_capture_on_commit_callbacks
):
    _job_rule(org_b, receiver, ("job_started", "job_completed"))

    with tenant_context(org_a.organization), committing(django_capture_on_commit_callbacks):
        job_enqueue(name="Record", function=record_context)

    assert receiver.received == []


def test_a_job_rule_is_saved_through_the_api_with_netbox_labels(org_a):
    client = org_a.client()
    webhook = client.post(
        "/o/org-a/api/extras/webhooks/",
        json.dumps({"name": "Receiver", "payload_url": "https://hooks.example.com/"}),
        content_type="application/json",
    ).json()

    response = client.post(
        "/o/org-a/api/extras/event-rules/",
        json.dumps(
            {
                "name": "Job ends",
                "object_types": ["core.job"],
                "event_types": ["job_completed", "job_failed", "job_errored"],
                "action_type": "webhook",
                "action_object_type": "extras.webhook",
                "action_object_id": webhook["id"],
            }
        ),
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["object_types"] == ["core.job"]
    assert response.json()["event_types"] == ["job_completed", "job_failed", "job_errored"]


def test_a_cancelled_job_fires_no_event(org_a, eager, receiver, django_capture_on_commit_callbacks):
    _job_rule(org_a, receiver, ("job_started", "job_completed", "job_failed"))
    job = pending_job(org_a.organization)
    with acting_as(Actor(user_id=org_a.owner.pk, user_name="owner-a@example.com", role="owner")):
        assert org_a.client().post(f"{API}/{job.pk}/cancel/").status_code == 200

    with tenant_context(org_a.organization):
        job_run.run(job.pk)

    assert receiver.received == []


def test_a_jobs_log_entries_say_what_went_wrong_in_the_api_and_on_its_page(
    org_a, org_b, eager, django_capture_on_commit_callbacks
):
    with tenant_context(org_a.organization), committing(django_capture_on_commit_callbacks):
        job = job_enqueue(name="Broken", function=explode, user_id=org_a.owner.pk)

    ended = job_of(org_a.organization, job.pk)
    assert ended.status == JobStatus.ERRORED
    ((entry),) = ended.log_entries
    assert entry["level"] == "error" and "the job's function broke" in entry["message"]
    assert ended.started.isoformat() <= entry["timestamp"] <= ended.completed.isoformat()

    answer = org_a.client().get(f"{API}/{job.pk}/")
    assert answer.status_code == 200
    assert answer.json()["log_entries"] == ended.log_entries

    page = org_a.client().get(f"/o/org-a/core/jobs/{job.pk}/")
    assert page.status_code == 200
    assert b"data-job-log" in page.content and b"the job&#x27;s function broke" in page.content

    # another organization's member sees neither
    assert org_b.client().get(f"{API}/{job.pk}/").status_code in (403, 404)
    assert org_b.client().get(f"/o/org-b/api/core/jobs/{job.pk}/").status_code == 404
    assert org_b.client().get(f"/o/org-a/core/jobs/{job.pk}/").status_code in (403, 404)
