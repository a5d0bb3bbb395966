"""The one permitted write (core.usecases) and the batched services under it: bulk writes cost a
constant number of statements, stay all or nothing with NetBox's per-item errors, log every object
as writing it alone does, and every writer reaches the model's own services."""

import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder

from core.context import SYSTEM
from core.models import CustomField, CustomFieldChoiceSet, ObjectChange, ObjectPermission, Tag
from core.registry import registry
from core.services import Services, objects_create, objects_delete, objects_update, snapshot
from core.usecases import Item, WriteRefused, write_objects
from inventory.models import Region, Site
from tenants.context import connection, tenant_context
from tenants.models import Membership, MembershipRole
from tests.concurrency import while_first_holds
from tests.ui_cases import form_data

API = "/o/org-a/api"
SITES = f"{API}/dcim/sites/"


def call(client, method, path, payload=None):
    if payload is None:
        return getattr(client, method)(path)
    return getattr(client, method)(path, json.dumps(payload), content_type="application/json")


@pytest.fixture
def api(org_a):
    return org_a.client()


@pytest.fixture
def world(org_a):
    """A region, two tags and two custom fields on sites (text and selection), as sites are written in bulk."""
    with tenant_context(org_a.organization):
        tier = CustomFieldChoiceSet.objects.create(name="tier", extra_choices=[["gold", "Gold"]])
        for name, kind in (("owner", "text"), ("tier", "select")):
            field = CustomField.objects.create(name=name, type=kind, choice_set=tier if kind == "select" else None)
            field.object_types.set([ContentType.objects.get_for_model(Site)])
        region = Region.objects.create(name="Europe", slug="europe")
        tags = [Tag.objects.create(name=name, slug=name) for name in ("alpha", "beta")]
    return {"region": region, "tags": tags}


def site_payloads(world, prefix: str, count: int) -> list[dict]:
    return [
        {
            "name": f"{prefix}{n}",
            "slug": f"{prefix}{n}",
            "region": world["region"].pk,
            "tags": [tag.pk for tag in world["tags"]],
            "custom_fields": {"owner": "noc", "tier": "gold"},
        }
        for n in range(count)
    ]


def statements(client, method: str, path: str, payload) -> tuple[object, int]:
    log: list[str] = []
    with connection.observe_statements(lambda kind, sql: log.append(sql)):
        response = call(client, method, path, payload)
    return response, len(log)


def logged(organization, model, pk: int, action: str) -> list[ObjectChange]:
    with tenant_context(organization):
        content_type = ContentType.objects.get_for_model(model)
        return list(ObjectChange.objects.filter(changed_object_type=content_type, changed_object_id=pk, action=action))


