"""core.bulk: a batch of rows written with one statement, each value as its field stores it."""

import uuid
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType

from core.bulk import insert_rows, update_rows
from core.models import ObjectChange
from inventory.models import Region, Site
from tenants.context import connection, tenant_context


def statements_of(work) -> list[str]:
    """The statements `work` sends, but the schema's selection (sent before the transaction's first)."""
    log: list[str] = []
    with connection.observe_statements(lambda kind, sql: log.append(sql) if kind != "set_config" else None):
        work()
    return log


def test_update_rows_writes_each_row_its_own_values_in_one_statement(org_a):
    with tenant_context(org_a.organization):
        europe = Region.objects.create(name="Europe", slug="europe")
        sites = [
            Site.objects.create(name=f"S{n}", slug=f"s{n}", region=europe, latitude=Decimal("1.5")) for n in range(3)
        ]
        untouched = Site.objects.create(name="Other", slug="other", description="as it was")
        sites[0].description, sites[0].region, sites[0].latitude = 'it\'s "quoted"', None, None
        sites[1].description, sites[1].custom_field_data = "", {"owner": "noc", "racks": [1, 2]}
        sites[2].latitude, sites[2].status = Decimal("-33.123456"), "planned"

        statements = statements_of(
            lambda: update_rows(Site, sites, ["description", "region", "latitude", "custom_field_data", "status"])
        )

        assert [sql.split()[0] for sql in statements] == ["UPDATE"]
        rows = {site.name: site for site in Site.objects.all()}
    assert (rows["S0"].description, rows["S0"].region_id, rows["S0"].latitude) == ('it\'s "quoted"', None, None)
    assert (rows["S1"].description, rows["S1"].region_id) == ("", europe.pk)
    assert rows["S1"].custom_field_data == {"owner": "noc", "racks": [1, 2]}
    assert (rows["S2"].latitude, rows["S2"].status) == (Decimal("-33.123456"), "planned")
    assert rows["Other"].description == "as it was" and rows["Other"].name == untouched.name


def test_update_rows_of_nothing_sends_nothing(org_a):
    with tenant_context(org_a.organization):
        site = Site.objects.create(name="S", slug="s")
        assert statements_of(lambda: update_rows(Site, [], ["name"])) == []
        assert statements_of(lambda: update_rows(Site, [site], [])) == []


def test_insert_rows_fills_creation_times_and_sends_one_statement(org_a):
    request_id = uuid.uuid4()
    with tenant_context(org_a.organization):
        site_type = ContentType.objects.get_for_model(Site)
        changes = [
            ObjectChange(
                request_id=request_id,
                action="create",
                changed_object_type=site_type,
                changed_object_id=n,
                object_repr=f"S{n}",
                postchange_data={"name": f"S{n}", "latitude": Decimal("1.25")},
            )
            for n in range(3)
        ]

        statements = statements_of(lambda: insert_rows(ObjectChange, changes))

        assert [sql.split()[0] for sql in statements] == ["INSERT"]
        stored = list(ObjectChange.objects.filter(request_id=request_id).order_by("changed_object_id"))
    assert [change.object_repr for change in stored] == ["S0", "S1", "S2"]
    assert all(change.time is not None and change.user_name == "" for change in stored)
    assert stored[1].postchange_data == {"name": "S1", "latitude": "1.25"}
