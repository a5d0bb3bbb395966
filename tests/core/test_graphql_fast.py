"""core.graphql.fast answers exactly as the resolvers do: every query below runs both ways."""

import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client, override_settings

from core.graphql import fast
from core.models import CustomField, CustomFieldChoiceSet, Tag, TaggedItem
from inventory.models import Contact, ContactAssignment, ContactRole, Region, Site, Tenant, TenantGroup
from tenants.context import tenant_context

GRAPHQL = "/o/org-a/graphql/"

QUERIES = [
    # the benchmark's shape
    "{ site_list(pagination: {limit: 1000}) { id name region { name } tags { name } custom_fields } }",
    # every scalar kind, nested forward relations two deep, nulls, tags' fields, __typename
    """{ site_list { __typename id class_type name slug status facility time_zone latitude longitude
         physical_address comments created last_updated custom_fields
         region { __typename id name slug level parent { name level } }
         tenant { name group { slug level } } group { name }
         tags { __typename id class_type name slug color description weight } } }""",
    # aliases, fragments, directives and variables
    """query ($limit: Int, $withTags: Boolean!, $skipRegion: Boolean!) {
         first: site_list(pagination: {limit: $limit}) { ...names tags @include(if: $withTags) { name } }
         rest: site_list(pagination: {offset: 1}) { key: slug region @skip(if: $skipRegion) { name } }
       }
       fragment names on SiteType { name ... on SiteType { slug } }""",
    # filters, including those through relations and custom fields
    """{ site_list(filters: {status: {exact: STATUS_PLANNED}}) { name }
         nl: site_list(filters: {region_id: {exact: "%(nl)s"}}) { name }
         tagged: site_list(filters: {tag: {exact: "core"}}) { name } }""",
    "{ region_list { id name level parent { id name } custom_fields tags { name } } }",
    "{ tenant_list { name group { name parent { name } } } tenant_group_list { name level } }",
    "{ tag_list { id name slug color weight created } }",
    "{ custom_field_list { name type required choice_set { name extra_choices } default } }",
    "{ object_change_list { action object_repr prechange_data postchange_data changed_object_type { model } } }",
    # fields a registration renders (a generic object, a content type as NetBox's label)
    "{ contact_assignment_list { object_type object_id object priority contact { name } } }",
    "{ journal_entry_list { assigned_object_type created_by kind } custom_field_list { data_type object_types } }",
    # what the fast path leaves to the resolvers: display, reverse lists, single objects
    "{ site_list { display name } }",
    "{ region_list { name sites { name } } }",
    "{ site(id: %(ams)s) { name region { name } } }",
    # errors: a bad filter value, a null where the schema allows none
    '{ site_list(filters: {id: {exact: "x"}}) { name } }',
]


@pytest.fixture
def data(org_a):
    with tenant_context(org_a.organization):
        europe = Region.objects.create(name="Europe", slug="europe")
        nl = Region.objects.create(name="Netherlands", slug="nl", parent=europe)
        customers = TenantGroup.objects.create(name="Customers", slug="customers")
        acme = Tenant.objects.create(
            name="Acme", slug="acme", group=TenantGroup.objects.create(name="Big", slug="big", parent=customers)
        )
        tiers = CustomFieldChoiceSet.objects.create(name="Tiers", extra_choices=[["gold", "Gold tier"]])
        site_type = ContentType.objects.get_for_model(Site)
        for name, kind, choices in (("tier", "select", tiers), ("floors", "integer", None), ("opened", "date", None)):
            CustomField.objects.create(name=name, type=kind, choice_set=choices).object_types.set([site_type])
        ams = Site.objects.create(
            name="AMS1", slug="ams1", region=nl, tenant=acme, latitude="52.370216", longitude="4.895168",
            custom_field_data={"tier": "gold", "floors": 4, "opened": "2024-02-29"}, time_zone="Europe/Amsterdam",
        )  # fmt: skip
        Site.objects.create(name="FRA1", slug="fra1", region=europe, status="planned", facility="Equinix FR5")
        Site.objects.create(name="NYC1", slug="nyc1", comments="**new**", custom_field_data={"floors": None})
        core = Tag.objects.create(name="Core", slug="core", color="ff0000", weight=10)
        edge = Tag.objects.create(name="Edge", slug="edge", color="00ff00", description="at the edge")
        for tag in (edge, core):
            TaggedItem.objects.create(tag=tag, content_type=site_type, object_id=ams.pk)
        TaggedItem.objects.create(tag=core, content_type=ContentType.objects.get_for_model(Region), object_id=nl.pk)
        role = ContactRole.objects.create(name="Technical", slug="technical")
        ContactAssignment.objects.create(
            object_type=site_type, object_id=ams.pk, contact=Contact.objects.create(name="Alice"), role=role
        )
    org_a.client().post("/o/org-a/dcim/regions/add/", {"name": "Asia", "slug": "asia"})  # a change log entry
    return {"nl": nl.pk, "ams": ams.pk}


def answer(client, text: str, *, enabled: bool, variables=None, path: str = GRAPHQL) -> dict:
    fast.ENABLED = enabled
    try:
        body = json.dumps({"query": text, "variables": variables or {}})
        response = client.post(path, body, content_type="application/json")
    finally:
        fast.ENABLED = True
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize("text", QUERIES)
def test_the_fast_path_answers_as_the_resolvers(org_a, data, text):
    client = org_a.client()
    text = text % data if "%(" in text else text
    variables = {"limit": 2, "withTags": True, "skipRegion": False}

    fast_answer = answer(client, text, enabled=True, variables=variables)
    slow_answer = answer(client, text, enabled=False, variables=variables)

    assert fast_answer == slow_answer
    assert json.dumps(fast_answer) == json.dumps(slow_answer)  # the keys in the same order too


def test_the_fast_path_is_taken_for_lists_and_left_otherwise(org_a, data, monkeypatch):
    taken = []
    run = fast._Plan.run

    def recording(plan):
        try:
            result = run(plan)
        except fast.Fallback:
            taken.append(False)
            raise
        taken.append(True)
        return result

    monkeypatch.setattr(fast._Plan, "run", recording)
    client = org_a.client()
    answer(client, QUERIES[0], enabled=True)
    answer(client, QUERIES[1], enabled=True)
    answer(client, "{ site_list { display } }", enabled=True)
    answer(client, "{ region_list { sites { name } } }", enabled=True)

    assert taken == [True, True, False, False]


@override_settings(WIREBOOK_GRAPHQL_MAX_OBJECTS=4)
def test_the_object_budget_holds_on_the_fast_path(org_a, data):
    client = org_a.client()
    over = answer(client, "{ site_list { name tags { name } } }", enabled=True)
    under = answer(client, "{ tenant_list { name } }", enabled=True)

    assert over == answer(client, "{ site_list { name tags { name } } }", enabled=False)
    assert "more than 4 objects" in over["errors"][0]["message"]
    assert under == {"data": {"tenant_list": [{"name": "Acme"}]}}


def test_outsiders_get_nothing_through_the_fast_path(org_a, org_b, data):
    theirs = answer(org_b.client(), QUERIES[0], enabled=True, path="/o/org-b/graphql/")
    body = json.dumps({"query": QUERIES[0]})

    assert theirs == {"data": {"site_list": []}}  # organization B's own sites: none, never A's
    assert org_b.client().post(GRAPHQL, body, content_type="application/json").status_code == 404
    assert Client().post(GRAPHQL, body, content_type="application/json").status_code in (401, 403, 404)
