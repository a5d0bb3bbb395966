"""Billing through Stripe: Checkout to subscribe, the Customer Portal to manage, and the
subscription's state applied to the organization (docs/billing.md).

Only owners start Checkout or open the portal. Every change of an organization's plan or billing
status writes a platform audit event in the same transaction.
"""

import contextlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import stripe
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tenants.audit import audit_record
from tenants.billing import (
    FREE,
    OVERDUE_STATUSES,
    Plan,
    billing_enabled,
    member_usage,
    object_usage,
    organization_plan,
    organization_read_only_reason,
    plan_for_price,
    plan_get,
)
from tenants.context import public_context, tenant_context
from tenants.models import (
    AuditAction,
    BillingAccount,
    BillingStatus,
    Membership,
    MembershipRole,
    Organization,
    OrganizationStatus,
)

logger = logging.getLogger(__name__)

# Statuses in which the subscription's plan applies; any other ends it (back to Free).
PLAN_STATUSES = frozenset({BillingStatus.ACTIVE, BillingStatus.TRIALING, *OVERDUE_STATUSES})
BILLING_OFF = "Billing is not enabled on this server."
OWNERS_ONLY = "Only owners manage billing."
ALREADY_SUBSCRIBED = "This organization already has a subscription. Change or cancel it in the billing portal."
NO_CUSTOMER = "This organization has no billing account yet. Choose a plan first."


@dataclass(frozen=True)
class BillingSummary:
    """What the billing page and the platform API show about an organization."""

    enabled: bool
    plan: Plan
    status: str  # a BillingStatus value
    grace_ends: datetime | None
    read_only_reason: str | None
    account: BillingAccount | None
    subscribed: bool
    members: int
    invitations: int
    objects: int | None  # None while billing is off (nothing is counted then)


def billing_summary(organization: Organization) -> BillingSummary:
    with public_context():
        account = BillingAccount.objects.filter(organization=organization).first()
    members, invitations = member_usage(organization)
    enabled = billing_enabled()
    objects = None
    if enabled:
        with tenant_context(organization):
            objects = object_usage()
    return BillingSummary(
        enabled=enabled,
        plan=organization_plan(organization),
        status=organization.billing_status,
        grace_ends=organization.billing_grace_ends,
        read_only_reason=organization_read_only_reason(organization),
        account=account,
        subscribed=account is not None
        and bool(account.stripe_subscription_id)
        and organization.billing_status in PLAN_STATUSES,
        members=members,
        invitations=invitations,
        objects=objects,
    )


def stripe_client() -> stripe.StripeClient:
    base = settings.STRIPE_API_BASE
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": base} if base else None,
        max_network_retries=1,
    )


def _require_owner(organization: Organization, user) -> None:
    if not billing_enabled():
        raise ValidationError(BILLING_OFF, code="billing_off")
    is_owner = (
        user is not None
        and getattr(user, "pk", None)
        and Membership.objects.filter(organization=organization, user=user, role=MembershipRole.OWNER).exists()
    )
    if not is_owner:
        raise PermissionDenied(OWNERS_ONLY)


def billing_account_ensure(*, organization: Organization, by) -> BillingAccount:
    """The organization's billing account, creating its Stripe customer on first need. Locked
    for the rest of the caller's transaction, so two owners clicking at once make one customer."""
    with public_context(), transaction.atomic():
        Organization.objects.select_for_update().filter(pk=organization.pk).first()
        account = BillingAccount.objects.filter(organization=organization).first()
        if account is not None:
            return account
        customer = stripe_client().v1.customers.create(
            params={
                "name": organization.name,
                "email": getattr(by, "email", "") or "",
                "metadata": {"organization_id": str(organization.pk), "organization_slug": organization.slug},
            },
            # A retried first click (or a crash after Stripe answered) reuses the same customer.
            options={"idempotency_key": f"wirebook-customer-{organization.pk}"},
        )
        return BillingAccount.objects.create(organization=organization, stripe_customer_id=customer.id)


def billing_checkout_start(*, organization: Organization, plan_key: str, by, success_url: str, cancel_url: str) -> str:
    """Create a Stripe Checkout Session subscribing the organization to `plan_key`; return its URL."""
    _require_owner(organization, by)
    plan = plan_get(plan_key)
    if plan is None or not plan.price:
        raise ValidationError("Choose a plan that can be bought.", code="plan")
    with public_context(), transaction.atomic():
        account = billing_account_ensure(organization=organization, by=by)
        organization.refresh_from_db(fields=["billing_status"])
        if account.stripe_subscription_id and organization.billing_status in PLAN_STATUSES:
            raise ValidationError(ALREADY_SUBSCRIBED, code="subscribed")
        session = stripe_client().v1.checkout.sessions.create(
            params={
                "mode": "subscription",
                "customer": account.stripe_customer_id,
                "client_reference_id": str(organization.pk),
                "line_items": [{"price": plan.price, "quantity": 1}],
                "metadata": {"organization_id": str(organization.pk), "plan": plan.key},
                "subscription_data": {"metadata": {"organization_id": str(organization.pk), "plan": plan.key}},
                "success_url": success_url,
                "cancel_url": cancel_url,
            }
        )
    return str(session.url)


