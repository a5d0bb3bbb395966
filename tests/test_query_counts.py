"""Query counts per REST endpoint, pinned in tests/query_counts.json (as NetBox pins its own).

Every registered model's list and detail, full and brief, is requested with three objects of its
own (its API case's `create_data`, written through the API, or `make_object`), each tagged twice,
with two custom fields (text and select) defined on every model that takes them.

A count that grows fails. A count that shrinks fails too, so that the file keeps telling the
truth: rewrite it with

    WIREBOOK_UPDATE_QUERY_COUNTS=1 .venv/bin/python -m saas_platform.devstack exec --dir .data/test -- \\
        .venv/bin/python -m pytest tests/test_query_counts.py -p no:randomly

Counted: every statement a session request sends inside the test's transaction (its savepoint
included), after one warm-up request of the same path (the organization, session, user and
membership and the content types are cached from then on). The organization, user and membership
stay cached for the whole measurement (`lasting_platform_rows`): they expire `tenants.authcache.TTL`
seconds after they were cached, and a measurement lasting longer (a loaded machine) would count
their three statements once, for whichever endpoint it was measuring then.
"""

import json
import os
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction

from core.customfields import supports_custom_fields
from core.models import CustomField, CustomFieldChoiceSet, Tag, TaggedItem
from core.models.base import BaseModel
from core.registry import registry
from tenants import authcache
from tenants.context import connection, public_context, tenant_context
from tests.api_cases import APICase, all_api_cases, call, resolve

COUNTS = Path(__file__).resolve().parent / "query_counts.json"
UPDATE = os.environ.get("WIREBOOK_UPDATE_QUERY_COUNTS") == "1"


def endpoint(case: type[APICase]) -> str:
    spec = case.spec()
    return f"{spec.api_app}/{spec.api_path}"


def make_objects(case: type[APICase], org, client, tags: list[Tag]) -> list[int]:
    """The case's three objects in the organization, each with both tags; their ids."""
    spec = case.spec()
    if spec.access.read_only:
        assert case.make_object is not None
        with tenant_context(org.organization):
            for index in range(3):
                case.make_object(index)
            pks = list(spec.model._base_manager.order_by("-pk").values_list("pk", flat=True)[:3])
    else:
        named = {}
        if case.setup_objects is not None:
            with tenant_context(org.organization):
                named = case.setup_objects() or {}
        pks = []
        for payload in case.create_data[:3]:
            response = call(client, "post", f"/o/org-a/api/{endpoint(case)}/", resolve(payload, named))
            assert response.status_code == 201, (endpoint(case), response.content[:300])
            pks.append(response.json()["id"])
    if issubclass(spec.model, BaseModel):
        with tenant_context(org.organization):
            content_type = ContentType.objects.get_for_model(spec.model)
            TaggedItem.objects.bulk_create(
                TaggedItem(tag=tag, content_type=content_type, object_id=pk) for pk in pks for tag in tags
            )
    return pks


def statements(client, path: str) -> int:
    client.get(path)  # each path's first request caches its content types
    log: list[str] = []
    with connection.observe_statements(lambda kind, sql: log.append(sql)):
        response = client.get(path)
    assert response.status_code == 200, (path, response.content[:300])
    return len(log)


def platform_keys(org) -> list[str]:
    """The cache keys of the platform rows a session request of the organization's owner reads."""
    owner, organization = org.owner, org.organization
    return [
        authcache.organization_key(organization.slug),
        authcache.user_key(owner.pk),
        authcache.membership_key(owner.pk, organization.pk),
    ]


@pytest.fixture
def lasting_platform_rows(org_a, monkeypatch):
    """The platform rows the requests read are cached without expiry from the next request on (the
    session's teardown, conftest's `_forget_cached_organizations`, deletes them)."""
    monkeypatch.setattr(authcache, "TTL", None)
    with public_context():
        cache.delete_many(platform_keys(org_a))


def seconds_to_live(key: str) -> int:
    """Redis's TTL of a cache entry: -1 without expiry, -2 when absent."""
    with public_context():
        made = cache.make_and_validate_key(key)
        return cache._cache.get_client(made).ttl(made)  # Django's RedisCache client


def test_the_rows_every_request_reads_do_not_expire_while_counts_are_measured(org_a, lasting_platform_rows):
    assert org_a.client().get("/o/org-a/api/dcim/sites/").status_code == 200

    assert [seconds_to_live(key) for key in platform_keys(org_a)] == [-1, -1, -1]


@pytest.fixture
def measured(org_a, lasting_platform_rows):
    with tenant_context(org_a.organization):
        tier = CustomFieldChoiceSet.objects.create(name="tier", extra_choices=[["gold", "Gold"]])
        custom_types = [
            ContentType.objects.get_for_model(spec.model) for spec in registry if supports_custom_fields(spec.model)
        ]
        for name, kind in (("owner", "text"), ("tier", "select")):
            field = CustomField.objects.create(name=name, type=kind, choice_set=tier if kind == "select" else None)
            field.object_types.set(custom_types)
        tags = [Tag.objects.create(name=name, slug=name) for name in ("alpha", "beta")]
    client = org_a.client()
    client.get("/o/org-a/api/dcim/sites/")  # warm-up: the organization and the session's rows
    counts = {}
    for case in sorted(all_api_cases(), key=endpoint):
        name = endpoint(case)
        with transaction.atomic():  # rolled back: each endpoint is measured with its own objects alone
            pk = make_objects(case, org_a, client, tags)[0]
            for suffix, label in (("", ""), ("?brief=1", " brief")):
                counts[f"{name}{label}"] = statements(client, f"/o/org-a/api/{name}/{suffix}")
                counts[f"{name}/<id>{label}"] = statements(client, f"/o/org-a/api/{name}/{pk}/{suffix}")
            transaction.set_rollback(True)
    return counts


def test_query_counts_do_not_change(measured):
    lists = {name for name in measured if "/<id>" not in name and " brief" not in name}
    assert lists == {f"{spec.api_app}/{spec.api_path}" for spec in registry}, "every endpoint is measured"
    if UPDATE:
        COUNTS.write_text(json.dumps(measured, indent=2, sort_keys=True) + "\n")
    pinned = json.loads(COUNTS.read_text())

    grown = {name: (pinned.get(name), count) for name, count in measured.items() if count > pinned.get(name, 0)}
    shrunk = {
        name: (pinned[name], count) for name, count in measured.items() if name in pinned and count < pinned[name]
    }
    gone = sorted(set(pinned) - set(measured))

    assert grown == {}, f"query counts grew (pinned, now): {grown}"
    assert shrunk == {} and gone == [], (
        f"query counts shrank {shrunk} or endpoints went {gone}: rewrite tests/query_counts.json "
        "(WIREBOOK_UPDATE_QUERY_COUNTS=1, see this module's doc)"
    )
