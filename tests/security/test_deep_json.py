"""Request bodies are bounded before any parser sees them (tenants.request_limits).

Issue #9: deeply nested JSON bodies gave 500s (a RecursionError in `json.loads`), anonymously too
on the token provisioning endpoint.
"""

import json

import pytest
from django.test import Client

from inventory.models import Site
from tenants.context import tenant_context
from tenants.request_limits import json_nesting_exceeds
from tenants.tokens import token_create

DEEP = "[" * 100_000 + "]" * 100_000
DEEP_OBJECT = '{"a":' * 50_000 + "1" + "}" * 50_000


def _post(client, path, body, content_type="application/json", **headers):
    return client.post(path, body, content_type=content_type, **headers)


def _refused_as_too_deep(response):
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    assert "nested deeper than 64 levels" in response.json()["detail"]


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT, '{"name": "S", "slug": "s", "custom_fields": ' + DEEP + "}"])
def test_tenant_rest_refuses_deep_bodies(org_a, body):
    _refused_as_too_deep(_post(org_a.client(), "/o/org-a/api/dcim/sites/", body))
    with tenant_context(org_a.organization):
        assert not Site.objects.exists()


def test_the_content_type_does_not_matter(org_a):
    # curl --data sends form encoding; the REST API reads any body as JSON
    _, token = token_create(organization=org_a.organization, user=org_a.owner)
    response = _post(
        Client(),
        "/o/org-a/api/dcim/sites/",
        DEEP,
        "application/x-www-form-urlencoded",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )

    _refused_as_too_deep(response)


def test_anonymous_and_other_organizations_get_the_same_refusal(org_a, org_b):
    _, token_b = token_create(organization=org_b.organization, user=org_b.owner)

    _refused_as_too_deep(_post(Client(), "/o/org-a/api/dcim/sites/", DEEP))
    _refused_as_too_deep(_post(Client(), "/o/org-a/api/dcim/sites/", DEEP, HTTP_AUTHORIZATION=f"Bearer {token_b}"))
    with tenant_context(org_a.organization):
        assert not Site.objects.exists()


def test_graphql_refuses_deep_bodies(org_a):
    _refused_as_too_deep(
        _post(org_a.client(), "/o/org-a/graphql/", '{"query": "{ site_list { id } }", "variables": ' + DEEP + "}")
    )


def test_anonymous_token_provisioning_refuses_deep_bodies(org_a):
    _refused_as_too_deep(_post(Client(), "/o/org-a/api/users/tokens/provision/", DEEP))
    _refused_as_too_deep(_post(Client(), "/api/users/tokens/provision/", DEEP_OBJECT))


def test_platform_api_refuses_deep_bodies(org_a):
    client = org_a.client()

    _refused_as_too_deep(_post(client, "/api/platform/organizations/", DEEP_OBJECT))
    _refused_as_too_deep(_post(Client(), "/api/platform/organizations/", DEEP))


def test_nesting_up_to_the_limit_is_accepted(org_a):
    # given a JSON custom field, whose values may nest
    client = org_a.client()
    definition = {"name": "doc", "type": "json", "object_types": ["dcim.site"]}
    assert _post(client, "/o/org-a/api/extras/custom-fields/", json.dumps(definition)).status_code == 201
    value = json.loads("[" * 60 + "]" * 60)

    response = _post(
        client, "/o/org-a/api/dcim/sites/", json.dumps({"name": "S", "slug": "s", "custom_fields": {"doc": value}})
    )

    assert response.status_code == 201, response.content
    assert response.json()["custom_fields"]["doc"] == value


def test_oversized_bodies_are_refused_before_they_are_read(org_a, settings):
    settings.WIREBOOK_MAX_REQUEST_BYTES = 4096
    body = json.dumps({"name": "S", "slug": "s", "description": "x" * 5000})

    response = _post(org_a.client(), "/o/org-a/api/dcim/sites/", body)
    anonymous = _post(Client(), "/o/org-a/api/users/tokens/provision/", body)

    for refused in (response, anonymous):
        assert refused.status_code == 413
        assert refused.json() == {"detail": "The request body is larger than 4096 bytes."}
    with tenant_context(org_a.organization):
        assert not Site.objects.exists()


@pytest.mark.parametrize(
    ("text", "limit", "exceeds"),
    [
        ("[[[]]]", 3, False),
        ("[[[[]]]]", 3, True),
        ('{"a": {"b": [1, {"c": 2}]}}', 4, False),
        ('{"a": {"b": [1, {"c": []}]}}', 4, True),
        ('["[[[[[[", "]]]]"]', 1, False),  # brackets in strings do not count
        ('["\\"[[[[[[", "\\\\", [[]]]', 3, False),  # nor after escaped quotes and backslashes
        ('["\\\\", [[[]]]]', 3, True),
        ("[" * 10, 5, True),  # unclosed: the parser would descend into each
        ("[1, 2], [3]" * 1000, 1, False),
    ],
)
def test_json_nesting_exceeds(text, limit, exceeds):
    assert json_nesting_exceeds(text, limit) is exceeds
