import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from automation.fairness import delivery_slot
from automation.models import Job, JobStatus
from automation.webhooks import Attempt, webhook_delivery_attempt, webhook_delivery_timeout
from automation.webhooks import webhook_deliveries_prune as prune
from tenants.context import current_organization, current_schema_name, tenant_context

logger = logging.getLogger(__name__)


@shared_task(name="automation.job_run")
def job_run(job_pk: int) -> str:
    job = Job.objects.get(pk=job_pk)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started=timezone.now())
    try:
        data = import_string(job.function)(job, **job.arguments)
    except Exception as exc:
        logger.exception("job %s (%s) failed", job.job_id, job.name)
        Job.objects.filter(pk=job.pk).update(status=JobStatus.ERRORED, completed=timezone.now(), error=repr(exc))
        return JobStatus.ERRORED
    Job.objects.filter(pk=job.pk).update(status=JobStatus.COMPLETED, completed=timezone.now(), data=data)
    return JobStatus.COMPLETED


@shared_task(name="automation.organization_backups_run", ignore_result=True, run_every=24 * 60 * 60)
def organization_backups_run() -> int:
    """Queue a backup of every organization, once a day when WIREBOOK_BACKUPS_DAILY is on (Celery
    beat, public schema); how many were queued."""
    from tenants.models import Organization

    if not settings.WIREBOOK_BACKUPS_DAILY:
        return 0
    queued = 0
    for organization in Organization.objects.order_by("pk").only("pk", "schema_name", "slug"):
        with tenant_context(organization):
            organization_backup.delay()
        queued += 1
    return queued


class WrongOrganization(RuntimeError):
    """A task ran in another organization than the one it names: never deliver another's data."""


def _organization_check(organization_id: int) -> None:
    organization = current_organization()
    if organization is None or organization.pk != organization_id:
        raise WrongOrganization(f"task for organization {organization_id} runs in {organization!r}")


@shared_task(
    name="automation.webhook_deliver", bind=True, ignore_result=True, acks_late=True, reject_on_worker_lost=True
)
def webhook_deliver(self, organization_id: int, delivery_pk: int) -> str:
    """Send one webhook delivery of organization `organization_id`. Acknowledged only once it ran (a
    worker killed mid-delivery leaves the message to be redelivered); retried with exponential backoff;
    deferred while the organization has WEBHOOK_ORGANIZATION_CONCURRENCY deliveries in flight."""
    _organization_check(organization_id)
    retries = self.request.retries
    final = retries >= settings.WEBHOOK_RETRIES
    seconds = 2 * webhook_delivery_timeout(delivery_pk)  # a killed worker's slot frees itself after that
    with delivery_slot(current_schema_name(), delivery_pk, seconds=seconds) as taken:
        attempt = webhook_delivery_attempt(delivery_pk, final=final) if taken else None
    if attempt is None:
        self.apply_async(
            (organization_id, delivery_pk), countdown=settings.WEBHOOK_FAIRNESS_DEFER_SECONDS, retries=retries
        )
        return "deferred"
    if attempt is Attempt.RETRY:
        raise self.retry(countdown=settings.WEBHOOK_RETRY_SECONDS * 2**retries, max_retries=settings.WEBHOOK_RETRIES)
    return "done"


@shared_task(name="automation.webhook_deliveries_prune_all", ignore_result=True, run_every=6 * 60 * 60)
def webhook_deliveries_prune_all() -> int:
    """Queue a prune of the webhook delivery log in every organization (Celery beat, public schema)."""
    from tenants.models import Organization

    queued = 0
    for organization in Organization.objects.only("pk", "schema_name"):
        with tenant_context(organization):
            webhook_deliveries_prune.delay(organization.pk)
        queued += 1
    return queued


@shared_task(name="automation.organization_backup", ignore_result=True)
def organization_backup() -> str:
    """Write this organization's backup to the storage, keeping the newest WIREBOOK_BACKUPS_KEPT."""
    from automation.archives import organization_backup as backup

    result = backup()
    logger.info("backup written: %s (%d bytes; deleted %s)", result["path"], result["size"], result["deleted"])
    return result["path"]


@shared_task(name="automation.webhook_deliveries_prune", ignore_result=True)
def webhook_deliveries_prune(organization_id: int) -> int:
    """Delete this organization's deliveries older than WEBHOOK_DELIVERY_RETENTION_DAYS (bounded per run)."""
    _organization_check(organization_id)
    return prune()
