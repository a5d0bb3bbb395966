"""Event rules firing webhooks: events collected during the transaction and sent once it commits, one
per object, to a real local HTTP receiver that checks the signature; retries, SSRF refusals, the
delivery log, auto-disable and resend; isolation between organizations."""

import hashlib
import hmac
import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from automation.models import EventRule, Webhook, WebhookDelivery, WebhookDeliveryStatus
from core.context import Actor, acting_as
from core.models import ObjectChange
from core.services import object_create, object_delete, object_update
from inventory.models import Region, Site
from saas_platform.celery import app as celery_app
from tenants.context import tenant_context
from tests.automation.receiver import Receiver

SECRET = "correct-horse"


def hook(url: str, **extra) -> Webhook:
    data = {"name": extra.pop("name", "Receiver"), "payload_url": url, "secret": SECRET, **extra}
    return object_create(model=Webhook, data=data)


def rule(webhook: Webhook, *, object_types=(Site,), event_types=("object_created",), **extra) -> EventRule:
    created = object_create(
        model=EventRule,
        data={
            "name": extra.pop("name", "Sites"),
            "event_types": list(event_types),
            "action_object_type": ContentType.objects.get_for_model(Webhook),
            "action_object_id": webhook.pk,
            "object_types": [ContentType.objects.get_for_model(model) for model in object_types],
            **extra,
        },
    )
    return created


def site(name: str, **extra) -> Site:
    return object_create(model=Site, data={"name": name, "slug": name.lower(), **extra})


def committing(django_capture_on_commit_callbacks):
    """What the code under the block commits runs its on-commit work (the test's own transaction stays open)."""
    return django_capture_on_commit_callbacks(execute=True)


def test_a_committed_create_is_delivered_signed_with_netbox_payload(
    org_a, eager, receiver, django_capture_on_commit_callbacks
):
    with tenant_context(org_a.organization):
        webhook = hook(receiver.url + "/in")
        rule(webhook)
        actor = Actor(user_id=7, user_name="owner-a@example.com", role="owner")

        with acting_as(actor), committing(django_capture_on_commit_callbacks):
            created = site("AMS1", status="active")

        assert len(receiver.received) == 1
        sent = receiver.received[0]
        assert sent.method == "POST" and sent.path == "/in"
        expected = hmac.new(SECRET.encode(), sent.body, hashlib.sha512).hexdigest()
        assert sent.headers["X-Hook-Signature"] == expected
        assert sent.headers["Content-Type"] == "application/json"
        payload = json.loads(sent.body)
        assert payload["event"] == "created"
        assert payload["model"] == "site" and payload["object_type"] == "dcim.site"
        assert payload["username"] == "owner-a@example.com"
        assert payload["request_id"] == str(actor.request_id)
        assert payload["data"]["id"] == created.pk and payload["data"]["name"] == "AMS1"
        assert payload["data"]["status"] == {"value": "active", "label": "Active"}
        assert payload["data"]["url"].endswith(f"/o/org-a/api/dcim/sites/{created.pk}/")
        assert payload["snapshots"]["prechange"] is None
        assert payload["snapshots"]["postchange"]["name"] == "AMS1"
        delivery = WebhookDelivery.objects.get()
        assert sent.headers["Idempotency-Key"] == str(delivery.idempotency_key)
        assert delivery.status == WebhookDeliveryStatus.SUCCEEDED
        assert (delivery.attempts, delivery.response_code, delivery.response_body) == (1, 200, "answer 1")
        assert delivery.duration_ms is not None


def test_a_rolled_back_write_sends_nothing(org_a, eager, receiver, django_capture_on_commit_callbacks):
    with tenant_context(org_a.organization):
        rule(hook(receiver.url), event_types=("object_created", "object_updated"))

        with committing(django_capture_on_commit_callbacks):
            kept = site("KEPT")
            with pytest.raises(RuntimeError), transaction.atomic():
                site("GONE")
                object_update(instance=kept, data={"description": "rolled back"})
                raise RuntimeError("the request failed")

        names = [json.loads(sent.body)["data"]["name"] for sent in receiver.received]
        assert names == ["KEPT"]
        assert json.loads(receiver.received[0].body)["data"]["description"] == ""
        assert WebhookDelivery.objects.count() == 1


