"""The Celery app. Every task runs inside the schema it was sent from (see tenants.tasks).

Celery beat (`celery -A saas_platform beat`, or a worker with --beat in development) runs the
housekeeping tasks: every task declared with `run_every` (seconds), that often --
`@shared_task(name="core.changelog_prune_all", run_every=6 * 60 * 60)`. The schedule is read from
the tasks themselves when beat starts (`Scheduler`), so no setting names a task by a string that
would go stale when the task moves.
"""

import os

from celery import Celery, signals
from celery.beat import PersistentScheduler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saas_platform.settings")


def beat_schedule(tasks) -> dict[str, dict]:
    """Celery beat's entries for `tasks`: each one declared with `run_every`, under its own name."""
    return {
        task.name: {"task": task.name, "schedule": task.run_every} for task in tasks if getattr(task, "run_every", None)
    }


class Scheduler(PersistentScheduler):
    """Celery beat's scheduler (kept in its schedule file), with the entries `beat_schedule` derives
    from the tasks, all of them imported first."""

    def setup_schedule(self) -> None:
        self.app.loader.import_default_modules()
        self.app.conf.beat_schedule = beat_schedule(self.app.tasks.values())
        super().setup_schedule()


app = Celery("wirebook", task_cls="tenants.tasks:OrganizationTask", beat_scheduler=Scheduler)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.before_task_publish.connect
def _stamp_schema(headers=None, **kwargs):
    from tenants.tasks import stamp_schema_header

    stamp_schema_header(headers)