def stored(value) -> dict:
    """A snapshot as the change log's JSON column gives it back."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


# -- cost ------------------------------------------------------------------------------------------


def test_bulk_writes_cost_as_many_statements_for_fifty_objects_as_for_one(api, world):
    # given: a warm-up round (content types and the organization cached)
    warm = call(api, "post", SITES, site_payloads(world, "w", 2)).json()
    call(api, "patch", SITES, [{"id": row["id"], "description": "x"} for row in warm])
    call(api, "delete", SITES, [{"id": row["id"]} for row in warm])
    counts: dict[str, dict[int, int]] = {"create": {}, "patch": {}, "put": {}, "delete": {}}

    for size in (1, 50):
        # when
        created, counts["create"][size] = statements(api, "post", SITES, site_payloads(world, f"s{size}-", size))
        ids = [row["id"] for row in created.json()]
        patched, counts["patch"][size] = statements(
            api, "patch", SITES, [{"id": pk, "description": "patched", "tags": []} for pk in ids]
        )
        put, counts["put"][size] = statements(
            api,
            "put",
            SITES,
            [{"id": pk, **payload} for pk, payload in zip(ids, site_payloads(world, "p", size), strict=True)],
        )
        deleted, counts["delete"][size] = statements(api, "delete", SITES, [{"id": pk} for pk in ids])

        assert [created.status_code, patched.status_code, put.status_code, deleted.status_code] == [201, 200, 200, 204]

    # then: no statement per object
    assert {name: by_size[50] - by_size[1] for name, by_size in counts.items()} == {
        "create": 0,
        "patch": 0,
        "put": 0,
        "delete": 0,
    }, counts


# -- the change log ------------------------------------------------------------------------------------


def test_a_bulk_write_logs_each_object_as_writing_it_alone_does(api, org_a, world):
    # when: created, changed and deleted in bulk
    created = call(api, "post", SITES, site_payloads(world, "b", 3))
    ids = [row["id"] for row in created.json()]
    with tenant_context(org_a.organization):
        after_create = {pk: stored(snapshot(Site.objects.get(pk=pk))) for pk in ids}
    patched = call(
        api, "patch", SITES, [{"id": pk, "description": f"d{pk}", "tags": [world["tags"][0].pk]} for pk in ids]
    )
    with tenant_context(org_a.organization):
        after_patch = {pk: stored(snapshot(Site.objects.get(pk=pk))) for pk in ids}
    deleted = call(api, "delete", SITES, [{"id": pk} for pk in ids])

    # then: one entry per object and action, its snapshots those of the object itself
    assert [created.status_code, patched.status_code, deleted.status_code] == [201, 200, 204]
    for pk in ids:
        [create] = logged(org_a.organization, Site, pk, "create")
        [update] = logged(org_a.organization, Site, pk, "update")
        [delete] = logged(org_a.organization, Site, pk, "delete")
        assert (create.prechange_data, create.postchange_data) == (None, after_create[pk])
        assert (update.prechange_data, update.postchange_data) == (after_create[pk], after_patch[pk])
        assert (delete.prechange_data, delete.postchange_data) == (after_patch[pk], None)
        assert after_patch[pk]["tags"] == ["alpha"] and after_patch[pk]["custom_fields"] == {
            "owner": "noc",
            "tier": "gold",
        }
        assert {str(entry.request_id) for entry in (create, update, delete)} == {
            created["X-Request-ID"],
            patched["X-Request-ID"],
            deleted["X-Request-ID"],
        }
        assert create.user_name == "owner-a@example.com" and create.object_repr == f"b{ids.index(pk)}"


# -- all or nothing, with NetBox's errors ----------------------------------------------------------------


def test_every_failing_item_is_reported_and_nothing_is_written(api, org_a, world):
    call(api, "post", SITES, {"name": "Taken", "slug": "taken"})

    response = call(
        api,
        "post",
        SITES,
        [
            {"name": "Taken", "slug": "fresh"},
            {"name": "Fine", "slug": "fine"},
            {"name": "Bad zone", "slug": "bad-zone", "time_zone": "Mars/Olympus"},
            {"name": "No slug"},
        ],
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "3 of 4 objects could not be created.",
        "errors": [
            {"index": 0, "errors": {"name": ["site with this name already exists."]}},
            {"index": 2, "errors": {"time_zone": ["Unknown time zone: Mars/Olympus"]}},
            {"index": 3, "errors": {"slug": ["This field is required."]}},
        ],
    }
    with tenant_context(org_a.organization):
        assert list(Site.objects.values_list("name", flat=True)) == ["Taken"]


def test_a_bad_item_among_many_costs_a_few_batch_writes_not_a_write_per_item(api, org_a, world):
    def refused(prefix: str, count: int) -> int:
        payloads = site_payloads(world, prefix, count)
        payloads[count // 2]["time_zone"] = "Mars/Olympus"
        response, executed = statements(api, "post", SITES, payloads)
        assert response.status_code == 400
        assert response.json()["errors"] == [
            {"index": count // 2, "errors": {"time_zone": ["Unknown time zone: Mars/Olympus"]}}
        ]
        return executed

    refused("warm", 6)  # caches (content types) filled

    # the batch, then the items before the bad one in one go, the bad one alone, the rest in one go
    assert refused("few", 6) == refused("many", 60)
    with tenant_context(org_a.organization):
        assert not Site.objects.exists()


def test_a_unique_value_given_twice_in_one_request_is_refused_at_its_second_item(api, org_a):
    response = call(api, "post", SITES, [{"name": "A", "slug": "same"}, {"name": "B", "slug": "same"}])

    assert response.status_code == 400
    assert response.json()["errors"] == [{"index": 1, "errors": {"slug": ["site with this slug already exists."]}}]
    with tenant_context(org_a.organization):
        assert not Site.objects.exists()


def test_a_unique_custom_field_value_given_twice_in_one_request_is_refused(api, org_a):
    with tenant_context(org_a.organization):
        code = CustomField.objects.create(name="code", type="text", unique=True)
        code.object_types.set([ContentType.objects.get_for_model(Site)])

    response = call(
        api,
        "post",
        SITES,
        [{"name": n, "slug": n, "custom_fields": {"code": "AMS"}} for n in ("a", "b")],
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"index": 1, "errors": {"custom_fields": ["Custom field 'code' must have a unique value."]}}
    ]


def test_an_item_may_refer_to_an_object_an_earlier_item_creates(api, org_a):
    response = call(
        api,
        "post",
        f"{API}/dcim/regions/",
        [
            {"name": "Europe", "slug": "europe"},
            {"name": "Netherlands", "slug": "nl", "parent": {"slug": "europe"}},
            {"name": "Amsterdam", "slug": "ams", "parent": {"slug": "nl"}},
        ],
    )

    assert response.status_code == 201, response.content
    assert [row["_depth"] for row in response.json()] == [0, 1, 2]


def test_bulk_updates_swapping_unique_values_are_refused_as_one_at_a_time_would(api, org_a):
    a, b = (call(api, "post", SITES, {"name": n, "slug": n}).json()["id"] for n in ("a", "b"))

    response = call(api, "patch", SITES, [{"id": a, "slug": "b"}, {"id": b, "slug": "a"}])

    assert response.status_code == 400
    taken = {"slug": ["site with this slug already exists."]}
    assert response.json()["errors"] == [{"index": 0, "errors": taken}, {"index": 1, "errors": taken}]


def test_a_patch_looks_up_only_the_unique_values_it_writes(api, org_a):
    a, b = (call(api, "post", SITES, {"name": n, "slug": n}).json()["id"] for n in ("a", "b"))
    log: list[str] = []

    with connection.observe_statements(lambda kind, sql: log.append(sql)):
        described = call(api, "patch", SITES, [{"id": a, "description": "x"}, {"id": b, "description": "y"}])
    taken = call(api, "patch", SITES, [{"id": a, "description": "z"}, {"id": b, "name": "a"}])

    assert described.status_code == 200, described.content
    assert not [
        sql for sql in log if 'SELECT "inventory_site"."name"' in sql or 'SELECT "inventory_site"."slug"' in sql
    ]
    assert taken.status_code == 400
    assert taken.json()["errors"] == [{"index": 1, "errors": {"name": ["site with this name already exists."]}}]


def test_one_object_changed_twice_in_an_import_gets_both_changes_in_order(org_a):
    with tenant_context(org_a.organization):
        site = Site.objects.create(name="S", slug="s")
    text = f"id,description\n{site.pk},first\n{site.pk},second\n"

    response = org_a.client().post("/o/org-a/dcim/sites/import/", {"data": text, "format": "csv"})

    assert response.status_code == 302
    with tenant_context(org_a.organization):
        site.refresh_from_db()
    assert site.description == "second"
    assert len(logged(org_a.organization, Site, site.pk, "update")) == 2


# -- trees -----------------------------------------------------------------------------------------------


def tree(organization) -> list[tuple]:
    with tenant_context(organization):
        # Tree ids are left as they were when a tree goes; a rebuild numbers them afresh.
        return list(Region.objects.order_by("pk").values_list("slug", "parent__slug", "lft", "rght", "level"))


def test_bulk_moves_and_deletes_keep_the_tree_consistent(api, org_a):
    ids = {
        row["slug"]: row["id"]
        for row in call(
            api,
            "post",
            f"{API}/dcim/regions/",
            [
                {"name": "Europe", "slug": "eu"},
                {"name": "Asia", "slug": "asia"},
                {"name": "Netherlands", "slug": "nl", "parent": {"slug": "eu"}},
                {"name": "Germany", "slug": "de", "parent": {"slug": "eu"}},
                {"name": "Japan", "slug": "jp", "parent": {"slug": "eu"}},
            ],
        ).json()
    }

    moved = call(
        api,
        "patch",
        f"{API}/dcim/regions/",
        [{"id": ids["jp"], "parent": ids["asia"]}, {"id": ids["nl"], "name": "Holland"}, {"id": ids["de"]}],
    )
    deleted = call(api, "delete", f"{API}/dcim/regions/", [{"id": ids["nl"]}, {"id": ids["eu"]}])

    assert (moved.status_code, deleted.status_code) == (200, 204)
    kept = tree(org_a.organization)
    with tenant_context(org_a.organization):
        Region.objects.rebuild()
    assert kept == tree(org_a.organization)  # what a rebuild from the parents makes
    assert [(slug, parent) for slug, parent, *_ in kept] == [("asia", None), ("jp", "asia")]
    for slug in ("eu", "nl", "de"):
        assert len(logged(org_a.organization, Region, ids[slug], "delete")) == 1


# -- permissions and isolation -----------------------------------------------------------------------------


def test_a_bulk_create_outside_the_writers_grant_is_refused_whole(org_a, org_b):
    Membership.objects.create(user=org_b.owner, organization=org_a.organization, role=MembershipRole.VIEWER)
    with tenant_context(org_a.organization):
        Region.objects.create(name="NL", slug="nl")
        Region.objects.create(name="DE", slug="de")
        permission = ObjectPermission.objects.create(
            name="NL sites", actions=["add"], constraints={"region__slug": "nl"}, user_ids=[org_b.owner.pk]
        )
        permission.object_types.set([ContentType.objects.get_for_model(Site)])
    member = org_b.client()

    inside = [{"name": "A", "slug": "a", "region": {"slug": "nl"}}]
    refused = call(member, "post", SITES, [*inside, {"name": "B", "slug": "b", "region": {"slug": "de"}}])
    allowed = call(member, "post", SITES, inside)

    assert refused.status_code == 403
    assert refused.json() == {"detail": "You do not have permission to perform this action."}
    assert allowed.status_code == 201
    with tenant_context(org_a.organization):
        assert list(Site.objects.values_list("slug", flat=True)) == ["a"]


def test_another_organizations_ids_are_not_found_by_bulk_writes(api, org_a, org_b):
    with tenant_context(org_a.organization):
        mine = Site.objects.create(name="Mine", slug="mine")
    with tenant_context(org_b.organization):
        theirs = Site.objects.create(name="Theirs", slug="theirs")
        if theirs.pk == mine.pk:  # each organization numbers its own rows: make the ids differ
            theirs = Site.objects.create(name="Theirs 2", slug="theirs-2")

    patched = call(api, "patch", SITES, [{"id": mine.pk, "description": "x"}, {"id": theirs.pk, "description": "x"}])
    deleted = call(api, "delete", SITES, [{"id": mine.pk}, {"id": theirs.pk}])

    assert (patched.status_code, deleted.status_code) == (404, 404)
    assert patched.json() == {"detail": "No Site matches the given query."}
    with tenant_context(org_a.organization):
        assert Site.objects.get(pk=mine.pk).description == ""
    with tenant_context(org_b.organization):
        assert Site.objects.get(pk=theirs.pk).description == ""


# -- a model's own services, whoever writes ---------------------------------------------------------------


@pytest.fixture
def recorded_tags():
    """Tags' services, recording each call (the registration's spec is shared by the API and the UI)."""
    spec = registry.get(Tag)
    calls: list[tuple[str, int]] = []

    def recording(name, service):
        def run(batch, **options):
            calls.append((name, len(batch)))
            return service(batch, **options)

        return run

    original = spec.services
    services = Services(
        create=recording("create", objects_create),
        update=recording("update", objects_update),
        delete=recording("delete", objects_delete),
    )
    object.__setattr__(spec, "services", services)  # the registration is frozen; restored below
    yield calls
    object.__setattr__(spec, "services", original)


def test_every_writer_calls_the_models_own_services(org_a, recorded_tags):
    client, tags, ui = org_a.client(), f"{API}/extras/tags/", "/o/org-a/extras/tags/"
    spec = registry.get(Tag)

    one = call(client, "post", tags, {"name": "One", "slug": "one"}).json()["id"]
    two, three = (
        row["id"] for row in call(client, "post", tags, [{"name": n, "slug": n} for n in ("two", "three")]).json()
    )
    assert client.post(f"{ui}add/", form_data(spec, {"name": "Four", "slug": "four"})).status_code == 302
    assert client.post(f"{ui}import/", {"data": "name,slug\nFive,five\nSix,six\n", "format": "csv"}).status_code == 302
    call(client, "patch", f"{tags}{one}/", {"description": "x"})
    call(client, "patch", tags, [{"id": two, "description": "x"}, {"id": three, "description": "x"}])
    assert client.post(f"{ui}{one}/edit/", form_data(spec, {"name": "One", "slug": "one"})).status_code == 302
    bulk_edit = {**form_data(spec, {"description": "y"}, bulk=True), "pk": [two, three], "_apply": "1"}
    assert client.post(f"{ui}edit/", bulk_edit).status_code == 302
    assert client.post(f"{ui}import/", {"data": f"id,description\n{one},z\n", "format": "csv"}).status_code == 302
    assert client.delete(f"{tags}{one}/").status_code == 204
    call(client, "delete", tags, [{"id": two}])
    assert client.post(f"{ui}{three}/delete/").status_code == 302
    with tenant_context(org_a.organization):
        four, five = (Tag.objects.get(slug=slug).pk for slug in ("four", "five"))
    assert client.post(f"{ui}delete/", {"pk": [four, five], "_confirm": "1"}).status_code == 302

    assert recorded_tags == [
        ("create", 1),  # REST
        ("create", 2),  # REST, bulk
        ("create", 1),  # form
        ("create", 2),  # import
        ("update", 1),  # REST
        ("update", 2),  # REST, bulk
        ("update", 1),  # form
        ("update", 2),  # bulk edit
        ("update", 1),  # import
        ("delete", 1),  # REST
        ("delete", 1),  # REST, bulk
        ("delete", 1),  # delete page
        ("delete", 2),  # bulk delete page
    ]


def test_journal_entries_are_by_the_writer_whoever_writes(org_a):
    with tenant_context(org_a.organization):
        site = Site.objects.create(name="AMS1", slug="ams1")
    client = org_a.client()
    entry = {"assigned_object_type": "dcim.site", "assigned_object_id": site.pk, "comments": "c", "created_by": 1}

    call(client, "post", f"{API}/extras/journal-entries/", [entry, entry])
    client.post(f"/o/org-a/dcim/sites/{site.pk}/journal/", {"kind": "info", "comments": "from the page"})
    text = f"assigned_object_type,assigned_object_id,comments\ndcim.site,{site.pk},imported\n"
    client.post("/o/org-a/extras/journal-entries/import/", {"data": text, "format": "csv"})

    with tenant_context(org_a.organization):
        authors = list(site.journal_entries.values_list("comments", "created_by_id", "created_by_name"))
    assert sorted(authors) == sorted(
        (comments, org_a.owner.pk, "owner-a@example.com") for comments in ("c", "c", "from the page", "imported")
    )


# -- writes racing for a unique value -------------------------------------------------------------------------


@pytest.mark.parametrize("others", [0, 1], ids=["one object", "a batch"])
def test_a_write_losing_a_race_for_a_slug_is_refused_at_the_item_that_lost(committed, others):
    """Both pass validation; the database takes the first; the second is refused as validation
    would refuse it, at the item that lost, and writes nothing."""
    organization = committed.organization(f"slug-race-{others}")
    spec = registry.get(Site)
    others_first = [Item({"name": f"O{n}", "slug": f"o{n}"}) for n in range(others)]

    outcome = while_first_holds(
        organization,
        lambda: write_objects(spec, SYSTEM, [Item({"name": "Taken", "slug": "taken"})]),
        lambda: write_objects(spec, SYSTEM, [*others_first, Item({"name": "T", "slug": "taken"})]),
    )

    assert isinstance(outcome.get("error"), WriteRefused), outcome
    taken = {"slug": ["site with this slug already exists."]}
    assert outcome["error"].errors == [{"index": others, "errors": taken}]
    with tenant_context(organization):
        assert list(Site.objects.values_list("slug", flat=True)) == ["taken"]
