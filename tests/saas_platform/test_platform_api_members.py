"""Members and invitations through the platform API (/api/platform/organizations/<slug>/…): the
rules of tenants.members (roles, the last owner, billing refusals, audit events) answered in
NetBox's JSON shapes, and nothing about an organization for those outside it."""

import json
import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialApp
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.utils import timezone

from tenants.members import LAST_OWNER
from tenants.models import (
    AuditAction,
    AuditEvent,
    Invitation,
    Membership,
    MembershipRole,
    OrganizationStatus,
    SSOConfiguration,
)
from tenants.tokens import token_create
from tests.conftest import PASSWORD
from tests.saas_platform.members import IP, client_of, events, member

API = "/api/platform"
ORG = f"{API}/organizations/org-a"
CSRF = "a" * 32  # a well-formed CSRF secret; the same value as cookie and header passes the check
LINK_RE = re.compile(r"http://localhost(/invitations/[^\s/]+/)")
OWNER, ADMIN, EDITOR, VIEWER = (
    MembershipRole.OWNER,
    MembershipRole.ADMIN,
    MembershipRole.EDITOR,
    MembershipRole.VIEWER,
)


def call(client: Client, method: str, path: str, data=None, **extra):
    """A request with the CSRF token a browser's script would send."""
    client.cookies["csrftoken"] = CSRF
    body = data if data is None or isinstance(data, str) else json.dumps(data)
    if body is not None:
        extra["content_type"] = "application/json"
    return getattr(client, method)(path, body, HTTP_X_CSRFTOKEN=CSRF, **extra)