def test_each_object_is_one_event_per_transaction(org_a, eager, receiver, django_capture_on_commit_callbacks):
    with tenant_context(org_a.organization):
        rule(hook(receiver.url), event_types=("object_created", "object_updated", "object_deleted"))
        changed = site("CHANGED")
        dropped = site("DROPPED")

        with committing(django_capture_on_commit_callbacks), transaction.atomic():
            fresh = site("FRESH")
            object_update(instance=fresh, data={"description": "one"})
            object_update(instance=fresh, data={"description": "two"})
            object_update(instance=changed, data={"description": "first"})
            object_update(instance=changed, data={"description": "second"})
            object_update(instance=dropped, data={"description": "about to go"})
            object_delete(instance=dropped)
            ephemeral = site("EPHEMERAL")
            object_delete(instance=ephemeral)

        events = sorted((p["event"], p["data"]["name"]) for p in map(json.loads, (r.body for r in receiver.received)))
        assert events == [("created", "FRESH"), ("deleted", "DROPPED"), ("updated", "CHANGED")]
        by_name = {json.loads(r.body)["data"]["name"]: json.loads(r.body) for r in receiver.received}
        assert by_name["FRESH"]["data"]["description"] == "two"
        assert by_name["CHANGED"]["snapshots"]["prechange"]["description"] == ""
        assert by_name["CHANGED"]["snapshots"]["postchange"]["description"] == "second"
        assert by_name["DROPPED"]["snapshots"]["prechange"]["description"] == ""
        assert by_name["DROPPED"]["snapshots"]["postchange"] is None


def test_conditions_and_event_types_choose_the_events(org_a, eager, receiver, django_capture_on_commit_callbacks):
    with tenant_context(org_a.organization):
        webhook = hook(receiver.url)
        rule(webhook, conditions={"attr": "status.value", "value": "active"})
        rule(webhook, name="Regions deleted", object_types=(Region,), event_types=("object_deleted",))
        rule(webhook, name="Disabled", enabled=False)

        with committing(django_capture_on_commit_callbacks):
            site("ON", status="active")
            site("OFF", status="planned")
            object_create(model=Region, data={"name": "EU", "slug": "eu"})

        assert [json.loads(r.body)["data"]["name"] for r in receiver.received] == ["ON"]


def test_templates_shape_url_headers_and_body(org_a, eager, receiver, django_capture_on_commit_callbacks):
    with tenant_context(org_a.organization):
        webhook = hook(
            receiver.url + "/{{ model }}/{{ data.slug }}",
            http_method="PUT",
            http_content_type="text/plain",
            additional_headers="X-Name: {{ data.name | header_safe }}\nX-Event: {{ event }}",
            body_template="{{ event }} {{ data.name }} by {{ username or 'system' }}",
        )
        rule(webhook)

        with committing(django_capture_on_commit_callbacks):
            site("AMS1", description="x")

        sent = receiver.received[0]
        assert (sent.method, sent.path) == ("PUT", "/site/ams1")
        assert sent.headers["X-Name"] == "AMS1" and sent.headers["X-Event"] == "created"
        assert sent.headers["Content-Type"] == "text/plain"
        assert sent.body == b"created AMS1 by system"
        assert sent.headers["X-Hook-Signature"] == hmac.new(SECRET.encode(), sent.body, hashlib.sha512).hexdigest()


def test_templates_run_in_a_sandbox(org_a, eager, receiver, django_capture_on_commit_callbacks):
    with tenant_context(org_a.organization):
        webhook = hook(receiver.url, body_template="{{ data.__class__.__mro__ }}")
        rule(webhook)

        with committing(django_capture_on_commit_callbacks):
            site("AMS1")

        assert receiver.received == []
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == WebhookDeliveryStatus.FAILED
        assert "templates failed" in delivery.error and "unsafe" in delivery.error


def test_a_failing_receiver_is_retried_until_it_answers(org_a, eager, django_capture_on_commit_callbacks, settings):
    settings.WEBHOOK_RETRIES = 3
    with Receiver(answers=(503, 502, 200)) as flaky, tenant_context(org_a.organization):
        rule(hook(flaky.url))

        with committing(django_capture_on_commit_callbacks):
            site("AMS1")

        assert len(flaky.received) == 3
        keys = {sent.headers["Idempotency-Key"] for sent in flaky.received}
        assert len(keys) == 1  # one delivery, retried
        delivery = WebhookDelivery.objects.get()
        assert (delivery.status, delivery.attempts, delivery.response_code) == ("succeeded", 3, 200)


