"""Who may create API tokens for whom (tenants.tokens.token_create_check).

A member creates tokens only for themselves; owners also for members whose role is not above
theirs (owner > admin > editor > viewer). Before, an admin could mint a token for the owner and
act -- and be logged -- as them. Every path obeys the one rule (REST, the settings page); the
token, its audit event and the tokens page record who created it."""

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from tenants import tokens as token_rules
from tenants.models import AuditAction, MembershipRole, Token
from tenants.tokens import FOR_SELF_ONLY, ROLE_ABOVE_YOURS, token_create
from tests.saas_platform.members import client_of, events, member

API = "/o/org-a/api/users/tokens/"
PAGE = "/o/org-a/settings/tokens/"


@pytest.fixture
def people(org_a):
    return {
        "owner": org_a.owner,
        **{role: member(org_a, role).user for role in (MembershipRole.ADMIN, MembershipRole.EDITOR, "viewer")},
    }


def mint(client, user_id, **extra):
    payload = {"user": user_id, "description": "minted", **extra}
    return client.post(API, json.dumps(payload), content_type="application/json")


def tokens_of(org_a, user) -> list[Token]:
    return list(Token.objects.filter(organization=org_a.organization, user=user))


def test_an_admin_cannot_mint_a_token_for_the_owner(org_a, people):
    response = mint(client_of(people["admin"]), people["owner"].pk)

    assert response.status_code == 403
    assert response.json() == {"detail": FOR_SELF_ONLY}
    assert tokens_of(org_a, people["owner"]) == []
    assert events(org_a.organization, AuditAction.TOKEN_CREATED) == []


@pytest.mark.parametrize(("creator", "target"), [("editor", "viewer"), ("viewer", "editor"), ("admin", "editor")])
def test_other_members_mint_for_nobody_else(org_a, people, creator, target):
    response = mint(client_of(people[creator]), people[target].pk)

    assert (response.status_code, response.json()) == (403, {"detail": FOR_SELF_ONLY})
    assert Token.objects.filter(organization=org_a.organization).count() == 0


