"""Jobs are given by their function, never by a dotted string: a job names what a worker can import back."""

import pytest
from django.utils.module_loading import import_string

from automation.models import Job
from automation.services import job_enqueue, job_function_path
from tenants.context import tenant_context
from tests.automation.jobs import record_context


def test_a_job_stores_the_path_its_worker_imports(org_a):
    with tenant_context(org_a.organization):
        job = job_enqueue(name="context", function=record_context)

        assert import_string(Job.objects.get(pk=job.pk).function) is record_context


def _nested_job():
    def job_function(job):
        return {}

    return job_function


@pytest.mark.parametrize("function", [lambda job: {}, _nested_job()], ids=["lambda", "nested function"])
def test_a_function_no_worker_could_import_is_refused_before_anything_is_queued(org_a, function):
    with tenant_context(org_a.organization):
        with pytest.raises(ValueError, match="not a module-level function"):
            job_enqueue(name="unreachable", function=function)

        assert not Job.objects.filter(name="unreachable").exists()


def test_a_job_named_by_a_string_is_refused(org_a):
    dotted_path = f"{record_context.__module__}.{record_context.__name__}"
    with tenant_context(org_a.organization):
        with pytest.raises(TypeError, match="not by a name"):
            job_enqueue(name="by name", function=dotted_path)

        assert not Job.objects.filter(name="by name").exists()


def test_a_function_hidden_behind_another_name_is_refused():
    # given a function that claims the dotted path of another one (a worker would run the other)
    def impostor(job):
        return {}

    impostor.__module__, impostor.__qualname__ = record_context.__module__, record_context.__qualname__

    with pytest.raises(ValueError):
        job_function_path(impostor)


def test_export_jobs_recorded_before_the_move_follow_it(org_a):
    from importlib import import_module

    from django.apps import apps

    from automation.export import organization_export

    moved = import_module("automation.migrations.0002_export_job_function_moved")
    with tenant_context(org_a.organization):
        job = Job.objects.create(name="export", function=moved.OLD)
        other = Job.objects.create(name="context", function=job_function_path(record_context))

        moved.forward(apps, None)

        assert import_string(Job.objects.get(pk=job.pk).function) is organization_export
        assert import_string(Job.objects.get(pk=other.pk).function) is record_context
