"""GraphQL at /o/<slug>/graphql/: derived types and queries, REST's filters, permissions, cost."""

import ast
import datetime
import json
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.models import CustomField, JournalEntry, ObjectPermission, Tag, TaggedItem
from inventory.models import Contact, ContactAssignment, ContactRole, Region, Site, Tenant, TenantGroup
from tenants.context import tenant_context
from tenants.models import Membership, MembershipRole
from tenants.tokens import token_create

GRAPHQL = "/o/org-a/graphql/"
ROOT = Path(__file__).resolve().parents[2]


def post(client, query, variables=None, path=GRAPHQL, **extra):
    body = json.dumps({"query": query, "variables": variables or {}})
    return client.post(path, body, content_type="application/json", **extra)


def query(client, text, variables=None):
    response = post(client, text, variables)
    assert response.status_code == 200, response.content
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def errors(client, text, variables=None):
    response = post(client, text, variables)
    assert response.status_code == 200, response.content
    return response.json()


def names(rows):
    return [row["name"] for row in rows]


@pytest.fixture
def api(org_a):
    return org_a.client()


@pytest.fixture
def europe(org_a):
    """Europe > Netherlands; sites AMS1 (NL, tenant Acme, tagged, 4 racks), FRA1 (Europe, planned), NYC1."""
    with tenant_context(org_a.organization):
        racks = CustomField.objects.create(name="rack_count", type="integer")
        racks.object_types.set([ContentType.objects.get_for_model(Site)])
        europe = Region.objects.create(name="Europe", slug="europe")
        netherlands = Region.objects.create(name="Netherlands", slug="nl", parent=europe)
        group = TenantGroup.objects.create(name="Customers", slug="customers")
        acme = Tenant.objects.create(name="Acme", slug="acme", group=group)
        ams = Site.objects.create(
            name="AMS1", slug="ams1", region=netherlands, tenant=acme, custom_field_data={"rack_count": 4}
        )
        Site.objects.create(name="FRA1", slug="fra1", region=europe, status="planned", latitude="50.110924")
        Site.objects.create(name="NYC1", slug="nyc1")
        core = Tag.objects.create(name="Core", slug="core", color="ff0000")
        TaggedItem.objects.create(tag=core, content_type=ContentType.objects.get_for_model(Site), object_id=ams.pk)
    return europe


# -- shapes ------------------------------------------------------------------------------------


def test_list_with_nested_relations_tags_and_custom_fields(api, europe):
    data = query(
        api,
        """{ site_list { id name display class_type status latitude custom_fields
             region { name level parent { name } } tenant { name group { slug } } tags { name color } } }""",
    )

    ams, fra, nyc = data["site_list"]
    assert names(data["site_list"]) == ["AMS1", "FRA1", "NYC1"]
    assert isinstance(ams["id"], str) and ams["display"] == "AMS1" and ams["class_type"] == "Site"
    assert ams["status"] == "active" and fra["status"] == "planned"
    assert ams["region"] == {"name": "Netherlands", "level": 1, "parent": {"name": "Europe"}}
    assert ams["tenant"] == {"name": "Acme", "group": {"slug": "customers"}}
    assert ams["tags"] == [{"name": "Core", "color": "ff0000"}]
    assert ams["custom_fields"] == {"rack_count": 4}
    assert fra["latitude"] == "50.110924"
    # every defined custom field, as in REST and NetBox 4.7
    assert nyc["region"] is None and nyc["tags"] == [] and nyc["custom_fields"] == {"rack_count": None}


def test_single_object_and_reverse_relations(api, europe):
    data = query(
        api,
        """query ($id: ID!) { region(id: $id) { name children { name } sites { name }
             planned: sites(filters: {status: {exact: STATUS_PLANNED}}) { name } } }""",
        {"id": europe.pk},
    )

    assert data["region"] == {
        "name": "Europe",
        "children": [{"name": "Netherlands"}],
        "sites": [{"name": "FRA1"}],
        "planned": [{"name": "FRA1"}],
    }