def billing_portal_open(*, organization: Organization, by, return_url: str) -> str:
    """Create a Stripe Customer Portal session for the organization; return its URL."""
    _require_owner(organization, by)
    with public_context():
        account = BillingAccount.objects.filter(organization=organization).first()
    if account is None:
        raise ValidationError(NO_CUSTOMER, code="no_customer")
    session = stripe_client().v1.billing_portal.sessions.create(
        params={"customer": account.stripe_customer_id, "return_url": return_url}
    )
    return str(session.url)


# -- applying Stripe's state -----------------------------------------------------------------------


def _timestamp(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), tz=UTC) if value else None


def _subscription_price_and_period(subscription: dict) -> tuple[str, datetime | None]:
    items = (subscription.get("items") or {}).get("data") or []
    first = items[0] if items else {}
    price = (first.get("price") or {}).get("id", "")
    # Since API version 2025-03-31 the period is on the item; older versions carry it on the subscription.
    period_end = first.get("current_period_end") or subscription.get("current_period_end")
    return price, _timestamp(period_end)


def subscription_apply(*, account: BillingAccount, subscription: dict, event_id: str = "") -> str:
    """Make the organization's plan and billing status match `subscription` (as Stripe has it now).
    The caller holds the account's lock. Returns what was done, for the event log."""
    organization = Organization.objects.select_for_update().get(pk=account.organization_id)
    subscription_id = str(subscription.get("id", ""))
    status = str(subscription.get("status", ""))
    if status not in BillingStatus.values or not status:
        return f"ignored: unknown subscription status {status!r}"
    replaced = bool(account.stripe_subscription_id) and subscription_id != account.stripe_subscription_id
    if replaced and status not in PLAN_STATUSES:
        # An older subscription ending must not end the one the organization has now.
        return f"ignored: {subscription_id} is not the current subscription"
    price, period_end = _subscription_price_and_period(subscription)
    plan: Plan | None = plan_get(FREE)
    if status in PLAN_STATUSES:
        plan = plan_for_price(price)
        if plan is None:
            logger.warning("Stripe subscription %s has price %r, which no plan is sold at", subscription_id, price)
            return f"ignored: no plan is sold at price {price!r}"
    plan_key = plan.key if plan is not None else FREE

    grace_ends = None
    if status in OVERDUE_STATUSES:
        # The first failure starts the grace period; later retries do not extend it.
        overdue_already = organization.billing_status in OVERDUE_STATUSES and organization.billing_grace_ends
        grace_ends = organization.billing_grace_ends if overdue_already else None
        grace_ends = grace_ends or timezone.now() + timedelta(days=settings.BILLING_GRACE_DAYS)

    changes = []
    if organization.plan != plan_key:
        changes.append((AuditAction.BILLING_PLAN_CHANGED, organization.plan, plan_key))
    if organization.billing_status != status:
        changes.append((AuditAction.BILLING_STATUS_CHANGED, organization.billing_status, status))
    organization.plan = plan_key
    organization.billing_status = status
    organization.billing_grace_ends = grace_ends
    organization.save(update_fields=["plan", "billing_status", "billing_grace_ends"])
    for action, before, after in changes:
        audit_record(
            organization=organization,
            action=action,
            target=subscription_id,
            data={"from": before, "to": after, "event": event_id},
        )

    account.stripe_subscription_id = subscription_id
    account.stripe_price_id = price
    account.current_period_end = period_end
    account.cancel_at_period_end = bool(subscription.get("cancel_at_period_end"))
    account.save()
    return f"applied: {plan_key} {status}" if changes else f"unchanged: {plan_key} {status}"


# -- the subscription of an organization being deleted (tenants.services) -------------------------

# What `stripe_failure_record` says was attempted.
STOP_RENEWAL = "stop renewal"
RESUME_RENEWAL = "resume renewal"
CANCEL_NOW = "cancel subscription"
# Failures worth trying again: Stripe unreachable, overloaded or failing. Others (an invalid
# request, a revoked key) would fail the same way again.
STRIPE_RETRYABLE = (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError)


