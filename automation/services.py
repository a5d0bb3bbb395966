from django.db import transaction
from django.utils.module_loading import import_string

from automation.models import Job


def job_enqueue(*, name: str, function: str, arguments: dict | None = None, user_id: int | None = None) -> Job:
    """Record a job in the current organization and queue it once the transaction commits.

    `function` is the dotted path of a callable taking the Job and its arguments as keywords.
    """
    import_string(function)  # fail now, in the caller, rather than later in the worker
    with transaction.atomic():
        job = Job.objects.create(name=name, function=function, arguments=arguments or {}, user_id=user_id)
        transaction.on_commit(lambda: _dispatch(job.pk))
    return job


def _dispatch(job_pk: int) -> None:
    from automation.tasks import job_run

    job_run.delay(job_pk)