def test_tenants_and_tenant_groups(api, europe):
    data = query(
        api,
        """{ tenant_list { name slug sites { name } }
             tenant_group_list(filters: {slug: {exact: "customers"}}) { name tenants { name } } }""",
    )

    assert data["tenant_list"] == [{"name": "Acme", "slug": "acme", "sites": [{"name": "AMS1"}]}]
    assert data["tenant_group_list"] == [{"name": "Customers", "tenants": [{"name": "Acme"}]}]


def test_fragments_and_get_requests(api, europe):
    text = """query Sites { site_list(filters: {slug: {exact: "ams1"}}) { ...site } }
              fragment site on SiteType { name region { ... on RegionType { slug } } }"""

    by_get = api.get(GRAPHQL, {"query": text})

    assert by_get.status_code == 200
    assert by_get.json() == {"data": {"site_list": [{"name": "AMS1", "region": {"slug": "nl"}}]}}
    assert by_get["X-Request-ID"]


# -- filters: the REST filters, spelled as NetBox 4.5+'s GraphQL -------------------------------


@pytest.mark.parametrize(
    ("filters", "rest"),
    [
        ('{name: {exact: "AMS1"}}', "name=AMS1"),
        ('{name: {i_contains: "ms"}}', "name__ic=ms"),
        ('{name: {in_list: ["AMS1", "NYC1"]}}', "name=AMS1&name=NYC1"),
        ('{slug: {i_starts_with: "A"}}', "slug__isw=A"),
        ("{status: {exact: STATUS_PLANNED}}", "status=planned"),
        ("{status: {in_list: [STATUS_ACTIVE]}}", "status=active"),
        ("{region_id: {id: $europe, match_type: SELF_AND_DESCENDANTS}}", "region_id={europe}"),
        ('{region: {slug: {exact: "nl"}}}', "region_id={nl}"),
        ("{tenant_id: $acme}", "tenant_id={acme}"),
        ('{tags: {slug: {exact: "core"}}}', "tag=core"),
        ("{latitude: {gt: 50}}", "latitude__gt=50"),
        ("{id: {gte: $nyc}}", "id__gte={nyc}"),
        ('{name: {exact: "AMS1"}, OR: {name: {exact: "NYC1"}}}', "name=AMS1&name=NYC1"),
        ("{NOT: {status: {exact: STATUS_PLANNED}}}", "status__n=planned"),
        ('{status: {exact: STATUS_ACTIVE}, AND: {name: {i_ends_with: "1"}}}', "status=active&name__iew=1"),
    ],
)
def test_filters_match_rest(api, org_a, europe, filters, rest):
    with tenant_context(org_a.organization):
        ids = {
            "europe": europe.pk,
            "nl": Region.objects.get(slug="nl").pk,
            "acme": Tenant.objects.get(slug="acme").pk,
            "nyc": Site.objects.get(slug="nyc1").pk,
        }
    declared = " ".join(f"${name}: ID!" for name in ids if f"${name}" in filters)
    text = f"query {'(' + declared + ')' if declared else ''} {{ site_list(filters: {filters}) {{ name }} }}"

    found = names(query(api, text, {name: str(pk) for name, pk in ids.items() if f"${name}" in filters})["site_list"])

    expected = api.get(f"/o/org-a/api/dcim/sites/?{rest.format(**ids)}").json()
    assert found == [row["name"] for row in expected["results"]]


def test_tree_node_match_types(api, europe):
    def sites(match):
        text = f"{{ site_list(filters: {{region_id: {{id: {europe.pk}, match_type: {match}}}}}) {{ name }} }}"
        return names(query(api, text)["site_list"])

    assert sites("SELF_AND_DESCENDANTS") == ["AMS1", "FRA1"]
    assert sites("EXACT") == ["FRA1"]
    assert sites("DESCENDANTS") == ["AMS1"]
    assert sites("CHILDREN") == ["AMS1"]
    assert sites("ANCESTORS") == []
    assert sites("PARENT") == []


