"""`count_each`: many querysets counted in one query, exactly as each would count itself."""

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.context import actor_for
from core.models import ObjectPermission
from core.querysets import count_each
from inventory.models import Region, Site
from tenants.context import tenant_context
from tests.saas_platform.members import member


def test_restricted_querysets_are_counted_in_one_query_as_each_counts_itself(org_a):
    # given an editor's grants constrained to two sites (restrict() adds an OR'ed WHERE and DISTINCT)
    viewer = member(org_a, "viewer")
    with tenant_context(org_a.organization):
        europe = Region.objects.create(name="Europe", slug="europe")
        for number in range(4):
            Site.objects.create(name=f"S{number}", slug=f"s{number}", region=europe if number < 2 else None)
        permission = ObjectPermission.objects.create(
            name="Two sites",
            actions=["change"],
            constraints=[{"name": "S0"}, {"slug": "s3"}],
            user_ids=[viewer.user_id],
        )
        permission.object_types.set([ContentType.objects.get_for_model(Site)])
        actor = actor_for(viewer.user, viewer)
        querysets = [
            Site.objects.restrict(actor, "change"),
            Site.objects.restrict(actor, "view"),
            Site.objects.filter(region__slug="europe"),
            Region.objects.none(),
            Region.objects.all(),
        ]

        # when they are counted together
        with CaptureQueriesContext(connection) as queries:
            counts = count_each(querysets)

        # then in one query, each as it counts alone
        assert len(queries) == 1
        assert counts == [2, 4, 2, 0, 1]
        assert counts == [queryset.count() for queryset in querysets]


def test_nothing_to_count_asks_nothing(org_a):
    with tenant_context(org_a.organization), CaptureQueriesContext(connection) as queries:
        assert count_each([]) == []
        assert count_each([Site.objects.none()]) == [0]

    assert len(queries) == 0


def test_counts_are_the_organizations_own(org_a, org_b):
    with tenant_context(org_b.organization):
        Site.objects.create(name="B", slug="b")
    with tenant_context(org_a.organization):
        Site.objects.create(name="A1", slug="a1")
        Site.objects.create(name="A2", slug="a2")
        assert count_each([Site.objects.all()]) == [2]
    with tenant_context(org_b.organization):
        assert count_each([Site.objects.all()]) == [1]
