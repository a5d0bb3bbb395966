"""The platform audit log: every member, role, invitation and token change writes one event, and
only the organization's admins and owners read them."""

import json
import re
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from tenants.audit import audit_record
from tenants.members import invitation_create, membership_role_change
from tenants.models import AuditAction, AuditEvent, Invitation, Membership, MembershipRole, Token
from tenants.services import organization_create
from tenants.tokens import token_create, token_revoke
from tests.conftest import PASSWORD

IP = "198.51.100.7"
AUDIT = "/o/org-a/settings/audit/"
MEMBERS = "/o/org-a/settings/members/"
LINK_RE = re.compile(r"https?://[^\s/]+(/invitations/[^\s/]+/)")


def user_with(email):
    user = get_user_model().objects.create_user(email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def member(org, role, email=None):
    user = user_with(email or f"{role}-{org.organization.slug}@example.com")
    return Membership.objects.create(user=user, organization=org.organization, role=role)


def client_of(user, ip=IP) -> Client:
    client = Client(raise_request_exception=False, REMOTE_ADDR=ip)
    client.force_login(user)
    return client


def events(org, action=None):
    """The organization's events of `action`, or all but its creation (A and B are made once per session)."""
    found = AuditEvent.objects.filter(organization=org.organization)
    return list(found.filter(action=action) if action else found.exclude(action=AuditAction.ORGANIZATION_CREATED))


def only_event(org, action):
    found = events(org, action)
    assert len(found) == 1, found
    return found[0]


# --- Each action writes one event ------------------------------------------------------------


def test_creating_an_organization_records_its_owner(db):
    owner = get_user_model().objects.create_user("founder@example.com", password=PASSWORD)

    organization = organization_create(name="Founded", slug="founded", owner=owner)

    (event,) = AuditEvent.objects.filter(organization=organization)
    assert event.action == AuditAction.ORGANIZATION_CREATED
    assert (event.actor, event.actor_email, event.target) == (owner, "founder@example.com", "founded")
    assert event.data == {"name": "Founded", "slug": "founded"}
    assert event.ip is None  # no request: an operator or a test


def test_inviting_records_the_inviter_the_address_and_the_ip(org_a):
    response = client_of(org_a.owner).post(MEMBERS + "invite/", {"email": "new@example.com", "role": "editor"})

    assert response.status_code == 302
    event = only_event(org_a, AuditAction.INVITATION_CREATED)
    assert (event.actor, event.actor_email, event.target, event.ip) == (
        org_a.owner,
        "owner-a@example.com",
        "new@example.com",
        IP,
    )
    assert event.data == {"role": "editor"}


def test_accepting_records_the_new_member(org_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            organization=org_a.organization, email="joiner@example.com", role="viewer", invited_by=org_a.owner
        )
    path = LINK_RE.search(mail.outbox[-1].body)[1]
    joiner = user_with("joiner@example.com")

    response = client_of(joiner, ip="2001:db8::5").post(path)

    assert response.status_code == 302
    event = only_event(org_a, AuditAction.INVITATION_ACCEPTED)
    assert (event.actor, event.target, event.ip, event.data) == (
        joiner,
        "joiner@example.com",
        "2001:db8::5",
        {"role": "viewer"},
    )


def test_revoking_an_invitation_records_it(org_a):
    invitation, _ = invitation_create(
        organization=org_a.organization, email="gone@example.com", role="admin", invited_by=org_a.owner
    )

    client_of(org_a.owner).post(f"{MEMBERS}invitations/{invitation.pk}/revoke/")

    assert not Invitation.objects.filter(pk=invitation.pk).exists()
    event = only_event(org_a, AuditAction.INVITATION_REVOKED)
    assert (event.actor, event.target, event.ip, event.data) == (org_a.owner, "gone@example.com", IP, {"role": "admin"})


def test_changing_a_role_records_from_and_to(org_a):
    membership = member(org_a, MembershipRole.VIEWER)

    client_of(org_a.owner).post(f"{MEMBERS}{membership.pk}/role/", {"role": "editor"})

    event = only_event(org_a, AuditAction.MEMBERSHIP_ROLE_CHANGED)
    assert (event.actor, event.target, event.ip) == (org_a.owner, "viewer-org-a@example.com", IP)
    assert event.data == {"from": "viewer", "to": "editor"}


def test_setting_the_same_role_records_nothing(org_a):
    membership = member(org_a, MembershipRole.VIEWER)

    client_of(org_a.owner).post(f"{MEMBERS}{membership.pk}/role/", {"role": "viewer"})

    assert events(org_a, AuditAction.MEMBERSHIP_ROLE_CHANGED) == []


def test_removing_a_member_records_it(org_a):
    membership = member(org_a, MembershipRole.EDITOR)

    client_of(org_a.owner).post(f"{MEMBERS}{membership.pk}/remove/")

    event = only_event(org_a, AuditAction.MEMBERSHIP_REMOVED)
    assert (event.actor, event.target, event.ip, event.data) == (
        org_a.owner,
        "editor-org-a@example.com",
        IP,
        {"role": "editor"},
    )


def test_leaving_records_the_leaver(org_a):
    membership = member(org_a, MembershipRole.EDITOR)

    client_of(membership.user).post(MEMBERS + "leave/")

    event = only_event(org_a, AuditAction.MEMBERSHIP_LEFT)
    assert (event.actor, event.target, event.ip) == (membership.user, "editor-org-a@example.com", IP)


def test_tokens_made_and_revoked_through_the_api_record_the_requesting_user(org_a):
    editor = member(org_a, MembershipRole.EDITOR)
    owner = client_of(org_a.owner)

    created = owner.post(
        "/o/org-a/api/users/tokens/",
        json.dumps({"user": editor.user_id, "description": "ci"}),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    token = Token.objects.get(pk=created.json()["id"])
    assert owner.delete(f"/o/org-a/api/users/tokens/{token.pk}/").status_code == 204

    made = only_event(org_a, AuditAction.TOKEN_CREATED)
    assert (made.actor, made.target, made.ip) == (org_a.owner, f"nbt_{token.key} (ci)", IP)
    assert made.data["user"] == "editor-org-a@example.com" and made.data["write_enabled"] is True
    revoked = only_event(org_a, AuditAction.TOKEN_REVOKED)
    assert (revoked.actor, revoked.target, revoked.ip) == (org_a.owner, f"nbt_{token.key} (ci)", IP)
    assert revoked.data == {"user": "editor-org-a@example.com"}


def test_provisioning_records_the_authenticated_user(org_a):
    response = Client(REMOTE_ADDR=IP).post(
        "/o/org-a/api/users/tokens/provision/",
        json.dumps({"username": "owner-a@example.com", "password": PASSWORD}),
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    event = only_event(org_a, AuditAction.TOKEN_CREATED)
    assert (event.actor, event.ip) == (org_a.owner, IP)


def test_the_create_token_command_records_an_operator(org_a):
    call_command("create_token", "org-a", "--user", "owner-a@example.com", stdout=StringIO(), stderr=StringIO())

    event = only_event(org_a, AuditAction.TOKEN_CREATED)
    assert (event.actor, event.actor_email, event.ip) == (None, "", None)
    assert event.data["user"] == "owner-a@example.com"


def test_an_event_keeps_the_actors_email_when_the_account_is_gone(org_a):
    admin = member(org_a, MembershipRole.ADMIN)
    token, _ = token_create(organization=org_a.organization, user=admin.user, actor=admin.user)

    token_revoke(token=token, actor=org_a.owner)
    admin.user.delete()

    event = only_event(org_a, AuditAction.TOKEN_CREATED)
    assert (event.actor, event.actor_email) == (None, "admin-org-a@example.com")


# --- Rolled back changes leave nothing ---------------------------------------------------------


def test_a_refused_change_writes_no_event(org_a):
    owner = Membership.objects.get(user=org_a.owner, organization=org_a.organization)

    with pytest.raises(Exception, match="at least one owner"):
        membership_role_change(membership=owner, role="viewer", by=org_a.owner)

    assert events(org_a) == []


def test_a_change_rolled_back_by_the_caller_takes_its_event_with_it(org_a):
    membership = member(org_a, MembershipRole.VIEWER)

    with pytest.raises(RuntimeError), transaction.atomic():
        membership_role_change(membership=membership, role="editor", by=org_a.owner)
        token_create(organization=org_a.organization, user=org_a.owner, actor=org_a.owner)
        assert len(events(org_a)) == 2
        raise RuntimeError("rolled back")

    assert events(org_a) == []


def test_an_invalid_token_writes_no_event(org_a):
    with pytest.raises(Exception, match=r"allowed_ips|CIDR"):
        token_create(organization=org_a.organization, user=org_a.owner, allowed_ips=["nonsense"], actor=org_a.owner)

    assert events(org_a) == []


# --- The client IP -----------------------------------------------------------------------------


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_behind_a_trusted_proxy_the_ip_is_the_one_it_forwarded(org_a):
    client = client_of(org_a.owner, ip="10.0.0.2")

    client.post(
        MEMBERS + "invite/",
        {"email": "new@example.com", "role": "viewer"},
        HTTP_X_FORWARDED_FOR="203.0.113.66, 192.0.2.9",  # the client claims the first one
    )

    assert only_event(org_a, AuditAction.INVITATION_CREATED).ip == "192.0.2.9"


def test_without_trusted_proxies_forwarded_for_is_ignored(org_a):
    client_of(org_a.owner).post(
        MEMBERS + "invite/", {"email": "new@example.com", "role": "viewer"}, HTTP_X_FORWARDED_FOR="203.0.113.66"
    )

    assert only_event(org_a, AuditAction.INVITATION_CREATED).ip == IP


# --- The page ----------------------------------------------------------------------------------


def test_admins_and_owners_see_the_log_newest_first(org_a):
    admin = member(org_a, MembershipRole.ADMIN)
    audit_record(
        organization=org_a.organization, action=AuditAction.TOKEN_CREATED, actor=admin.user, target="target-one"
    )
    audit_record(
        organization=org_a.organization, action=AuditAction.TOKEN_REVOKED, actor=admin.user, target="target-two"
    )

    for user in (org_a.owner, admin.user):
        page = client_of(user).get(AUDIT)
        assert page.status_code == 200
        body = page.content.decode()
        assert body.index("target-two") < body.index("target-one")
        assert "API token revoked" in body and "admin-org-a@example.com" in body


def test_the_members_page_links_the_log_for_managers_only(org_a):
    editor = member(org_a, MembershipRole.EDITOR)

    assert AUDIT in client_of(org_a.owner).get(MEMBERS).content.decode()
    assert AUDIT not in client_of(editor.user).get(MEMBERS).content.decode()


@pytest.mark.parametrize("role", [MembershipRole.VIEWER, MembershipRole.EDITOR])
def test_viewers_and_editors_are_refused(org_a, role):
    user = member(org_a, role).user
    audit_record(organization=org_a.organization, action=AuditAction.TOKEN_CREATED, target="secret-target")

    response = client_of(user).get(AUDIT)

    assert response.status_code == 403
    assert b"secret-target" not in response.content


def test_other_organizations_and_anonymous_visitors_see_nothing(org_a, org_b):
    audit_record(organization=org_a.organization, action=AuditAction.TOKEN_CREATED, target="a-only")

    from_b = client_of(org_b.owner).get(AUDIT)
    anonymous = Client(raise_request_exception=False).get(AUDIT)

    assert from_b.status_code == 404 and b"a-only" not in from_b.content
    assert anonymous.status_code in (302, 403, 404) and b"a-only" not in anonymous.content


def test_events_of_b_never_show_in_as_log(org_a, org_b):
    audit_record(organization=org_b.organization, action=AuditAction.TOKEN_CREATED, target="b-only")
    audit_record(organization=org_a.organization, action=AuditAction.TOKEN_CREATED, target="a-only")

    body = client_of(org_a.owner).get(AUDIT).content.decode()

    assert "a-only" in body and "b-only" not in body


def test_the_log_is_paginated_in_a_constant_number_of_queries(org_a):
    client = client_of(org_a.owner)
    client.get(AUDIT)  # the organization's first request caches its row (tenants.authcache)

    def queries_for(count):
        AuditEvent.objects.filter(organization=org_a.organization).delete()
        AuditEvent.objects.bulk_create(
            AuditEvent(
                organization=org_a.organization,
                action=AuditAction.TOKEN_CREATED,
                actor=org_a.owner,
                actor_email=org_a.owner.email,
                target=f"event-{n}",
                data={"n": n},
            )
            for n in range(count)
        )
        with CaptureQueriesContext(connection) as captured:
            response = client.get(AUDIT)
        assert response.status_code == 200
        return len(captured), response.content.decode()

    few, _ = queries_for(2)
    many, body = queries_for(120)

    assert few == many
    assert body.count('class="action"') == 50
    assert "Showing 1\N{EN DASH}50 of 120" in body and 'href="?page=3"' in body  # the lists' pagination
    last = client.get(AUDIT + "?page=3").content.decode()
    assert last.count('class="action"') == 20