def test_selections_in_custom_fields_are_value_and_label_as_in_netbox(api, org_a, europe):
    from core.models import CustomFieldChoiceSet

    with tenant_context(org_a.organization):
        tiers = CustomFieldChoiceSet.objects.create(name="Tiers", extra_choices=[["gold", "Gold tier"]])
        kinds = CustomFieldChoiceSet.objects.create(name="Kinds", extra_choices=[["pop", "PoP"], ["dc", "DC"]])
        for name, kind, choices, weight in (("tier", "select", tiers, 50), ("kinds", "multiselect", kinds, 100)):
            field = CustomField.objects.create(name=name, type=kind, choice_set=choices, weight=weight)
            field.object_types.set([ContentType.objects.get_for_model(Site)])
        Site.objects.filter(slug="ams1").update(
            custom_field_data={"rack_count": 4, "tier": "gold", "kinds": ["dc", "pop"]}
        )

    ams = query(api, '{ site_list(filters: {slug: {exact: "ams1"}}) { custom_fields } }')["site_list"][0]
    rest = api.get("/o/org-a/api/dcim/sites/?slug=ams1").json()["results"][0]

    assert ams["custom_fields"] == {
        "rack_count": 4,
        "tier": {"value": "gold", "label": "Gold tier"},
        "kinds": [{"value": "dc", "label": "DC"}, {"value": "pop", "label": "PoP"}],
    }
    # in NetBox's order (group, weight, name), as REST shows them
    assert list(ams["custom_fields"]) == list(rest["custom_fields"]) == ["tier", "kinds", "rack_count"]


def test_custom_field_filters_are_rests_cf_filters(api, org_a, europe):
    def sites(lookup):
        text = f'{{ site_list(filters: {{custom_field_data: {{path: "rack_count", lookup: {lookup}}}}}) {{ name }} }}'
        return names(query(api, text)["site_list"])

    assert sites("{int_comparison_lookup: {gt: 3}}") == ["AMS1"]
    assert sites("{int_comparison_lookup: {lt: 3}}") == []
    assert sites("{int_comparison_lookup: {is_null: true}}") == ["FRA1", "NYC1"]
    unknown = errors(
        api,
        '{ site_list(filters: {custom_field_data: {path: "nope", lookup: {string_lookup: {exact: "x"}}}}) { name } }',
    )
    assert unknown["errors"][0]["message"] == "cf_nope: No filterable custom field with this name takes this lookup."


def test_bad_filter_values_are_graphql_errors(api, europe):
    body = errors(api, '{ site_list(filters: {id: {exact: "abc"}}) { name } }')

    assert body["data"] is None
    assert body["errors"][0]["message"] == "id: “abc” is not a valid value."
    assert body["errors"][0]["path"] == ["site_list"]


# -- pagination --------------------------------------------------------------------------------


def test_offset_and_cursor_pagination(api, europe):
    first = query(api, "{ site_list(pagination: {limit: 2}) { name } }")["site_list"]
    rest = query(api, "{ site_list(pagination: {offset: 2, limit: 2}) { name } }")["site_list"]
    none = query(api, "{ site_list(pagination: {limit: 0}) { name } }")["site_list"]
    all_ids = [int(row["id"]) for row in query(api, "{ site_list { id } }")["site_list"]]
    from_start = query(api, f"{{ site_list(pagination: {{start: {max(all_ids)}}}) {{ id }} }}")["site_list"]
    both = errors(api, "{ site_list(pagination: {start: 1, offset: 1}) { id } }")

    assert names(first) == ["AMS1", "FRA1"] and names(rest) == ["NYC1"] and none == []
    assert from_start == [{"id": str(max(all_ids))}]
    assert both["errors"][0]["message"] == "Cannot specify both `start` and `offset` in pagination."


def test_page_size_is_capped_like_netbox(api, europe, monkeypatch):
    monkeypatch.setattr("core.graphql.schema.MAX_PAGE_SIZE", 2)

    assert len(query(api, "{ site_list { name } }")["site_list"]) == 2
    assert len(query(api, "{ site_list(pagination: {limit: 500}) { name } }")["site_list"]) == 2
    assert len(query(api, "{ site_list(pagination: {limit: -1}) { name } }")["site_list"]) == 2
    assert len(query(api, f"{{ region(id: {europe.pk}) {{ sites {{ name }} }} }}")["region"]["sites"]) == 1


