"""Job functions the tests run in real worker processes."""

from django.db import connection

from automation.models import Job


def record_context(job):
    return {
        "schema": connection.schema_name,
        "visible_jobs": sorted(Job.objects.values_list("name", flat=True)),
    }


def explode(job):
    raise RuntimeError("the job's function broke")
