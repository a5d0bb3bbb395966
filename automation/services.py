from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction
from django.utils.module_loading import import_string

from automation.models import Job


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


def job_enqueue(
    *, name: str, function: Callable[..., dict], arguments: dict | None = None, user_id: int | None = None
) -> Job:
    """Record a job in the current organization and queue it once the transaction commits.

    `function` takes the Job and `arguments` as keywords and returns the job's data (JSON); it is
    passed itself, not named by a string, so moving or renaming it cannot leave a caller behind.
    """
    with transaction.atomic():
        job = Job.objects.create(
            name=name, function=job_function_path(function), arguments=arguments or {}, user_id=user_id
        )
        transaction.on_commit(lambda: _dispatch(job.pk))
    return job


def _dispatch(job_pk: int) -> None:
    from automation.tasks import job_run

    job_run.delay(job_pk)


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