# -- cost --------------------------------------------------------------------------------------

SITES_QUERY = "{ site_list { name region { name parent { name } } tenant { name } tags { name } } }"
REGIONS_QUERY = """{ region_list { name parent { name } tags { name }
    sites { name tenant { name tags { slug } } locations { name } } children { name sites { name } } } }"""


def _count(client, text):
    with CaptureQueriesContext(connection) as queries:
        query(client, text)
    assert len(queries) > 0, "no statement captured"
    return len(queries)


def test_query_count_does_not_grow_with_rows(api, org_a, europe):
    # The first requests cache the organization's row and its content types (tenants.authcache,
    # tenants.content_types).
    query(api, SITES_QUERY), query(api, REGIONS_QUERY)
    few_sites, few_regions = _count(api, SITES_QUERY), _count(api, REGIONS_QUERY)
    with tenant_context(org_a.organization):
        tag = Tag.objects.get(slug="core")
        site_type = ContentType.objects.get_for_model(Site)
        for number in range(12):
            region = Region.objects.create(name=f"R{number}", slug=f"r{number}", parent=europe)
            tenant = Tenant.objects.create(name=f"T{number}", slug=f"t{number}")
            site = Site.objects.create(name=f"S{number}", slug=f"s{number}", region=region, tenant=tenant)
            TaggedItem.objects.create(tag=tag, content_type=site_type, object_id=site.pk)

    assert _count(api, SITES_QUERY) == few_sites
    assert _count(api, REGIONS_QUERY) == few_regions
    # session, user and membership (3), the request's savepoint (2), and the data: the joined
    # list and its tags
    assert few_sites <= 7


# -- fields a registration renders itself -------------------------------------------------------


@pytest.fixture
def assignments(org_a, europe):
    """Alice is every site's technical contact; AMS1 has a journal entry."""
    with tenant_context(org_a.organization):
        alice = Contact.objects.create(name="Alice")
        technical = ContactRole.objects.create(name="Technical", slug="technical")
        site_type = ContentType.objects.get_for_model(Site)
        for site in Site.objects.all():
            ContactAssignment.objects.create(object_type=site_type, object_id=site.pk, contact=alice, role=technical)
        ams = Site.objects.get(slug="ams1")
        JournalEntry.objects.create(
            assigned_object_type=site_type, assigned_object_id=ams.pk, comments="Racked", created_by_id=org_a.owner.pk
        )
    return alice


ASSIGNMENTS_QUERY = "{ contact_assignment_list { object_id object contact { name } } }"


def test_rendered_fields_read_as_in_rest(api, org_a, assignments):
    # given the REST representation of the same objects
    rest = {
        row["object_id"]: row["object"]
        for row in api.get("/o/org-a/api/tenancy/contact-assignments/").json()["results"]
    }
    journal = api.get("/o/org-a/api/extras/journal-entries/").json()["results"][0]

    # when GraphQL reads the fields the registrations render themselves
    data = query(api, ASSIGNMENTS_QUERY)
    entries = query(api, "{ journal_entry_list { assigned_object created_by } }")["journal_entry_list"]

    # then they are the same JSON, nested URLs included
    assert {row["object_id"]: row["object"] for row in data["contact_assignment_list"]} == rest
    ams = next(row["object"] for row in data["contact_assignment_list"] if row["object"]["name"] == "AMS1")
    assert ams["url"].startswith("http://testserver/o/org-a/api/dcim/sites/")
    assert set(ams) >= {"id", "url", "display", "name", "slug"}
    assert entries == [{"assigned_object": journal["assigned_object"], "created_by": org_a.owner.pk}]


def test_rendered_fields_cost_no_query_per_row(api, org_a, assignments):
    query(api, ASSIGNMENTS_QUERY)
    few = _count(api, ASSIGNMENTS_QUERY)
    with tenant_context(org_a.organization):
        technical = ContactRole.objects.get(slug="technical")
        site_type = ContentType.objects.get_for_model(Site)
        for number in range(8):
            site = Site.objects.create(name=f"S{number}", slug=f"s{number}")
            ContactAssignment.objects.create(
                object_type=site_type, object_id=site.pk, contact=assignments, role=technical
            )

    assert len(query(api, ASSIGNMENTS_QUERY)["contact_assignment_list"]) == 11
    assert _count(api, ASSIGNMENTS_QUERY) == few


