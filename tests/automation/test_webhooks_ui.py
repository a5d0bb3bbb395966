"""The web UI of webhooks: a webhook's Deliveries tab, and a delivery's Resend tab (admins only)."""

from django.contrib.contenttypes.models import ContentType
from django.test import Client

from automation.models import WebhookDelivery
from inventory.models import Site
from tenants.context import tenant_context
from tests.automation.receiver import Receiver
from tests.automation.test_webhooks import hook


def _delivery(organization, url: str) -> WebhookDelivery:
    with tenant_context(organization):
        webhook = hook(url)
        return WebhookDelivery.objects.create(
            webhook=webhook,
            event="object_created",
            object_type=ContentType.objects.get_for_model(Site),
            object_id=1,
            object_repr="AMS1",
            context={"event": "created", "model": "site", "data": {"id": 1, "name": "AMS1"}},
            status="failed",
            attempts=1,
            response_code=500,
            error="The receiver answered 500 Internal Server Error.",
        )


def test_a_webhooks_deliveries_tab_lists_them(org_a, org_b):
    delivery = _delivery(org_a.organization, "https://hooks.example.com/in")
    url = f"/o/org-a/extras/webhooks/{delivery.webhook_id}/deliveries/"

    page = org_a.client().get(url)

    assert page.status_code == 200
    assert "AMS1" in page.content.decode() and "Failed" in page.content.decode()
    assert org_b.client().get(url).status_code == 404


def test_an_admin_resends_a_delivery_from_its_page(org_a, org_b, eager, django_capture_on_commit_callbacks):
    with Receiver() as receiver:
        delivery = _delivery(org_a.organization, receiver.url)
        url = f"/o/org-a/extras/webhook-deliveries/{delivery.pk}/resend/"
        owner = org_a.client()

        assert "Resend" in owner.get(url).content.decode()
        assert org_b.client().post(url).status_code == 404
        assert Client().post(url).status_code in (302, 404)
        with django_capture_on_commit_callbacks(execute=True):
            page = owner.post(url)

        assert page.status_code == 200
        assert "was queued again" in page.content.decode()
        with tenant_context(org_a.organization):
            again = WebhookDelivery.objects.exclude(pk=delivery.pk).get()
            assert again.status == "succeeded" and again.response_code == 200
        assert len(receiver.received) == 1
        assert b'"name": "AMS1"' in receiver.received[0].body


def test_only_admins_and_owners_see_deliveries(org_a):
    from django.contrib.auth import get_user_model

    from tenants.models import Membership, MembershipRole

    delivery = _delivery(org_a.organization, "https://hooks.example.com/in")
    clients = {}
    for role in (MembershipRole.VIEWER, MembershipRole.EDITOR, MembershipRole.ADMIN):
        user = get_user_model().objects.create_user(f"{role}-deliveries@example.com")
        Membership.objects.create(user=user, organization=org_a.organization, role=role)
        clients[role] = Client(raise_request_exception=False)
        clients[role].force_login(user)
    api = "/o/org-a/api/extras/webhook-deliveries/"

    for role in (MembershipRole.VIEWER, MembershipRole.EDITOR):
        assert clients[role].get(api).json()["count"] == 0, role
        assert clients[role].get(f"{api}{delivery.pk}/").status_code == 404, role
        assert clients[role].get(f"/o/org-a/extras/webhook-deliveries/{delivery.pk}/").status_code == 404, role
    assert clients[MembershipRole.ADMIN].get(api).json()["count"] == 1
    assert clients[MembershipRole.ADMIN].get(f"{api}{delivery.pk}/").json()["context"]["data"]["name"] == "AMS1"


def test_the_delivery_log_keeps_its_retention_in_bounded_batches(org_a, org_b, settings):
    from datetime import timedelta

    from django.utils import timezone

    from automation.webhooks import webhook_deliveries_prune

    settings.WEBHOOK_DELIVERY_RETENTION_DAYS = 30
    old = timezone.now() - timedelta(days=31)
    for organization in (org_a.organization, org_b.organization):
        kept = _delivery(organization, "https://hooks.example.com/in")
        with tenant_context(organization):
            for _ in range(3):
                WebhookDelivery.objects.create(webhook=kept.webhook, event="object_created", context={})
            WebhookDelivery.objects.exclude(pk=kept.pk).update(created=old)

    with tenant_context(org_a.organization):
        assert webhook_deliveries_prune(batch=2) == 2  # bounded per run
        assert webhook_deliveries_prune(batch=2) == 1
        assert webhook_deliveries_prune(batch=2) == 0
        assert WebhookDelivery.objects.count() == 1
    with tenant_context(org_b.organization):
        assert WebhookDelivery.objects.count() == 4  # another organization's log is its own


def test_members_see_their_own_jobs_and_admins_all(org_a, org_b):
    from django.contrib.auth import get_user_model

    from automation.export import organization_export
    from automation.models import Job
    from automation.services import job_function_path
    from tenants.models import Membership, MembershipRole

    editor = get_user_model().objects.create_user("editor-jobs@example.com")
    Membership.objects.create(user=editor, organization=org_a.organization, role=MembershipRole.EDITOR)
    with tenant_context(org_a.organization):
        for user in (editor, org_a.owner):
            Job.objects.create(
                name=f"Job of {user.email}", function=job_function_path(organization_export), user_id=user.pk
            )
    client = Client(raise_request_exception=False)
    client.force_login(editor)
    api = "/o/org-a/api/core/jobs/"

    mine = client.get(api).json()
    every = org_a.client().get(api).json()

    assert [job["name"] for job in mine["results"]] == ["Job of editor-jobs@example.com"]
    assert mine["results"][0]["user"]["username"] == "editor-jobs@example.com"
    assert every["count"] == 2
    assert org_b.client().get(api).status_code == 404
