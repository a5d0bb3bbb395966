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