def test_rendered_fields_of_other_organizations_are_invisible(org_a, org_b, assignments):
    text = "{ contact_assignment_list { object } journal_entry_list { assigned_object } }"
    own = post(org_b.client(), text, path="/o/org-b/graphql/")

    assert own.json() == {"data": {"contact_assignment_list": [], "journal_entry_list": []}}
    assert post(org_b.client(), ASSIGNMENTS_QUERY).status_code == 404


# -- guards and errors -------------------------------------------------------------------------


def test_depth_limit(api, europe):
    nested = "{ name }"
    for _ in range(11):
        nested = f"{{ parent {nested} }}"

    body = errors(api, f"query Deep {{ region_list {nested} }}")
    shallow = query(api, "{ region_list { parent { parent { name } } } }")

    assert body["data"] is None
    assert body["errors"][0]["message"] == "'Deep' exceeds maximum operation depth of 10"
    assert len(shallow["region_list"]) == 2


def test_alias_limit(api, europe):
    aliases = " ".join(f"a{number}: site_list {{ name }}" for number in range(11))

    body = errors(api, f"{{ {aliases} }}")
    allowed = query(api, "{ " + " ".join(f"a{number}: site_list {{ name }}" for number in range(10)) + " }")

    assert body == {"data": None, "errors": [{"message": "11 aliases found. Allowed: 10"}]}
    assert len(allowed) == 10


def test_broken_fragments_are_reported_not_crashed_on(api, europe):
    cyclic = errors(
        api,
        """{ site_list { ...A } }
           fragment A on SiteType { region { ...B } }
           fragment B on RegionType { sites { ...A } }""",
    )
    unknown = errors(api, "{ site_list { ...Nope } }")

    assert cyclic["data"] is None and "Cannot spread fragment 'A' within itself" in cyclic["errors"][0]["message"]
    assert unknown == {
        "data": None,
        "errors": [{"message": "Unknown fragment 'Nope'.", "locations": [{"line": 1, "column": 18}]}],
    }


def test_error_shapes_match_netbox(api, europe):
    unknown = errors(api, "{ site_list { nosuchfield } }")
    syntax = errors(api, "{ site_list { name }")
    missing = errors(api, '{ site(id: "999999") { name } }')

    assert unknown == {
        "data": None,
        "errors": [
            {
                "message": "Cannot query field 'nosuchfield' on type 'SiteType'.",
                "locations": [{"line": 1, "column": 15}],
            }
        ],
    }
    assert syntax["data"] is None and syntax["errors"][0]["message"].startswith("Syntax Error")
    assert missing == {
        "data": None,
        "errors": [
            {
                "message": "Site matching query does not exist.",
                "locations": [{"line": 1, "column": 3}],
                "path": ["site"],
            }
        ],
    }


def test_malformed_requests_and_database_errors(api, europe):
    no_query = api.post(GRAPHQL, "{}", content_type="application/json")
    bad_json = api.post(GRAPHQL, "{", content_type="application/json")
    bad_regex = errors(api, '{ site_list(filters: {name: {regex: "("}}) { name } }')
    after = query(api, "{ site_list { name } }")

    assert no_query.status_code == 400 and no_query.json() == {"errors": [{"message": "Must provide query string."}]}
    assert bad_json.status_code == 400 and bad_json.json() == {"errors": [{"message": "POST body sent invalid JSON."}]}
    assert bad_regex["data"] is None
    assert bad_regex["errors"][0]["message"].startswith("name__regex: Invalid regular expression")
    assert len(after["site_list"]) == 3