def account(email: str):
    """A user with a verified address, member of nothing."""
    user = get_user_model().objects.create_user(email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def invite(client: Client, email="new@example.com", role=EDITOR, slug="org-a"):
    return call(client, "post", f"{API}/organizations/{slug}/invitations/", {"email": email, "role": role})


def roles(org) -> list[tuple[str, str]]:
    return sorted(Membership.objects.filter(organization=org.organization).values_list("user__email", "role"))


def invitations(org) -> list[tuple[str, str]]:
    return sorted(Invitation.objects.filter(organization=org.organization).values_list("email", "role"))


def audit_actions(org) -> list[str]:
    """The organization's audit trail of members and invitations."""
    trail = AuditEvent.objects.filter(organization=org.organization).exclude(action=AuditAction.ORGANIZATION_CREATED)
    return list(trail.order_by("pk").values_list("action", flat=True))


# Invitations --------------------------------------------------------------------------------


def test_inviting_emails_a_working_link_and_never_answers_the_token(org_a, django_capture_on_commit_callbacks):
    # given
    owner = client_of(org_a.owner)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(owner, email=" Joiner@Example.com ", role=ADMIN)

    # then: 201 with the invitation; the token exists only in the email
    assert response.status_code == 201, response.content
    invitation = Invitation.objects.get(organization=org_a.organization)
    body = response.json()
    assert body == {
        "id": invitation.pk,
        "email": "Joiner@Example.com",
        "role": {"value": "admin", "label": "Admin"},
        "invited_by": "owner-a@example.com",
        "created": body["created"],
        "expires": body["expires"],
        "expired": False,
    }
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["Joiner@Example.com"]
    path = LINK_RE.search(mail.outbox[0].body)[1]
    token = path.split("/")[2]
    assert token not in response.content.decode()
    assert invitation.digest not in response.content.decode()
    [event] = events(org_a.organization, AuditAction.INVITATION_CREATED)
    assert (event.actor, event.target, event.data, event.ip) == (org_a.owner, "Joiner@Example.com", {"role": ADMIN}, IP)

    # and: another account cannot accept it, the invited one can, once
    intruder = client_of(member(org_a, VIEWER, "intruder@example.com").user)
    assert intruder.post(path).status_code == 403
    joiner_client = client_of(account("joiner@example.com"))
    assert joiner_client.post(path)["Location"] == "/o/org-a/"
    assert joiner_client.post(path).status_code == 403
    assert ("joiner@example.com", ADMIN) in roles(org_a)
    assert call(owner, "get", f"{ORG}/invitations/").json()["count"] == 0


def test_open_invitations_are_listed_to_managers_and_paginated(org_a):
    admin = client_of(member(org_a, ADMIN).user)
    for email in ("one@example.com", "two@example.com", "three@example.com"):
        assert invite(admin, email=email).status_code == 201
    Invitation.objects.filter(email="one@example.com").update(accepted_at="2024-01-01T00:00:00Z")

    first = admin.get(f"{ORG}/invitations/?limit=1")
    second = admin.get(first.json()["next"])

    assert first.status_code == second.status_code == 200
    assert first.json()["count"] == 2
    assert [i["email"] for i in first.json()["results"] + second.json()["results"]] == [
        "three@example.com",
        "two@example.com",
    ]
    assert second.json()["next"] is None
    assert first.json()["results"][0]["invited_by"] == "admin-org-a@example.com"


def test_revoking_an_invitation(org_a, django_capture_on_commit_callbacks):
    owner = client_of(org_a.owner)
    with django_capture_on_commit_callbacks(execute=True):
        invitation_id = invite(owner, email="gone@example.com").json()["id"]
    path = LINK_RE.search(mail.outbox[0].body)[1]

    response = call(owner, "delete", f"{ORG}/invitations/{invitation_id}/")

    assert response.status_code == 204
    assert invitations(org_a) == []
    [event] = events(org_a.organization, AuditAction.INVITATION_REVOKED)
    assert (event.actor, event.target) == (org_a.owner, "gone@example.com")
    assert client_of(account("gone@example.com")).post(path).status_code == 404
    again = call(owner, "delete", f"{ORG}/invitations/{invitation_id}/")
    assert again.status_code == 404 and again.json() == {"detail": "Not found."}


def test_an_accepted_invitation_is_not_revocable(org_a):
    owner = client_of(org_a.owner)
    invitation_id = invite(owner, email="joined@example.com").json()["id"]
    Invitation.objects.filter(pk=invitation_id).update(accepted_at="2024-01-01T00:00:00Z")

    response = call(owner, "delete", f"{ORG}/invitations/{invitation_id}/")

    assert response.status_code == 404
    assert Invitation.objects.filter(pk=invitation_id).exists()
    assert audit_actions(org_a) == [AuditAction.INVITATION_CREATED]


ROLE_VALUES = "'owner', 'admin', 'editor' or 'viewer'"
ALREADY_MEMBER = "This person is already a member of the organization."


@pytest.mark.parametrize(
    "data,errors",
    [
        ({"email": "not-an-email", "role": "viewer"}, {"email": ["Enter a valid email address."]}),
        ({"email": "x@example.com", "role": "boss"}, {"role": [f"Input should be {ROLE_VALUES}"]}),
        ({"role": "viewer"}, {"email": ["This field is required."]}),
        ({"email": "x@example.com"}, {"role": ["This field is required."]}),
        ({"email": "owner-a@example.com", "role": "viewer"}, {"email": [ALREADY_MEMBER]}),
    ],
)  # fmt: skip
def test_invalid_invitations_are_field_errors(org_a, data, errors):
    response = call(client_of(org_a.owner), "post", f"{ORG}/invitations/", data)

    assert response.status_code == 400
    assert response.json() == errors
    assert invitations(org_a) == []
    assert mail.outbox == []


def test_a_second_open_invitation_to_one_address_is_a_field_error(org_a):
    owner = client_of(org_a.owner)
    assert invite(owner, email="twice@example.com").status_code == 201

    response = invite(owner, email="TWICE@example.com")

    assert response.status_code == 400
    assert list(response.json()) == ["email"]
    assert invitations(org_a) == [("twice@example.com", EDITOR)]


def test_a_read_only_organization_refuses_invitations_with_a_clear_detail(org_a, django_capture_on_commit_callbacks):
    org_a.organization.status = OrganizationStatus.READ_ONLY
    org_a.organization.save(update_fields=["status"])

    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client_of(org_a.owner))

    assert response.status_code == 403
    assert response.json() == {"detail": "This organization is read-only."}
    assert invitations(org_a) == [] and mail.outbox == []
    assert audit_actions(org_a) == []


def test_the_plans_member_limit_counts_invitations(org_a, settings):
    # given: billing on; the Free plan allows 2 members and A has its owner
    settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = "sk_test_x", "whsec_x"
    settings.WIREBOOK_PLANS = {"free": {"name": "Free", "price": "", "max_members": 2, "max_objects": 0}}
    owner = client_of(org_a.owner)

    # when
    first = invite(owner, email="second@example.com")
    second = invite(owner, email="third@example.com")

    # then
    assert first.status_code == 201
    assert second.status_code == 403
    assert "The Free plan allows 2 members (invitations included)" in second.json()["detail"]
    assert invitations(org_a) == [("second@example.com", EDITOR)]


