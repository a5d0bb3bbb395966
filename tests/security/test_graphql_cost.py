"""GraphQL refuses expensive queries before running them (core.graphql.validation, core.graphql.view).

Issue #9: depth was limited but not the number of objects: `{tenant_list{sites{tenant{sites{tenant
{sites{id}}}}}}}` on 40 sites took 5.2 s and 1.4 MB; a 1 MB document took 3 s just to be refused.
"""

import json
import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from inventory.models import Site, Tenant
from tenants.context import tenant_context
from tenants.tokens import token_create

GRAPHQL = "/o/org-a/graphql/"
AMPLIFICATION = "{tenant_list{sites{tenant{sites{tenant{sites{id}}}}}}}"


def _post(client, query, variables=None, **extra):
    body = json.dumps({"query": query, "variables": variables or {}})
    return client.post(GRAPHQL, body, content_type="application/json", **extra)


def _errors(response) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    body = response.json()
    assert body["data"] is None
    return [error["message"] for error in body["errors"]]


@pytest.fixture
def forty_sites(org_a):
    with tenant_context(org_a.organization):
        acme = Tenant.objects.create(name="Acme", slug="acme")
        Site.objects.bulk_create(Site(name=f"S{n}", slug=f"s{n}", tenant=acme) for n in range(40))


def test_the_amplification_query_is_refused_before_it_runs(org_a, forty_sites):
    client = org_a.client()
    _post(client, "{ site_list(pagination: {limit: 1}) { id } }")  # first-request costs are not measured

    started = time.monotonic()
    with CaptureQueriesContext(connection) as queries:
        response = _post(client, AMPLIFICATION)
    elapsed = time.monotonic() - started

    [message] = _errors(response)
    assert message.startswith("'anonymous' may return up to 1002002001000 objects, more than the 5000000000 allowed")
    assert "pagination: {limit: …}" in message
    assert not [q for q in queries.captured_queries if "inventory_site" in q["sql"]]  # nothing was executed
    assert elapsed < 1


def test_the_same_query_with_page_sizes_is_accepted(org_a, forty_sites):
    paged = AMPLIFICATION.replace("sites", "sites(pagination: {limit: 5})")

    body = _post(org_a.client(), paged).json()

    assert "errors" not in body, body
    assert len(body["data"]["tenant_list"][0]["sites"]) == 5


def test_page_sizes_given_as_variables_count(org_a, forty_sites):
    text = """query ($page: OffsetPaginationInput, $limit: Int) {
      tenant_list { sites(pagination: $page) { tenant { sites(pagination: {limit: $limit}) {
        tenant { sites(pagination: $page) { id } } } } } } }"""
    client = org_a.client()

    small = _post(client, text, {"page": {"limit": 3}, "limit": 3}).json()
    large = _post(client, text, {"page": {"limit": 1000}, "limit": 1000})

    assert "errors" not in small, small
    assert "may return up to" in _errors(large)[0]


def test_fragments_and_inline_fragments_are_counted(org_a, forty_sites):
    text = """{ tenant_list { ...Down } }
      fragment Down on TenantType { sites { tenant { ... on TenantType { sites { tenant { sites { id } } } } } } }"""

    assert "may return up to" in _errors(_post(org_a.client(), text))[0]


def test_ordinary_queries_are_accepted(org_a, forty_sites):
    text = "{ site_list { name tenant { name } tags { name } } tenant_list { sites { name } } }"

    body = _post(org_a.client(), text).json()

    assert "errors" not in body, body
    assert len(body["data"]["site_list"]) == 40


def test_what_the_estimate_lets_through_is_cut_off_while_it_runs(org_a, forty_sites, settings):
    # given a query the estimate allows (1000 + 1000 + 1000² + 1000² + 1000³ objects at most) that
    # walks 40 + 40² + 40³ objects because one tenant has every site
    settings.WIREBOOK_GRAPHQL_MAX_OBJECTS = 5000
    client = org_a.client()
    text = "{site_list{tenant{sites{tenant{sites{id}}}}}}"
    _post(client, "{ site_list(pagination: {limit: 1}) { id } }")  # first-request costs are not measured

    started = time.monotonic()
    response = _post(client, text)
    elapsed = time.monotonic() - started

    # then it is stopped once its lists have returned 5000 objects
    assert response.status_code == 200
    messages = [error["message"] for error in response.json()["errors"]]
    assert messages == ["The query returns more than 5000 objects: ask for fewer (pagination: {limit: …})."]
    assert elapsed < 2
    # and a query within the budget is whole
    small = _post(client, "{site_list{tenant{sites{id}}}}").json()
    assert "errors" not in small and len(small["data"]["site_list"][0]["tenant"]["sites"]) == 40


def test_the_query_document_size_is_capped_before_parsing(org_a):
    client = org_a.client()
    text = "{ site_list { id } }" + " " * 40_000  # whitespace costs the parser too
    started = time.monotonic()

    posted = _post(client, text)
    fetched = client.get(GRAPHQL, {"query": "{ site_list { id } }" + "#" * 40_000})

    size = len(text)
    assert _errors(posted) == [f"The query document is {size} bytes, more than the 32768 allowed."]
    assert _errors(fetched)[0].endswith("more than the 32768 allowed.")
    assert time.monotonic() - started < 1


def test_list_arguments_are_capped(org_a, forty_sites):
    client = org_a.client()
    literal = "{ site_list(filters: {id: {in_list: [%s]}}) { id } }"
    variable = "query ($ids: [ID!]) { site_list(filters: {id: {in_list: $ids}}) { id } }"

    too_long = _post(client, literal % ", ".join(str(n) for n in range(1001)))
    too_long_variable = _post(client, variable, {"ids": list(range(1001))})
    allowed = _post(client, literal % ", ".join(str(n) for n in range(1000))).json()

    assert _errors(too_long) == ["A list argument of 1001 values; at most 1000 are allowed."]
    assert _errors(too_long_variable) == ["Variable '$ids' holds a list of 1001 values; at most 1000 are allowed."]
    assert "errors" not in allowed, allowed


def test_other_organizations_and_anonymous_callers_get_nothing(org_a, org_b, forty_sites):
    _, token_b = token_create(organization=org_b.organization, user=org_b.owner)

    anonymous = _post(Client(), "{ site_list { id } }")
    other = _post(Client(), "{ site_list { id } }", HTTP_AUTHORIZATION=f"Bearer {token_b}")

    assert anonymous.status_code == 403
    assert other.status_code == 404
