"""Custom field definitions are cached per schema across requests, and every change of a definition
or a choice set reaches the very next request (core.customfields, issue #11)."""

import json
import uuid

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client

from core.customfields import definitions_changed, definitions_for
from core.models import CustomField
from inventory.models import Site
from tenants.context import connection, tenant_context
from tenants.tokens import token_create


@pytest.fixture
def organization(committed):
    """Requests commit for real here, as in production: the cache is only filled by committed reads."""
    owner = committed.user()
    org = committed.organization(f"cfcache-{uuid.uuid4().hex[:8]}", owner=owner)
    _, token = token_create(organization=org, user=owner)
    return org, Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def api(org, path: str) -> str:
    return f"/o/{org.slug}/api/{path}"


def send(client: Client, method: str, path: str, payload=None):
    return getattr(client, method)(path, json.dumps(payload), content_type="application/json")


def definition_reads(client: Client, path: str) -> int:
    """How many statements of one GET read custom field definitions."""
    statements: list[str] = []
    with connection.observe_statements(lambda kind, sql: statements.append(sql)):
        response = client.get(path)
    assert response.status_code == 200, response.content
    return sum('FROM "core_customfield"' in sql for sql in statements)


def define_tier(org, client: Client) -> int:
    response = send(
        client,
        "post",
        api(org, "extras/custom-field-choice-sets/"),
        {"name": "tiers", "extra_choices": [["gold", "Gold"]]},
    )
    assert response.status_code == 201, response.content
    choice_set = response.json()["id"]
    response = send(
        client,
        "post",
        api(org, "extras/custom-fields/"),
        {"name": "tier", "type": "select", "object_types": ["dcim.site"], "choice_set": choice_set},
    )
    assert response.status_code == 201, response.content
    return choice_set


def test_a_request_reads_the_definitions_once_per_process_not_once_per_request(organization):
    org, client = organization
    define_tier(org, client)
    assert send(client, "post", api(org, "dcim/sites/"), {"name": "A", "slug": "a"}).status_code == 201

    assert definition_reads(client, api(org, "dcim/sites/")) <= 1  # cold, or filled by the write

    assert definition_reads(client, api(org, "dcim/sites/")) == 0


def test_a_new_definition_reaches_the_next_request(organization):
    # given a list served from the cache
    org, client = organization
    assert send(client, "post", api(org, "dcim/sites/"), {"name": "A", "slug": "a"}).status_code == 201
    assert client.get(api(org, "dcim/sites/")).json()["results"][0]["custom_fields"] == {}

    # when a custom field is defined
    define_tier(org, client)

    # then the next request shows it and checks values against it
    assert client.get(api(org, "dcim/sites/")).json()["results"][0]["custom_fields"] == {"tier": None}
    refused = send(client, "post", api(org, "dcim/sites/"), {"name": "B", "slug": "b", "custom_fields": {"tier": "x"}})
    assert refused.status_code == 400
    assert "custom_fields" in refused.json()


def test_a_choice_label_changed_reaches_the_next_request(organization):
    org, client = organization
    choice_set = define_tier(org, client)
    site = {"name": "A", "slug": "a", "custom_fields": {"tier": "gold"}}
    assert send(client, "post", api(org, "dcim/sites/"), site).status_code == 201
    listed = client.get(api(org, "dcim/sites/")).json()["results"][0]["custom_fields"]
    assert listed == {"tier": {"value": "gold", "label": "Gold"}}

    changed = {"extra_choices": [["gold", "Gold tier"]]}
    assert send(client, "patch", api(org, f"extras/custom-field-choice-sets/{choice_set}/"), changed).status_code == 200

    listed = client.get(api(org, "dcim/sites/")).json()["results"][0]["custom_fields"]
    assert listed == {"tier": {"value": "gold", "label": "Gold tier"}}


def test_a_deleted_definition_is_gone_from_the_next_request(organization):
    org, client = organization
    define_tier(org, client)
    assert send(client, "post", api(org, "dcim/sites/"), {"name": "A", "slug": "a"}).status_code == 201
    assert client.get(api(org, "dcim/sites/")).json()["results"][0]["custom_fields"] == {"tier": None}
    with tenant_context(org):
        field = CustomField.objects.get(name="tier").pk

    assert client.delete(api(org, f"extras/custom-fields/{field}/")).status_code == 204

    assert client.get(api(org, "dcim/sites/")).json()["results"][0]["custom_fields"] == {}


def test_definitions_changed_in_a_transaction_that_rolls_back_are_never_cached(organization):
    org, client = organization
    assert send(client, "post", api(org, "dcim/sites/"), {"name": "A", "slug": "a"}).status_code == 201
    client.get(api(org, "dcim/sites/"))  # the cache holds "no definitions"

    with tenant_context(org), pytest.raises(RuntimeError), transaction.atomic():
        definitions_changed()  # as a definition's write service does
        CustomField.objects.create(name="ghost", type="text").object_types.add(ContentType.objects.get_for_model(Site))
        assert "ghost" in definitions_for(Site)  # the transaction reads its own change...
        raise RuntimeError("rolled back")

    with tenant_context(org):
        assert "ghost" not in definitions_for(Site)  # ...and nobody keeps it
    assert client.get(api(org, "dcim/sites/")).json()["results"][0]["custom_fields"] == {}


def test_one_organizations_definitions_never_reach_another(organization, committed):
    org, client = organization
    define_tier(org, client)
    owner = committed.user()
    other = committed.organization(f"cfcache-{uuid.uuid4().hex[:8]}", owner=owner)
    _, token = token_create(organization=other, user=owner)
    outsider = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert send(outsider, "post", api(other, "dcim/sites/"), {"name": "A", "slug": "a"}).status_code == 201
    client.get(api(org, "dcim/sites/"))  # org's definitions cached

    assert outsider.get(api(other, "dcim/sites/")).json()["results"][0]["custom_fields"] == {}
    assert outsider.get(api(org, "dcim/sites/")).status_code == 404
    anonymous = Client().get(api(org, "extras/custom-fields/"))
    assert anonymous.status_code in (401, 403, 404)
