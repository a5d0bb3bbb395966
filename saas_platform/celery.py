"""The Celery app. Every task runs inside the schema it was sent from (see tenants.tasks)."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saas_platform.settings")

app = Celery("wirebook", task_cls="tenants.tasks:OrganizationTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.before_task_publish.connect
def _stamp_schema(headers=None, **kwargs):
    from tenants.tasks import stamp_schema_header

    stamp_schema_header(headers)
