"""Organization members and invitations: the rules of tenants.members, and the pages that use them."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tenants.members import (
    ALREADY_ACCEPTED,
    EXPIRED,
    LAST_OWNER,
    invitation_accept,
    invitation_create,
    invitation_digest,
    invitation_revoke,
    membership_leave,
    membership_remove,
    membership_role_change,
)
from tenants.models import Invitation, Membership, MembershipRole

PASSWORD = "a long and unusual passphrase 42"
LINK_RE = re.compile(r"https?://[^\s/]+(/invitations/[^\s/]+/)")
OWNER, ADMIN, EDITOR, VIEWER = (
    MembershipRole.OWNER,
    MembershipRole.ADMIN,
    MembershipRole.EDITOR,
    MembershipRole.VIEWER,
)


def user_with(email, *, verified=True):
    user = get_user_model().objects.create_user(email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


def member(org, role, email=None):
    user = user_with(email or f"{role}-{org.organization.slug}@example.com")
    return Membership.objects.create(user=user, organization=org.organization, role=role)


def logged_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def owner_membership(org):
    return Membership.objects.get(user=org.owner, organization=org.organization)


def invite(org, email="new@example.com", role=EDITOR, by=None):
    return invitation_create(organization=org.organization, email=email, role=role, invited_by=by or org.owner)


def link_path(message) -> str:
    match = LINK_RE.search(message.body)
    assert match, message.body
    return match[1]


def members_state(org):
    return sorted(Membership.objects.filter(organization=org.organization).values_list("user__email", "role"))


# --- Invitations through the services ------------------------------------------------------


def test_invitation_stores_only_a_digest_and_emails_a_working_link(org_a, django_capture_on_commit_callbacks):
    # given / when
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = invite(org_a, email="New.Person@Example.com", role=EDITOR)

    # then
    invitation.refresh_from_db()
    assert invitation.digest == invitation_digest(token)
    assert token not in str(Invitation.objects.filter(pk=invitation.pk).values().get())
    assert invitation.expires - invitation.created > timedelta(days=6, hours=23)
    assert invitation.invited_by == org_a.owner
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["New.Person@Example.com"]
    assert "Organization A" in mail.outbox[0].subject
    assert link_path(mail.outbox[0]) == f"/invitations/{token}/"

    user = user_with("new.person@example.com")
    membership = invitation_accept(token=token, user=user)

    assert (membership.organization, membership.user, membership.role) == (org_a.organization, user, EDITOR)
    invitation.refresh_from_db()
    assert invitation.accepted_by == user and invitation.accepted_at is not None


def test_no_email_is_sent_when_the_transaction_rolls_back(org_a, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        invite(org_a)
        raise RuntimeError
    assert callbacks == [] and mail.outbox == []
    assert not Invitation.objects.filter(organization=org_a.organization).exists()


@pytest.mark.parametrize("role", [VIEWER, EDITOR])
def test_viewers_and_editors_cannot_invite(org_a, role):
    someone = member(org_a, role)
    with pytest.raises(PermissionDenied):
        invite(org_a, by=someone.user)
    assert not Invitation.objects.filter(organization=org_a.organization).exists()


def test_admins_invite_but_only_owners_invite_owners(org_a):
    admin = member(org_a, ADMIN)

    invite(org_a, email="editor@example.com", role=EDITOR, by=admin.user)
    with pytest.raises(PermissionDenied):
        invite(org_a, email="boss@example.com", role=OWNER, by=admin.user)
    invite(org_a, email="boss@example.com", role=OWNER, by=org_a.owner)

    assert sorted(Invitation.objects.filter(organization=org_a.organization).values_list("email", "role")) == [
        ("boss@example.com", OWNER),
        ("editor@example.com", EDITOR),
    ]


def test_a_member_of_another_organization_cannot_invite(org_a, org_b):
    with pytest.raises(PermissionDenied):
        invite(org_a, by=org_b.owner)


def test_inviting_an_existing_member_is_an_error(org_a):
    member(org_a, VIEWER, email="already@example.com")
    with pytest.raises(ValidationError) as error:
        invite(org_a, email="ALREADY@example.com")
    assert "email" in error.value.message_dict


def test_at_most_one_open_invitation_per_address(org_a, org_b):
    invite(org_a, email="twice@example.com")

    with pytest.raises(ValidationError) as error:
        invite(org_a, email="Twice@Example.com")
    assert "email" in error.value.message_dict
    # Another organization may invite the same address.
    invite(org_b, email="twice@example.com")
    # The database refuses it too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.create(organization=org_a.organization, email="TWICE@example.com", digest="x" * 64)


def test_an_expired_invitation_gives_way_to_a_new_one(org_a):
    old, old_token = invite(org_a, email="late@example.com")
    Invitation.objects.filter(pk=old.pk).update(expires=timezone.now() - timedelta(seconds=1))

    new, token = invite(org_a, email="late@example.com")

    assert list(Invitation.objects.filter(organization=org_a.organization).values_list("pk", flat=True)) == [new.pk]
    user = user_with("late@example.com")
    with pytest.raises(ValidationError):
        invitation_accept(token=old_token, user=user)
    invitation_accept(token=token, user=user)


def test_an_invitation_cannot_be_accepted_twice(org_a):
    _, token = invite(org_a, email="once@example.com")
    user = user_with("once@example.com")
    invitation_accept(token=token, user=user)

    with pytest.raises(ValidationError) as error:
        invitation_accept(token=token, user=user)
    assert error.value.messages == [ALREADY_ACCEPTED]
    # Nor by someone else holding the link.
    with pytest.raises(ValidationError):
        invitation_accept(token=token, user=user_with("other@example.com"))
    assert Membership.objects.filter(organization=org_a.organization).count() == 2


def test_only_the_invited_verified_address_can_accept(org_a):
    _, token = invite(org_a, email="invited@example.com")
    other = user_with("other@example.com")
    unverified = user_with("invited@example.com", verified=False)

    for user in (other, unverified):
        with pytest.raises(ValidationError):
            invitation_accept(token=token, user=user)

    assert members_state(org_a) == [("owner-a@example.com", OWNER)]
    assert Invitation.objects.get(organization=org_a.organization).accepted_at is None
    # A verified secondary address of the same person counts.
    EmailAddress.objects.create(user=other, email="INVITED@example.com", verified=True, primary=False)
    EmailAddress.objects.filter(user=unverified).delete()
    invitation_accept(token=token, user=other)
    assert Membership.objects.get(user=other, organization=org_a.organization).role == EDITOR


def test_expired_and_unknown_invitations_are_refused(org_a):
    invitation, token = invite(org_a, email="late@example.com")
    Invitation.objects.filter(pk=invitation.pk).update(expires=timezone.now() - timedelta(seconds=1))
    user = user_with("late@example.com")

    with pytest.raises(ValidationError) as error:
        invitation_accept(token=token, user=user)
    assert error.value.messages == [EXPIRED]
    with pytest.raises(ValidationError):
        invitation_accept(token="not-a-token", user=user)
    with pytest.raises(ValidationError):
        invitation_accept(token=invitation.digest, user=user)  # the stored digest is no token
    assert not Membership.objects.filter(user=user).exists()


def test_revoking_kills_the_link(org_a):
    invitation, token = invite(org_a, email="gone@example.com")
    viewer = member(org_a, VIEWER)

    with pytest.raises(PermissionDenied):
        invitation_revoke(invitation=invitation, by=viewer.user)
    invitation_revoke(invitation=invitation, by=org_a.owner)

    assert not Invitation.objects.filter(pk=invitation.pk).exists()
    with pytest.raises(ValidationError):
        invitation_accept(token=token, user=user_with("gone@example.com"))


def test_an_accepted_invitation_cannot_be_revoked(org_a):
    invitation, token = invite(org_a, email="in@example.com")
    invitation_accept(token=token, user=user_with("in@example.com"))
    invitation.refresh_from_db()
    with pytest.raises(ValidationError):
        invitation_revoke(invitation=invitation, by=org_a.owner)


# --- Roles, removal, leaving ---------------------------------------------------------------


def test_admins_change_roles_but_never_owners(org_a):
    admin = member(org_a, ADMIN)
    editor = member(org_a, EDITOR)

    membership_role_change(membership=editor, role=VIEWER, by=admin.user)
    assert Membership.objects.get(pk=editor.pk).role == VIEWER

    with pytest.raises(PermissionDenied):
        membership_role_change(membership=editor, role=OWNER, by=admin.user)
    with pytest.raises(PermissionDenied):
        membership_role_change(membership=owner_membership(org_a), role=ADMIN, by=admin.user)
    with pytest.raises(PermissionDenied):
        membership_remove(membership=owner_membership(org_a), by=admin.user)
    assert Membership.objects.get(pk=editor.pk).role == VIEWER
    assert owner_membership(org_a).role == OWNER


@pytest.mark.parametrize("role", [VIEWER, EDITOR])
def test_viewers_and_editors_change_nobody(org_a, role):
    actor = member(org_a, role)
    other = member(org_a, VIEWER, email="other@example.com")
    before = members_state(org_a)

    with pytest.raises(PermissionDenied):
        membership_role_change(membership=other, role=EDITOR, by=actor.user)
    with pytest.raises(PermissionDenied):
        membership_role_change(membership=actor, role=ADMIN, by=actor.user)
    with pytest.raises(PermissionDenied):
        membership_remove(membership=other, by=actor.user)

    assert members_state(org_a) == before


def test_another_organizations_owner_changes_nothing(org_a, org_b):
    editor = member(org_a, EDITOR)
    with pytest.raises(PermissionDenied):
        membership_role_change(membership=editor, role=VIEWER, by=org_b.owner)
    with pytest.raises(PermissionDenied):
        membership_remove(membership=editor, by=org_b.owner)
    assert Membership.objects.get(pk=editor.pk).role == EDITOR


def test_owners_make_and_demote_owners(org_a):
    admin = member(org_a, ADMIN)

    membership_role_change(membership=admin, role=OWNER, by=org_a.owner)
    membership_role_change(membership=owner_membership(org_a), role=VIEWER, by=admin.user)

    assert members_state(org_a) == [("admin-org-a@example.com", OWNER), ("owner-a@example.com", VIEWER)]


def test_an_invalid_role_is_refused(org_a):
    editor = member(org_a, EDITOR)
    with pytest.raises(ValidationError):
        membership_role_change(membership=editor, role="superuser", by=org_a.owner)
    assert Membership.objects.get(pk=editor.pk).role == EDITOR


def test_the_last_owner_can_neither_leave_nor_be_removed_nor_be_demoted(org_a):
    owner = owner_membership(org_a)
    member(org_a, ADMIN)

    for attempt in (
        lambda: membership_role_change(membership=owner, role=ADMIN, by=org_a.owner),
        lambda: membership_remove(membership=owner, by=org_a.owner),
        lambda: membership_leave(membership=owner),
    ):
        with pytest.raises(ValidationError) as error:
            attempt()
        assert error.value.messages == [LAST_OWNER]

    assert owner_membership(org_a).role == OWNER


def test_one_of_two_owners_may_leave_or_be_removed(org_a):
    second = member(org_a, OWNER)

    membership_remove(membership=second, by=org_a.owner)
    assert not Membership.objects.filter(pk=second.pk).exists()

    third = member(org_a, OWNER, email="third@example.com")
    membership_leave(membership=owner_membership(org_a))
    assert members_state(org_a) == [("third@example.com", OWNER)]
    with pytest.raises(ValidationError):
        membership_leave(membership=third)


def test_members_leave_and_admins_remove(org_a):
    editor = member(org_a, EDITOR)
    viewer = member(org_a, VIEWER)
    admin = member(org_a, ADMIN)

    membership_leave(membership=editor)
    membership_remove(membership=viewer, by=admin.user)

    assert members_state(org_a) == [("admin-org-a@example.com", ADMIN), ("owner-a@example.com", OWNER)]


# --- Pages inside an organization ----------------------------------------------------------

MEMBERS = "/o/org-a/settings/members/"


def test_the_members_page_lists_members_and_shows_controls_to_managers(org_a):
    member(org_a, EDITOR)
    invite(org_a, email="pending@example.com")

    page = org_a.client().get(MEMBERS)

    assert page.status_code == 200
    body = page.content.decode()
    assert "owner-a@example.com" in body and "editor-org-a@example.com" in body
    assert "pending@example.com" in body
    assert 'action="/o/org-a/settings/members/invite/"' in body
    assert "csrfmiddlewaretoken" in body


def test_viewers_see_the_list_but_no_controls(org_a):
    viewer = member(org_a, VIEWER)
    invite(org_a, email="pending@example.com")

    page = logged_in(viewer.user).get(MEMBERS)

    assert page.status_code == 200
    body = page.content.decode()
    assert "owner-a@example.com" in body
    assert "pending@example.com" not in body
    assert "/invite/" not in body and "/remove/" not in body
    assert 'action="/o/org-a/settings/members/leave/"' in body


def test_the_members_page_query_count_is_constant(org_a):
    client = org_a.client()
    member(org_a, EDITOR)
    invite(org_a, email="one@example.com")
    client.get(MEMBERS)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        assert client.get(MEMBERS).status_code == 200
    for index in range(4):
        member(org_a, VIEWER, email=f"viewer{index}@example.com")
        invite(org_a, email=f"pending{index}@example.com")
    with CaptureQueriesContext(connection) as many:
        assert client.get(MEMBERS).status_code == 200
    assert len(many) == len(few) > 0


def test_inviting_through_the_page_sends_a_link_that_works(org_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = org_a.client().post(MEMBERS + "invite/", {"email": "joiner@example.com", "role": ADMIN})

    assert response.status_code == 302
    assert response["Location"] == MEMBERS
    assert len(mail.outbox) == 1
    path = link_path(mail.outbox[0])
    joiner = logged_in(user_with("joiner@example.com"))

    page = joiner.get(path)
    assert page.status_code == 200
    assert b"Accept invitation" in page.content
    assert page["Referrer-Policy"] == "same-origin"
    response = joiner.post(path)

    assert response.status_code == 302
    assert response["Location"] == "/o/org-a/"
    assert joiner.get("/o/org-a/").status_code == 200
    assert ("joiner@example.com", ADMIN) in members_state(org_a)


def test_invite_form_errors_are_shown(org_a):
    member(org_a, VIEWER, email="there@example.com")
    client = org_a.client()

    invalid = client.post(MEMBERS + "invite/", {"email": "not an address", "role": EDITOR})
    existing = client.post(MEMBERS + "invite/", {"email": "there@example.com", "role": EDITOR})

    assert invalid.status_code == existing.status_code == 400
    assert b"already a member" in existing.content
    assert not Invitation.objects.filter(organization=org_a.organization).exists()


@pytest.mark.parametrize("role", [VIEWER, EDITOR])
def test_viewers_and_editors_cannot_manage_through_the_pages(org_a, role):
    actor = member(org_a, role)
    other = member(org_a, VIEWER, email="other@example.com")
    invitation, _ = invite(org_a, email="pending@example.com")
    client = logged_in(actor.user)
    before = members_state(org_a)

    responses = [
        client.post(MEMBERS + "invite/", {"email": "x@example.com", "role": VIEWER}),
        client.post(f"{MEMBERS}{other.pk}/role/", {"role": ADMIN}),
        client.post(f"{MEMBERS}{actor.pk}/role/", {"role": ADMIN}),
        client.post(f"{MEMBERS}{other.pk}/remove/"),
        client.post(f"{MEMBERS}invitations/{invitation.pk}/revoke/"),
    ]

    assert [r.status_code for r in responses] == [403] * 5
    assert members_state(org_a) == before
    assert list(Invitation.objects.filter(organization=org_a.organization)) == [invitation]


def test_managers_change_roles_remove_and_revoke_through_the_pages(org_a):
    editor = member(org_a, EDITOR)
    viewer = member(org_a, VIEWER)
    invitation, _ = invite(org_a, email="pending@example.com")
    client = org_a.client()

    assert client.post(f"{MEMBERS}{editor.pk}/role/", {"role": ADMIN})["Location"] == MEMBERS
    assert client.post(f"{MEMBERS}{viewer.pk}/remove/")["Location"] == MEMBERS
    assert client.post(f"{MEMBERS}invitations/{invitation.pk}/revoke/")["Location"] == MEMBERS

    assert members_state(org_a) == [("editor-org-a@example.com", ADMIN), ("owner-a@example.com", OWNER)]
    assert not Invitation.objects.filter(pk=invitation.pk).exists()
    # Changing needs POST.
    assert client.get(f"{MEMBERS}{editor.pk}/remove/").status_code == 405


def test_the_last_owner_is_protected_on_the_pages(org_a):
    client = org_a.client()
    owner = owner_membership(org_a)

    demote = client.post(f"{MEMBERS}{owner.pk}/role/", {"role": VIEWER}, follow=True)
    remove = client.post(f"{MEMBERS}{owner.pk}/remove/", follow=True)
    leave = client.post(MEMBERS + "leave/", follow=True)

    for response in (demote, remove, leave):
        assert response.redirect_chain == [(MEMBERS, 302)]
        assert LAST_OWNER in response.content.decode()
    assert members_state(org_a) == [("owner-a@example.com", OWNER)]


def test_leaving_through_the_page(org_a):
    editor = member(org_a, EDITOR)
    client = logged_in(editor.user)

    response = client.post(MEMBERS + "leave/")

    assert response.status_code == 302 and response["Location"] == "/"
    assert not Membership.objects.filter(pk=editor.pk).exists()
    assert client.get(MEMBERS).status_code == 404


def test_another_organizations_owner_cannot_touch_members(org_a, org_b):
    editor = member(org_a, EDITOR)
    invitation, _ = invite(org_a, email="pending@example.com")
    client = org_b.client()
    before = members_state(org_a)

    # Through A's address: not a member of A.
    assert client.get(MEMBERS).status_code == 404
    assert client.post(f"{MEMBERS}{editor.pk}/role/", {"role": VIEWER}).status_code == 404
    assert client.post(f"{MEMBERS}{editor.pk}/remove/").status_code == 404
    assert client.post(f"{MEMBERS}invitations/{invitation.pk}/revoke/").status_code == 404
    assert client.post(MEMBERS + "invite/", {"email": "x@example.com", "role": OWNER}).status_code == 404
    # Through B's own pages, with A's ids.
    b_members = "/o/org-b/settings/members/"
    assert client.post(f"{b_members}{editor.pk}/role/", {"role": VIEWER}).status_code == 404
    assert client.post(f"{b_members}{editor.pk}/remove/").status_code == 404
    assert client.post(f"{b_members}invitations/{invitation.pk}/revoke/").status_code == 404
    page = client.get(b_members)
    assert b"editor-org-a@example.com" not in page.content and b"pending@example.com" not in page.content

    assert members_state(org_a) == before
    assert Invitation.objects.filter(pk=invitation.pk).exists()


def test_anonymous_visitors_change_nothing(org_a):
    editor = member(org_a, EDITOR)
    client = Client(raise_request_exception=False)

    assert client.get(MEMBERS)["Location"].startswith("/login/")
    assert client.post(f"{MEMBERS}{editor.pk}/remove/")["Location"].startswith("/login/")
    assert client.post(MEMBERS + "invite/", {"email": "x@example.com", "role": OWNER})["Location"].startswith("/login/")
    assert Membership.objects.filter(pk=editor.pk).exists()
    assert not Invitation.objects.filter(organization=org_a.organization).exists()


# --- The public accept page ----------------------------------------------------------------


def test_anonymous_visitors_log_in_and_come_back(org_a):
    _, token = invite(org_a, email="guest@example.com")
    user_with("guest@example.com")
    path = f"/invitations/{token}/"
    client = Client(raise_request_exception=False)

    page = client.get(path)
    assert page.status_code == 200
    assert f'href="/login/?next={path}"' in page.content.decode()
    assert f'href="/accounts/signup/?next={path}"' in page.content.decode()
    assert client.post(path)["Location"].startswith("/login/")

    response = client.post(f"/login/?next={path}", {"login": "guest@example.com", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == path
    assert client.post(path)["Location"] == "/o/org-a/"
    assert ("guest@example.com", EDITOR) in members_state(org_a)


def test_the_wrong_account_gets_an_error_page_and_nothing_changes(org_a):
    _, token = invite(org_a, email="invited@example.com")
    client = logged_in(user_with("intruder@example.com"))
    path = f"/invitations/{token}/"

    page = client.get(path)
    posted = client.post(path)

    assert page.status_code == posted.status_code == 403
    for response in (page, posted):
        assert b"sent to another email address" in response.content
        assert b"Accept invitation" not in response.content
    assert members_state(org_a) == [("owner-a@example.com", OWNER)]
    assert Invitation.objects.get(organization=org_a.organization).accepted_at is None


def test_used_expired_and_unknown_links_show_errors(org_a):
    _, used_token = invite(org_a, email="used@example.com")
    invitation_accept(token=used_token, user=user_with("used@example.com"))
    expired, expired_token = invite(org_a, email="late@example.com")
    Invitation.objects.filter(pk=expired.pk).update(expires=timezone.now() - timedelta(seconds=1))
    client = logged_in(user_with("late@example.com"))

    assert client.post(f"/invitations/{used_token}/").status_code == 403
    late = client.post(f"/invitations/{expired_token}/")
    assert late.status_code == 403 and b"expired" in late.content
    assert client.get("/invitations/not-a-token/").status_code == 404
    assert Client().get("/invitations/not-a-token/").status_code == 404
    assert not Membership.objects.filter(user__email="late@example.com").exists()
