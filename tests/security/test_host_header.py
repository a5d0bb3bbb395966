"""Host header poisoning: every link and name in every email Wirebook sends comes from
WIREBOOK_PUBLIC_URL (default `<protocol>://<WIREBOOK_BASE_DOMAIN>`), never from the request's
Host or X-Forwarded-Host, even where ALLOWED_HOSTS accepts any host (tenants.public_urls)."""

import json
import re
import secrets

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from tests.conftest import PASSWORD

PUBLIC = "https://wirebook.example"
HOSTILE = "evil.example"
URL_RE = re.compile(r"https?://[^\s\"'<>]+")
HOSTILE_HEADERS = {"HTTP_HOST": HOSTILE, "HTTP_X_FORWARDED_HOST": HOSTILE}


@pytest.fixture(autouse=True)
def open_hosts(settings):
    # As documented as allowed: any Host is answered (a proxy in front enforces hosts, or not),
    # and even a proxy header that Django were told to trust must not steer the links.
    settings.ALLOWED_HOSTS = ["*"]
    settings.USE_X_FORWARDED_HOST = True
    settings.WIREBOOK_PUBLIC_URL = PUBLIC


def stranger() -> Client:
    address = f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"
    return Client(REMOTE_ADDR=address, **HOSTILE_HEADERS)


def verified_user(email: str):
    user = get_user_model().objects.create_user(email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def texts(message) -> list[str]:
    parts = [message.subject, message.body]
    parts += [content for content, _mimetype in getattr(message, "alternatives", [])]
    return parts


def assert_public(message, *, expected_path: str) -> list[str]:
    """Every link in `message` is on the public site, one of them under `expected_path`, and
    the hostile host appears nowhere in it."""
    links = [link for text in texts(message) for link in URL_RE.findall(text)]
    assert links, message.body
    assert all(link.startswith(PUBLIC + "/") for link in links), links
    assert any(link.startswith(PUBLIC + expected_path) for link in links), links
    assert all(HOSTILE not in text for text in texts(message)), texts(message)
    return links


def test_signup_confirmation_links_to_the_public_site(db):
    response = stranger().post(
        "/accounts/signup/", {"email": "new@example.com", "password1": PASSWORD, "password2": PASSWORD}
    )

    assert response.status_code == 302
    [message] = mail.outbox
    assert_public(message, expected_path="/accounts/confirm-email/")


def test_password_reset_links_to_the_public_site(db):
    verified_user("forgetful@example.com")

    response = stranger().post("/accounts/password/reset/", {"email": "forgetful@example.com"})

    assert response.status_code == 302
    [message] = mail.outbox
    [link] = assert_public(message, expected_path="/accounts/password/reset/key/")
    # and the link works on the public site
    path = link.removeprefix(PUBLIC)
    assert Client().get(path, follow=True).status_code == 200


def test_password_reset_of_an_unknown_address_links_to_the_public_site(db):
    response = stranger().post("/accounts/password/reset/", {"email": "nobody@example.com"})

    assert response.status_code == 302
    [message] = mail.outbox
    assert_public(message, expected_path="/accounts/signup/")


def test_signing_up_with_a_taken_address_links_to_the_public_site(db):
    # An address of its own: allauth mails one address at most once in 3 minutes (rate limit
    # "confirm_email", kept in the cache across tests), and test_signup.py signs up "taken@" too.
    verified_user("taken-by-host-test@example.com")

    stranger().post(
        "/accounts/signup/",
        {"email": "taken-by-host-test@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )

    [message] = mail.outbox
    assert_public(message, expected_path="/accounts/password/reset/")


def test_an_unverified_login_resends_the_confirmation_to_the_public_site(db):
    user = get_user_model().objects.create_user("late@example.com", password=PASSWORD)
    EmailAddress.objects.create(user=user, email="late@example.com", verified=False, primary=True)

    stranger().post("/login/", {"login": "late@example.com", "password": PASSWORD})

    [message] = mail.outbox
    assert_public(message, expected_path="/accounts/confirm-email/")


def test_invitations_from_the_members_page_link_to_the_public_site(org_a, django_capture_on_commit_callbacks):
    client = Client(**HOSTILE_HEADERS)
    client.force_login(org_a.owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/o/org-a/settings/members/invite/", {"email": "joiner@example.com", "role": "viewer"})

    assert response.status_code == 302
    [message] = mail.outbox
    assert_public(message, expected_path="/invitations/")


def test_invitations_from_the_platform_api_link_to_the_public_site(org_a, django_capture_on_commit_callbacks):
    client = Client(**HOSTILE_HEADERS)
    client.force_login(org_a.owner)
    client.cookies["csrftoken"] = "a" * 32

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/platform/organizations/org-a/invitations/",
            json.dumps({"email": "joiner@example.com", "role": "viewer"}),
            content_type="application/json",
            HTTP_X_CSRFTOKEN="a" * 32,
        )

    assert response.status_code == 201, response.content
    [message] = mail.outbox
    assert_public(message, expected_path="/invitations/")


def test_absolute_links_are_moved_onto_the_public_site():
    from tenants.public_urls import public_link

    assert public_link("http://evil.example:8080/accounts/signup/?next=/x") == f"{PUBLIC}/accounts/signup/?next=/x"
    assert public_link("/relative/") == "/relative/"
