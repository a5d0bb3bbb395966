import logging

from celery import shared_task
from django.utils import timezone
from django.utils.module_loading import import_string

from automation.models import Job, JobStatus

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
    from django.conf import settings

    from tenants.context import tenant_context
    from tenants.models import Organization

    if not settings.WIREBOOK_BACKUPS_DAILY:
        return 0
    queued = 0
    for organization in Organization.objects.order_by("pk").only("pk", "schema_name", "slug"):
        with tenant_context(organization):
            organization_backup.delay()
        queued += 1
    return queued


@shared_task(name="automation.organization_backup", ignore_result=True)
def organization_backup() -> str:
    """Write this organization's backup to the storage, keeping the newest WIREBOOK_BACKUPS_KEPT."""
    from automation.archives import organization_backup as backup

    result = backup()
    logger.info("backup written: %s (%d bytes; deleted %s)", result["path"], result["size"], result["deleted"])
    return result["path"]