def test_unexpected_failures_are_not_server_errors(api, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("core.graphql.view.OrganizationGraphQLView.execute_graphql_request", broken)

    response = post(api, "{ site_list { name } }")

    assert response.status_code == 200
    assert response.json() == {
        "data": None,
        "errors": [{"message": "An unexpected error occurred while processing the request."}],
    }


def test_introspection_works(api):
    data = query(api, '{ __type(name: "SiteType") { fields { name } } }')

    assert {"id", "name", "status", "region", "tags", "custom_fields"} <= {f["name"] for f in data["__type"]["fields"]}


# -- who may see what --------------------------------------------------------------------------


def test_viewer_reads(org_a, org_b, europe):
    Membership.objects.create(user=org_b.owner, organization=org_a.organization, role=MembershipRole.VIEWER)

    assert names(query(org_b.client(), "{ site_list { name } }")["site_list"]) == ["AMS1", "FRA1", "NYC1"]


def test_object_permission_constraints_restrict_rows(org_a, org_b, europe, monkeypatch):
    # given a role that sees nothing by itself, and a grant for the Dutch sites only
    from core.context import ROLE_ACTIONS

    monkeypatch.setitem(ROLE_ACTIONS, MembershipRole.VIEWER, frozenset())
    Membership.objects.create(user=org_b.owner, organization=org_a.organization, role=MembershipRole.VIEWER)
    client = org_b.client()
    with tenant_context(org_a.organization):
        fra = Site.objects.get(slug="fra1")
        regions = ObjectPermission.objects.create(name="Regions", actions=["view"], user_ids=[org_b.owner.pk])
        regions.object_types.set([ContentType.objects.get_for_model(Region)])
    assert query(client, "{ site_list { name } }")["site_list"] == []

    with tenant_context(org_a.organization):
        dutch = ObjectPermission.objects.create(
            name="NL", actions=["view"], constraints={"region__slug": "nl"}, user_ids=[org_b.owner.pk]
        )
        dutch.object_types.set([ContentType.objects.get_for_model(Site)])

    # when / then: lists, nested lists and single objects show only what is granted
    assert names(query(client, "{ site_list { name } }")["site_list"]) == ["AMS1"]
    nested = query(client, f"{{ region(id: {europe.pk}) {{ sites {{ name }} children {{ sites {{ name }} }} }} }}")
    assert nested["region"] == {"sites": [], "children": [{"sites": [{"name": "AMS1"}]}]}
    hidden = errors(client, f"{{ site(id: {fra.pk}) {{ name }} }}")
    assert hidden["errors"][0]["message"] == "Site matching query does not exist."


def test_other_organizations_see_nothing(org_a, org_b, europe):
    _, token_b = token_create(organization=org_b.organization, user=org_b.owner)
    text = "{ site_list { name } }"

    member_b = post(org_b.client(), text)
    by_token = post(Client(), text, HTTP_AUTHORIZATION=f"Bearer {token_b}")
    by_get = org_b.client().get(GRAPHQL, {"query": text})
    anonymous = post(Client(), text)
    own = post(org_b.client(), text, path="/o/org-b/graphql/")

    assert member_b.status_code == by_token.status_code == by_get.status_code == 404
    assert member_b.json() == by_token.json() == {"detail": "Not found."}
    assert anonymous.status_code == 403
    assert anonymous.json() == {"detail": "Authentication credentials were not provided."}
    assert own.status_code == 200 and own.json() == {"data": {"site_list": []}}


def test_tokens_need_no_csrf_but_sessions_do(org_a, europe):
    _, token = token_create(organization=org_a.organization, user=org_a.owner, write_enabled=False)
    session = Client(enforce_csrf_checks=True)
    session.force_login(org_a.owner)
    text = '{ site_list(filters: {slug: {exact: "ams1"}}) { name } }'

    with_token = post(Client(enforce_csrf_checks=True), text, HTTP_AUTHORIZATION=f"Bearer {token}")
    without_csrf = post(session, text)
    session_get = session.get(GRAPHQL, {"query": text})
    session_csrf = post(session, text, HTTP_X_CSRFTOKEN=session.cookies["csrftoken"].value)

    assert with_token.status_code == 200 and with_token.json() == {"data": {"site_list": [{"name": "AMS1"}]}}
    assert without_csrf.status_code == 403 and "CSRF" in without_csrf.json()["detail"]
    assert session_get.status_code == 200
    assert session_csrf.status_code == 200 and session_csrf.json()["data"]["site_list"] == [{"name": "AMS1"}]


# -- the layer ---------------------------------------------------------------------------------


def test_only_core_graphql_imports_graphene():
    offenders = []
    for package in ("saas_platform", "tenants", "core", "inventory", "automation", "frontend"):
        for path in (ROOT / package).rglob("*.py"):
            if "graphql" in path.relative_to(ROOT).parts[:2]:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                modules = []
                if isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    modules = [node.module]
                offenders += [
                    f"{path.relative_to(ROOT)}: {module}"
                    for module in modules
                    if module.split(".")[0] in ("graphene", "graphene_django", "graphql")
                ]
    assert offenders == []


def test_every_registered_model_has_queries(api):
    from core.graphql.types import snake_name
    from core.registry import registry

    fields = {
        f["name"]
        for f in query(api, "{ __schema { queryType { fields { name } } } }")["__schema"]["queryType"]["fields"]
    }

    for spec in registry:
        model = spec.model.__name__
        snake = snake_name(spec.model)
        assert {snake, f"{snake}_list"} <= fields, model
        assert query(api, f"{{ {snake}_list(pagination: {{limit: 5}}) {{ id display class_type }} }}")


def test_datetimes_filter_and_render(api, org_a, europe):
    since = (datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)).isoformat()

    data = query(
        api, "query ($since: DateTime) { site_list(filters: {created: {gte: $since}}) { created } }", {"since": since}
    )

    assert len(data["site_list"]) == 3
    assert datetime.datetime.fromisoformat(data["site_list"][0]["created"]).tzinfo is not None


