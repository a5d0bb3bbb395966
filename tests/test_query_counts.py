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
membership and the content types are cached from then on).
"""

import json
import os
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from core.customfields import supports_custom_fields
from core.models import CustomField, CustomFieldChoiceSet, Tag, TaggedItem
from core.models.base import BaseModel
from core.registry import registry
from tenants.context import connection, tenant_context
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


@pytest.fixture
def measured(org_a):
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
