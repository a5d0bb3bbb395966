"""The platform API at /api/platform/: session auth with CSRF, the caller's organizations only,
NetBox's error shapes, constant query counts and an OpenAPI document."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tenants.models import Membership, MembershipRole, Organization
from tenants.services import user_email_mark_verified
from tenants.tokens import token_create

API = "/api/platform"
CSRF = "a" * 32  # a well-formed CSRF secret; the same value as cookie and header passes the check


def verified_user(email):
    user = get_user_model().objects.create_user(email, password="correct horse battery staple")
    user_email_mark_verified(user)
    return user


def session(user, *, enforce_csrf=False) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf, raise_request_exception=False)
    client.force_login(user)
    return client


def post(client, path, data, *, csrf=True):
    headers = {}
    if csrf:
        client.cookies["csrftoken"] = CSRF
        headers["HTTP_X_CSRFTOKEN"] = CSRF
    body = data if isinstance(data, str) else json.dumps(data)
    return client.post(f"{API}{path}", body, content_type="application/json", **headers)


def bare_organization(slug, user, role=MembershipRole.VIEWER):
    """An organization row without a schema: enough for the public-schema endpoints."""
    organization = Organization.objects.create(name=slug.title(), slug=slug, schema_name=f"test_{slug}")
    Membership.objects.create(user=user, organization=organization, role=role)
    return organization


# /me/ -------------------------------------------------------------------------------------


def test_me(org_a):
    org_a.owner.display_name = "Ada Owner"
    org_a.owner.save()

    response = org_a.client().get(f"{API}/me/")

    assert response.status_code == 200
    assert response.json() == {
        "id": org_a.owner.pk,
        "email": "owner-a@example.com",
        "display_name": "Ada Owner",
        "organizations_count": 1,
    }


@pytest.mark.parametrize(
    "method,path",
    [
        ("get", "/me/"),
        ("get", "/organizations/"),
        ("post", "/organizations/"),
        ("get", "/organizations/org-a/members/"),
        ("get", "/organizations/no-such-org/members/"),
    ],
)
def test_anonymous_callers_are_refused(org_a, method, path):
    client = Client()
    if method == "post":
        response = post(client, path, {"name": "Sneaky", "slug": "sneaky"})
    else:
        response = client.get(f"{API}{path}")

    assert response.status_code == 403
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert not Organization.objects.filter(slug="sneaky").exists()


def test_an_organization_token_is_no_platform_credential(org_a, org_b):
    _, token = token_create(organization=org_b.organization, user=org_b.owner)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    responses = [
        client.get(f"{API}/me/"),
        client.get(f"{API}/organizations/"),
        client.get(f"{API}/organizations/org-b/members/"),
        client.post(
            f"{API}/organizations/", {"name": "Via Token", "slug": "via-token"}, content_type="application/json"
        ),
    ]

    assert [r.status_code for r in responses] == [403] * 4
    assert not Organization.objects.filter(slug="via-token").exists()


# /organizations/ ------------------------------------------------------------------------------


def test_organizations_lists_only_the_callers_with_role_and_urls(org_a, org_b):
    response = org_a.client().get(f"{API}/organizations/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["next"] is None and body["previous"] is None
    [organization] = body["results"]
    assert organization["id"] == org_a.organization.pk
    assert organization["slug"] == "org-a"
    assert organization["name"] == "Organization A"
    assert organization["role"] == {"value": "owner", "label": "Owner"}
    assert organization["status"] == {"value": "active", "label": "Active"}
    assert organization["url"] == "http://testserver/o/org-a/"
    assert organization["api_url"] == "http://testserver/o/org-a/api/"
    assert organization["enforce_global_unique"] is True  # NetBox's default
    assert "org-b" not in response.content.decode()


def test_an_organization_shows_its_global_uniqueness(org_a, settings):
    org_a.organization.enforce_global_unique = False
    org_a.organization.save(update_fields=["enforce_global_unique"])

    response = org_a.client().get(f"{API}/organizations/org-a/")

    assert response.status_code == 200
    assert response.json()["enforce_global_unique"] is False


def test_organizations_are_paginated(org_a):
    user = verified_user("msp@example.com")
    for number in range(5):
        bare_organization(f"customer-{number}", user)
    client = session(user)

    first = client.get(f"{API}/organizations/?limit=2").json()
    last = client.get(f"{API}/organizations/?limit=2&offset=4").json()

    assert first["count"] == 5
    assert [o["slug"] for o in first["results"]] == ["customer-0", "customer-1"]
    assert first["next"] == "http://testserver/api/platform/organizations/?limit=2&offset=2"
    assert first["previous"] is None
    assert [o["slug"] for o in last["results"]] == ["customer-4"]
    assert last["next"] is None
    assert last["previous"] == "http://testserver/api/platform/organizations/?limit=2&offset=2"


def test_bad_paging_is_a_400(org_a):
    response = org_a.client().get(f"{API}/organizations/?limit=-1")

    assert response.status_code == 400
    assert list(response.json()) == ["limit"]


def test_organizations_query_count_is_constant(org_a):
    def queries_for(count):
        user = verified_user(f"member-of-{count}@example.com")
        for number in range(count):
            bare_organization(f"q{count}-{number}", user)
        client = session(user)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"{API}/organizations/")
        assert response.status_code == 200
        assert len(response.json()["results"]) == count
        return len(captured)

    assert queries_for(1) == queries_for(10)


# POST /organizations/ -------------------------------------------------------------------------


def test_create_organization(org_a):
    user = verified_user("founder@example.com")

    response = post(session(user, enforce_csrf=True), "/organizations/", {"name": "Acme Networks", "slug": "acme"})

    assert response.status_code == 201
    body = response.json()
    assert body["slug"] == "acme"
    assert body["name"] == "Acme Networks"
    assert body["role"] == {"value": "owner", "label": "Owner"}
    assert body["url"] == "http://testserver/o/acme/"
    organization = Organization.objects.get(slug="acme")
    assert body["id"] == organization.pk
    assert Membership.objects.get(organization=organization).user == user


def test_create_needs_the_csrf_token_with_a_session(org_a):
    user = verified_user("founder@example.com")

    response = post(session(user, enforce_csrf=True), "/organizations/", {"name": "Acme", "slug": "acme"}, csrf=False)

    assert response.status_code == 403
    assert response.json() == {"detail": "CSRF check Failed"}
    assert not Organization.objects.filter(slug="acme").exists()


@pytest.mark.parametrize(
    "data,field",
    [
        ({"name": "Taken", "slug": "org-a"}, "slug"),
        ({"name": "Bad", "slug": "Not A Slug!"}, "slug"),
        ({"name": "Reserved", "slug": "admin"}, "slug"),
        ({"name": "", "slug": "blank-name"}, "name"),
        ({"slug": "no-name"}, "name"),
        ({"name": "x" * 101, "slug": "long-name"}, "name"),
    ],
)
def test_create_validation_errors_are_field_errors(org_a, data, field):
    before = Organization.objects.count()

    response = post(org_a.client(), "/organizations/", data)

    assert response.status_code == 400
    body = response.json()
    assert list(body) == [field]
    assert all(isinstance(message, str) and message for message in body[field])
    assert Organization.objects.count() == before


def test_create_with_malformed_json_is_a_400(org_a):
    response = post(org_a.client(), "/organizations/", "{not json")

    assert response.status_code == 400
    assert "detail" in response.json()


# /organizations/<slug>/members/ ------------------------------------------------------------------


def test_members_of_an_organization(org_a, org_b):
    viewer = verified_user("viewer@example.com")
    Membership.objects.create(user=viewer, organization=org_a.organization, role=MembershipRole.VIEWER)

    response = session(viewer).get(f"{API}/organizations/org-a/members/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [(m["email"], m["role"]["value"]) for m in body["results"]] == [
        ("owner-a@example.com", "owner"),
        ("viewer@example.com", "viewer"),
    ]
    assert body["results"][0]["id"] == org_a.owner.pk
    assert "owner-b@example.com" not in response.content.decode()


def test_members_query_count_is_constant(org_a):
    client = org_a.client()
    client.get(f"{API}/organizations/org-a/members/")  # caches the user and the organization
    with CaptureQueriesContext(connection) as one:
        client.get(f"{API}/organizations/org-a/members/")
    for number in range(10):
        Membership.objects.create(user=verified_user(f"m{number}@example.com"), organization=org_a.organization)
    with CaptureQueriesContext(connection) as eleven:
        response = client.get(f"{API}/organizations/org-a/members/")

    assert response.json()["count"] == 11
    assert len(one) == len(eleven) > 0


def test_a_non_member_gets_the_same_404_as_for_an_unknown_organization(org_a, org_b):
    client = org_b.client()

    other = client.get(f"{API}/organizations/org-a/members/")
    unknown = client.get(f"{API}/organizations/no-such-org/members/")

    assert other.status_code == unknown.status_code == 404
    assert other.json() == unknown.json() == {"detail": "Not found."}
    assert other.content == unknown.content
    assert "owner-a@example.com" not in other.content.decode()


# OpenAPI ------------------------------------------------------------------------------------------


def test_openapi_document_is_served_and_lists_the_paths(db):
    response = Client().get(f"{API}/openapi.json")

    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "Wirebook platform API"
    paths = document["paths"]
    assert {"get", "post"} <= set(paths[f"{API}/organizations/"])
    assert "get" in paths[f"{API}/me/"]
    assert "get" in paths[f"{API}/organizations/{{slug}}/members/"]
    assert "OrganizationOut" in document["components"]["schemas"]


def test_no_interactive_docs(db):
    assert Client().get(f"{API}/docs").status_code == 404


def test_new_organizations_take_the_deployments_default_global_uniqueness(org_a, settings):
    # given: a deployment whose new organizations let their global table repeat addresses
    settings.WIREBOOK_ENFORCE_GLOBAL_UNIQUE = False
    user = verified_user("lab@example.com")

    # when: someone creates an organization
    response = post(session(user, enforce_csrf=True), "/organizations/", {"name": "Lab", "slug": "lab-net"})

    # then: it starts with that default, which its own settings then change
    assert response.status_code == 201, response.content
    assert response.json()["enforce_global_unique"] is False
    assert Organization.objects.get(slug="lab-net").enforce_global_unique is False
