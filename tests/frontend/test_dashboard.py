"""The member's dashboard on the overview (frontend/dashboard.py): arranged and saved per member and
organization in core.UserPreference, shown only with what the member may see, never a 500 on a bad
saved layout, in a number of statements that does not grow with the rows shown."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from automation.models import Bookmark, Job
from core.models import SavedFilter, UserPreference
from core.registry import registry
from core.services import object_create
from frontend import dashboard
from inventory.models import Site
from tenants.context import tenant_context
from tests.frontend.test_palette import private_filter
from tests.frontend.test_templates import inline_code
from tests.saas_platform.members import client_of, member

HOME = "/o/org-a/?dashboard=1"  # organization A is empty: its overview is the getting-started checklist
CHANGE = "/o/org-a/dashboard/"


def widgets_of(client, path=HOME) -> list[dict]:
    response = client.get(path)
    assert response.status_code == 200
    return response.context["widgets"]


def saved(org, user_id) -> object:
    with tenant_context(org.organization):
        found = UserPreference.objects.filter(user_id=user_id, key=dashboard.PREFERENCE_KEY).first()
        return None if found is None else found.value


def test_the_default_dashboard_counts_every_type_by_menu_then_changes_bookmarks_and_jobs(org_a):
    widgets = widgets_of(org_a.client())

    kinds = [widget["type"] for widget in widgets]
    assert kinds[-3:] == ["changes", "bookmarks", "jobs"]
    assert set(kinds[:-3]) == {"counts"}
    counted = [label for widget in widgets if widget["type"] == "counts" for label in widget["config"]["models"]]
    assert sorted(counted) == sorted(spec.type_label for spec in registry)
    assert widgets[0]["title"] == "Organization"
    assert saved(org_a, org_a.owner.pk) is None  # nothing is written until the member changes something


def test_a_member_arranges_their_dashboard_and_another_member_keeps_the_default(org_a):
    # given the owner and an editor, both on the default dashboard
    owner = org_a.client()
    editor = member(org_a, "editor")
    default = [widget["id"] for widget in widgets_of(client_of(editor.user))]

    # when the owner adds a note, writes it, moves it up twice, and removes the jobs widget
    added = owner.post(CHANGE, {"action": "add", "type": "note"})
    assert added.status_code == 302
    note_id = added["Location"].rstrip("/").rsplit("/", 1)[-1]
    assert added["Location"] == f"/o/org-a/dashboard/widgets/{note_id}/"
    configured = owner.post(added["Location"], {"title": "Runbook", "content": "Call **NOC** first"})
    assert configured.status_code == 302 and configured["Location"].endswith(f"#widget-{note_id}")
    for _ in range(2):
        moved = owner.post(CHANGE, {"action": "up", "widget": note_id})
        assert moved["Location"] == f"/o/org-a/?customize=1#widget-{note_id}"
    owner.post(CHANGE, {"action": "remove", "widget": "jobs"})

    # then the owner's dashboard is saved in that order, the note rendered as Markdown
    widgets = widgets_of(owner)
    ids = [widget["id"] for widget in widgets]
    assert ids == [*default[:-2], note_id, "bookmarks"]
    note = next(widget for widget in widgets if widget["id"] == note_id)
    assert note["title"] == "Runbook" and "<strong>NOC</strong>" in note["data"]
    assert [widget["id"] for widget in saved(org_a, org_a.owner.pk)["widgets"]] == ids
    # and the editor still has the default one
    assert [widget["id"] for widget in widgets_of(client_of(editor.user))] == default
    assert saved(org_a, editor.user_id) is None

    # when the owner resets: the default again, the preference gone
    assert owner.post(CHANGE, {"action": "reset"}).status_code == 302
    assert [widget["id"] for widget in widgets_of(owner)] == default
    assert saved(org_a, org_a.owner.pk) is None


def test_configuring_validates_and_keeps_the_layout_on_errors(org_a):
    owner = org_a.client()
    page = owner.get("/o/org-a/dashboard/widgets/changes/")
    assert page.status_code == 200 and 'name="rows"' in page.content.decode()

    refused = owner.post("/o/org-a/dashboard/widgets/changes/", {"rows": "0"})
    assert refused.status_code == 200
    assert refused.context["form"].errors["rows"]
    assert saved(org_a, org_a.owner.pk) is None

    owner.post("/o/org-a/dashboard/widgets/counts0/", {"title": "Just sites", "models": ["dcim.site"]})
    owner.post("/o/org-a/dashboard/widgets/changes/", {"rows": "3"})
    widgets = {widget["id"]: widget for widget in widgets_of(owner)}
    assert widgets["counts0"]["title"] == "Just sites"
    assert [item["label"] for item in widgets["counts0"]["data"]] == ["Sites"]
    assert widgets["changes"]["config"]["rows"] == 3

    unknown_type = owner.post("/o/org-a/dashboard/widgets/counts0/", {"title": "X", "models": ["dcim.nothing"]})
    assert unknown_type.status_code == 200 and unknown_type.context["form"].errors["models"]


def test_bad_requests_are_explained_never_a_server_error(org_a):
    owner = org_a.client()
    for data in (
        {"action": "add", "type": "weather"},
        {"action": "up", "widget": "gone"},
        {"action": "remove"},
        {"action": "explode", "widget": "changes"},
        {},
    ):
        response = owner.post(CHANGE, data, follow=True)
        assert response.status_code == 200, data
        assert [message.level_tag for message in response.context["messages"]] == ["error"], data
    assert owner.get(CHANGE).status_code == 405
    assert owner.get("/o/org-a/dashboard/widgets/gone/").status_code == 404
    assert saved(org_a, org_a.owner.pk) is None


@pytest.mark.parametrize(
    "value",
    [
        "not a layout",
        [],
        {"widgets": "nope"},
        {"widgets": [None, 3, "x", {"type": "weather", "id": "w"}]},
        {"widgets": [{"id": "a", "type": "counts", "config": {"title": 5, "models": ["dcim.gone", "dcim.site"]}}]},
        {"widgets": [{"id": "a", "type": "counts", "config": {"title": "Gone", "models": ["dcim.gone"]}}]},
        {"widgets": [{"id": "a", "type": "changes", "config": {"rows": 100000}}]},
        {"widgets": [{"id": "a", "type": "jobs", "config": {"rows": True}}, {"id": "a", "type": "jobs"}]},
        {"widgets": [{"id": "../x", "type": "note", "config": {"content": {"nested": 1}, "title": ["x"]}}]},
        {"widgets": [{"id": "a", "type": "bookmarks", "config": None}] * 100},
    ],
)
def test_a_bad_saved_layout_renders_a_valid_dashboard(org_a, value):
    # given a hand-edited (or outdated) preference
    with tenant_context(org_a.organization):
        UserPreference.objects.create(user_id=org_a.owner.pk, key=dashboard.PREFERENCE_KEY, value=value)

    # when the owner opens the overview, and its customize mode
    widgets = widgets_of(org_a.client())
    widgets_of(org_a.client(), "/o/org-a/?customize=1")

    # then every widget shown is a known one with valid settings and its own id
    assert len({widget["id"] for widget in widgets}) == len(widgets) <= dashboard.MAX_WIDGETS
    for widget in widgets:
        widget_type = dashboard.WIDGET_TYPES[widget["type"]]
        assert dashboard.WIDGET_ID.match(widget["id"])
        assert widget_type.form(data=dashboard._as_query_data(widget["config"])).is_valid(), widget
    if not isinstance(value, dict) or not isinstance(value.get("widgets"), list):
        assert [widget["id"] for widget in widgets] == [widget["id"] for widget in dashboard.default_layout()]


def test_a_counts_widget_keeps_the_types_that_still_exist():
    config = dashboard.clean_config(
        dashboard.WIDGET_TYPES["counts"], {"title": "Mine", "models": ["dcim.site", "dcim.gone", "ipam.prefix"]}
    )
    assert config == {"title": "Mine", "models": ["dcim.site", "ipam.prefix"]}
    fallback = dashboard.clean_config(dashboard.WIDGET_TYPES["counts"], {"title": "Mine", "models": ["dcim.gone"]})
    assert fallback == dashboard._counts_default()


def test_widgets_show_only_what_the_member_may_see(org_a):
    # given the owner's job, private saved filter and bookmark, and a viewer's own bookmark
    viewer = member(org_a, "viewer")
    with tenant_context(org_a.organization):
        site = Site.objects.create(name="AMS1", slug="ams1")
        private = SavedFilter.objects.create(
            name="Owner's", slug="owners", user_id=org_a.owner.pk, shared=False, parameters={}
        )
        Job.objects.create(name="Owner's export", function="x", user_id=org_a.owner.pk)
        Job.objects.create(name="Viewer's import", function="x", user_id=viewer.user_id)
        for user_id, target in ((org_a.owner.pk, private), (viewer.user_id, site)):
            Bookmark.objects.create(
                user_id=user_id, object_type=ContentType.objects.get_for_model(target), object_id=target.pk
            )

    # when each opens their dashboard
    mine = {widget["type"]: widget["data"] for widget in widgets_of(org_a.client())}
    theirs = {widget["type"]: widget["data"] for widget in widgets_of(client_of(viewer.user))}

    # then the viewer sees only their own job and bookmark, and counts no saved filter of the owner's
    assert [job.name for job in theirs["jobs"]] == ["Viewer's import"]
    assert [job.name for job in mine["jobs"]] == ["Viewer's import", "Owner's export"]  # admins see every job
    assert [row["display"] for row in theirs["bookmarks"]] == ["AMS1"]
    assert [row["display"] for row in mine["bookmarks"]] == ["Owner's"]
    viewer_counts = {
        item["label"]: item["count"] for widget in widgets_of(client_of(viewer.user)) if widget["type"] == "counts"
        for item in widget["data"]
    }  # fmt: skip
    assert viewer_counts["Saved filters"] == 0 and viewer_counts["Jobs"] == 1


def test_recent_changes_hide_changes_of_objects_the_member_may_not_see(org_a):
    # given a private saved filter of the owner's and a site, both written through the services
    viewer = member(org_a, "viewer")
    with tenant_context(org_a.organization):
        object_create(model=Site, data={"name": "AMS1", "slug": "ams1"})
        private_filter(org_a.owner.pk, "Secret")

    def changed(client) -> list[str]:
        return next(w["data"] for w in widgets_of(client) if w["type"] == "changes")

    # then the viewer's recent changes show the site, not the owner's private filter
    assert [row["change"].object_repr for row in changed(client_of(viewer.user))] == ["AMS1"]
    assert [row["change"].object_repr for row in changed(org_a.client())] == ["Secret", "AMS1"]


def test_the_dashboard_statements_do_not_grow_with_its_rows(org_a):
    client = org_a.client()

    def statements() -> int:
        client.get(HOME)  # warm: content types, the member's caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(HOME).status_code == 200
        return len(queries)

    def add_rows(count: int, start: int) -> None:
        with tenant_context(org_a.organization):
            for number in range(start, start + count):
                site = object_create(model=Site, data={"name": f"S{number}", "slug": f"s{number}"})
                Job.objects.create(name=f"Job {number}", function="x", user_id=org_a.owner.pk)
                Bookmark.objects.create(
                    user_id=org_a.owner.pk, object_type=ContentType.objects.get_for_model(Site), object_id=site.pk
                )

    add_rows(1, 0)
    few = statements()
    add_rows(9, 1)
    many = statements()
    # and with every widget added twice more (the counts of all widgets are one query)
    for name in ("counts", "counts", "changes"):
        client.post(CHANGE, {"action": "add", "type": name})
    more_widgets = statements()

    assert few == many, (few, many)
    rows = next(w for w in widgets_of(client) if w["type"] == "bookmarks")["data"]
    assert len(rows) == 10
    assert more_widgets == many + 1  # the second changes widget (the counts widgets share their one query)


def test_another_organization_and_anonymous_can_neither_read_nor_change_the_dashboard(org_a, org_b):
    # given the owner of A with a saved dashboard
    owner = org_a.client()
    owner.post(CHANGE, {"action": "remove", "widget": "jobs"})
    before = saved(org_a, org_a.owner.pk)

    callers = {"member of B": (org_b.client(), {404}), "anonymous": (Client(), {302, 404})}
    for caller, (client, statuses) in callers.items():
        assert client.get("/o/org-a/").status_code in statuses, caller
        assert client.get(HOME).status_code in statuses, caller
        assert client.get("/o/org-a/dashboard/widgets/changes/").status_code in statuses, caller
        for data in ({"action": "reset"}, {"action": "add", "type": "note"}):
            assert client.post(CHANGE, data).status_code in statuses, (caller, data)
        assert client.post("/o/org-a/dashboard/widgets/changes/", {"rows": "1"}).status_code in statuses, caller

    # then A's preferences are as the owner left them, and B's member has none in A
    assert saved(org_a, org_a.owner.pk) == before
    assert saved(org_a, org_b.owner.pk) is None
    with tenant_context(org_b.organization):
        assert not UserPreference.objects.filter(key=dashboard.PREFERENCE_KEY).exists()


def test_a_new_organization_shows_the_getting_started_checklist_until_its_first_object(org_a):
    # given organization A, empty but for a change log and a job (which do not count)
    owner = org_a.client()
    with tenant_context(org_a.organization):
        Job.objects.create(name="Nothing", function="x", user_id=org_a.owner.pk)

    # then its overview is the checklist, with the pynetbox snippet for its API and the steps' pages
    page = owner.get("/o/org-a/")
    body = page.content.decode()
    assert page.templates[0].name == "frontend/getting_started.html"
    assert 'pynetbox.api("http://testserver/o/org-a"' in body
    steps = ("/o/org-a/dcim/sites/add/", "/o/org-a/dcim/sites/import/", "/o/org-a/settings/import-netbox/")
    for url in (*steps, "/o/org-a/settings/tokens/"):
        assert f'href="{url}"' in body, url
    assert "Done</span>" not in body
    assert inline_code(body) == []
    # a viewer is not offered to add or import
    viewer_body = client_of(member(org_a, "viewer").user).get("/o/org-a/").content.decode()
    assert "Getting started" in viewer_body and "/dcim/sites/add/" not in viewer_body
    assert "/settings/import-netbox/" not in viewer_body  # admins and owners import from NetBox
    assert viewer_body.count("Done</span>") == 1  # a second member: the invitation step is done

    # when the first site exists, the overview is the dashboard
    with tenant_context(org_a.organization):
        object_create(model=Site, data={"name": "AMS1", "slug": "ams1"})
    after = owner.get("/o/org-a/")
    assert after.templates[0].name == "frontend/organization_home.html"
    assert "Getting started" not in after.content.decode()
