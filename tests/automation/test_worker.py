"""A real Celery worker against real Redis runs every task inside the organization it came from."""

from automation.models import Job, JobStatus
from automation.services import job_enqueue
from automation.tasks import job_run
from tenants.context import tenant_context
from tenants.tasks import SCHEMA_HEADER
from tests.automation.jobs import record_context
from tests.conftest import wait_for


def job_state(organization, pk):
    with tenant_context(organization):
        return Job.objects.get(pk=pk)


def test_each_task_runs_in_the_organization_that_sent_it(committed, worker):
    # given jobs of two organizations, interleaved on one queue served by one worker process
    org_a, org_b = committed.organization("celery-a"), committed.organization("celery-b")
    sent = []
    for round_number in range(3):
        for organization in (org_a, org_b):
            with tenant_context(organization):
                job = job_enqueue(name=f"{organization.slug}-{round_number}", function=record_context)
            sent.append((organization, job.pk))

    # when the worker has run them
    finished = wait_for(
        lambda: all(job_state(org, pk).status in (JobStatus.COMPLETED, JobStatus.ERRORED) for org, pk in sent)
    )

    # then every job ran inside its own schema and saw only its organization's jobs
    assert finished, worker.read_text()[-3000:]
    for organization, pk in sent:
        job = job_state(organization, pk)
        assert job.status == JobStatus.COMPLETED, job.error
        assert job.data["schema"] == organization.schema_name
        assert job.data["visible_jobs"], job.data
        assert all(name.startswith(organization.slug + "-") for name in job.data["visible_jobs"]), job.data


def test_a_task_stamped_for_a_missing_organization_is_refused(committed, worker):
    job_run.apply_async((1,), headers={SCHEMA_HEADER: "org_gone"})

    assert wait_for(lambda: "org_gone" in worker.read_text()), worker.read_text()[-3000:]
    assert "UnknownOrganizationSchema" in worker.read_text()
