"""An organization being deleted stops paying: scheduling the deletion stops the Stripe
subscription's renewal, cancelling the deletion resumes it, and the final drop cancels it. Driven
with the real `stripe` library against the fake Stripe (tests/saas_platform/fake_stripe.py).

The renewal changes run in a Celery task queued when the owner's change commits; here it runs
in-process (`tasks_inline`), and tests/saas_platform/test_billing_worker.py runs it in a real worker."""

import logging
import socket
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from tenants.models import AuditAction, BillingAccount, Organization, OrganizationStatus
from tenants.services import organization_deletion_cancel, organization_deletion_schedule, organization_deletions_run
from tests.saas_platform.members import client_of, events
from tests.saas_platform.test_billing import deliver, subscribe

DELETE = "/o/org-a/settings/danger/delete/"
CANCEL = "/o/org-a/settings/danger/cancel/"
SERVICES_LOG = "tenants.billing.services"


@pytest.fixture(autouse=True)
def tasks_inline(settings):
    """Queued tasks run at once, in this process (Celery's eager mode); no retries unless a test asks."""
    from saas_platform.celery import app as celery_app

    settings.STRIPE_TASK_RETRIES = 0
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def subscribed(stripe_on, org_a):
    """org_a pays for Team; returns its Stripe subscription (the fake's record of it)."""
    _, subscription_id = subscribe(org_a, stripe_on)
    return stripe_on.subscriptions[subscription_id]


