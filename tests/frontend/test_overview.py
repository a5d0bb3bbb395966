"""The organization's overview `/o/<slug>/`: per object type, what the member may see, all counted
in one query however many types are registered."""

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.text import capfirst

from core.context import actor_for
from core.models import ObjectPermission, SavedFilter
from core.registry import registry
from inventory.models import Site
from tenants.context import tenant_context
from tests.saas_platform.members import client_of, member

HOME = "/o/org-a/"
# Every statement of a warm overview request (the user, session and membership are cached,
# tenants.authcache): the request's savepoint and its release (tests run in a transaction), the
# member's saved dashboard (frontend.dashboard), its counts (one, whatever the number of types and
# counts widgets), recent changes, bookmarks (none: no query per type) and recent jobs, the
# organization switcher's list, and the top bar's notification bell (one: the newest unread with
# their total; the member's email preference is cached).
OVERVIEW_QUERIES = 9


def overview_counts(client) -> dict[str, int]:
    response = client.get(HOME)
    assert response.status_code == 200
    return {
        item["label"]: item["count"]
        for widget in response.context["widgets"]
        if widget["type"] == "counts"
        for item in widget["data"]
    }


def test_each_count_is_what_the_member_may_see(org_a):
    # given a viewer with an object permission constrained to one site, a private saved filter of
    # the owner's (hidden from other members) and a shared one
    viewer = member(org_a, "viewer")
    with tenant_context(org_a.organization):
        for number in range(3):
            Site.objects.create(name=f"S{number}", slug=f"s{number}")
        SavedFilter.objects.create(name="Mine", slug="mine", user_id=org_a.owner.pk, shared=False, parameters={})
        SavedFilter.objects.create(name="Ours", slug="ours", user_id=org_a.owner.pk, shared=True, parameters={})
        permission = ObjectPermission.objects.create(
            name="S0 only", actions=["view", "change"], constraints={"name": "S0"}, user_ids=[viewer.user_id]
        )
        permission.object_types.set([ContentType.objects.get_for_model(Site)])

    # when each of them opens the overview
    owner_counts = overview_counts(org_a.client())
    viewer_counts = overview_counts(client_of(viewer.user))

    # then each sees the counts their own restricted querysets give
    assert owner_counts["Saved filters"] == 2
    assert viewer_counts["Saved filters"] == 1
    assert viewer_counts["Sites"] == 3  # the viewer role sees every site; permissions only add to roles
    with tenant_context(org_a.organization):
        for user, membership, counts in (
            (org_a.owner, org_a.owner.memberships.get(organization=org_a.organization), owner_counts),
            (viewer.user, viewer, viewer_counts),
        ):
            actor = actor_for(user, membership)
            expected = {
                capfirst(spec.model._meta.verbose_name_plural): spec.model.objects.restrict(actor, "view").count()
                for spec in registry
            }
            assert counts == expected


def test_the_overview_counts_every_type_in_one_query(org_a):
    with tenant_context(org_a.organization):  # in use: the dashboard, not the getting-started checklist
        Site.objects.create(name="S0", slug="s0")
    client = org_a.client()
    client.get(HOME)  # the first request caches the organization's row and content types

    with CaptureQueriesContext(connection) as queries:
        assert client.get(HOME).status_code == 200

    counting = [query["sql"] for query in queries if "COUNT(*)" in query["sql"]]
    assert len(counting) == 1, counting
    assert all(spec.model._meta.db_table in counting[0] for spec in registry)
    assert len(queries) == OVERVIEW_QUERIES, [query["sql"][:120] for query in queries]