def test_the_link_points_to_the_public_site_when_asked_on_an_organizations_host(
    org_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        on_org_host = call(
            client_of(org_a.owner),
            "post",
            f"{ORG}/invitations/",
            {"email": "a@example.com", "role": "viewer"},
            HTTP_HOST="org-a.localhost",
        )

    assert on_org_host.status_code == 201
    assert re.search(r"http://localhost/invitations/[^\s/]+/", mail.outbox[0].body)


# Members ------------------------------------------------------------------------------------


def test_managers_change_roles(org_a):
    admin = member(org_a, ADMIN)
    editor = member(org_a, EDITOR)

    response = call(client_of(admin.user), "patch", f"{ORG}/members/{editor.user_id}/", {"role": "viewer"})

    assert response.status_code == 200
    assert response.json()["id"] == editor.user_id
    assert response.json()["role"] == {"value": "viewer", "label": "Viewer"}
    assert ("editor-org-a@example.com", VIEWER) in roles(org_a)
    [event] = events(org_a.organization, AuditAction.MEMBERSHIP_ROLE_CHANGED)
    assert (event.actor, event.target, event.data) == (admin.user, editor.user.email, {"from": EDITOR, "to": VIEWER})


def test_managers_remove_members(org_a):
    viewer = member(org_a, VIEWER)

    response = call(client_of(org_a.owner), "delete", f"{ORG}/members/{viewer.user_id}/")

    assert response.status_code == 204
    assert roles(org_a) == [("owner-a@example.com", OWNER)]
    [event] = events(org_a.organization, AuditAction.MEMBERSHIP_REMOVED)
    assert (event.actor, event.target, event.data) == (org_a.owner, viewer.user.email, {"role": VIEWER})


def test_members_leave(org_a):
    editor = member(org_a, EDITOR)
    client = client_of(editor.user)

    response = call(client, "post", f"{ORG}/leave/")

    assert response.status_code == 204
    assert roles(org_a) == [("owner-a@example.com", OWNER)]
    [event] = events(org_a.organization, AuditAction.MEMBERSHIP_LEFT)
    assert (event.actor, event.target) == (editor.user, editor.user.email)
    assert client.get(f"{ORG}/members/").status_code == 404


@pytest.mark.parametrize("role", [VIEWER, EDITOR])
def test_viewers_and_editors_write_nothing(org_a, role):
    # given: an invitation and another member to aim at
    someone = member(org_a, role)
    other = member(org_a, VIEWER, "other@example.com")
    invitation_id = invite(client_of(org_a.owner), email="open@example.com").json()["id"]
    before = (roles(org_a), invitations(org_a), audit_actions(org_a))
    client = client_of(someone.user)

    # when
    responses = [
        client.get(f"{ORG}/invitations/"),
        invite(client, email="friend@example.com", role=VIEWER),
        call(client, "delete", f"{ORG}/invitations/{invitation_id}/"),
        call(client, "patch", f"{ORG}/members/{other.user_id}/", {"role": "admin"}),
        call(client, "patch", f"{ORG}/members/{someone.user_id}/", {"role": "admin"}),
        call(client, "delete", f"{ORG}/members/{other.user_id}/"),
        call(client, "delete", f"{ORG}/members/999999/"),
    ]

    # then
    assert [r.status_code for r in responses] == [403] * len(responses)
    assert {r.json()["detail"] for r in responses} == {"Only admins and owners manage members."}
    assert (roles(org_a), invitations(org_a), audit_actions(org_a)) == before


def test_admins_cannot_touch_owners_or_make_them(org_a):
    admin = member(org_a, ADMIN)
    editor = member(org_a, EDITOR)
    client = client_of(admin.user)
    before = roles(org_a)

    responses = [
        invite(client, email="boss@example.com", role=OWNER),
        call(client, "patch", f"{ORG}/members/{editor.user_id}/", {"role": "owner"}),
        call(client, "patch", f"{ORG}/members/{admin.user_id}/", {"role": "owner"}),
        call(client, "patch", f"{ORG}/members/{org_a.owner.pk}/", {"role": "viewer"}),
        call(client, "delete", f"{ORG}/members/{org_a.owner.pk}/"),
    ]

    assert [r.status_code for r in responses] == [403] * 5
    assert [r.json()["detail"] for r in responses] == [
        "Only owners invite owners.",
        "Only owners make or demote owners.",
        "Only owners make or demote owners.",
        "Only owners make or demote owners.",
        "Only owners remove owners.",
    ]
    assert roles(org_a) == before and invitations(org_a) == []
    assert audit_actions(org_a) == []


def test_owners_make_owners_and_invite_them(org_a):
    admin = member(org_a, ADMIN)
    owner = client_of(org_a.owner)

    promoted = call(owner, "patch", f"{ORG}/members/{admin.user_id}/", {"role": "owner"})
    invited = invite(owner, email="boss@example.com", role=OWNER)

    assert promoted.status_code == 200 and promoted.json()["role"]["value"] == "owner"
    assert invited.status_code == 201 and invited.json()["role"]["value"] == "owner"
    assert ("admin-org-a@example.com", OWNER) in roles(org_a)


def test_the_last_owner_can_neither_leave_nor_be_demoted_nor_removed(org_a):
    owner = client_of(org_a.owner)

    responses = [
        call(owner, "post", f"{ORG}/leave/"),
        call(owner, "patch", f"{ORG}/members/{org_a.owner.pk}/", {"role": "admin"}),
        call(owner, "delete", f"{ORG}/members/{org_a.owner.pk}/"),
    ]

    assert [r.status_code for r in responses] == [409] * 3
    assert all(r.json() == {"detail": LAST_OWNER} for r in responses)
    assert roles(org_a) == [("owner-a@example.com", OWNER)]
    assert audit_actions(org_a) == []


def test_one_of_two_owners_may_leave(org_a):
    second = member(org_a, OWNER)

    assert call(client_of(second.user), "post", f"{ORG}/leave/").status_code == 204
    assert roles(org_a) == [("owner-a@example.com", OWNER)]
    assert call(client_of(org_a.owner), "post", f"{ORG}/leave/").status_code == 409


def test_an_unknown_member_or_role(org_a):
    owner = client_of(org_a.owner)
    viewer = member(org_a, VIEWER)

    unknown = call(owner, "patch", f"{ORG}/members/999999/", {"role": "viewer"})
    bad_role = call(owner, "patch", f"{ORG}/members/{viewer.user_id}/", {"role": "superuser"})
    no_role = call(owner, "patch", f"{ORG}/members/{viewer.user_id}/", {})

    assert (unknown.status_code, unknown.json()) == (404, {"detail": "Not found."})
    assert bad_role.status_code == no_role.status_code == 400
    assert list(bad_role.json()) == ["role"]
    assert no_role.json() == {"role": ["This field is required."]}
    assert ("viewer-org-a@example.com", VIEWER) in roles(org_a)


# Outsiders --------------------------------------------------------------------------------------


def outsider_requests(client: Client, slug: str, member_id: int, invitation_id: int) -> list:
    base = f"{API}/organizations/{slug}"
    return [
        client.get(f"{base}/invitations/"),
        invite(client, slug=slug),
        call(client, "delete", f"{base}/invitations/{invitation_id}/"),
        call(client, "patch", f"{base}/members/{member_id}/", {"role": "owner"}),
        call(client, "delete", f"{base}/members/{member_id}/"),
        call(client, "post", f"{base}/leave/"),
    ]


def test_a_non_member_cannot_tell_the_organization_exists(org_a, org_b):
    # given: an invitation and a member of A; B's owner looks
    viewer = member(org_a, VIEWER)
    invitation_id = invite(client_of(org_a.owner), email="open@example.com").json()["id"]
    before = (roles(org_a), invitations(org_a), audit_actions(org_a))
    client = client_of(org_b.owner)

    # when
    other = outsider_requests(client, "org-a", viewer.user_id, invitation_id)
    unknown = outsider_requests(client, "no-such-org", viewer.user_id, invitation_id)

    # then
    assert [r.status_code for r in other] == [404] * len(other)
    assert [r.content for r in other] == [r.content for r in unknown]
    assert other[0].json() == {"detail": "Not found."}
    assert (roles(org_a), invitations(org_a), audit_actions(org_a)) == before


def test_another_organizations_ids_are_not_found(org_a, org_b):
    # B's owner, through B, aims at A's member and invitation
    viewer = member(org_a, VIEWER)
    invitation_id = invite(client_of(org_a.owner), email="open@example.com").json()["id"]
    client = client_of(org_b.owner)

    responses = [
        call(client, "delete", f"{API}/organizations/org-b/invitations/{invitation_id}/"),
        call(client, "patch", f"{API}/organizations/org-b/members/{viewer.user_id}/", {"role": "admin"}),
        call(client, "delete", f"{API}/organizations/org-b/members/{viewer.user_id}/"),
    ]

    assert [r.status_code for r in responses] == [404] * 3
    assert ("viewer-org-a@example.com", VIEWER) in roles(org_a)
    assert invitations(org_a) == [("open@example.com", EDITOR)]


def test_anonymous_callers_and_organization_tokens_are_refused(org_a):
    viewer = member(org_a, VIEWER)
    invitation_id = invite(client_of(org_a.owner), email="open@example.com").json()["id"]
    _, token = token_create(organization=org_a.organization, user=org_a.owner)
    before = (roles(org_a), invitations(org_a))

    anonymous = outsider_requests(Client(), "org-a", viewer.user_id, invitation_id)
    tokened = outsider_requests(Client(HTTP_AUTHORIZATION=f"Bearer {token}"), "org-a", viewer.user_id, invitation_id)

    for response in anonymous + tokened:
        assert response.status_code == 403
        assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert (roles(org_a), invitations(org_a)) == before


def test_writes_need_the_csrf_token(org_a):
    viewer = member(org_a, VIEWER)
    client = Client(enforce_csrf_checks=True)
    client.force_login(org_a.owner)

    responses = [
        client.post(
            f"{ORG}/invitations/", {"email": "x@example.com", "role": "viewer"}, content_type="application/json"
        ),
        client.patch(f"{ORG}/members/{viewer.user_id}/", {"role": "admin"}, content_type="application/json"),
        client.delete(f"{ORG}/members/{viewer.user_id}/"),
    ]

    assert [r.status_code for r in responses] == [403] * 3
    assert ("viewer-org-a@example.com", VIEWER) in roles(org_a) and invitations(org_a) == []


def test_a_session_without_the_required_sso_is_refused(org_a):
    # given: A requires SSO; an admin logged in with a password
    app = SocialApp.objects.create(provider="openid_connect", provider_id="org-org-a", name="A", client_id="a")
    SSOConfiguration.objects.create(organization=org_a.organization, protocol="oidc", app=app, require_sso=True)
    admin = client_of(member(org_a, ADMIN).user)
    viewer = member(org_a, VIEWER)

    responses = [
        admin.get(f"{ORG}/members/"),
        admin.get(f"{ORG}/invitations/"),
        invite(admin),
        call(admin, "delete", f"{ORG}/members/{viewer.user_id}/"),
    ]

    assert [r.status_code for r in responses] == [403] * 4
    assert {r.json()["detail"] for r in responses} == {"This organization requires single sign-on."}
    assert invitations(org_a) == [] and ("viewer-org-a@example.com", VIEWER) in roles(org_a)
    # owners keep their password as a way back in
    assert invite(client_of(org_a.owner)).status_code == 201


def test_an_organization_being_deleted_takes_no_member_changes(org_a):
    viewer = member(org_a, VIEWER)
    org_a.organization.status = OrganizationStatus.PENDING_DELETION
    org_a.organization.deletion_due = timezone.now() + timedelta(days=7)
    org_a.organization.save(update_fields=["status", "deletion_due"])
    owner = client_of(org_a.owner)

    responses = [
        invite(owner),
        call(owner, "patch", f"{ORG}/members/{viewer.user_id}/", {"role": "admin"}),
        call(owner, "delete", f"{ORG}/members/{viewer.user_id}/"),
    ]
    # to members who are not owners it no longer exists (tests/saas_platform/test_pending_deletion_listing.py)
    left = call(client_of(viewer.user), "post", f"{ORG}/leave/")

    assert [r.status_code for r in responses] == [403] * 3
    assert {r.json()["detail"] for r in responses} == {"This organization is scheduled for deletion."}
    assert left.status_code == 404
    assert ("viewer-org-a@example.com", VIEWER) in roles(org_a)


# OpenAPI ------------------------------------------------------------------------------------------


def test_the_openapi_document_lists_the_member_operations(db):
    paths = Client().get(f"{API}/openapi.json").json()["paths"]

    assert {"get", "post"} <= set(paths[f"{API}/organizations/{{slug}}/invitations/"])
    assert "delete" in paths[f"{API}/organizations/{{slug}}/invitations/{{invitation_id}}/"]
    assert {"patch", "delete"} <= set(paths[f"{API}/organizations/{{slug}}/members/{{user_id}}/"])
    assert "post" in paths[f"{API}/organizations/{{slug}}/leave/"]
    created = paths[f"{API}/organizations/{{slug}}/invitations/"]["post"]["responses"]["201"]
    schema = created["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    properties = Client().get(f"{API}/openapi.json").json()["components"]["schemas"][schema]["properties"]
    assert "token" not in properties and "digest" not in properties
