from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from automation.models import Job, JobStatus


def job_function_path(function: Callable[..., dict]) -> str:
    """What a Job stores of its function, and the worker imports it by: the function's dotted path.
    Raises ValueError for anything the worker could not import back (a lambda, a nested function)."""
    if not callable(function):
        raise TypeError(f"a job is given by its function, not by a name: import it instead of {function!r}")
    path = f"{function.__module__}.{function.__qualname__}"
    try:
        found = import_string(path)
    except ImportError:
        found = None
    if found is not function:
        raise ValueError(f"{path} is not a module-level function: a worker could not import it")
    return path


class JobEnded(Exception):
    """Raised by a job function that ends otherwise than completed: `status` (errored or failed), the
    job's `data` and `error` text."""

    def __init__(self, status: str, *, data: dict | None = None, error: str = ""):
        super().__init__(error or status)
        self.status = status
        self.data = data
        self.error = error


def job_enqueue(
    *,
    name: str,
    function: Callable[..., dict],
    arguments: dict | None = None,
    user_id: int | None = None,
    schedule_at: datetime | None = None,
    interval: int | None = None,
    instance: Model | None = None,
) -> Job:
    """Record a job in the current organization and queue it once the transaction commits.

    `function` takes the Job and `arguments` as keywords and returns the job's data (JSON); it is
    passed itself, not named by a string, so moving or renaming it cannot leave a caller behind.
    `schedule_at` makes it wait until then (status scheduled); `interval` (minutes) queues it again
    each time it ends; `instance` is what it belongs to (NetBox's job object: a script).
    """
    return _job_queue(
        name=name,
        function=job_function_path(function),
        arguments=arguments or {},
        user_id=user_id,
        scheduled=schedule_at,
        interval=interval,
        object_type=ContentType.objects.get_for_model(instance) if instance is not None else None,
        object_id=instance.pk if instance is not None else None,
    )


def _job_queue(*, scheduled: datetime | None, **fields) -> Job:
    """Record the job and queue it (at `scheduled`, if given) once the transaction commits."""
    status = JobStatus.SCHEDULED if scheduled is not None else JobStatus.PENDING
    with transaction.atomic():
        job = Job.objects.create(status=status, scheduled=scheduled, **fields)
        transaction.on_commit(lambda: _dispatch(job.pk, scheduled))
    return job


def _dispatch(job_pk: int, eta: datetime | None = None) -> None:
    from automation.tasks import job_run

    if eta is None:
        job_run.delay(job_pk)
    else:
        job_run.apply_async((job_pk,), eta=eta)


def job_next_enqueue(job: Job) -> Job | None:
    """A job with an interval has ended: queue its next run, `interval` minutes after this one was
    due (or started), unless what it belongs to is gone."""
    if not job.interval:
        return None
    if job.object_type_id is not None and job.object is None:
        return None
    due = (job.scheduled or job.started or timezone.now()) + timedelta(minutes=job.interval)
    return _job_queue(
        name=job.name,
        function=job.function,
        arguments=job.arguments,
        user_id=job.user_id,
        scheduled=due,
        interval=job.interval,
        object_type_id=job.object_type_id,
        object_id=job.object_id,
    )


# -- cancelling: a job no worker has started yet -------------------------------------------------


class JobNotCancellable(ValueError):
    """The job has started or ended, or its function must run to keep the data consistent."""


def job_uncancellable(function: Callable[..., dict]) -> Callable[..., dict]:
    """Mark a job function whose jobs must run once queued (a rewrite the data depends on)."""
    function.job_cancellable = False  # type: ignore[attr-defined]
    return function


# A job no worker has started: waiting to be run now, or at its scheduled time.
WAITING = (JobStatus.PENDING, JobStatus.SCHEDULED)


def job_is_cancellable(job: Job) -> bool:
    """Whether `job` may still be cancelled: waiting (pending or scheduled), and its function does not
    forbid it."""
    if job.status not in WAITING:
        return False
    try:
        function = import_string(job.function)
    except ImportError:
        return True  # its code is gone: the worker could not run it anyway
    return getattr(function, "job_cancellable", True)


def _not_pending(job: Job) -> JobNotCancellable:
    return JobNotCancellable(
        _("Only a pending or scheduled job can be cancelled; this one is %(status)s.") % {"status": job.status}
    )


def job_cancel(job: Job, *, user_id: int | None) -> Job:
    """Cancel a job that no worker has started: it ends as failed, says who cancelled it, and the
    worker that later receives its task leaves it alone (it only runs a job it moves out of waiting;
    a cancelled job with an interval is not queued again). Raises JobNotCancellable when the job
    started meanwhile or must run."""
    if job.status not in WAITING:
        raise _not_pending(job)
    if not job_is_cancellable(job):
        raise JobNotCancellable(_("This job keeps the organization's data consistent: it cannot be cancelled."))
    values = {
        "status": JobStatus.FAILED,
        "completed": timezone.now(),
        "error": _("Cancelled before a worker started it."),
        "data": {"cancelled_by": user_id},
    }
    if not Job.objects.filter(pk=job.pk, status__in=WAITING).update(**values):
        job.refresh_from_db()  # a worker took it between the page and the click
        raise _not_pending(job)
    for name, value in values.items():
        setattr(job, name, value)
    return job


# -- progress: what a running job has done, for its page (kept in the cache, not the database) -----


PROGRESS_SECONDS = 3600


def _progress_key(job_pk: int) -> str:
    return f"wirebook:job-progress:{job_pk}"


def job_progress_report(job_pk: int, done: int, total: int, *, unit: str = "records") -> None:
    """Tell the job's page how far it is: `done` of `total` `unit` (records, objects…)."""
    cache.set(_progress_key(job_pk), {"done": done, "total": total, "unit": unit}, PROGRESS_SECONDS)


def job_progress(job_pk: int) -> dict:
    """What the job last reported ({} before it has): done, total, unit."""
    return cache.get(_progress_key(job_pk)) or {}


# -- housekeeping ------------------------------------------------------------------------------


FINISHED = (JobStatus.COMPLETED, JobStatus.ERRORED, JobStatus.FAILED)


def jobs_prune(*, batch: int = 5000) -> int:
    """Delete at most `batch` jobs that finished more than JOB_RETENTION_DAYS ago; how many went. An
    export whose archive is still kept stays (the export keeps its newest archives itself)."""
    from automation.export import EXPORT_FUNCTION

    cutoff = timezone.now() - timedelta(days=settings.JOB_RETENTION_DAYS)
    old = (
        Job.objects.filter(status__in=FINISHED, completed__lt=cutoff)
        .exclude(Q(function=EXPORT_FUNCTION, data__path__isnull=False) & ~Q(data__path=None))  # an archive kept
        .order_by("completed")
        .values("pk")[:batch]
    )
    deleted, _ = Job.objects.filter(pk__in=old).delete()
    return deleted
