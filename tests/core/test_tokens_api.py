"""API tokens at the REST API: NetBox's header forms, errors and organization isolation."""

from django.test import Client

from tenants.models import Membership, MembershipRole
from tenants.tokens import token_create

API = "/o/org-a/api"


def get(path, token, scheme=None):
    scheme = scheme or ("Bearer" if token.startswith("nbt_") else "Token")
    return Client().get(f"{API}{path}", HTTP_AUTHORIZATION=f"{scheme} {token}")


def test_v1_and_v2_tokens_authenticate(org_a):
    _, v2 = token_create(organization=org_a.organization, user=org_a.owner)
    _, v1 = token_create(organization=org_a.organization, user=org_a.owner, version=1)

    assert get("/dcim/sites/", v2).status_code == 200
    assert get("/dcim/sites/", v1).status_code == 200
    assert get("/status/", v2).json()["netbox-version"]


def test_bad_tokens_get_netbox_403s(org_a):
    assert get("/dcim/sites/", "nbt_abcdefghijkl.wrong").json() == {"detail": "Invalid v2 token"}
    assert get("/dcim/sites/", "0" * 40).json() == {"detail": "Invalid v1 token"}
    assert get("/dcim/sites/", "0" * 40).status_code == 403


def test_a_token_of_another_organization_gets_404_like_an_unknown_organization(org_a, org_b):
    _, token_b = token_create(organization=org_b.organization, user=org_b.owner)

    on_a = get("/dcim/sites/", token_b)
    on_unknown = Client().get("/o/no-such-org/api/dcim/sites/", HTTP_AUTHORIZATION=f"Bearer {token_b}")

    assert on_a.status_code == on_unknown.status_code == 404
    assert on_a.json() == on_unknown.json() == {"detail": "Not found."}


def test_read_only_token_cannot_write(org_a):
    _, token = token_create(organization=org_a.organization, user=org_a.owner, write_enabled=False)

    response = Client().post(
        f"{API}/dcim/sites/", '{"name": "X", "slug": "x"}', content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip

    assert response.status_code == 403
    assert response.json() == {"detail": "This token does not permit write operations."}


def test_token_writes_need_no_csrf_and_follow_the_role(org_a, org_b):
    Membership.objects.create(user=org_b.owner, organization=org_a.organization, role=MembershipRole.VIEWER)
    _, owner_token = token_create(organization=org_a.organization, user=org_a.owner)
    _, viewer_token = token_create(organization=org_a.organization, user=org_b.owner)
    client = Client(enforce_csrf_checks=True)

    def post(token):
        return client.post(
            f"{API}/dcim/sites/", '{"name": "X", "slug": "x"}', content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )  # fmt: skip

    assert post(viewer_token).status_code == 403
    assert post(owner_token).status_code == 201
