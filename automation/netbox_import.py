"""`manage.py import_netbox` as a background job, started by an admin or owner from the organization's settings
(frontend/settings/netbox_import.py): the same import (core.netbox_import), as the member who started it, with its
progress on the job's page and its report as the job's data.

The NetBox token is never stored in the database: the job's arguments hold the URL only, and the token waits in
the cache (`TOKEN_SECONDS`) for the worker, which takes it once. A job whose token is gone (expired, or a second
run of the same job) ends failed, asking to start the import again."""

from django.core.cache import cache
from django.db import transaction

from automation.models import Job, JobStatus
from automation.services import JobEnded, job_enqueue, job_progress_report
from core.context import Actor
from core.netbox_import import ImportFailed, NetBoxUnavailable, netbox_import, normalized_url
from tenants.context import current_organization
from tenants.models import Membership

TOKEN_SECONDS = 24 * 60 * 60
JOB_NAME = "NetBox import"
# The report keeps at most this many refused objects (the counts keep them all).
FAILURES_KEPT = 1000


def _token_key(job_pk: int) -> str:
    organization = current_organization()
    return f"wirebook:netbox-import-token:{organization.pk if organization else 0}:{job_pk}"


def netbox_import_enqueue(*, user, url: str, token: str) -> Job:
    """Queue an import of the NetBox at `url` into the current organization, as `user`. Raises
    NetBoxUnavailable for a URL or token that cannot be one (nothing is queued)."""
    url = normalized_url(url)
    if not token.strip():
        raise NetBoxUnavailable("No NetBox API token given.")
    with transaction.atomic():
        job = job_enqueue(name=JOB_NAME, function=netbox_import_job, arguments={"url": url}, user_id=user.pk)
        cache.set(_token_key(job.pk), token.strip(), TOKEN_SECONDS)
    return job


def netbox_import_jobs(limit: int = 5) -> list[Job]:
    return list(Job.objects.filter(name=JOB_NAME)[:limit])


def netbox_import_job(job: Job, *, url: str) -> dict:
    """Job function (automation.job_run): the import, as the member who started it if they still manage the
    organization; the report is the job's data. Ends failed when the import could not run to its end."""
    key = _token_key(job.pk)
    token = cache.get(key)
    cache.delete(key)
    if not token:
        raise JobEnded(JobStatus.FAILED, error="The NetBox token is no longer available: start the import again.")
    organization = current_organization()
    members = Membership.objects.filter(organization=organization).select_related("user")
    membership = members.filter(user_id=job.user_id).first() if job.user_id is not None else None
    if membership is None or not membership.is_manager:
        raise JobEnded(JobStatus.FAILED, error="Only an admin or owner of the organization imports from NetBox.")
    actor = Actor(user_id=membership.user.pk, user_name=membership.user.get_username(), role=membership.role)

    def progress(done: int, total: int, label: str) -> None:
        job_progress_report(job.pk, done, total, unit="object types")

    try:
        report = netbox_import(url=url, token=token, actor=actor, progress=progress)
    except ImportFailed as error:
        raise JobEnded(JobStatus.FAILED, error=str(error)) from None
    data = report.as_dict()
    data["failures"] = data["failures"][:FAILURES_KEPT]
    for failure in data["failures"][:50]:
        job.log("warning", f"{failure['object_type']} {failure['id']} {failure['display']}: {failure['errors']}")
    for label, dropped in data["dropped"].items():
        job.log("info", f"Not carried over from {label}: {', '.join(sorted(dropped))}")
    totals = data["totals"]
    job.log("info", f"Imported from NetBox {report.netbox_version}: {totals}")
    return data