def test_retries_stop_at_the_limit_and_a_client_error_is_not_retried(
    org_a, eager, django_capture_on_commit_callbacks, settings
):
    settings.WEBHOOK_RETRIES = 2
    with Receiver(answers=(500,)) as down, Receiver(answers=(404,)) as wrong, tenant_context(org_a.organization):
        rule(hook(down.url, name="Down"), name="Down")
        rule(hook(wrong.url, name="Wrong"), name="Wrong")

        with committing(django_capture_on_commit_callbacks):
            site("AMS1")

        assert (len(down.received), len(wrong.received)) == (3, 1)
        deliveries = {d.webhook.name: d for d in WebhookDelivery.objects.select_related("webhook")}
        assert deliveries["Down"].status == "failed" and deliveries["Down"].attempts == 3
        assert deliveries["Wrong"].status == "failed" and deliveries["Wrong"].attempts == 1
        assert "404" in deliveries["Wrong"].error


def test_private_addresses_are_refused_without_retrying(
    org_a, eager, receiver, django_capture_on_commit_callbacks, settings
):
    with tenant_context(org_a.organization):
        rule(hook(receiver.url))
        settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = False

        with committing(django_capture_on_commit_callbacks):
            site("AMS1")

        assert receiver.received == []
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == "failed" and delivery.attempts == 1
        assert "not a public address" in delivery.error


def test_a_webhook_failing_again_and_again_is_disabled_and_admins_told(
    org_a, eager, django_capture_on_commit_callbacks, settings
):
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 2
    with Receiver(answers=(400,)) as broken, tenant_context(org_a.organization):
        webhook = hook(broken.url, name="Broken")
        rule(webhook, event_types=("object_created", "object_updated"))

        for name in ("A1", "A2", "A3"):
            with committing(django_capture_on_commit_callbacks):
                site(name)

        webhook.refresh_from_db()
        assert not webhook.enabled and webhook.consecutive_failures == 2
        assert len(broken.received) == 2  # the third event found the webhook disabled
        assert WebhookDelivery.objects.filter(status="failed").count() == 2
        assert ObjectChange.objects.filter(changed_object_id=webhook.pk, message__startswith="Disabled after").exists()
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == ["owner-a@example.com"]
        assert "Broken" in mail.outbox[0].subject


def test_a_success_resets_the_failure_count(org_a, eager, django_capture_on_commit_callbacks, settings):
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 2
    with Receiver(answers=(400, 200, 400)) as moody, tenant_context(org_a.organization):
        webhook = hook(moody.url)
        rule(webhook)
        for name in ("A1", "A2", "A3"):
            with committing(django_capture_on_commit_callbacks):
                site(name)

        webhook.refresh_from_db()
        assert webhook.enabled and webhook.consecutive_failures == 1


def test_bulk_writes_queue_deliveries_in_constant_queries(org_a, eager, receiver, django_capture_on_commit_callbacks):
    from core.services import ObjectWrite, objects_create

    def create_many(count: int, prefix: str) -> int:
        writes = [
            ObjectWrite(model=Site, data={"name": f"{prefix}{i}", "slug": f"{prefix.lower()}{i}"}) for i in range(count)
        ]
        with committing(django_capture_on_commit_callbacks), CaptureQueriesContext(connection) as queries:
            celery_app.conf.task_always_eager = False  # count the queueing, not the deliveries
            try:
                objects_create(writes)
            finally:
                celery_app.conf.task_always_eager = True
        return len(queries)

    with tenant_context(org_a.organization):
        rule(hook(receiver.url))
        celery_app.control.purge()
        create_many(1, "W")  # what the first write caches (custom field definitions)
        few, many = create_many(3, "F"), create_many(40, "M")
        celery_app.control.purge()

        assert WebhookDelivery.objects.count() == 44
        assert many == few


