"""Content types are cached per schema (tenants.content_types): each organization reads its own
once per process, never another's, and switching schemas does not empty the cache."""

from django.contrib.contenttypes.models import ContentType
from django.test.utils import CaptureQueriesContext

from inventory.models import Site
from tenants.context import connection, tenant_context


def lookups(organization) -> int:
    with tenant_context(organization), CaptureQueriesContext(connection) as queries:
        ContentType.objects.get_for_model(Site)
    return len(queries)


def test_each_schema_reads_its_content_types_once(org_a, org_b):
    ContentType.objects.clear_cache()

    first_a, first_b = lookups(org_a.organization), lookups(org_b.organization)
    again_a, again_b = lookups(org_a.organization), lookups(org_b.organization)

    assert (first_a, first_b) == (1, 1)  # B does not reuse what A cached
    assert (again_a, again_b) == (0, 0)  # and switching back and forth keeps both


def test_a_content_type_comes_from_its_own_schema(org_a, org_b):
    ContentType.objects.clear_cache()
    try:
        with tenant_context(org_b.organization):
            # B's row for sites gets another id than A's (ids can differ between schemas).
            ContentType.objects.filter(app_label="inventory", model="site").update(id=987654)
            in_b = ContentType.objects.get_for_model(Site).pk
        with tenant_context(org_a.organization):
            in_a = ContentType.objects.get_for_model(Site).pk
        with tenant_context(org_b.organization):
            in_b_again = ContentType.objects.get_for_model(Site).pk
    finally:
        ContentType.objects.clear_cache()  # the id change is rolled back; what was cached of it must go too

    assert in_b == in_b_again == 987654
    assert in_a != 987654
