"""Large imports run as a background job (a real Celery worker) with a progress page; still all-or-nothing."""

import re

from django.test import Client

from automation.export import EXPORT_FUNCTION
from automation.models import Job, JobStatus
from inventory.models import Site
from tenants.context import tenant_context
from tenants.models import Membership, MembershipRole
from tests.conftest import wait_for


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _csv(count: int, bad_row: int | None = None) -> str:
    rows = ["name,slug,status"]
    for n in range(count):
        status = "sideways" if n == bad_row else "active"
        rows.append(f"Bulk {n:03},bulk-{n:03},{status}")
    return "\n".join(rows) + "\n"


def _job(organization, pk: int) -> Job:
    with tenant_context(organization):
        return Job.objects.get(pk=pk)


def _done(organization, pk: int) -> bool:
    return _job(organization, pk).status in (JobStatus.COMPLETED, JobStatus.ERRORED)


def test_a_large_import_runs_in_the_background_with_progress(committed, worker, settings):
    settings.WIREBOOK_IMPORT_BACKGROUND_ROWS = 50
    owner = committed.user()
    organization = committed.organization("import-bg", owner=owner)
    client = _client(owner)

    # when 120 sites are imported
    response = client.post(f"/o/{organization.slug}/dcim/sites/import/", {"data": _csv(120), "format": "csv"})

    # then the browser is sent to the job's page, which polls itself until the worker is done
    assert response.status_code == 302
    job_path = response["Location"]
    pk = int(re.search(r"/jobs/(\d+)/$", job_path)[1])
    page = client.get(job_path).content.decode()
    assert 'role="progressbar"' in page
    assert wait_for(lambda: _done(organization, pk), timeout=60), worker.read_text()[-3000:]
    job = _job(organization, pk)
    assert job.status == JobStatus.COMPLETED, job.error
    assert job.data["created"] == 120 and job.data["errors"] == []
    with tenant_context(organization):
        assert Site.objects.count() == 120
    finished = client.get(job_path, HTTP_HX_REQUEST="true").content.decode()
    assert "100%" in finished and "Imported 120" in finished and "hx-get" not in finished


def test_a_background_import_with_a_bad_row_imports_nothing(committed, worker, settings):
    settings.WIREBOOK_IMPORT_BACKGROUND_ROWS = 50
    owner = committed.user()
    organization = committed.organization("import-bad", owner=owner)
    client = _client(owner)

    response = client.post(f"/o/{organization.slug}/dcim/sites/import/", {"data": _csv(80, bad_row=70)})

    pk = int(re.search(r"/jobs/(\d+)/$", response["Location"])[1])
    assert wait_for(lambda: _done(organization, pk), timeout=60), worker.read_text()[-3000:]
    job = _job(organization, pk)
    assert job.data["created"] == 0
    [error] = job.data["errors"]
    assert error["record"] == 71 and list(error["errors"]) == ["status"] and "sideways" in error["errors"]["status"][0]
    with tenant_context(organization):
        assert Site.objects.count() == 0
    page = client.get(response["Location"]).content.decode()
    assert "Nothing was imported" in page and "sideways" in page


def test_a_job_page_is_private_to_its_starter_and_the_admins(committed, settings):
    settings.WIREBOOK_IMPORT_BACKGROUND_ROWS = 5
    owner, editor, stranger = committed.user(), committed.user(), committed.user()
    organization = committed.organization("import-private", owner=owner)
    other = committed.organization("import-other", owner=stranger)
    Membership.objects.create(organization=organization, user=editor, role=MembershipRole.EDITOR)

    response = _client(editor).post(f"/o/{organization.slug}/dcim/sites/import/", {"data": _csv(10)})
    path = response["Location"]

    assert _client(editor).get(path).status_code == 200
    assert _client(owner).get(path).status_code == 200
    assert _client(stranger).get(path).status_code == 404
    assert _client(stranger).get(path.replace(organization.slug, other.slug)).status_code == 404
    assert Client().get(path).status_code == 302


def test_other_jobs_pages_do_not_speak_of_imports(org_a):
    with tenant_context(org_a.organization):
        job = Job.objects.create(
            name="Export", function=EXPORT_FUNCTION, status=JobStatus.COMPLETED, user_id=org_a.owner.pk
        )

    page = org_a.client().get(f"/o/org-a/jobs/{job.pk}/").content.decode()

    assert "Completed" in page and "Imported" not in page and "100%" in page
