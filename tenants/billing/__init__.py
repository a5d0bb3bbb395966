"""Billing, in one package: what an organization's plan and billing status allow (here), Stripe
Checkout, the portal and subscriptions (`tenants.billing.services`), Stripe's webhook
(`tenants.billing.webhooks`); its tables are in `tenants.models.billing`, its pages in
`frontend.settings.billing` (docs/billing.md).

Billing is on only when Stripe is configured (`billing_enabled`). Without it -- self-hosted --
no plan limits anything. Either way an organization whose `status` an operator set to read-only
(or suspended, or pending deletion) refuses writes.

The organization row carries its plan, billing status and grace deadline, so the read-only
check costs no query. Limits are checked where the writes happen: object writes in
`core.services` (which owns the object registry and counts usage through the counter it
registers here), members in `tenants.members`. A refusal is a `BillingRefused`: a
ValidationError, so forms show its message; the REST API answers 403 `{"detail": …}`.

Rules:
- past due or unpaid for longer than BILLING_GRACE_DAYS: read-only (reads work, every write is
  refused);
- at the object limit: creating is refused; over it (after a downgrade): creating and editing
  are refused, deleting is allowed so the organization can get under it again;
- at the member limit: inviting and accepting invitations are refused (removals always work).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tenants.context import public_context
from tenants.locks import advisory_xact_lock
from tenants.models import BillingStatus, Invitation, Membership, Organization, OrganizationStatus

FREE = "free"
OVERDUE_STATUSES = frozenset({BillingStatus.PAST_DUE, BillingStatus.UNPAID})
STATUS_READ_ONLY = {
    OrganizationStatus.READ_ONLY: "This organization is read-only.",
    OrganizationStatus.SUSPENDED: "This organization is suspended.",
    OrganizationStatus.PENDING_DELETION: "This organization is being deleted.",
}
OVERDUE_READ_ONLY = (
    "This organization is read-only: its payment is overdue. An owner can update the payment method "
    "under Settings → Billing; writing works again as soon as the payment is made."
)
OBJECT_LIMIT = (
    "The {plan} plan allows {limit} objects and this organization has {usage}. "
    "Upgrade the plan under Settings → Billing to add more."
)
OVER_OBJECT_LIMIT = (
    "This organization has {usage} objects, more than the {limit} its {plan} plan allows, so it is read-only "
    "except for deletions. Delete objects or upgrade the plan under Settings → Billing."
)
MEMBER_LIMIT = (
    "The {plan} plan allows {limit} members (invitations included) and this organization has {usage}. "
    "Upgrade the plan under Settings → Billing to add more."
)


class BillingRefused(ValidationError):
    """A write that the organization's plan or billing status does not allow."""


@dataclass(frozen=True)
class Plan:
    key: str
    name: str
    price: str  # Stripe price id; "" when the plan is not sold through Checkout
    max_members: int  # 0: unlimited
    max_objects: int  # 0: unlimited


UNLIMITED = Plan(key="", name="Unlimited", price="", max_members=0, max_objects=0)


@dataclass(frozen=True)
class Banner:
    level: str  # a Bootstrap alert level: "warning", "danger"
    message: str


def billing_enabled() -> bool:
    return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_WEBHOOK_SECRET)


def plans() -> list[Plan]:
    return [
        Plan(
            key=key,
            name=str(options.get("name", key.title())),
            price=str(options.get("price", "")),
            max_members=int(options.get("max_members", 0)),
            max_objects=int(options.get("max_objects", 0)),
        )
        for key, options in settings.WIREBOOK_PLANS.items()
    ]


def plan_get(key: str) -> Plan | None:
    return next((plan for plan in plans() if plan.key == key), None)


def plan_for_price(price: str) -> Plan | None:
    return next((plan for plan in plans() if price and plan.price == price), None)


def organization_plan(organization: Organization) -> Plan:
    """The plan whose limits apply. Self-hosted, or a plan an operator assigned that the
    configuration does not list: unlimited."""
    if not billing_enabled():
        return UNLIMITED
    return plan_get(organization.plan) or UNLIMITED


# -- object usage: counted by core, which owns the registry of object models ----------------------

_object_counter: Callable[[], int] | None = None