@pytest.fixture
def stripe_unreachable(settings):
    """Point the library at a port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{port}"


def account(org) -> BillingAccount:
    return BillingAccount.objects.get(organization=org.organization)


def subscription_calls(fake, subscription_id, since: int) -> list[tuple[str, dict]]:
    path = f"/v1/subscriptions/{subscription_id}"
    return [(r["method"], r["params"]) for r in fake.requests[since:] if r["path"] == path and r["method"] != "GET"]


def schedule(org):
    return organization_deletion_schedule(organization=org.organization, by=org.owner, confirmation="org-a")


def due_now(org):
    Organization.objects.filter(pk=org.organization.pk).update(deletion_due=timezone.now() - timedelta(seconds=1))


def test_scheduling_the_deletion_stops_the_renewal_with_an_audit_event(
    subscribed, stripe_on, org_a, django_capture_on_commit_callbacks
):
    before = len(stripe_on.requests)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_of(org_a.owner).post(DELETE, {"confirmation": "org-a"})

    assert response.status_code == 302
    assert subscription_calls(stripe_on, subscribed["id"], before) == [("POST", {"cancel_at_period_end": "true"})]
    assert subscribed["cancel_at_period_end"] is True and subscribed["status"] == "active"
    stored = account(org_a)
    assert stored.cancel_at_period_end and stored.renewal_stopped_for_deletion
    (event,) = events(org_a.organization, AuditAction.BILLING_RENEWAL_CHANGED)
    assert (event.actor, event.target, event.data) == (
        org_a.owner,
        subscribed["id"],
        {"cancel_at_period_end": True, "reason": "organization deletion scheduled"},
    )
    # Stripe's own event about the change agrees with what was stored.
    assert deliver(stripe_on.event("customer.subscription.updated", subscribed)).status_code == 200
    assert account(org_a).cancel_at_period_end


def test_cancelling_the_deletion_resumes_the_renewal(subscribed, stripe_on, org_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        schedule(org_a)
    before = len(stripe_on.requests)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_of(org_a.owner).post(CANCEL)

    assert response.status_code == 302
    assert subscription_calls(stripe_on, subscribed["id"], before) == [("POST", {"cancel_at_period_end": "false"})]
    assert subscribed["cancel_at_period_end"] is False
    stored = account(org_a)
    assert not stored.cancel_at_period_end and not stored.renewal_stopped_for_deletion
    changes = sorted(events(org_a.organization, AuditAction.BILLING_RENEWAL_CHANGED), key=lambda event: event.pk)
    assert [(e.actor, e.data) for e in changes] == [
        (org_a.owner, {"cancel_at_period_end": True, "reason": "organization deletion scheduled"}),
        (org_a.owner, {"cancel_at_period_end": False, "reason": "organization deletion cancelled"}),
    ]


def test_a_renewal_the_customer_stopped_stays_stopped(subscribed, stripe_on, org_a, django_capture_on_commit_callbacks):
    # given: the customer had already cancelled at period end in the Customer Portal
    subscribed["cancel_at_period_end"] = True
    assert deliver(stripe_on.event("customer.subscription.updated", subscribed)).status_code == 200
    before = len(stripe_on.requests)

    # when: the deletion is scheduled, then cancelled
    with django_capture_on_commit_callbacks(execute=True):
        schedule(org_a)
    with django_capture_on_commit_callbacks(execute=True):
        organization_deletion_cancel(organization=org_a.organization, by=org_a.owner)

    # then: Wirebook neither asked Stripe nor turned the renewal back on
    assert subscription_calls(stripe_on, subscribed["id"], before) == []
    assert subscribed["cancel_at_period_end"] is True
    assert events(org_a.organization, AuditAction.BILLING_RENEWAL_CHANGED) == []


def test_the_final_drop_cancels_the_subscription_now(
    subscribed, stripe_on, org_a, org_b, media_root, django_capture_on_commit_callbacks, caplog
):
    _, other_id = subscribe(org_b, stripe_on)
    with django_capture_on_commit_callbacks(execute=True):
        schedule(org_a)
    due_now(org_a)
    before = len(stripe_on.requests)

    with caplog.at_level(logging.WARNING, logger=SERVICES_LOG):
        dropped = organization_deletions_run()

    assert dropped == ["org-a"]
    assert subscription_calls(stripe_on, subscribed["id"], before) == [("DELETE", {})]
    assert subscribed["status"] == "canceled"
    assert not Organization.objects.filter(pk=org_a.organization.pk).exists()
    assert any(subscribed["id"] in r.getMessage() and "cancelled" in r.getMessage() for r in caplog.records)
    # and another organization's subscription is left alone
    assert subscription_calls(stripe_on, other_id, before) == []
    assert stripe_on.subscriptions[other_id]["status"] == "active"
    assert not stripe_on.subscriptions[other_id]["cancel_at_period_end"]


def test_stripe_unreachable_the_deletion_is_scheduled_and_the_renewal_stopped_later(
    subscribed, stripe_on, stripe_unreachable, org_a, settings, django_capture_on_commit_callbacks, caplog
):
    # when: the owner schedules the deletion while Stripe cannot be reached
    with caplog.at_level(logging.WARNING, logger=SERVICES_LOG), django_capture_on_commit_callbacks(execute=True):
        response = client_of(org_a.owner).post(DELETE, {"confirmation": "org-a"})

    # then: scheduled all the same, the failure logged and in the audit log, nothing recorded as changed
    assert response.status_code == 302
    assert Organization.objects.get(pk=org_a.organization.pk).status == OrganizationStatus.PENDING_DELETION
    assert any(
        "could not stop renewing" in r.getMessage() and subscribed["id"] in r.getMessage() for r in caplog.records
    )
    assert subscribed["cancel_at_period_end"] is False
    assert not account(org_a).renewal_stopped_for_deletion
    assert events(org_a.organization, AuditAction.BILLING_RENEWAL_CHANGED) == []
    (failure,) = events(org_a.organization, AuditAction.BILLING_STRIPE_FAILED)
    assert (failure.actor, failure.target) == (org_a.owner, subscribed["id"])
    assert failure.data["operation"] == "stop renewal" and failure.data["attempts"] == 1
    assert "connect" in failure.data["error"].lower()

    # and when Stripe is back, the deletion task's next run stops the renewal (keeping the organization)
    settings.STRIPE_API_BASE = stripe_on.url
    assert organization_deletions_run() == []
    assert subscribed["cancel_at_period_end"] is True
    assert account(org_a).renewal_stopped_for_deletion
    (event,) = events(org_a.organization, AuditAction.BILLING_RENEWAL_CHANGED)
    assert event.actor is None


def test_stripe_unreachable_the_drop_waits_for_the_next_run(
    subscribed, stripe_on, stripe_unreachable, org_a, media_root, settings, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True):
        schedule(org_a)
    due_now(org_a)

    with caplog.at_level(logging.ERROR, logger=SERVICES_LOG):
        first = organization_deletions_run()

    assert first == []
    assert Organization.objects.filter(pk=org_a.organization.pk).exists()
    assert subscribed["status"] == "active"
    assert any("org-a kept until the next run" in r.getMessage() for r in caplog.records)
    # the renewal could not be stopped when it was scheduled either: one event each, newest first
    failures = events(org_a.organization, AuditAction.BILLING_STRIPE_FAILED)
    assert [(f.actor, f.target, f.data["operation"]) for f in failures] == [
        (None, subscribed["id"], "cancel subscription"),
        (org_a.owner, subscribed["id"], "stop renewal"),
    ]

    settings.STRIPE_API_BASE = stripe_on.url
    assert organization_deletions_run() == ["org-a"]
    assert subscribed["status"] == "canceled"


def test_billing_off_nothing_is_asked_of_stripe(
    subscribed, stripe_on, org_a, media_root, settings, django_capture_on_commit_callbacks
):
    # given: an organization with a subscription on a server whose billing is then switched off
    settings.STRIPE_SECRET_KEY = settings.STRIPE_WEBHOOK_SECRET = ""
    before = len(stripe_on.requests)

    # when: its deletion is scheduled, cancelled, scheduled again and carried out
    with django_capture_on_commit_callbacks(execute=True):
        schedule(org_a)
    with django_capture_on_commit_callbacks(execute=True):
        organization_deletion_cancel(organization=org_a.organization, by=org_a.owner)
    with django_capture_on_commit_callbacks(execute=True):
        schedule(org_a)
    due_now(org_a)
    dropped = organization_deletions_run()

    # then: the deletion happened and Stripe heard nothing
    assert dropped == ["org-a"]
    assert stripe_on.requests[before:] == []
    assert subscribed["status"] == "active" and subscribed["cancel_at_period_end"] is False


def test_the_owners_request_returns_without_waiting_for_a_hanging_stripe(
    subscribed, stripe_on, org_a, settings, django_capture_on_commit_callbacks
):
    from saas_platform.celery import app as celery_app

    # given: Stripe answers nothing for 20 seconds, and no worker is running
    celery_app.conf.task_always_eager = False
    celery_app.control.purge()
    stripe_on.delay = 20.0
    before = len(stripe_on.requests)
    try:
        # when: the owner schedules the deletion, then cancels it
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            scheduled = client_of(org_a.owner).post(DELETE, {"confirmation": "org-a"})
        with django_capture_on_commit_callbacks(execute=True):
            cancelled = client_of(org_a.owner).post(CANCEL)
        elapsed = time.monotonic() - started
    finally:
        stripe_on.delay = 0.0

    # then: both answered at once, Stripe was not called, and the work waits in the queue
    assert (scheduled.status_code, cancelled.status_code) == (302, 302)
    assert elapsed < 5, elapsed
    assert stripe_on.requests[before:] == []
    assert celery_app.control.purge() == 2


def test_stripe_refusing_the_change_is_audited_at_once(
    subscribed, stripe_on, org_a, settings, django_capture_on_commit_callbacks
):
    # given: Stripe refuses to change the subscription (it was cancelled on Stripe's side)
    settings.STRIPE_TASK_RETRIES = 3
    subscribed["status"] = "canceled"

    with django_capture_on_commit_callbacks(execute=True):
        schedule(org_a)

    # then: not retried (it would fail the same way), and in the audit log
    (failure,) = events(org_a.organization, AuditAction.BILLING_STRIPE_FAILED)
    assert failure.data["attempts"] == 1 and "canceled subscription" in failure.data["error"]
