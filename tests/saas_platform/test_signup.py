"""Signup, email confirmation, login and the first organization (django-allauth on the public site)."""

import re
import secrets

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from tenants.members import invitation_create
from tenants.models import Invitation, Membership, MembershipRole, Organization

PASSWORD = "a long and unusual passphrase 42"
CONFIRM_LINK_RE = re.compile(r"https?://localhost(/accounts/confirm-email/[^\s/]+/)")


@pytest.fixture
def client():
    """A browser with its own address, so per-IP rate limits of other tests never add up."""
    return Client(REMOTE_ADDR=f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}")


def sign_up(client, email, password=PASSWORD):
    return client.post("/accounts/signup/", {"email": email, "password1": password, "password2": password})


def confirm_link(message) -> str:
    match = CONFIRM_LINK_RE.search(message.body)
    assert match, message.body
    return match[1]


def verified_user(email):
    user = get_user_model().objects.create_user(email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def test_signup_confirm_login_and_create_the_first_organization(client, db):
    assert client.get("/accounts/signup/").status_code == 200

    response = sign_up(client, "New.Person@Example.com")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert b"Verify your email address" in client.get(response["Location"]).content
    user = get_user_model().objects.get(email__iexact="new.person@example.com")
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.com"]
    # the email speaks as Wirebook, not as the server's address
    assert mail.outbox[0].subject.startswith("[Wirebook] ")
    assert mail.outbox[0].body.startswith("Hello from Wirebook!")
    assert "127.0.0.1" not in mail.outbox[0].body.splitlines()[0]

    # Unconfirmed, the account cannot log in: it is sent to verify its address again.
    response = client.post("/login/", {"login": "new.person@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert "Sign up" in client.get("/").content.decode()  # the public landing page: not logged in
    assert client.get("/organizations/new/")["Location"].startswith("/login/")

    link = confirm_link(mail.outbox[0])
    page = client.get(link)
    assert page.status_code == 200
    assert b"Confirm your email address" in page.content
    response = client.post(link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified

    response = client.post("/login/", {"login": "NEW.PERSON@example.com", "password": PASSWORD})
    assert response.status_code == 302
    response = client.get(response["Location"], follow=True)
    assert response.redirect_chain[-1] == ("/organizations/new/", 302)
    assert b"Create your organization" in response.content

    response = client.post("/organizations/new/", {"name": "Acme Networks", "slug": "acme"})

    assert response.status_code == 302
    assert response["Location"] == "/o/acme/"
    page = client.get("/o/acme/")
    assert page.status_code == 200
    assert b"Acme Networks" in page.content
    membership = Membership.objects.get(user=user, organization__slug="acme")
    assert membership.role == MembershipRole.OWNER
    home = client.get("/")
    assert home.status_code == 200
    assert b'href="/o/acme/"' in home.content
    assert b'href="/organizations/new/"' in home.content


def test_signup_with_a_taken_email_looks_like_a_fresh_signup(db):
    verified_user("taken@example.com")
    users_before = get_user_model().objects.count()

    fresh = sign_up(Client(REMOTE_ADDR="10.200.0.1"), "fresh@example.com")
    taken = sign_up(Client(REMOTE_ADDR="10.200.0.2"), "TAKEN@example.com")

    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == fresh["Location"] == "/accounts/confirm-email/"
    # Only the fresh address got an account; the owner of the taken one is told by email.
    assert get_user_model().objects.count() == users_before + 1
    assert sorted(address for message in mail.outbox for address in message.to) == [
        "fresh@example.com",
        "taken@example.com",
    ]


def test_wrong_password_shows_a_form_error_and_does_not_log_in(client, db):
    verified_user("someone@example.com")

    response = client.post("/login/", {"login": "someone@example.com", "password": "not the password"})

    assert response.status_code == 200
    assert b"The email address and/or password you specified are not correct." in response.content
    assert "_auth_user_id" not in client.session


def test_unknown_email_gets_the_same_error_as_a_wrong_password(client, db):
    verified_user("someone@example.com")

    wrong = client.post("/login/", {"login": "someone@example.com", "password": "not the password"})
    unknown = client.post("/login/", {"login": "nobody@example.com", "password": "not the password"})

    assert wrong.status_code == unknown.status_code == 200
    assert b"The email address and/or password you specified are not correct." in unknown.content


@override_settings(ACCOUNT_RATE_LIMITS={"signup": "2/m/ip"})
def test_signup_is_rate_limited(client, db):
    assert sign_up(client, "one@example.com").status_code == 302
    assert sign_up(client, "two@example.com").status_code == 302

    response = sign_up(client, "three@example.com")

    assert response.status_code == 429
    assert not get_user_model().objects.filter(email="three@example.com").exists()


@override_settings(ACCOUNT_RATE_LIMITS={"login_failed": "2/m/ip"})
def test_failed_logins_are_rate_limited(client, db):
    verified_user("target@example.com")
    for _ in range(2):
        client.post("/login/", {"login": "target@example.com", "password": "guess"})

    # Even the right password is refused while the limit holds.
    response = client.post("/login/", {"login": "target@example.com", "password": PASSWORD})

    assert response.status_code == 200
    assert b"Too many failed login attempts." in response.content
    assert "_auth_user_id" not in client.session


@override_settings(ACCOUNT_RATE_LIMITS={"reset_password": "1/m/ip"})
def test_password_reset_is_rate_limited(client, db):
    verified_user("forgetful@example.com")
    first = client.post("/accounts/password/reset/", {"email": "forgetful@example.com"})
    assert first.status_code == 302
    assert len(mail.outbox) == 1

    second = client.post("/accounts/password/reset/", {"email": "forgetful@example.com"})

    assert second.status_code == 429
    assert len(mail.outbox) == 1


def test_password_reset_does_not_reveal_whether_an_account_exists(client, db):
    verified_user("forgetful@example.com")

    known = client.post("/accounts/password/reset/", {"email": "forgetful@example.com"})
    unknown = client.post("/accounts/password/reset/", {"email": "stranger@example.com"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("org-a", b"An organization with slug &#x27;org-a&#x27; already exists."),
        ("Not A Slug!", b"Use 1-50 lowercase letters"),
        ("admin", b"is reserved; choose another slug."),
    ],
)
def test_create_organization_form_errors_create_nothing(org_a, slug, message):
    user = verified_user("founder@example.com")
    client = Client()
    client.force_login(user)
    organizations_before = Organization.objects.count()

    response = client.post("/organizations/new/", {"name": "Another", "slug": slug})

    assert response.status_code == 200
    assert message in response.content
    assert Organization.objects.count() == organizations_before
    assert not Membership.objects.filter(user=user).exists()


def test_create_organization_needs_a_name(db):
    user = verified_user("founder@example.com")
    client = Client()
    client.force_login(user)

    response = client.post("/organizations/new/", {"name": "", "slug": "fine-slug"})

    assert response.status_code == 200
    assert b"This field is required." in response.content
    assert not Organization.objects.filter(slug="fine-slug").exists()


def test_anonymous_is_sent_to_log_in_from_create_organization(db):
    response = Client().get("/organizations/new/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/organizations/new/"


def test_account_links_use_the_canonical_login_and_logout_paths(db):
    assert reverse("account_login") == "/login/"
    assert reverse("account_logout") == "/logout/"
    assert b'action="/login/"' in Client().get("/login/").content


def test_account_pages_are_public_on_organization_hosts(org_a):
    for path in ("/accounts/signup/", "/accounts/password/reset/", "/login/"):
        response = Client().get(path, HTTP_HOST="org-a.localhost")
        assert response.status_code == 200, path


def test_logout_logs_out(org_a):
    client = org_a.client()

    response = client.post("/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert client.get("/o/org-a/").status_code == 302


# --- Signing up through an invitation ------------------------------------------------------


def invitation_path(org, email) -> str:
    _, token = invitation_create(
        organization=org.organization, email=email, role=MembershipRole.EDITOR, invited_by=org.owner
    )
    return f"/invitations/{token}/"


def test_a_new_person_who_signs_up_through_an_invitation_is_led_back_to_it(client, org_a):
    path = invitation_path(org_a, "joiner@example.com")

    # given a visitor who opens the invitation and signs up through its link
    assert client.get(path).status_code == 200
    response = client.post(
        f"/accounts/signup/?next={path}",
        {"email": "joiner@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response["Location"] == "/accounts/confirm-email/"
    # when they confirm their address (allauth then sends them to log in, without `next`)
    response = client.post(confirm_link(mail.outbox[-1]))
    assert response["Location"] == "/login/"
    response = client.post("/login/", {"login": "joiner@example.com", "password": PASSWORD})

    # then logging in leads back to the invitation, which they accept
    assert response.status_code == 302
    assert response["Location"] == path
    assert b"Accept invitation" in client.get(path).content
    assert client.post(path)["Location"] == "/o/org-a/"
    membership = Membership.objects.get(user__email="joiner@example.com", organization=org_a.organization)
    assert membership.role == MembershipRole.EDITOR


def test_a_pending_invitation_is_forgotten_once_used_and_when_revoked(org_a):
    revoked_path = invitation_path(org_a, "changed-mind@example.com")
    verified_user("changed-mind@example.com")
    client = Client(REMOTE_ADDR="10.201.0.1")
    client.get(revoked_path)
    Invitation.objects.filter(organization=org_a.organization).delete()

    response = client.post("/login/", {"login": "changed-mind@example.com", "password": PASSWORD})

    assert response["Location"] == "/"
    client.post("/logout/")
    assert client.post("/login/", {"login": "changed-mind@example.com", "password": PASSWORD})["Location"] == "/"


def test_an_explicit_next_wins_over_a_pending_invitation(org_a):
    path = invitation_path(org_a, "member-elsewhere@example.com")
    verified_user("member-elsewhere@example.com")
    client = Client(REMOTE_ADDR="10.201.0.2")
    client.get(path)

    response = client.post(
        "/login/?next=/organizations/new/", {"login": "member-elsewhere@example.com", "password": PASSWORD}
    )

    assert response["Location"] == "/organizations/new/"