def object_counter_register(counter: Callable[[], int]) -> None:
    """Called once by `core` at start-up: how to count the current schema's objects (one query)."""
    global _object_counter
    _object_counter = counter


def object_usage() -> int:
    """How many objects the organization whose schema is selected holds."""
    if _object_counter is None:
        raise RuntimeError("no object counter registered (is `core` installed?)")
    return _object_counter()


# -- checks ----------------------------------------------------------------------------------------


def organization_read_only_reason(organization: Organization, *, now: datetime | None = None) -> str | None:
    """Why the organization refuses every write now, or None when it does not."""
    if organization.status in STATUS_READ_ONLY:
        return STATUS_READ_ONLY[organization.status]
    if billing_enabled() and grace_expired(organization, now=now):
        return OVERDUE_READ_ONLY
    return None


def grace_expired(organization: Organization, *, now: datetime | None = None) -> bool:
    deadline = organization.billing_grace_ends
    return (
        organization.billing_status in OVERDUE_STATUSES and deadline is not None and deadline <= (now or timezone.now())
    )


def object_write_check(organization: Organization, action: str, *, usage: Callable[[], int]) -> None:
    """Refuse an object write (`action`: "add", "change" or "delete") the organization may not make.
    `usage` is called (one count) only when the plan limits objects. Call it inside the write's
    transaction."""
    reason = organization_read_only_reason(organization)
    if reason is not None:
        raise BillingRefused(reason, code="read_only")
    plan = organization_plan(organization)
    if action == "delete" or not plan.max_objects:
        return
    if action == "add":
        # Creates of a limited organization take turns until their transaction ends: the next one
        # counts the previous one's object (two creates at limit - 1 cannot both pass).
        advisory_xact_lock("object-limit", organization=organization)
    count = usage()
    values = {"plan": plan.name, "limit": plan.max_objects, "usage": count}
    if count > plan.max_objects:
        raise BillingRefused(OVER_OBJECT_LIMIT.format(**values), code="over_object_limit")
    if action == "add" and count >= plan.max_objects:
        raise BillingRefused(OBJECT_LIMIT.format(**values), code="object_limit")


def member_usage(organization: Organization) -> tuple[int, int]:
    """(members, open invitations) of the organization."""
    with public_context():
        members = Membership.objects.filter(organization=organization).count()
        invitations = Invitation.objects.filter(
            organization=organization, accepted_at__isnull=True, expires__gt=timezone.now()
        ).count()
    return members, invitations


def member_add_check(organization: Organization, *, invitation: bool) -> None:
    """Refuse a new member (a new `invitation`, or else a membership: an accepted invitation, an
    SSO sign-in) the organization's plan or status does not allow. Call it inside the transaction
    that adds the member: the organization stays locked until that transaction ends."""
    reason = organization_read_only_reason(organization)
    if reason is not None:
        raise BillingRefused(reason, code="read_only")
    plan = organization_plan(organization)
    if not plan.max_members:
        return
    with public_context(), transaction.atomic():
        # Two invitations racing for the last seat: the second waits here and counts the first.
        list(Organization.objects.select_for_update().filter(pk=organization.pk).values_list("pk", flat=True))
    members, invitations = member_usage(organization)
    usage = members + invitations if invitation else members
    if usage >= plan.max_members:
        raise BillingRefused(
            MEMBER_LIMIT.format(plan=plan.name, limit=plan.max_members, usage=usage), code="member_limit"
        )


def billing_banner(organization: Organization) -> Banner | None:
    """What every page of the organization should warn about, if anything. Costs a count of
    objects and members only when billing is on and the plan limits them."""
    reason = organization_read_only_reason(organization)
    if reason is not None:
        return Banner("danger", reason)
    if not billing_enabled():
        return None
    if organization.billing_status in OVERDUE_STATUSES and organization.billing_grace_ends is not None:
        return Banner(
            "warning",
            f"The last payment failed. Update the payment method under Settings → Billing before "
            f"{organization.billing_grace_ends:%Y-%m-%d %H:%M} UTC, or the organization becomes read-only.",
        )
    plan = organization_plan(organization)
    if plan.max_objects:
        usage = object_usage()
        if usage > plan.max_objects:
            return Banner("warning", OVER_OBJECT_LIMIT.format(plan=plan.name, limit=plan.max_objects, usage=usage))
    return None
