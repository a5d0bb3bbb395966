"""Query counts per list endpoint, pinned in tests/query_counts.json (as NetBox pins its own).

A count that grows fails. A count that shrinks fails too, so that the file keeps telling the
truth: rewrite it with

    WIREBOOK_UPDATE_QUERY_COUNTS=1 .venv/bin/python -m saas_platform.devstack exec --dir .data/test -- \
        .venv/bin/python -m pytest tests/test_query_counts.py -p no:randomly

Counted: every statement a session request sends inside the test's transaction (its savepoint
included), on an organization with a few sites, regions, tags and custom fields, after one
warm-up request (the organization's row and content types are cached from then on).
"""

import json
import os
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType

from core.models import CustomField, CustomFieldChoiceSet, Tag, TaggedItem
from core.registry import registry
from inventory.models import Region, Site
from tenants.context import connection, tenant_context

COUNTS = Path(__file__).resolve().parent / "query_counts.json"
UPDATE = os.environ.get("WIREBOOK_UPDATE_QUERY_COUNTS") == "1"


def endpoints() -> list[str]:
    return sorted(f"{spec.api_app}/{spec.api_path}" for spec in registry)


@pytest.fixture
def measured(org_a):
    with tenant_context(org_a.organization):
        tier = CustomFieldChoiceSet.objects.create(name="tier", extra_choices=[["gold", "Gold"]])
        for name, kind in (("owner", "text"), ("tier", "select")):
            field = CustomField.objects.create(name=name, type=kind, choice_set=tier if kind == "select" else None)
            field.object_types.set([ContentType.objects.get_for_model(Site)])
        europe = Region.objects.create(name="Europe", slug="europe")
        tags = [Tag.objects.create(name=name, slug=name) for name in ("alpha", "beta")]
        site_type = ContentType.objects.get_for_model(Site)
        for number in range(3):
            region = Region.objects.create(name=f"R{number}", slug=f"r{number}", parent=europe)
            site = Site.objects.create(
                name=f"S{number}", slug=f"s{number}", region=region, custom_field_data={"tier": "gold"}
            )
            for tag in tags:
                TaggedItem.objects.create(tag=tag, content_type=site_type, object_id=site.pk)
    client = org_a.client()
    client.get("/o/org-a/api/dcim/sites/")  # warm-up
    counts = {}
    for endpoint in endpoints():
        for suffix in ("", "?brief=1"):
            path = f"/o/org-a/api/{endpoint}/{suffix}"
            client.get(path)  # each endpoint's first request caches its content types
            statements: list[str] = []
            with connection.observe_statements(lambda kind, sql, log=statements: log.append(sql)):
                response = client.get(path)
            assert response.status_code == 200, (path, response.content[:300])
            counts[f"{endpoint}{' brief' if suffix else ''}"] = len(statements)
    return counts


def test_query_counts_do_not_change(measured):
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