def test_a_delivery_is_resent_through_the_api_by_an_admin_only(
    org_a, org_b, eager, receiver, django_capture_on_commit_callbacks
):
    with tenant_context(org_a.organization):
        rule(hook(receiver.url))
        with committing(django_capture_on_commit_callbacks):
            site("AMS1")
        first = WebhookDelivery.objects.get()

    url = f"/o/org-a/api/extras/webhook-deliveries/{first.pk}/resend/"
    assert org_b.client().post(url).status_code == 404  # another organization's owner
    from django.test import Client

    assert Client().post(url).status_code in (401, 403, 404)
    with committing(django_capture_on_commit_callbacks):
        response = org_a.client().post(url)
    assert response.status_code == 201, response.content

    with tenant_context(org_a.organization):
        assert WebhookDelivery.objects.count() == 2
        again = WebhookDelivery.objects.exclude(pk=first.pk).get()
        assert again.status == "succeeded" and again.idempotency_key != first.idempotency_key
    assert len(receiver.received) == 2
    assert receiver.received[0].body == receiver.received[1].body


def test_another_organizations_rules_never_see_the_events(
    org_a, org_b, eager, receiver, django_capture_on_commit_callbacks
):
    with tenant_context(org_b.organization):
        rule(hook(receiver.url))
    with tenant_context(org_a.organization), committing(django_capture_on_commit_callbacks):
        site("AMS1")

    assert receiver.received == []
    with tenant_context(org_a.organization):
        assert not WebhookDelivery.objects.exists()
    response = org_b.client().get("/o/org-a/api/extras/webhooks/")
    assert response.status_code == 404


API = "/o/org-a/api/extras"


def _post(client, path, payload):
    return client.post(f"{API}/{path}/", json.dumps(payload), content_type="application/json")


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"conditions": {"attr": "name", "value": "(a)\\1", "op": "regex"}}, "conditions", "Invalid regular"),
        ({"conditions": {"attr": "name", "value": 1, "op": "like"}}, "conditions", 'Unknown operator "like"'),
        ({"action_type": "script"}, "action_object_type", "A script action's object must be a script"),
        ({"event_types": []}, "event_types", "At least one event type"),
        ({"event_types": ["object_moved"]}, "event_types", "object_moved"),
        ({"action_object_id": 999999}, "action_object_id", "No webhook with this id"),
        ({"action_object_type": "dcim.site"}, "action_object_type", "Invalid content type"),
        ({"object_types": ["dcim.nothing"]}, "object_types", "Invalid content type"),
    ],
)
def test_an_invalid_event_rule_is_refused_with_netbox_errors(org_a, change, field, message):
    client = org_a.client()
    webhook = _post(client, "webhooks", {"name": "Receiver", "payload_url": "https://hooks.example.com/"}).json()
    payload = {
        "name": "Rule",
        "object_types": ["dcim.site"],
        "event_types": ["object_created"],
        "action_type": "webhook",
        "action_object_type": "extras.webhook",
        "action_object_id": webhook["id"],
        **change,
    }

    response = _post(client, "event-rules", payload)

    assert response.status_code == 400, response.content
    assert message in " ".join(map(str, response.json()[field]))
    with tenant_context(org_a.organization):
        assert not EventRule.objects.exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"payload_url": "ftp://hooks.example.com/"}, "payload_url", "must start with http:// or https://"),
        ({"body_template": "{% if %}"}, "body_template", "Invalid Jinja2 template"),
        ({"additional_headers": "X-A: {{ data.name "}, "additional_headers", "Invalid Jinja2 template"),
        ({"http_method": "TRACE"}, "http_method", "TRACE"),
        ({"timeout": 0}, "timeout", "greater than or equal to 1"),
        ({"ca_file_path": "/etc/passwd"}, "ca_file_path", "no CA files"),
    ],
)
def test_an_invalid_webhook_is_refused_with_netbox_errors(org_a, change, field, message):
    response = _post(org_a.client(), "webhooks", {"name": "Hook", "payload_url": "https://h.example.com/", **change})

    assert response.status_code == 400, response.content
    assert message in " ".join(map(str, response.json()[field]))


def test_a_delivery_task_refuses_to_run_in_another_organization(org_a, org_b, eager):
    from automation.tasks import WrongOrganization, webhook_deliver

    with tenant_context(org_a.organization), pytest.raises(WrongOrganization):
        webhook_deliver.apply((org_b.organization.pk, 1), throw=True).get()