def deletion_subscription_sync(organization: Organization, by=None) -> None:
    """Make the subscription's renewal match the organization's deletion: pending deletion, the
    subscription stops at the end of the paid period (`cancel_at_period_end`); deletion cancelled,
    it renews again -- unless the customer had stopped it themselves. One audit event per change.
    Run by the `tenants.deletion_subscription_sync` task, never in a request. A Stripe failure is
    logged, changes nothing here and is raised (stripe.StripeError): the task retries, and
    `deletion_subscriptions_reconcile` after it."""
    if not billing_enabled():
        return
    with public_context(), transaction.atomic():
        # Locked while Stripe is asked, so a schedule and a quick cancellation apply in order.
        account = BillingAccount.objects.select_for_update().filter(organization_id=organization.pk).first()
        if account is None or not account.stripe_subscription_id:
            return
        current = Organization.objects.get(pk=organization.pk)
        pending = current.status == OrganizationStatus.PENDING_DELETION
        live = current.billing_status in PLAN_STATUSES
        if pending and live and not account.cancel_at_period_end:
            stop = True
        elif not pending and account.renewal_stopped_for_deletion and live:
            stop = False
        else:
            if not pending and account.renewal_stopped_for_deletion:  # the subscription ended meanwhile
                account.renewal_stopped_for_deletion = False
                account.save(update_fields=["renewal_stopped_for_deletion", "updated"])
            return
        try:
            subscription = stripe_client().v1.subscriptions.update(
                account.stripe_subscription_id, params={"cancel_at_period_end": stop}
            )
        except stripe.StripeError as error:
            logger.warning(
                "could not %s the Stripe subscription %s of organization %s (retried): %s",
                "stop renewing" if stop else "resume renewing", account.stripe_subscription_id, current.slug, error,
            )  # fmt: skip
            raise
        account.cancel_at_period_end = bool(subscription.cancel_at_period_end)
        account.renewal_stopped_for_deletion = stop
        account.save(update_fields=["cancel_at_period_end", "renewal_stopped_for_deletion", "updated"])
        audit_record(
            organization=current,
            action=AuditAction.BILLING_RENEWAL_CHANGED,
            actor=by,
            target=account.stripe_subscription_id,
            data={
                "cancel_at_period_end": stop,
                "reason": "organization deletion scheduled" if stop else "organization deletion cancelled",
            },
        )


def deletion_subscriptions_reconcile() -> None:
    """Retry `deletion_subscription_sync` for every organization whose subscription does not match
    its deletion state yet (Stripe was unreachable when the owner acted). Run by the deletion task."""
    if not billing_enabled():
        return
    with public_context():
        unmatched = (
            BillingAccount.objects.exclude(stripe_subscription_id="")
            .filter(
                Q(organization__status=OrganizationStatus.PENDING_DELETION, cancel_at_period_end=False)
                | (Q(renewal_stopped_for_deletion=True) & ~Q(organization__status=OrganizationStatus.PENDING_DELETION))
            )
            .select_related("organization")
        )
        for account in list(unmatched):
            with contextlib.suppress(stripe.StripeError):  # logged; the next run tries again
                deletion_subscription_sync(account.organization)


def stripe_failure_record(*, organization: Organization, operation: str, error: Exception, actor=None, attempts: int):
    """Put a Stripe call that failed for good (its retries spent, or refused by Stripe) in the
    organization's audit log, where its owners and the operators look, not only in the server log."""
    with public_context():
        account = BillingAccount.objects.filter(organization_id=organization.pk).first()
        audit_record(
            organization=organization,
            action=AuditAction.BILLING_STRIPE_FAILED,
            actor=actor,
            target=account.stripe_subscription_id if account is not None else "",
            data={"operation": operation, "error": str(error)[:500], "attempts": attempts},
        )


def deletion_subscription_end(organization: Organization) -> bool:
    """Cancel the organization's subscription now: it is about to be deleted. True when nothing is
    left to charge it; False when Stripe could not be asked (the deletion waits for the next run)."""
    if not billing_enabled():
        return True
    with public_context():
        account = BillingAccount.objects.filter(organization_id=organization.pk).first()
    if account is None or not account.stripe_subscription_id or organization.billing_status not in PLAN_STATUSES:
        return True
    try:
        stripe_client().v1.subscriptions.cancel(account.stripe_subscription_id)
    except stripe.InvalidRequestError as error:
        # Already cancelled, or gone: nothing left to charge.
        logger.warning("Stripe subscription %s of organization %s not cancelled: %s",
                       account.stripe_subscription_id, organization.slug, error)  # fmt: skip
        return True
    except stripe.StripeError as error:
        logger.error(
            "organization %s kept until the next run: its Stripe subscription %s could not be cancelled: %s",
            organization.slug, account.stripe_subscription_id, error,
        )  # fmt: skip
        stripe_failure_record(organization=organization, operation=CANCEL_NOW, error=error, attempts=1)
        return False
    logger.warning("Stripe subscription %s of organization %s cancelled: the organization is being deleted",
                   account.stripe_subscription_id, organization.slug)  # fmt: skip
    return True
