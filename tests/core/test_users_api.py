"""/api/users/: members, tokens and token provisioning (what pynetbox's create_token calls)."""

import json
import uuid

from django.test import Client, override_settings

from tenants.models import Membership, MembershipRole, Token
from tests.conftest import PASSWORD

API = "/o/org-a/api"


def provision(payload, org="org-a"):
    return Client().post(f"/o/{org}/api/users/tokens/provision/", json.dumps(payload), content_type="application/json")


def test_provisioning_returns_a_v2_token_pynetbox_can_use(org_a):
    response = provision({"username": "owner-a@example.com", "password": PASSWORD, "description": "ci"})

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["version"] == 2 and body["description"] == "ci"
    credential = f"nbt_{body['key']}.{body['token']}"
    assert Client().get(f"{API}/dcim/sites/", HTTP_AUTHORIZATION=f"Bearer {credential}").status_code == 200
    assert Token.objects.get(pk=body["id"]).organization == org_a.organization


def test_provisioning_failures_look_alike(org_a, org_b):
    wrong_password = provision({"username": "owner-a@example.com", "password": "nope"})
    not_a_member = provision({"username": "owner-b@example.com", "password": PASSWORD})
    no_such_org = provision({"username": "owner-a@example.com", "password": PASSWORD}, org="no-such-org")

    assert wrong_password.status_code == not_a_member.status_code == no_such_org.status_code == 403
    assert wrong_password.json() == not_a_member.json() == no_such_org.json() == {"detail": "Invalid username/password"}
    assert not Token.objects.filter(organization=org_a.organization).exists()


def test_provisioning_validates_input(org_a):
    assert provision({"username": "owner-a@example.com"}).json() == {"password": ["This field is required."]}
    bad = provision({"username": "owner-a@example.com", "password": PASSWORD, "expires": "2000-01-01T00:00:00Z"})
    assert bad.status_code == 400 and "expires" in bad.json()


def test_members_list_shows_only_this_organizations_members(org_a):
    response = org_a.client().get(f"{API}/users/users/")

    assert response.status_code == 200
    assert [u["username"] for u in response.json()["results"]] == ["owner-a@example.com"]
    assert response.json()["results"][0]["role"]["value"] == "owner"


def test_tokens_list_create_and_revoke(org_a, org_b):
    Membership.objects.create(user=org_b.owner, organization=org_a.organization, role=MembershipRole.EDITOR)
    owner, editor = org_a.client(), org_b.client()

    created = editor.post(f"{API}/users/tokens/", json.dumps({"description": "mine"}), content_type="application/json")
    assert created.status_code == 201 and "token" in created.json()
    owner.post(f"{API}/users/tokens/", json.dumps({"description": "owner's"}), content_type="application/json")

    assert [t["description"] for t in editor.get(f"{API}/users/tokens/").json()["results"]] == ["mine"]
    assert {t["description"] for t in owner.get(f"{API}/users/tokens/").json()["results"]} == {"mine", "owner's"}
    assert "token" not in owner.get(f"{API}/users/tokens/").json()["results"][0]

    owners_token = Token.objects.get(description="owner's")
    assert editor.delete(f"{API}/users/tokens/{owners_token.pk}/").status_code == 404
    assert owner.delete(f"{API}/users/tokens/{created.json()['id']}/").status_code == 204
    assert not Token.objects.filter(description="mine").exists()


def test_an_editor_cannot_make_tokens_for_others(org_a, org_b):
    Membership.objects.create(user=org_b.owner, organization=org_a.organization, role=MembershipRole.EDITOR)

    response = org_b.client().post(
        f"{API}/users/tokens/", json.dumps({"user": org_a.owner.pk}), content_type="application/json"
    )

    assert response.status_code == 403


def test_a_token_is_made_for_a_user_named_by_numeric_id(org_a):
    owner = org_a.client()

    def create(user):
        return owner.post(f"{API}/users/tokens/", json.dumps({"user": user}), content_type="application/json")

    by_text = create(str(org_a.owner.pk))
    not_a_number = create("owner-a@example.com")

    assert by_text.status_code == 201 and by_text.json()["user"]["id"] == org_a.owner.pk
    assert not_a_number.status_code == 400 and list(not_a_number.json()) == ["user"]
    assert Token.objects.filter(organization=org_a.organization).count() == 1


def test_outsiders_see_no_members_or_tokens(org_a, org_b):
    assert org_b.client().get(f"{API}/users/users/").status_code == 404
    assert org_b.client().get(f"{API}/users/tokens/").status_code == 404
    assert Client().get(f"{API}/users/tokens/").status_code == 403


@override_settings(ACCOUNT_RATE_LIMITS={"login_failed": "3/m/key"})
def test_provisioning_throttles_password_guessing(org_a):
    target = f"target-{uuid.uuid4().hex}@example.com"  # a key no other test (or earlier run) has used
    guesses = [provision({"username": target, "password": f"guess-{n}"}) for n in range(4)]
    someone_else = provision({"username": f"other-{uuid.uuid4().hex}@example.com", "password": "x"})

    assert [g.status_code for g in guesses] == [403, 403, 403, 429]
    assert guesses[-1].json() == {"detail": "Request was throttled."}
    assert someone_else.status_code == 403
