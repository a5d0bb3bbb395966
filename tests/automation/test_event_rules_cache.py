"""Event rules are cached per schema in each process: a write with no rules, or unchanged rules, reads
none, and every change of a rule or a webhook -- made by any process -- applies from the next write on
(automation.events).

"Another process" is this one with a cache of its own: the module's cache swapped for an empty one while
it works, as a second web worker has. What they share is what separate processes share: the database and
Redis (the schema's generation)."""

import json
import uuid
from contextlib import contextmanager

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client

from automation import events
from automation.models import EventRule, Webhook, WebhookDelivery
from inventory.models import Site
from tenants.context import connection, tenant_context
from tenants.tokens import token_create

SECRET = "correct-horse"


@pytest.fixture
def organization(committed, eager):
    """Requests commit for real here, as in production: the cache is only filled by committed reads."""
    owner = committed.user()
    org = committed.organization(f"rulecache-{uuid.uuid4().hex[:8]}", owner=owner)
    _, token = token_create(organization=org, user=owner)
    return org, Client(HTTP_AUTHORIZATION=f"Bearer {token}")


@contextmanager
def another_process():
    """What runs inside uses (and fills) a rule cache of its own, as another worker process does."""
    mine = events._rules
    events._rules = {}
    try:
        yield
    finally:
        events._rules = mine


def api(org, path: str) -> str:
    return f"/o/{org.slug}/api/{path}"


def send(client: Client, method: str, path: str, payload=None):
    return getattr(client, method)(path, json.dumps(payload), content_type="application/json")


def create_site(org, client: Client, name: str) -> tuple[int, list[str]]:
    """Create a site through the API: (its id, the statements the request sent)."""
    statements: list[str] = []
    with connection.observe_statements(lambda kind, sql: statements.append(sql)):
        response = send(client, "post", api(org, "dcim/sites/"), {"name": name, "slug": name.lower()})
    assert response.status_code == 201, response.content
    return response.json()["id"], statements


def rule_reads(statements: list[str]) -> int:
    return sum('FROM "automation_eventrule"' in sql or 'FROM "automation_webhook"' in sql for sql in statements)


def add_rule(org, client: Client, url: str) -> tuple[int, int]:
    webhook = send(client, "post", api(org, "extras/webhooks/"), {"name": "hook", "payload_url": url, "secret": SECRET})
    assert webhook.status_code == 201, webhook.content
    rule = send(
        client,
        "post",
        api(org, "extras/event-rules/"),
        {
            "name": "sites",
            "object_types": ["dcim.site"],
            "event_types": ["object_created"],
            "action_type": "webhook",
            "action_object_type": "extras.webhook",
            "action_object_id": webhook.json()["id"],
        },
    )
    assert rule.status_code == 201, rule.content
    return webhook.json()["id"], rule.json()["id"]


def delivered(org, site_id: int) -> int:
    with tenant_context(org):
        return WebhookDelivery.objects.filter(
            object_type=ContentType.objects.get_for_model(Site), object_id=site_id
        ).count()


def test_writes_read_no_rules_once_they_are_cached(organization, receiver):
    org, client = organization
    create_site(org, client, "Cold")  # fills the cache: "no rules"

    _, statements = create_site(org, client, "Warm")
    assert rule_reads(statements) == 0

    add_rule(org, client, receiver.url)
    site, _ = create_site(org, client, "Watched")  # the new rule is read once...
    assert delivered(org, site) == 1
    site, statements = create_site(org, client, "Again")  # ...and then served from the cache
    assert rule_reads(statements) == 0
    assert delivered(org, site) == 1
    assert len(receiver.received) == 2


def test_a_rule_created_in_another_process_applies_to_the_next_write_here(organization, receiver):
    # given this process's cache holding "no rules"
    org, client = organization
    create_site(org, client, "Before")

    # when another process creates a webhook and a rule
    with another_process():
        add_rule(org, client, receiver.url)

    # then this process's next write is delivered
    site, _ = create_site(org, client, "After")
    assert delivered(org, site) == 1
    assert [json.loads(sent.body)["data"]["name"] for sent in receiver.received] == ["After"]


@pytest.mark.parametrize(
    "change",
    [
        lambda org, client, webhook, rule: send(
            client, "patch", api(org, f"extras/event-rules/{rule}/"), {"enabled": False}
        ),
        lambda org, client, webhook, rule: send(
            client, "patch", api(org, f"extras/webhooks/{webhook}/"), {"enabled": False}
        ),
        lambda org, client, webhook, rule: client.delete(api(org, f"extras/event-rules/{rule}/")),
        lambda org, client, webhook, rule: client.delete(api(org, f"extras/webhooks/{webhook}/")),
        lambda org, client, webhook, rule: send(
            client, "patch", api(org, f"extras/event-rules/{rule}/"), {"object_types": ["dcim.region"]}
        ),
    ],
    ids=["rule disabled", "webhook disabled", "rule deleted", "webhook deleted", "object types changed"],
)
def test_a_rule_stopped_in_another_process_stops_here_at_the_next_write(organization, receiver, change):
    org, client = organization
    webhook, rule = add_rule(org, client, receiver.url)
    site, _ = create_site(org, client, "Watched")  # this process caches the rule
    assert delivered(org, site) == 1

    with another_process():
        response = change(org, client, webhook, rule)
        assert response.status_code in (200, 204), response.content

    site, _ = create_site(org, client, "Unwatched")
    assert delivered(org, site) == 0
    assert len(receiver.received) == 1


def test_rules_changed_in_a_transaction_that_rolls_back_are_never_cached(organization, receiver):
    org, client = organization
    create_site(org, client, "Cold")  # the cache holds "no rules"

    with tenant_context(org), pytest.raises(RuntimeError), transaction.atomic():
        events.event_rules_changed()  # as a rule's write service does
        webhook = Webhook.objects.create(name="ghost", payload_url=receiver.url, secret=SECRET)
        rule = EventRule.objects.create(
            name="ghost",
            event_types=["object_created"],
            action_object_type=ContentType.objects.get_for_model(Webhook),
            action_object_id=webhook.pk,
        )
        rule.object_types.add(ContentType.objects.get_for_model(Site))
        assert [cached.pk for cached in events.event_rules()] == [rule.pk]  # the transaction reads its own...
        raise RuntimeError("rolled back")

    with tenant_context(org):
        assert events.event_rules() == ()  # ...and nobody keeps it
    site, _ = create_site(org, client, "After")
    assert delivered(org, site) == 0
    assert receiver.received == []


def test_one_organizations_cached_rules_never_see_anothers_writes(organization, committed, receiver):
    org, client = organization
    add_rule(org, client, receiver.url)
    create_site(org, client, "Mine")  # org's rules cached
    owner = committed.user()
    other = committed.organization(f"rulecache-{uuid.uuid4().hex[:8]}", owner=owner)
    _, token = token_create(organization=other, user=owner)
    outsider = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    site, _ = create_site(other, outsider, "Theirs")

    assert delivered(other, site) == 0
    assert [json.loads(sent.body)["data"]["name"] for sent in receiver.received] == ["Mine"]
    assert outsider.get(api(org, "extras/event-rules/")).status_code == 404
    assert Client().post(api(org, "extras/event-rules/"), "{}", content_type="application/json").status_code in (
        401,
        403,
        404,
    )
