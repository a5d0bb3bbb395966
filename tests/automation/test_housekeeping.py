"""Housekeeping on Celery beat: finished jobs, expired API tokens and expired sessions are deleted
after their retention, a bounded batch per run, each organization's jobs in its own schema."""

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.utils import timezone

from automation.export import EXPORT_FUNCTION
from automation.models import Job, JobStatus
from automation.services import job_function_path
from automation.tasks import jobs_prune
from tenants.context import tenant_context
from tenants.models import Token
from tenants.tasks import sessions_expired_prune, tokens_expired_prune
from tenants.tokens import token_create
from tests.automation.jobs import record_context

RECORD = job_function_path(record_context)


def _job(name, status, days_ago, function=RECORD, **extra) -> Job:
    completed = timezone.now() - timedelta(days=days_ago)
    return Job.objects.create(name=name, function=function, status=status, completed=completed, **extra)


def test_finished_jobs_older_than_the_retention_are_deleted(org_a, org_b, settings):
    settings.JOB_RETENTION_DAYS = 90
    with tenant_context(org_b.organization):
        _job("B old", JobStatus.COMPLETED, 200)
    with tenant_context(org_a.organization):
        _job("old completed", JobStatus.COMPLETED, 91)
        _job("old errored", JobStatus.ERRORED, 120)
        _job("old cancelled", JobStatus.FAILED, 365)
        _job("recent", JobStatus.COMPLETED, 89)
        _job("old but pending", JobStatus.PENDING, 200)
        _job("export kept", JobStatus.COMPLETED, 200, function=EXPORT_FUNCTION, data={"path": "orgs/1/x.zip"})
        _job("export gone", JobStatus.COMPLETED, 200, function=EXPORT_FUNCTION, data={"path": None, "deleted": True})

        assert jobs_prune.run(org_a.organization.pk) == 4

        assert set(Job.objects.values_list("name", flat=True)) == {"recent", "old but pending", "export kept"}
    with tenant_context(org_b.organization):
        assert list(Job.objects.values_list("name", flat=True)) == ["B old"]  # another organization's: untouched


def test_a_job_prune_is_bounded_per_run(org_a, settings):
    from automation.services import jobs_prune as prune

    settings.JOB_RETENTION_DAYS = 1
    with tenant_context(org_a.organization):
        for number in range(5):
            _job(f"old {number}", JobStatus.COMPLETED, 10 + number)

        assert prune(batch=2) == 2
        # the oldest go first
        assert sorted(Job.objects.values_list("name", flat=True)) == ["old 0", "old 1", "old 2"]


def test_expired_tokens_are_deleted_after_their_retention(org_a, org_b, settings):
    settings.TOKEN_EXPIRED_RETENTION_DAYS = 30
    now = timezone.now()
    kept, long_expired, recently_expired, other = (
        token_create(organization=org_a.organization, user=org_a.owner)[0],
        token_create(organization=org_a.organization, user=org_a.owner)[0],
        token_create(organization=org_a.organization, user=org_a.owner)[0],
        token_create(organization=org_b.organization, user=org_b.owner)[0],
    )
    Token.objects.filter(pk=long_expired.pk).update(expires=now - timedelta(days=31))
    Token.objects.filter(pk=other.pk).update(expires=now - timedelta(days=40))
    Token.objects.filter(pk=recently_expired.pk).update(expires=now - timedelta(days=29))

    assert tokens_expired_prune.run() == 2

    assert set(Token.objects.values_list("pk", flat=True)) >= {kept.pk, recently_expired.pk}
    assert not Token.objects.filter(pk__in=[long_expired.pk, other.pk]).exists()
    assert tokens_expired_prune.run(batch=1) == 0


def test_expired_sessions_are_deleted(db):
    Session.objects.all().delete()  # sessions committed by live-server tests of this worker
    now = timezone.now()
    Session.objects.create(session_key="expired-1", session_data="", expire_date=now - timedelta(seconds=1))
    Session.objects.create(session_key="expired-2", session_data="", expire_date=now - timedelta(days=3))
    Session.objects.create(session_key="alive", session_data="", expire_date=now + timedelta(days=1))

    assert sessions_expired_prune.run(batch=1) == 1
    assert sessions_expired_prune.run() == 1

    assert list(Session.objects.values_list("session_key", flat=True)) == ["alive"]
