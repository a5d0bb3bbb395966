"""A list's counts (a site's device_count, virtualmachine_count...) are taken for the rows of the page in one
statement, grouped by the counted objects' foreign key: exact per row, the same statements however many rows,
ordering by a count still ordering the whole list, and a single object counting within its own statement."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from inventory.models import (
    Cluster,
    ClusterType,
    Device,
    DeviceRole,
    DeviceType,
    Manufacturer,
    Rack,
    Site,
    VirtualMachine,
)
from tenants.context import tenant_context

API = "/o/org-a/api"


@pytest.fixture
def api(org_a):
    return org_a.client()


def _world(organization, sites: int) -> list[Site]:
    """`sites` sites; the first holds 12 virtual machines, 3 racks and 2 devices (in the first rack), the second
    1 virtual machine."""
    with tenant_context(organization):
        made = [Site.objects.create(name=f"S{number:03}", slug=f"s{number:03}") for number in range(sites)]
        cluster = Cluster.objects.create(
            name="c1", type=ClusterType.objects.create(name="VMware", slug="vmware"), scope_object=made[0]
        )
        VirtualMachine.objects.bulk_create(
            VirtualMachine(name=f"vm{number}", cluster=cluster, site=made[0]) for number in range(12)
        )
        VirtualMachine.objects.create(name="lone", site=made[1])
        racks = [Rack.objects.create(name=f"R{number}", site=made[0]) for number in range(3)]
        kind = DeviceType.objects.create(
            manufacturer=Manufacturer.objects.create(name="Dell", slug="dell"), model="R740", slug="r740"
        )
        role = DeviceRole.objects.create(name="Host", slug="host")
        for number in range(2):
            Device.objects.create(name=f"d{number}", device_type=kind, role=role, site=made[0], rack=racks[0])
        return made


def _listed(api, query: str = "") -> tuple[dict, int]:
    with CaptureQueriesContext(connection) as statements:
        response = api.get(f"{API}/dcim/sites/?limit=100{query}")
    assert response.status_code == 200, response.content
    return {row["slug"]: row for row in response.json()["results"]}, len(statements)


def test_a_lists_counts_are_exact_per_row_and_cost_one_statement(api, org_a):
    _world(org_a.organization, 3)
    _listed(api)  # the session's first request loads what later ones find cached
    rows, few = _listed(api)
    assert (rows["s000"]["virtualmachine_count"], rows["s000"]["rack_count"], rows["s000"]["device_count"]) == (
        12,
        3,
        2,
    )
    assert (rows["s001"]["virtualmachine_count"], rows["s001"]["rack_count"], rows["s001"]["device_count"]) == (
        1,
        0,
        0,
    )
    assert rows["s002"]["virtualmachine_count"] == 0
    with tenant_context(org_a.organization):
        for number in range(3, 40):
            Site.objects.create(name=f"S{number:03}", slug=f"s{number:03}")
    rows, many = _listed(api)
    assert len(rows) == 40
    assert many == few  # the counts of 40 sites in as many statements as those of 3
    counting = [
        query["sql"] for query in _captured(api, "/dcim/sites/?limit=100") if "inventory_virtualmachine" in query["sql"]
    ]
    # One grouped statement of its own, not a subquery per row in the list's statement.
    assert len(counting) == 1 and '"inventory_site"' not in counting[0]


def _captured(api, path: str) -> list[dict]:
    with CaptureQueriesContext(connection) as statements:
        assert api.get(f"{API}{path}").status_code == 200
    return list(statements.captured_queries)


def test_ordering_by_a_count_orders_the_whole_list(api, org_a):
    _world(org_a.organization, 5)
    response = api.get(f"{API}/dcim/sites/?ordering=-virtualmachine_count&limit=2")
    assert response.status_code == 200, response.content
    page = response.json()["results"]
    assert [(row["slug"], row["virtualmachine_count"]) for row in page] == [("s000", 12), ("s001", 1)]
    response = api.get(f"{API}/dcim/sites/?ordering=virtualmachine_count&limit=1&offset=4")
    assert response.json()["results"][0]["slug"] == "s000"


def test_one_object_counts_within_its_own_statement(api, org_a):
    made = _world(org_a.organization, 2)
    statements = _captured(api, f"/dcim/sites/{made[0].pk}/")
    response = api.get(f"{API}/dcim/sites/{made[0].pk}/")
    assert (response.json()["virtualmachine_count"], response.json()["rack_count"]) == (12, 3)
    counting = [query["sql"] for query in statements if "inventory_virtualmachine" in query["sql"]]
    assert len(counting) == 1 and '"inventory_site"' in counting[0]  # a subquery of the statement reading the site


def test_the_brief_list_and_the_web_page_show_the_counts(api, org_a):
    _world(org_a.organization, 2)
    response = api.get(f"{API}/dcim/racks/?brief=1")
    assert response.status_code == 200
    assert {row["name"]: row["device_count"] for row in response.json()["results"]} == {
        "R0": 2,
        "R1": 0,
        "R2": 0,
    }
    page = api.get("/o/org-a/dcim/sites/?per_page=100")
    assert page.status_code == 200
    assert page.context["page_obj"].object_list[0].virtualmachine_count == 12


@pytest.mark.parametrize("outsider", ["other_organization", "anonymous"])
def test_an_outsider_sees_no_counts(org_a, org_b, outsider):
    _world(org_a.organization, 2)
    client = org_b.client() if outsider == "other_organization" else Client()
    response = client.get(f"{API}/dcim/sites/")
    assert response.status_code in (401, 403, 404)
    assert b"virtualmachine_count" not in response.content


def test_rows_read_in_chunks_are_counted_chunk_by_chunk(org_a, monkeypatch):
    """An organization's export reads every row with `iterator()`: counted per chunk, never in one statement
    naming every id (PostgreSQL takes at most 65,535 parameters)."""
    from core import representation
    from core.registry import registry

    _world(org_a.organization, 5)
    with tenant_context(org_a.organization):
        rows = representation.optimize(Site.objects.all(), registry.get(Site), brief=False).order_by("name")
        with CaptureQueriesContext(connection) as chunked:
            counted = [(site.slug, site.virtualmachine_count) for site in rows.iterator(chunk_size=2)]
        monkeypatch.setattr(representation, "PAGE_COUNTS_BATCH", 2)
        with CaptureQueriesContext(connection) as batched:
            listed = [(site.slug, site.virtualmachine_count, site.rack_count) for site in rows.all()]
    assert counted == [("s000", 12), ("s001", 1), ("s002", 0), ("s003", 0), ("s004", 0)]
    assert listed[:2] == [("s000", 12, 3), ("s001", 1, 0)] and len(listed) == 5
    for statements in (chunked, batched):
        grouped = [query for query in statements.captured_queries if "inventory_virtualmachine" in query["sql"]]
        assert len(grouped) == 3  # 5 rows, 2 at a time
