"""Billing through Stripe, driven with the real `stripe` library against a local fake Stripe
(tests/saas_platform/fake_stripe.py) and webhook events signed as Stripe signs them."""

import json
import threading
import time
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.services import object_create
from inventory.models import Site
from tenants.billing import BillingRefused, billing_enabled
from tenants.billing.webhooks import stripe_event_handle
from tenants.context import tenant_context
from tenants.members import invitation_accept, invitation_create
from tenants.models import (
    AuditAction,
    AuditEvent,
    BillingAccount,
    Membership,
    MembershipRole,
    Organization,
    StripeEvent,
)
from tenants.tokens import token_create
from tests.concurrency import while_first_holds
from tests.saas_platform.fake_stripe import PLANS, SECRET_KEY, WEBHOOK_SECRET, FakeStripe, stripe_signature

WEBHOOK = "/billing/stripe/webhook/"
PASSWORD = "a long and unusual passphrase 42"


def fresh(org) -> Organization:
    return Organization.objects.get(pk=org.organization.pk)


def deliver(event: dict, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None, signature=None):
    payload = json.dumps(event)
    header = signature if signature is not None else stripe_signature(payload, secret, timestamp)
    extra = {"HTTP_STRIPE_SIGNATURE": header} if header else {}
    return Client().post(WEBHOOK, data=payload, content_type="application/json", **extra)


def api(client, method, path, payload=None, slug="org-a", **extra):
    if payload is None:
        return getattr(client, method)(f"/o/{slug}/api{path}", **extra)
    return getattr(client, method)(
        f"/o/{slug}/api{path}", json.dumps(payload), content_type="application/json", **extra
    )


def subscribe(org, fake: FakeStripe, plan: str = "team") -> tuple[str, str]:
    """Owner goes through Checkout and pays; Stripe tells us. Returns (customer, subscription)."""
    response = org.client().post(f"/o/{org.organization.slug}/settings/billing/checkout/", {"plan": plan})
    assert response.status_code == 302, response.content
    session_id = response["Location"].rsplit("/", 1)[1]
    session = fake.checkout_complete(session_id)
    assert deliver(fake.event("checkout.session.completed", session)).status_code == 200
    return session["customer"], session["subscription"]


def sites(org, count: int, prefix="site"):
    with tenant_context(org.organization):
        Site.objects.bulk_create(Site(name=f"{prefix} {i}", slug=f"{prefix}-{i}") for i in range(count))


def site_count(org) -> int:
    with tenant_context(org.organization):
        return Site.objects.count()


