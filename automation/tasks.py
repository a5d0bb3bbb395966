import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from automation.events import job_event_fire
from automation.fairness import delivery_slot
from automation.models import EventType, Job, JobStatus
from automation.services import WAITING, JobEnded, job_next_enqueue
from automation.webhooks import Attempt, webhook_delivery_attempt, webhook_delivery_timeout
from automation.webhooks import webhook_deliveries_prune as prune
from tenants.context import current_organization, current_schema_name, tenant_context

logger = logging.getLogger(__name__)


@shared_task(name="automation.job_run")
def job_run(job_pk: int) -> str:
    """Run a pending (or scheduled, now due) job. It is claimed by moving it out of waiting, so a job
    cancelled meanwhile (or already taken) is left alone; the organization's job rules hear it start and
    end. A job with an interval is queued again when it ends, however it ended."""
    started = timezone.now()
    if not Job.objects.filter(pk=job_pk, status__in=WAITING).update(status=JobStatus.RUNNING, started=started):
        logger.info("job %s is no longer pending (cancelled, or taken by another worker): not run", job_pk)
        return "skipped"
    job = Job.objects.get(pk=job_pk)
    job.started = started
    job_event_fire(job, EventType.JOB_STARTED)
    try:
        data = import_string(job.function)(job, **job.arguments)
    except JobEnded as ended:
        if ended.error:
            job.log("error", ended.error)
        return _job_end(job, ended.status, data=ended.data, error=ended.error)
    except Exception as exc:
        logger.exception("job %s (%s) failed", job.job_id, job.name)
        job.log("error", f"Exception raised during the job: {exc!r}")
        return _job_end(job, JobStatus.ERRORED, error=repr(exc))
    return _job_end(job, JobStatus.COMPLETED, data=data)


ENDING_EVENTS: dict[str, str] = {
    JobStatus.COMPLETED: EventType.JOB_COMPLETED,
    JobStatus.ERRORED: EventType.JOB_ERRORED,
    JobStatus.FAILED: EventType.JOB_FAILED,
}


def _job_end(job: Job, status: str, **values) -> str:
    values |= {"status": status, "completed": timezone.now(), "log_entries": job.log_entries}
    Job.objects.filter(pk=job.pk).update(**values)
    for name, value in values.items():
        setattr(job, name, value)
    job_event_fire(job, ENDING_EVENTS[status])
    try:
        job_next_enqueue(job)
    except Exception:
        logger.exception("the next run of job %s (every %s minutes) could not be queued", job.job_id, job.interval)
    return status


@shared_task(name="automation.organization_backups_run", ignore_result=True, run_every=24 * 60 * 60)
def organization_backups_run() -> int:
    """Queue a backup of every organization, once a day when WIREBOOK_BACKUPS_DAILY is on (Celery
    beat, public schema); how many were queued."""
    from tenants.models import Organization

    if not settings.WIREBOOK_BACKUPS_DAILY:
        return 0
    queued = 0
    for organization in Organization.objects.order_by("pk").only("pk", "schema_name", "slug", "database"):
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


def _queue_in_each_organization(task) -> int:
    """Queue `task(organization_id)` in every organization, stamped with its schema; how many."""
    from tenants.models import Organization

    queued = 0
    for organization in Organization.objects.only("pk", "schema_name", "database"):
        with tenant_context(organization):
            task.delay(organization.pk)
        queued += 1
    return queued


@shared_task(name="automation.webhook_deliveries_prune_all", ignore_result=True, run_every=6 * 60 * 60)
def webhook_deliveries_prune_all() -> int:
    """Queue a prune of the webhook delivery log in every organization (Celery beat, public schema)."""
    return _queue_in_each_organization(webhook_deliveries_prune)


@shared_task(name="automation.jobs_prune_all", ignore_result=True, run_every=6 * 60 * 60)
def jobs_prune_all() -> int:
    """Queue a prune of finished jobs in every organization (Celery beat, public schema)."""
    return _queue_in_each_organization(jobs_prune)


@shared_task(name="automation.notifications_prune_all", ignore_result=True, run_every=6 * 60 * 60)
def notifications_prune_all() -> int:
    """Queue a prune of old notifications in every organization (Celery beat, public schema)."""
    return _queue_in_each_organization(notifications_prune)


@shared_task(name="automation.notifications_prune", ignore_result=True)
def notifications_prune(organization_id: int) -> int:
    """Delete this organization's notifications older than NOTIFICATION_RETENTION_DAYS (bounded per run)."""
    from automation.notifications import notifications_prune as prune_notifications

    _organization_check(organization_id)
    return prune_notifications()


@shared_task(name="automation.notifications_email", ignore_result=True)
def notifications_email(organization_id: int, pks: list[int]) -> int:
    """Email these notifications to the members who asked for their notifications by email."""
    from automation.notifications import notifications_email_send

    _organization_check(organization_id)
    return notifications_email_send(pks)


@shared_task(name="automation.jobs_prune", ignore_result=True)
def jobs_prune(organization_id: int) -> int:
    """End the webhook batches whose deliveries were deleted before they ended, then delete this
    organization's jobs finished more than JOB_RETENTION_DAYS ago (each bounded per run)."""
    from automation.services import jobs_prune as prune_jobs
    from automation.webhooks import webhook_batches_close

    _organization_check(organization_id)
    webhook_batches_close()
    return prune_jobs()


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