# -- a registration's own fields (core.registry.GraphQL): NetBox's `contacts` ------------------


CONTACTS = "{ site_list { name contacts(pagination: {limit: 5}) { contact { name } role { name } } } }"


def _contacts_of(org_a, count: int, start: int = 0):
    from inventory.models import Contact, ContactAssignment, ContactRole

    with tenant_context(org_a.organization):
        role = ContactRole.objects.get_or_create(name="Technical", slug="technical")[0]
        site_type = ContentType.objects.get_for_model(Site)
        for index in range(start, start + count):
            site = Site.objects.create(name=f"S{index}", slug=f"s{index}")
            for person in ("Alice", "Bob"):
                contact = Contact.objects.create(name=f"{person} {index}")
                ContactAssignment.objects.create(object_type=site_type, object_id=site.pk, contact=contact, role=role)


def test_objects_that_take_contacts_list_them(api, org_a):
    _contacts_of(org_a, 1)

    data = query(api, CONTACTS)
    limited = query(api, "{ site_list { contacts(pagination: {limit: 1}) { contact { name } } } }")

    assert data["site_list"] == [
        {
            "name": "S0",
            "contacts": [
                {"contact": {"name": "Alice 0"}, "role": {"name": "Technical"}},
                {"contact": {"name": "Bob 0"}, "role": {"name": "Technical"}},
            ],
        }
    ]
    assert [len(site["contacts"]) for site in limited["site_list"]] == [1]
    second = query(api, "{ site_list { contacts(pagination: {offset: 1, limit: 1}) { contact { name } } } }")
    assert second["site_list"] == [{"contacts": [{"contact": {"name": "Bob 0"}}]}]
    # types that take no contacts have no such field
    assert "contacts" in errors(api, "{ tenant_group_list { contacts { id } } }")["errors"][0]["message"]


def test_the_contacts_of_many_objects_load_in_constant_queries(api, org_a):
    _contacts_of(org_a, 1)
    query(api, CONTACTS)  # per-process caches (content types) filled once
    with CaptureQueriesContext(connection) as one:
        query(api, CONTACTS)
    _contacts_of(org_a, 3, start=1)
    with CaptureQueriesContext(connection) as many:
        data = query(api, CONTACTS)

    assert len(data["site_list"]) == 4 and all(len(site["contacts"]) == 2 for site in data["site_list"])
    assert len(many) == len(one) > 0
