"""Celery beat runs the housekeeping tasks, found by the tasks' own `run_every`, not by names in settings."""

from datetime import timedelta

from automation.tasks import (
    jobs_prune_all,
    notifications_prune_all,
    organization_backups_run,
    webhook_deliveries_prune_all,
)
from core.tasks import changelog_prune_all
from saas_platform.celery import Scheduler, beat_schedule
from saas_platform.celery import app as celery_app
from tenants.tasks import organization_deletions_run, sessions_expired_prune, sso_domains_recheck, tokens_expired_prune


def housekeeping_schedule() -> dict[str, dict]:
    """What beat runs: the entries of every task of the app (all task modules imported)."""
    celery_app.loader.import_default_modules()
    return beat_schedule(celery_app.tasks.values())


def test_beat_runs_every_housekeeping_task_at_its_interval():
    assert housekeeping_schedule() == {
        changelog_prune_all.name: {"task": changelog_prune_all.name, "schedule": 6 * 60 * 60},
        organization_deletions_run.name: {"task": organization_deletions_run.name, "schedule": 15 * 60},
        sso_domains_recheck.name: {"task": sso_domains_recheck.name, "schedule": 60 * 60},
        organization_backups_run.name: {"task": organization_backups_run.name, "schedule": 24 * 60 * 60},
        webhook_deliveries_prune_all.name: {"task": webhook_deliveries_prune_all.name, "schedule": 6 * 60 * 60},
        jobs_prune_all.name: {"task": jobs_prune_all.name, "schedule": 6 * 60 * 60},
        tokens_expired_prune.name: {"task": tokens_expired_prune.name, "schedule": 6 * 60 * 60},
        sessions_expired_prune.name: {"task": sessions_expired_prune.name, "schedule": 6 * 60 * 60},
        notifications_prune_all.name: {"task": notifications_prune_all.name, "schedule": 6 * 60 * 60},
    }


def test_beat_schedules_what_the_tasks_declare(tmp_path):
    # given the scheduler Celery beat starts with (standalone, or embedded in a worker with --beat)
    assert celery_app.conf.beat_scheduler is Scheduler

    # when it reads its schedule
    scheduler = Scheduler(app=celery_app, schedule_filename=str(tmp_path / "beat-schedule"))
    try:
        entries = {
            name: (entry.task, entry.schedule.run_every)
            for name, entry in scheduler.schedule.items()
            if not name.startswith("celery.")  # Celery's own (celery.backend_cleanup)
        }
    finally:
        scheduler.close()

    # then it holds the tasks' own entries, under their own names
    assert entries == {
        changelog_prune_all.name: (changelog_prune_all.name, timedelta(hours=6)),
        organization_deletions_run.name: (organization_deletions_run.name, timedelta(minutes=15)),
        sso_domains_recheck.name: (sso_domains_recheck.name, timedelta(hours=1)),
        organization_backups_run.name: (organization_backups_run.name, timedelta(days=1)),
        webhook_deliveries_prune_all.name: (webhook_deliveries_prune_all.name, timedelta(hours=6)),
        jobs_prune_all.name: (jobs_prune_all.name, timedelta(hours=6)),
        tokens_expired_prune.name: (tokens_expired_prune.name, timedelta(hours=6)),
        sessions_expired_prune.name: (sessions_expired_prune.name, timedelta(hours=6)),
        notifications_prune_all.name: (notifications_prune_all.name, timedelta(hours=6)),
    }
