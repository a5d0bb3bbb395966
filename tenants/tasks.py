"""Tenant-aware Celery: the one place a task's schema is decided.

A task is stamped with the schema that was selected when it was sent (`before_task_publish`)
and `OrganizationTask` runs it inside that organization's schema -- always, whatever the
worker did before. A stamp naming an organization that no longer exists fails the task rather
than running it anywhere else.
"""

import logging

from celery import Task, shared_task

logger = logging.getLogger(__name__)

SCHEMA_HEADER = "wirebook_schema"


class UnknownOrganizationSchema(Exception):
    pass


def stamp_schema_header(headers: dict | None) -> None:
    if headers is None:
        return
    from tenants.context import current_schema_name

    headers.setdefault(SCHEMA_HEADER, current_schema_name())


def _schema_of(request) -> str | None:
    schema = getattr(request, SCHEMA_HEADER, None)
    if schema is None:
        schema = (getattr(request, "headers", None) or {}).get(SCHEMA_HEADER)
    return schema


class OrganizationTask(Task):
    def __call__(self, *args, **kwargs):
        from tenants.context import public_context, tenant_context
        from tenants.db.base import PUBLIC_SCHEMA
        from tenants.models import Organization

        schema = _schema_of(self.request)
        if schema is None:
            if self.request.is_eager:
                # Run in-process: already inside the caller's schema.
                return super().__call__(*args, **kwargs)
            schema = PUBLIC_SCHEMA
        if schema == PUBLIC_SCHEMA:
            with public_context():
                return super().__call__(*args, **kwargs)
        with public_context():
            organization = Organization.objects.filter(schema_name=schema).first()
        if organization is None:
            raise UnknownOrganizationSchema(
                f"task {self.name} was sent from schema {schema!r}, which has no organization"
            )
        with tenant_context(organization):
            return super().__call__(*args, **kwargs)


@shared_task(name="tenants.spare_pool_refill", ignore_result=True)
def spare_pool_refill() -> int:
    """Top the pool of spare organization schemas back up to WIREBOOK_SPARE_SCHEMAS."""
    from tenants.provisioning import spare_pool_refill as refill

    return refill()


@shared_task(name="tenants.organization_deletions_run", ignore_result=True, run_every=15 * 60)
def organization_deletions_run() -> list[str]:
    """Drop the organizations whose deletion grace period is over (Celery beat, public schema)."""
    from tenants.services import organization_deletions_run as run

    return run()


@shared_task(name="tenants.tokens_expired_prune", ignore_result=True, run_every=6 * 60 * 60)
def tokens_expired_prune(batch: int = 5000) -> int:
    """Delete at most `batch` API tokens expired more than TOKEN_EXPIRED_RETENTION_DAYS ago (Celery
    beat, public schema); how many went."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from tenants.models import Token

    cutoff = timezone.now() - timedelta(days=settings.TOKEN_EXPIRED_RETENTION_DAYS)
    old = Token.objects.filter(expires__lt=cutoff).order_by("expires").values("pk")[:batch]
    return Token.objects.filter(pk__in=old).delete()[0]


@shared_task(name="tenants.sessions_expired_prune", ignore_result=True, run_every=6 * 60 * 60)
def sessions_expired_prune(batch: int = 5000) -> int:
    """Delete at most `batch` expired web sessions from the database (Celery beat, public schema; the
    cache forgets them by itself); how many went."""
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    old = Session.objects.filter(expire_date__lt=timezone.now()).order_by("expire_date").values("pk")[:batch]
    return Session.objects.filter(pk__in=old).delete()[0]


@shared_task(name="tenants.sso_domains_recheck", ignore_result=True, run_every=60 * 60)
def sso_domains_recheck() -> int:
    """Look up the verification records of verified SSO email domains again (Celery beat, public
    schema): those whose last check is older than SSO_DOMAIN_RECHECK_HOURS, at most
    SSO_DOMAIN_RECHECK_BATCH of them. Returns how many were checked."""
    from tenants.sso.domains import sso_domains_recheck as recheck

    return len(recheck())


@shared_task(name="tenants.deletion_subscription_sync", bind=True, ignore_result=True)
def deletion_subscription_sync(self, organization_id: int, by_id: int | None = None) -> str:
    """Stop (deletion scheduled) or resume (deletion cancelled) the renewal of the organization's
    Stripe subscription, out of the owner's request (public schema). Stripe unreachable or failing:
    retried STRIPE_TASK_RETRIES times, STRIPE_TASK_RETRY_SECONDS apart and doubling; then, or when
    Stripe refuses the request, the failure goes to the organization's audit log -- and the
    deletion task's reconciliation keeps trying every 15 minutes."""
    import stripe
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from tenants.billing.services import (
        RESUME_RENEWAL,
        STOP_RENEWAL,
        STRIPE_RETRYABLE,
        stripe_failure_record,
    )
    from tenants.billing.services import deletion_subscription_sync as sync
    from tenants.models import Organization, OrganizationStatus

    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return "gone"  # dropped meanwhile: nothing left to bill
    by = get_user_model().objects.filter(pk=by_id).first() if by_id else None
    try:
        sync(organization, by)
    except stripe.StripeError as error:
        retries = self.request.retries
        if isinstance(error, STRIPE_RETRYABLE) and retries < settings.STRIPE_TASK_RETRIES:
            countdown = settings.STRIPE_TASK_RETRY_SECONDS * 2**retries
            raise self.retry(exc=error, countdown=countdown, max_retries=settings.STRIPE_TASK_RETRIES) from None
        organization.refresh_from_db(fields=["status"])
        pending = organization.status == OrganizationStatus.PENDING_DELETION
        stripe_failure_record(
            organization=organization,
            operation=STOP_RENEWAL if pending else RESUME_RENEWAL,
            error=error,
            actor=by,
            attempts=retries + 1,
        )
        return "failed"
    return "done"
