"""API tokens page (/o/<slug>/settings/tokens/): create (secret shown once), list, revoke."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tenants.models import AuditAction, MembershipRole, Token
from tenants.tokens import token_create, token_digest
from tests.saas_platform.members import IP, client_of, events, member

TOKENS = "/o/org-a/settings/tokens/"
SECRET_RE = re.compile(r'<pre class="token-secret"><code>(nbt_[A-Za-z0-9]{12}\.[A-Za-z0-9]{40})</code></pre>')


def create(client, **data):
    return client.post(TOKENS, {"description": "", "expires": "", "allowed_ips": "", "write_enabled": "on", **data})


def test_a_viewer_creates_a_token_and_sees_its_secret_exactly_once(org_a):
    # given a viewer on the tokens page
    viewer = member(org_a, MembershipRole.VIEWER).user
    client = client_of(viewer)

    # when they create a token
    response = create(client, description="CI pipeline")

    # then the response shows the secret, which works against the API and is stored only as a digest
    assert response.status_code == 201
    page = response.content.decode()
    (plaintext,) = SECRET_RE.findall(page)
    token = Token.objects.get(organization=org_a.organization, user=viewer)
    key, secret = plaintext.removeprefix("nbt_").split(".")
    assert (token.key, token.description, token.write_enabled) == (key, "CI pipeline", True)
    assert token.digest == token_digest(secret) and secret not in token.digest
    assert response["Cache-Control"].startswith("max-age=0")
    api = Client().get("/o/org-a/api/dcim/sites/", HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert api.status_code == 200
    (event,) = events(org_a.organization, AuditAction.TOKEN_CREATED)
    assert (event.actor, event.target, event.ip) == (viewer, f"nbt_{key} (CI pipeline)", IP)
    # and never again: the list shows the token's public key only
    again = client.get(TOKENS).content.decode()
    assert f"nbt_{key}" in again
    assert secret not in again


def test_the_options_are_stored_as_given(org_a):
    expires = (timezone.now() + timedelta(days=30)).replace(second=0, microsecond=0)

    response = create(
        client_of(org_a.owner),
        description="read only",
        expires=expires.strftime("%Y-%m-%dT%H:%M"),
        allowed_ips="192.0.2.7\n2001:DB8::/32, 192.0.2.7",
        write_enabled="",
    )

    assert response.status_code == 201
    token = Token.objects.get(organization=org_a.organization, description="read only")
    assert (token.expires, token.write_enabled, token.allowed_ips) == (
        expires,
        False,
        ["192.0.2.7/32", "2001:db8::/32"],
    )
    event = events(org_a.organization, AuditAction.TOKEN_CREATED)[0]
    assert event.data["write_enabled"] is False
    assert event.data["allowed_ips"] == ["192.0.2.7/32", "2001:db8::/32"]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"allowed_ips": "10.0.0.1/8"}, "allowed_ips", "has host bits set; did you mean 10.0.0.0/8?"),
        ({"allowed_ips": "192.0.2.0/24\nnot-a-network"}, "allowed_ips", "is not a network in CIDR notation"),
        ({"expires": "2001-01-01T00:00"}, "expires", "must be in the future"),
        ({"expires": "next tuesday"}, "expires", "Enter a valid date/time."),
        ({"description": "x" * 201}, "description", "at most 200 characters"),
    ],
)
def test_bad_input_is_a_form_error_and_creates_nothing(org_a, data, field, message):
    response = create(client_of(org_a.owner), **data)

    assert response.status_code == 400
    assert message in str(response.context["form"].errors[field])
    assert not SECRET_RE.search(response.content.decode())
    assert not Token.objects.filter(organization=org_a.organization).exists()
    assert events(org_a.organization, AuditAction.TOKEN_CREATED) == []


def test_members_see_their_own_tokens_and_managers_see_all(org_a):
    editor = member(org_a, MembershipRole.EDITOR).user
    admin = member(org_a, MembershipRole.ADMIN).user
    mine, _ = token_create(organization=org_a.organization, user=editor, description="mine")
    owners, _ = token_create(organization=org_a.organization, user=org_a.owner, description="owner's")
    detached, _ = token_create(organization=org_a.organization, user=None, description="no user")

    as_editor = client_of(editor).get(TOKENS)
    as_admin = client_of(admin).get(TOKENS)

    assert [t.pk for t in as_editor.context["own_tokens"]] == [mine.pk]
    assert as_editor.context["other_tokens"] == []
    assert "owner's" not in as_editor.content.decode()
    assert as_admin.context["own_tokens"] == []
    assert {t.pk for t in as_admin.context["other_tokens"]} == {mine.pk, owners.pk, detached.pk}
    assert "Other tokens of the organization" in as_admin.content.decode()


def test_revoking_asks_first_then_deletes_with_an_audit_event(org_a):
    editor = member(org_a, MembershipRole.EDITOR).user
    token, plaintext = token_create(organization=org_a.organization, user=editor, description="old")
    client = client_of(editor)
    path = f"{TOKENS}{token.pk}/revoke/"

    confirm = client.get(path)
    assert confirm.status_code == 200
    assert "This cannot be undone." in confirm.content.decode()
    assert Token.objects.filter(pk=token.pk).exists()

    response = client.post(path)

    assert response.status_code == 302
    assert not Token.objects.filter(pk=token.pk).exists()
    (event,) = events(org_a.organization, AuditAction.TOKEN_REVOKED)
    assert (event.actor, event.target, event.ip) == (editor, f"{token} (old)", IP)
    api = Client().get("/o/org-a/api/dcim/sites/", HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert api.status_code == 403


def test_a_member_cannot_revoke_someone_elses_token_but_an_admin_can(org_a):
    owners, _ = token_create(organization=org_a.organization, user=org_a.owner)
    path = f"{TOKENS}{owners.pk}/revoke/"

    assert client_of(member(org_a, MembershipRole.EDITOR).user).post(path).status_code == 404
    assert Token.objects.filter(pk=owners.pk).exists()
    assert client_of(member(org_a, MembershipRole.ADMIN).user).post(path).status_code == 302
    assert not Token.objects.filter(pk=owners.pk).exists()


def test_outsiders_see_and_revoke_nothing(org_a, org_b):
    token_a, _ = token_create(organization=org_a.organization, user=org_a.owner, description="secret-a")
    _, plaintext_b = token_create(organization=org_b.organization, user=org_b.owner)
    outsider = org_b.client()
    anonymous = Client(raise_request_exception=False)

    # org B's owner: A's pages do not exist, and A's token id is unknown in B
    assert outsider.get(TOKENS).status_code == 404
    assert outsider.post(f"{TOKENS}{token_a.pk}/revoke/").status_code == 404
    assert outsider.post(f"/o/org-b/settings/tokens/{token_a.pk}/revoke/").status_code == 404
    assert "secret-a" not in outsider.get("/o/org-b/settings/tokens/").content.decode()
    # anonymous, with or without B's token: sent to log in
    assert anonymous.get(TOKENS).status_code == 302
    with_token = anonymous.post(f"{TOKENS}{token_a.pk}/revoke/", HTTP_AUTHORIZATION=f"Bearer {plaintext_b}")
    assert with_token.status_code == 302
    assert create(anonymous, description="sneaky").status_code == 302

    assert Token.objects.filter(pk=token_a.pk).exists()
    assert not Token.objects.filter(description="sneaky").exists()
