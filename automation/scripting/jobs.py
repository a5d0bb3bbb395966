"""Scripts run as jobs: `script_enqueue` queues a run of a script (now, at a time, or every so many
minutes) and the worker's `script_job` runs it in the sandbox as the job's user, in the job's
organization; the run's log, output and error become the job's data, as NetBox's script jobs keep them."""

from datetime import datetime

from django.contrib.auth import get_user_model

from automation.models import Job, JobStatus, Script
from automation.scripting.plugins import shown
from automation.scripting.runs import script_run
from automation.services import JobEnded, job_enqueue
from tenants.context import current_organization

# How a run that did not complete ends: the script stopped itself (AbortScript) or its data no longer
# fits -> failed; anything else (an exception, a limit, a crash) -> errored.
FAILED_KINDS = ("aborted", "invalid", "not_found")


def script_job(job: Job, *, data: dict, commit: bool, event: bool = False) -> dict:
    """The job function of a script run (the job's object is the script); `event`: run by an event rule,
    with the event's object as its data."""
    script = Script.objects.select_related("module").filter(pk=job.object_id).first()
    if script is None or not script.is_executable:
        raise JobEnded(JobStatus.ERRORED, error="The script no longer exists.")
    if not Script.objects.filter(shown("module__"), pk=script.pk).exists():
        # A plugin's script, queued (or scheduled) while the organization had the plugin enabled.
        raise JobEnded(JobStatus.ERRORED, error=f"The plugin {script.module.plugin!r} is not enabled.")
    organization = current_organization()
    user = get_user_model().objects.filter(pk=job.user_id).first() if job.user_id is not None else None
    if organization is None or user is None:
        raise JobEnded(JobStatus.ERRORED, error="The job has no user to run the script as.")
    if commit:
        job.log("info", "Executing script (commit enabled)")
    else:
        job.log("warning", "Executing script (commit disabled)")
    outcome = script_run(
        organization=organization,
        user=user,
        source=script.module.source,
        class_name=script.class_name,
        data=data,
        commit=commit,
        clean=not event,
    )
    result = outcome.as_data()
    if outcome.error is None:
        return result
    kind = outcome.error.get("kind", "")
    message = str(outcome.error.get("message", ""))
    if kind == "invalid":
        message = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in outcome.error.get("fields", {}).items())
    status = JobStatus.FAILED if kind in FAILED_KINDS else JobStatus.ERRORED
    raise JobEnded(
        status, data=result, error=message if kind in ("aborted", "limit", "crashed") else f"{kind}: {message}"
    )


def script_enqueue(
    *,
    script: Script,
    user_id: int | None,
    data: dict,
    commit: bool,
    schedule_at: datetime | None = None,
    interval: int | None = None,
    event: bool = False,
) -> Job:
    """Queue a run of `script` with (already checked) `data` as user `user_id`; `event`: `data` is an
    event's object, given to the script as it is."""
    arguments = {"data": data, "commit": commit} | ({"event": True} if event else {})
    return job_enqueue(
        name=script.class_name,
        function=script_job,
        arguments=arguments,
        user_id=user_id,
        schedule_at=schedule_at,
        interval=interval,
        instance=script,
    )