def member(org, role, email):
    user = get_user_model().objects.create_user(email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    Membership.objects.create(user=user, organization=org.organization, role=role)
    return user


# -- self-hosted ---------------------------------------------------------------------------------


def test_without_stripe_keys_billing_is_off_and_nothing_is_limited(settings, org_a):
    # given: the default configuration (no Stripe keys), even with tiny plan limits configured
    assert settings.STRIPE_SECRET_KEY == "" and settings.STRIPE_WEBHOOK_SECRET == ""
    settings.WIREBOOK_PLANS = {**PLANS, "free": {**PLANS["free"], "max_members": 1, "max_objects": 1}}
    assert not billing_enabled()
    client = org_a.client()

    # when
    created = [api(client, "post", "/dcim/sites/", {"name": f"S{i}", "slug": f"s{i}"}) for i in range(3)]
    invitation, _ = invitation_create(
        organization=org_a.organization, email="new@example.com", role=MembershipRole.VIEWER, invited_by=org_a.owner
    )
    page = client.get("/o/org-a/settings/billing/")
    webhook = deliver({"id": "evt_1", "type": "invoice.paid", "created": 1, "data": {"object": {}}})

    # then
    assert [r.status_code for r in created] == [201, 201, 201]
    assert invitation.pk is not None
    assert page.status_code == 200 and b"Billing is not enabled on this server" in page.content
    assert page.context["billing_banner"] is None or not page.context["billing_banner"]
    assert webhook.status_code == 404
    assert not StripeEvent.objects.exists()


# -- checkout and webhook --------------------------------------------------------------------------


def test_checkout_then_webhook_upgrades_the_plan_with_audit_events(stripe_on, org_a):
    fake = stripe_on
    client = org_a.client()
    requests_before = len(fake.requests)

    # when: the owner starts Checkout (twice: the customer is created once)
    first = client.post("/o/org-a/settings/billing/checkout/", {"plan": "team"})
    second = client.post("/o/org-a/settings/billing/checkout/", {"plan": "team"})

    # then: redirected to Stripe, with one customer stored for the organization
    assert first.status_code == 302 and first["Location"].startswith("https://checkout.stripe.test/c/pay/cs_")
    assert second.status_code == 302
    account = BillingAccount.objects.get(organization=org_a.organization)
    made = fake.requests[requests_before:]
    assert [r["path"] for r in made] == ["/v1/customers", "/v1/checkout/sessions", "/v1/checkout/sessions"]
    assert all(r["authorization"] == f"Bearer {SECRET_KEY}" for r in made)
    customer = fake.customers[account.stripe_customer_id]
    assert customer["metadata[organization_id]"] == str(org_a.organization.pk)
    assert customer["email"] == org_a.owner.email
    session = fake.sessions[first["Location"].rsplit("/", 1)[1]]
    assert session["customer"] == account.stripe_customer_id
    assert session["line_items[0][price]"] == "price_team"
    assert session["mode"] == "subscription"
    assert session["client_reference_id"] == str(org_a.organization.pk)
    assert session["success_url"].endswith("/o/org-a/settings/billing/?checkout=success")
    assert fresh(org_a).plan == "free"  # nothing changes before Stripe confirms

    # when: the customer pays and Stripe sends checkout.session.completed
    completed = fake.checkout_complete(session["id"])
    response = deliver(fake.event("checkout.session.completed", completed))

    # then
    assert response.status_code == 200, response.content
    organization = fresh(org_a)
    assert (organization.plan, organization.billing_status) == ("team", "active")
    account.refresh_from_db()
    assert account.stripe_subscription_id == completed["subscription"]
    assert account.current_period_end is not None
    events = AuditEvent.objects.filter(organization=organization, action__startswith="billing.")
    assert {(e.action, e.data["from"], e.data["to"]) for e in events} == {
        (AuditAction.BILLING_PLAN_CHANGED, "free", "team"),
        (AuditAction.BILLING_STATUS_CHANGED, "", "active"),
    }
    assert b"Plan changed" in client.get("/o/org-a/settings/audit/").content
    page = client.get("/o/org-a/settings/billing/")
    assert page.status_code == 200
    assert b'<td class="plan">Team</td>' in page.content and b"Manage billing" in page.content
    assert b"Upgrade to Team" not in page.content

    # and: a subscribed organization is sent to the portal, not to a second Checkout
    again = client.post("/o/org-a/settings/billing/checkout/", {"plan": "msp"})
    assert again.status_code == 302 and again["Location"].endswith("/o/org-a/settings/billing/")
    portal = client.post("/o/org-a/settings/billing/portal/")
    assert portal.status_code == 302 and portal["Location"].startswith("https://billing.stripe.test/p/session/")
    portal_request = fake.requests[-1]
    assert portal_request["path"] == "/v1/billing_portal/sessions"
    assert portal_request["params"]["customer"] == account.stripe_customer_id


def test_a_replayed_event_changes_nothing_the_second_time(stripe_on, org_a):
    fake = stripe_on
    customer, subscription = subscribe(org_a, fake)
    fake.subscription_set(subscription, customer=customer, status="past_due", price="price_team")
    failed = fake.event(
        "invoice.payment_failed", {"object": "invoice", "customer": customer, "subscription": subscription}
    )
    assert deliver(failed).json()["outcome"].startswith("applied")
    audit_count = AuditEvent.objects.filter(organization=org_a.organization).count()
    grace_ends = fresh(org_a).billing_grace_ends

    # when: Stripe pays, then redelivers the old failure
    fake.subscription_set(subscription, customer=customer, status="active", price="price_team")
    paid = fake.event("invoice.paid", {"object": "invoice", "customer": customer, "subscription": subscription})
    assert deliver(paid).status_code == 200
    fake.subscription_set(subscription, customer=customer, status="past_due", price="price_team")
    replay = deliver(failed)

    # then: the redelivery was recognised and applied nothing
    assert replay.status_code == 200 and replay.json()["outcome"] == "duplicate"
    organization = fresh(org_a)
    assert organization.billing_status == "active" and organization.billing_grace_ends is None
    assert grace_ends is not None
    assert StripeEvent.objects.filter(event_id=failed["id"]).count() == 1
    assert AuditEvent.objects.filter(organization=org_a.organization).count() == audit_count + 1  # the payment only


@pytest.mark.parametrize(
    "tamper",
    ["wrong secret", "stale timestamp", "missing header", "garbage header", "changed payload"],
)
def test_forged_or_stale_signatures_are_refused_and_change_nothing(stripe_on, org_a, tamper):
    fake = stripe_on
    customer, subscription = subscribe(org_a, fake)
    fake.subscription_set(subscription, customer=customer, status="canceled", price="price_team")
    event = fake.event("customer.subscription.deleted", fake.subscriptions[subscription])
    payload = json.dumps(event)
    kwargs = {
        "wrong secret": {"secret": "whsec_forged"},
        "stale timestamp": {"timestamp": int(time.time()) - 600},
        "missing header": {"signature": ""},
        "garbage header": {"signature": "t=1,v1=abc"},
        "changed payload": {"signature": stripe_signature(payload.replace("canceled", "active "))},
    }[tamper]
    events_before = StripeEvent.objects.count()

    response = deliver(event, **kwargs)

    assert response.status_code == 400
    assert "detail" in response.json()
    assert StripeEvent.objects.count() == events_before
    assert (fresh(org_a).plan, fresh(org_a).billing_status) == ("team", "active")


def test_events_in_any_order_end_in_stripes_current_state(stripe_on, org_a):
    fake = stripe_on
    customer, subscription = subscribe(org_a, fake)
    # Stripe's history: upgraded to MSP, then canceled. Its events arrive newest first.
    upgraded = fake.subscription_set(subscription, customer=customer, status="active", price="price_msp")
    updated_event = fake.event("customer.subscription.updated", dict(upgraded), created=int(time.time()) - 60)
    canceled = fake.subscription_set(subscription, customer=customer, status="canceled", price="price_msp")
    deleted_event = fake.event("customer.subscription.deleted", dict(canceled))

    assert deliver(deleted_event).status_code == 200
    assert deliver(updated_event).status_code == 200

    organization = fresh(org_a)
    assert (organization.plan, organization.billing_status) == ("free", "canceled")

    # and: a new subscription's events, then a late one about the old subscription's end
    fake.subscription_set("sub_new", customer=customer, status="active", price="price_msp")
    created = fake.event("customer.subscription.created", fake.subscriptions["sub_new"])
    assert deliver(created).status_code == 200
    late = fake.event("customer.subscription.deleted", dict(canceled))
    assert deliver(late).json()["outcome"].startswith("ignored")
    organization = fresh(org_a)
    assert (organization.plan, organization.billing_status) == ("msp", "active")


def test_past_due_becomes_read_only_after_the_grace_period_with_a_banner(stripe_on, org_a):
    fake = stripe_on
    customer, subscription = subscribe(org_a, fake)
    sites(org_a, 1)
    client = org_a.client()

    # when: a payment fails
    fake.subscription_set(subscription, customer=customer, status="past_due", price="price_team")
    deliver(
        fake.event("invoice.payment_failed", {"object": "invoice", "customer": customer, "subscription": subscription})
    )

    # then: a warning, and writes still work during the grace period
    organization = fresh(org_a)
    assert organization.billing_status == "past_due"
    assert timedelta(days=6, hours=23) < organization.billing_grace_ends - timezone.now() <= timedelta(days=7)
    home = client.get("/o/org-a/")
    assert home.status_code == 200 and home.context["billing_banner"].level == "warning"
    assert api(client, "post", "/dcim/sites/", {"name": "In grace", "slug": "in-grace"}).status_code == 201

    # when: the grace period is over
    Organization.objects.filter(pk=organization.pk).update(billing_grace_ends=timezone.now() - timedelta(seconds=1))

    # then: reads work, every write is refused with a clear message, and every page says so
    listing = api(client, "get", "/dcim/sites/")
    assert listing.status_code == 200 and listing.json()["count"] == 2
    site_id = listing.json()["results"][0]["id"]
    refused = [
        api(client, "post", "/dcim/sites/", {"name": "Late", "slug": "late"}),
        api(client, "patch", f"/dcim/sites/{site_id}/", {"description": "x"}),
        api(client, "delete", f"/dcim/sites/{site_id}/"),
    ]
    assert [r.status_code for r in refused] == [403, 403, 403]
    assert all("payment is overdue" in r.json()["detail"] for r in refused)
    assert site_count(org_a) == 2
    page = client.get("/o/org-a/settings/billing/")
    assert page.status_code == 200
    assert page.content.count(b'class="alert alert-danger billing-banner"') == 1
    assert client.get("/o/org-a/").context["billing_banner"].level == "danger"

    # when: the payment goes through
    fake.subscription_set(subscription, customer=customer, status="active", price="price_team")
    deliver(
        fake.event(
            "invoice.paid",
            {
                "object": "invoice",
                "customer": customer,
                "parent": {"subscription_details": {"subscription": subscription}},
            },
        )
    )

    # then
    assert fresh(org_a).billing_grace_ends is None
    assert api(client, "post", "/dcim/sites/", {"name": "Paid", "slug": "paid"}).status_code == 201


# -- limits ----------------------------------------------------------------------------------------


def test_free_object_limit_refuses_creates_with_a_clear_api_error(stripe_on, org_a):
    client = org_a.client()
    for i in range(2):
        assert api(client, "post", "/dcim/sites/", {"name": f"S{i}", "slug": f"s{i}"}).status_code == 201

    # when: a bulk create would go over the limit of 3
    bulk = api(client, "post", "/dcim/sites/", [{"name": "B1", "slug": "b1"}, {"name": "B2", "slug": "b2"}])

    # then: refused as a whole, nothing half-written
    assert bulk.status_code == 403
    assert bulk.json() == {
        "detail": "The Free plan allows 3 objects and this organization has 3. "
        "Upgrade the plan under Settings → Billing to add more."
    }
    assert site_count(org_a) == 2

    assert api(client, "post", "/dcim/sites/", {"name": "S2", "slug": "s2"}).status_code == 201
    refused = api(client, "post", "/tenancy/tenants/", {"name": "T", "slug": "t"})
    assert refused.status_code == 403 and "allows 3 objects" in refused.json()["detail"]
    # Edits and deletes at the limit are fine.
    site_id = api(client, "get", "/dcim/sites/").json()["results"][0]["id"]
    assert api(client, "patch", f"/dcim/sites/{site_id}/", {"description": "edited"}).status_code == 200


def test_a_bulk_create_counts_objects_once(stripe_on, settings, org_a):
    settings.WIREBOOK_PLANS = {**PLANS, "free": {**PLANS["free"], "max_objects": 100}}
    client = org_a.client()
    payload = [{"name": f"B{i}", "slug": f"b{i}"} for i in range(20)]

    with CaptureQueriesContext(connection) as queries:
        response = api(client, "post", "/dcim/sites/", payload)

    assert response.status_code == 201
    # the plan's object count (a sum over every counted table), not the written rows' own counts
    assert len([q for q in queries.captured_queries if "COALESCE(SUM(n), 0)" in q["sql"]]) == 1


def test_a_downgraded_organization_over_its_limit_is_read_only_not_broken(stripe_on, org_a):
    # given: 5 objects on a Free plan that allows 3 (left over from a paid plan)
    sites(org_a, 5)
    client = org_a.client()
    site_ids = [s["id"] for s in api(client, "get", "/dcim/sites/").json()["results"]]

    # then: reads and pages work, with a banner
    assert api(client, "get", "/dcim/sites/").status_code == 200
    assert api(client, "get", f"/dcim/sites/{site_ids[0]}/").status_code == 200
    home = client.get("/o/org-a/")
    assert home.status_code == 200 and "more than the 3" in home.context["billing_banner"].message
    assert client.get("/o/org-a/settings/billing/").status_code == 200
    # creates and edits are refused with a clear message
    create = api(client, "post", "/dcim/sites/", {"name": "New", "slug": "new"})
    edit = api(client, "patch", f"/dcim/sites/{site_ids[0]}/", {"description": "x"})
    assert [create.status_code, edit.status_code] == [403, 403]
    assert "5 objects, more than the 3 its Free plan allows" in create.json()["detail"]
    # deletes are allowed, to get under the limit
    assert api(client, "delete", f"/dcim/sites/{site_ids[0]}/").status_code == 204
    assert api(client, "delete", "/dcim/sites/", [{"id": site_ids[1]}]).status_code == 204
    assert site_count(org_a) == 3
    # at the limit: editing works again, creating does not
    assert api(client, "patch", f"/dcim/sites/{site_ids[2]}/", {"description": "x"}).status_code == 200
    assert api(client, "post", "/dcim/sites/", {"name": "New", "slug": "new"}).status_code == 403


def test_free_member_limit_counts_invitations_and_refuses_with_a_clear_message(stripe_on, org_a):
    # given: Free allows 2 members; the owner is one
    _, token = invitation_create(
        organization=org_a.organization, email="second@example.com", role=MembershipRole.VIEWER, invited_by=org_a.owner
    )

    # when: a third person is invited (service and page)
    with pytest.raises(BillingRefused, match="allows 2 members"):
        invitation_create(
            organization=org_a.organization,
            email="third@example.com",
            role=MembershipRole.VIEWER,
            invited_by=org_a.owner,
        )
    page = org_a.client().post("/o/org-a/settings/members/invite/", {"email": "third@example.com", "role": "viewer"})

    # then
    assert page.status_code == 400 and b"allows 2 members" in page.content
    assert not organization_has_invitation(org_a, "third@example.com")

    # and: a member added otherwise fills the plan, so the open invitation cannot be accepted
    member(org_a, MembershipRole.VIEWER, "other@example.com")
    invited = get_user_model().objects.create_user("second@example.com", password=PASSWORD)
    EmailAddress.objects.create(user=invited, email="second@example.com", verified=True, primary=True)
    with pytest.raises(ValidationError, match="allows 2 members"):
        invitation_accept(token=token, user=invited)
    assert not Membership.objects.filter(user=invited).exists()


def organization_has_invitation(org, email) -> bool:
    return org.organization.invitations.filter(email=email).exists()


# -- isolation -------------------------------------------------------------------------------------


def test_outsiders_cannot_see_or_use_another_organizations_billing(stripe_on, org_a, org_b):
    fake = stripe_on
    requests_before = len(fake.requests)
    outsider = org_b.client()
    _, org_b_token = token_create(organization=org_b.organization, user=org_b.owner)
    paths = ["/o/org-a/settings/billing/", "/o/org-a/settings/billing/checkout/", "/o/org-a/settings/billing/portal/"]

    # another organization's owner: exactly an unknown organization's 404
    assert outsider.get(paths[0]).status_code == 404
    assert outsider.post(paths[1], {"plan": "team"}).status_code == 404
    assert outsider.post(paths[2]).status_code == 404
    # another organization's token and anonymous callers: sent to log in
    with_token = Client().get(paths[0], HTTP_AUTHORIZATION=f"Bearer {org_b_token}")
    assert with_token.status_code == 302 and with_token["Location"].startswith("/login/")
    assert Client().post(paths[1], {"plan": "team"}).status_code == 302
    # members of A who are not owners: admins look, nobody else; neither buys
    admin = Client()
    admin.force_login(member(org_a, MembershipRole.ADMIN, "admin-a@example.com"))
    editor = Client()
    editor.force_login(member(org_a, MembershipRole.EDITOR, "editor-a@example.com"))
    admin_page = admin.get(paths[0])
    assert admin_page.status_code == 200 and b"Upgrade to" not in admin_page.content
    assert admin.post(paths[1], {"plan": "team"}).status_code == 403
    assert admin.post(paths[2]).status_code == 403
    assert editor.get(paths[0]).status_code == 403

    assert len(fake.requests) == requests_before  # nobody reached Stripe
    assert not BillingAccount.objects.filter(organization=org_a.organization).exists()


def test_a_webhook_acts_only_on_the_organization_of_its_customer(stripe_on, org_a, org_b):
    fake = stripe_on
    customer_a, subscription_a = subscribe(org_a, fake)
    customer_b, _ = subscribe(org_b, fake, plan="msp")

    fake.subscription_set(subscription_a, customer=customer_a, status="canceled", price="price_team")
    deliver(fake.event("customer.subscription.deleted", fake.subscriptions[subscription_a]))
    # An event naming B's customer but A's subscription is not taken for either.
    forged = fake.event("customer.subscription.updated", {**fake.subscriptions[subscription_a], "customer": customer_b})
    assert deliver(forged).json()["outcome"] == "ignored: subscription of another customer"
    # A customer that is no organization's.
    unknown = fake.event("customer.subscription.updated", {"id": "sub_x", "customer": "cus_unknown"})
    assert deliver(unknown).json()["outcome"] == "ignored: unknown customer"

    assert (fresh(org_a).plan, fresh(org_a).billing_status) == ("free", "canceled")
    assert (fresh(org_b).plan, fresh(org_b).billing_status) == ("msp", "active")
    assert not AuditEvent.objects.filter(organization=org_b.organization, data__to="canceled").exists()


# -- failures ----------------------------------------------------------------------------------------


def test_when_stripe_is_unreachable_nothing_changes_and_nobody_sees_an_error_page(stripe_on, settings, org_a):
    fake = stripe_on
    customer, subscription = subscribe(org_a, fake)
    fake.subscription_set(subscription, customer=customer, status="canceled", price="price_team")
    event = fake.event("customer.subscription.deleted", fake.subscriptions[subscription])
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there

    webhook = deliver(event)
    portal = org_a.client().post("/o/org-a/settings/billing/portal/", follow=True)

    # then: Stripe is told to retry, and nothing was recorded
    assert webhook.status_code == 503
    assert not StripeEvent.objects.filter(event_id=event["id"]).exists()
    assert fresh(org_a).plan == "team"
    # the owner is back on the billing page with a message
    assert portal.status_code == 200 and b"Stripe could not be reached" in portal.content

    # and: the redelivery, once Stripe is back, applies the event
    settings.STRIPE_API_BASE = fake.url
    assert deliver(event).status_code == 200
    assert fresh(org_a).plan == "free"


def test_only_both_stripe_keys_turn_billing_on():
    from tests.saas_platform.test_settings import start_django

    half = start_django(STRIPE_SECRET_KEY="sk_test_x", STRIPE_WEBHOOK_SECRET="")
    both = start_django(STRIPE_SECRET_KEY="sk_test_x", STRIPE_WEBHOOK_SECRET="whsec_x")

    assert half.returncode != 0 and "Set both STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET" in half.stderr
    assert both.returncode == 0, both.stderr


def test_the_same_event_delivered_twice_at_once_is_applied_once(stripe_on, committed):
    fake = stripe_on
    organization = committed.organization("billing-race")
    BillingAccount.objects.create(organization=organization, stripe_customer_id="cus_race")
    fake.subscription_set("sub_race", customer="cus_race", status="active", price="price_team")
    event = fake.event("customer.subscription.created", fake.subscriptions["sub_race"])
    fake.delay = 0.3
    outcomes = []
    start = threading.Barrier(2)

    def deliver_concurrently():
        try:
            start.wait()
            outcomes.append(stripe_event_handle(event))
        finally:
            connections.close_all()

    try:
        threads = [threading.Thread(target=deliver_concurrently) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert sorted(outcomes) == ["applied: team active", "duplicate"]
        assert (
            AuditEvent.objects.filter(organization=organization, action=AuditAction.BILLING_PLAN_CHANGED).count() == 1
        )
    finally:
        fake.delay = 0
        StripeEvent.objects.filter(event_id=event["id"]).delete()


# -- platform API ----------------------------------------------------------------------------------


def test_platform_api_reports_plan_limits_and_usage_to_admins_and_owners_only(stripe_on, org_a, org_b):
    sites(org_a, 2)
    path = "/api/platform/organizations/org-a/billing/"
    viewer = Client()
    viewer.force_login(member(org_a, MembershipRole.VIEWER, "viewer-a@example.com"))

    owner = org_a.client().get(path)

    assert owner.status_code == 200, owner.content
    assert owner.json() == {
        "enabled": True,
        "plan": {"value": "free", "label": "Free"},
        "status": {"value": "", "label": "None"},
        "read_only": False,
        "read_only_reason": None,
        "grace_ends": None,
        "current_period_end": None,
        "limits": {"members": 2, "objects": 3},
        "usage": {"members": 2, "invitations": 0, "objects": 2},
    }
    assert viewer.get(path).status_code == 403
    assert org_b.client().get(path).status_code == 404
    assert org_b.client().get(path).json() == org_b.client().get("/api/platform/organizations/nope/billing/").json()
    assert Client().get(path).status_code == 403


def test_two_creates_at_the_last_free_slot_cannot_both_pass(stripe_on, committed):
    """The object limit holds under concurrency: creates of a limited organization take turns."""
    organization = committed.organization("limit-race")
    with tenant_context(organization):
        for n in range(2):
            object_create(model=Site, data={"name": f"S{n}", "slug": f"s{n}"})
    outcome = while_first_holds(
        organization,
        lambda: object_create(model=Site, data={"name": "A", "slug": "a"}),
        lambda: object_create(model=Site, data={"name": "B", "slug": "b"}),
    )

    assert isinstance(outcome.get("error"), BillingRefused), outcome
    assert outcome["error"].code == "object_limit"
    with tenant_context(organization):
        assert sorted(Site.objects.values_list("name", flat=True)) == ["A", "S0", "S1"]
