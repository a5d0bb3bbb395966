"""The organization URLs plus two views that write, one of which then fails half-way."""

from django.db import connection
from django.http import JsonResponse
from django.urls import path

from automation.models import Job
from frontend.tenant_urls import urlpatterns as organization_urlpatterns


def write_job(request):
    Job.objects.create(name=request.GET["name"], function="x.y")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid(), current_setting('search_path')")
        pid, search_path = cursor.fetchone()
    return JsonResponse({"pid": pid, "search_path": search_path})


def write_then_fail(request):
    Job.objects.create(name=request.GET["name"], function="x.y")
    raise RuntimeError("failed half-way")


urlpatterns = [
    *organization_urlpatterns,
    path("test/write/", write_job),
    path("test/write-then-fail/", write_then_fail),
]
