"""Housekeeping of the object framework, run by Celery beat."""

import datetime
import logging

from celery import shared_task
from django.utils import timezone

from core.models import ObjectChange
from tenants.context import current_organization, tenant_context
from tenants.models import Organization

logger = logging.getLogger(__name__)

PRUNE_BATCH = 5000


@shared_task(name="core.changelog_prune_all", ignore_result=True, run_every=6 * 60 * 60)
def changelog_prune_all() -> int:
    """Queue a change-log prune for every organization that limits retention (Celery beat, public schema)."""
    queued = 0
    for organization in Organization.objects.filter(changelog_retention__gt=0).only("pk", "schema_name", "database"):
        with tenant_context(organization):
            changelog_prune.delay()
        queued += 1
    return queued


@shared_task(name="core.changelog_prune", ignore_result=True)
def changelog_prune() -> int:
    """Delete this organization's change log entries older than its retention, in small batches
    (one huge DELETE would hold locks and memory: NetBox #4354)."""
    organization = current_organization()
    if organization is None:
        raise RuntimeError("changelog_prune must run inside an organization")
    days = Organization.objects.values_list("changelog_retention", flat=True).get(pk=organization.pk)
    if days <= 0:
        return 0
    cutoff = timezone.now() - datetime.timedelta(days=days)
    deleted = 0
    while True:
        batch = list(ObjectChange.objects.filter(time__lt=cutoff).values_list("pk", flat=True)[:PRUNE_BATCH])
        if not batch:
            break
        deleted += ObjectChange.objects.filter(pk__in=batch).delete()[0]
    logger.info("pruned %d change log entries of %s older than %d days", deleted, organization.slug, days)
    return deleted