def test_the_owner_mints_for_an_admin_and_the_records_say_who(org_a, people):
    owner, admin = people["owner"], people["admin"]

    response = mint(client_of(owner), admin.pk)

    assert response.status_code == 201, response.content
    [token] = tokens_of(org_a, admin)
    assert token.created_by == owner
    assert "created_by" not in response.json()  # NetBox's token has no such field
    [event] = events(org_a.organization, AuditAction.TOKEN_CREATED)
    assert event.actor == owner
    assert (event.data["user"], event.data["created_by"]) == (admin.email, owner.email)
    # the token works, as the admin
    secret = f"nbt_{response.json()['key']}.{response.json()['token']}"
    assert Client().get("/o/org-a/api/dcim/sites/", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200


@pytest.mark.parametrize("who", ["owner", "admin", "editor", "viewer"])
def test_every_member_mints_for_themselves(org_a, people, who):
    user = people[who]

    by_default = client_of(user).post(API, json.dumps({}), content_type="application/json")
    by_id = mint(client_of(user), user.pk)

    assert (by_default.status_code, by_id.status_code) == (201, 201)
    assert [token.created_by for token in tokens_of(org_a, user)] == [user, user]


def test_the_rank_rule_when_more_roles_may_mint_for_others(org_a, people, monkeypatch):
    # given a deployment letting admins mint for others too
    monkeypatch.setattr(token_rules, "MINT_FOR_OTHERS", frozenset({MembershipRole.OWNER, MembershipRole.ADMIN}))

    # an admin then mints for an editor, never for the owner above them
    token, _ = token_create(organization=org_a.organization, user=people["editor"], actor=people["admin"])
    with pytest.raises(PermissionDenied, match=ROLE_ABOVE_YOURS):
        token_create(organization=org_a.organization, user=people["owner"], actor=people["admin"])

    assert token.created_by == people["admin"]
    assert tokens_of(org_a, people["owner"]) == []


def test_an_operator_mints_for_anyone_and_is_recorded_as_nobody(org_a, people):
    token, _ = token_create(organization=org_a.organization, user=people["owner"], actor=None)

    assert token.created_by is None
    [event] = events(org_a.organization, AuditAction.TOKEN_CREATED)
    assert (event.actor, event.data["created_by"]) == (None, None)


def page_post(client, **data):
    return client.post(PAGE, {"description": "", "expires": "", "allowed_ips": "", "write_enabled": "on", **data})


def test_the_settings_page_obeys_the_same_rule(org_a, people):
    owner, admin, editor = people["owner"], people["admin"], people["editor"]

    # the owner chooses whom a token is for
    offered = client_of(owner).get(PAGE).content.decode()
    assert 'name="user"' in offered and admin.email in offered and "<select" in offered
    for_admin = page_post(client_of(owner), user=admin.pk, description="for the admin")
    assert for_admin.status_code == 201
    [token] = tokens_of(org_a, admin)
    assert token.created_by == owner
    # and the tokens pages say who created it
    assert owner.email in client_of(admin).get(PAGE).content.decode().split("Your tokens")[1]

    # others are not offered the choice, and posting it anyway is refused with a form error
    assert "<select" not in client_of(admin).get(PAGE).content.decode().split("Create a token")[1]
    refused = page_post(client_of(admin), user=owner.pk)
    sideways = page_post(client_of(editor), user=people["viewer"].pk)
    assert refused.status_code == 403 and FOR_SELF_ONLY in refused.content.decode()
    assert sideways.status_code == 403 and FOR_SELF_ONLY in sideways.content.decode()
    assert tokens_of(org_a, owner) == [] and tokens_of(org_a, people["viewer"]) == []
    # while minting for yourself on the page still works
    assert page_post(client_of(editor)).status_code == 201
    assert [t.created_by for t in tokens_of(org_a, editor)] == [editor]


def test_other_organizations_and_anonymous_callers_mint_nothing(org_a, org_b, people):
    outsider = org_b.client()

    assert mint(outsider, people["admin"].pk).status_code == 404
    assert page_post(outsider, user=people["admin"].pk).status_code == 404
    assert mint(Client(), people["admin"].pk).status_code in (401, 403)
    # an owner cannot mint for someone outside their organization
    foreign = mint(client_of(org_a.owner), org_b.owner.pk)
    assert foreign.status_code == 400 and "user" in foreign.json()
    assert Token.objects.filter(organization=org_a.organization).count() == 0
    assert not Token.objects.filter(user=org_b.owner).exists()


def test_the_change_log_names_who_created_the_token_a_change_was_made_with(org_a, people):
    from core.models import ObjectChange
    from tenants.context import tenant_context

    owner, admin = people["owner"], people["admin"]
    _, for_admin = token_create(organization=org_a.organization, user=admin, actor=owner)
    _, own = token_create(organization=org_a.organization, user=admin, actor=admin)

    for secret, slug in ((for_admin, "by-owners-token"), (own, "by-own-token")):
        response = Client().post(
            "/o/org-a/api/dcim/sites/",
            json.dumps({"name": slug, "slug": slug}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {secret}",
        )
        assert response.status_code == 201, response.content

    with tenant_context(org_a.organization):
        logged = {c.object_repr: (c.user_name, c.token_created_by) for c in ObjectChange.objects.all()}
    assert logged["by-owners-token"] == (admin.email, owner.email)
    assert logged["by-own-token"] == (admin.email, "")
    with tenant_context(org_a.organization):
        site_id = ObjectChange.objects.get(object_repr="by-owners-token").changed_object_id
    changelog = client_of(owner).get(f"/o/org-a/dcim/sites/{site_id}/changelog/").content.decode()
    assert f"(API token created by {owner.email})" in changelog
