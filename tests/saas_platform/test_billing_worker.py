"""Stripe off the request path, with a real Celery worker: the owner's deletion request only queues
the subscription's renewal change; a worker process asks the fake Stripe
(tests/saas_platform/fake_stripe.py), retries while Stripe fails, and puts a failure it gives up on
in the organization's audit log."""

import pytest
from django.test import Client

from tenants.models import AuditAction, AuditEvent, BillingAccount, Organization, OrganizationStatus
from tenants.tasks import deletion_subscription_sync
from tests.conftest import wait_for
from tests.saas_platform.fake_stripe import SECRET_KEY, WEBHOOK_SECRET

RETRIES = 4  # more than Celery's default limit of 3: the setting is what counts


@pytest.fixture
def stripe_worker(stripe_on, monkeypatch, request):
    """A worker whose settings point at the module's fake Stripe, retrying fast."""
    monkeypatch.setenv("STRIPE_SECRET_KEY", SECRET_KEY)
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
    monkeypatch.setenv("STRIPE_API_BASE", stripe_on.url)
    monkeypatch.setenv("STRIPE_TASK_RETRIES", str(RETRIES))
    monkeypatch.setenv("STRIPE_TASK_RETRY_SECONDS", "0")
    stripe_on.failing = False
    yield request.getfixturevalue("worker")
    stripe_on.failing = False


def paying_organization(committed, fake, slug):
    """A committed organization subscribed to Team; returns it, its owner and the fake's subscription."""
    owner = committed.user(f"{slug}-owner@example.com")
    organization = committed.organization(slug, owner=owner)
    subscription_id = fake.new_id("sub")
    customer_id = fake.new_id("cus")
    subscription = fake.subscription_set(subscription_id, customer=customer_id, status="active", price="price_team")
    BillingAccount.objects.create(
        organization=organization, stripe_customer_id=customer_id, stripe_subscription_id=subscription_id
    )
    Organization.objects.filter(pk=organization.pk).update(plan="team", billing_status="active")
    return organization, owner, subscription


def schedule_deletion(organization, owner):
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    response = client.post(f"/o/{organization.slug}/settings/danger/delete/", {"confirmation": organization.slug})
    assert response.status_code == 302
    assert Organization.objects.get(pk=organization.pk).status == OrganizationStatus.PENDING_DELETION


def audit(organization, action):
    return list(AuditEvent.objects.filter(organization=organization, action=action))


def subscription_updates(fake, subscription_id):
    return [
        r for r in list(fake.requests) if r["path"] == f"/v1/subscriptions/{subscription_id}" and r["method"] == "POST"
    ]


def test_a_worker_stops_the_renewal_the_owner_asked_for(committed, stripe_on, stripe_worker):
    organization, owner, subscription = paying_organization(committed, stripe_on, "renewal-stop")
    other, _, other_subscription = paying_organization(committed, stripe_on, "renewal-other")

    schedule_deletion(organization, owner)

    account = BillingAccount.objects.filter(organization=organization)
    assert wait_for(lambda: account.get().renewal_stopped_for_deletion), stripe_worker.read_text()[-3000:]
    assert subscription["cancel_at_period_end"] is True
    assert [r["params"] for r in subscription_updates(stripe_on, subscription["id"])] == [
        {"cancel_at_period_end": "true"}
    ]
    (event,) = audit(organization, AuditAction.BILLING_RENEWAL_CHANGED)
    assert (event.actor, event.target) == (owner, subscription["id"])
    assert deletion_subscription_sync.name in stripe_worker.read_text()
    # the other organization's subscription is left alone
    assert other_subscription["cancel_at_period_end"] is False
    assert subscription_updates(stripe_on, other_subscription["id"]) == []
    assert audit(other, AuditAction.BILLING_RENEWAL_CHANGED) == []


def test_a_failing_stripe_is_retried_then_the_failure_is_audited(committed, stripe_on, stripe_worker):
    organization, owner, subscription = paying_organization(committed, stripe_on, "renewal-failing")
    stripe_on.failing = True

    schedule_deletion(organization, owner)

    assert wait_for(lambda: audit(organization, AuditAction.BILLING_STRIPE_FAILED), timeout=60), (
        stripe_worker.read_text()[-3000:]
    )
    (failure,) = audit(organization, AuditAction.BILLING_STRIPE_FAILED)
    assert (failure.actor, failure.target) == (owner, subscription["id"])
    assert failure.data["operation"] == "stop renewal"
    assert failure.data["attempts"] == RETRIES + 1
    assert "Stripe is failing" in failure.data["error"]
    assert len(subscription_updates(stripe_on, subscription["id"])) >= RETRIES + 1
    # nothing was recorded as changed; the deletion stays scheduled for the deletion task to retry
    assert not BillingAccount.objects.get(organization=organization).renewal_stopped_for_deletion
    assert audit(organization, AuditAction.BILLING_RENEWAL_CHANGED) == []
    assert Organization.objects.get(pk=organization.pk).status == OrganizationStatus.PENDING_DELETION
