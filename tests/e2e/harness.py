"""Helpers of the browser tests: what a test calls (the fixtures are in conftest.py)."""

import email
import email.policy
import re
import secrets
import time
from email.message import EmailMessage
from pathlib import Path

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from playwright.sync_api import Locator, Page, expect

from tenants.models import Membership, Organization
from tenants.services import organization_create, organization_drop

PASSWORD = "a long and unusual passphrase 42"
# Django's file-based email backend ends every message with this line.
_MESSAGE_SEPARATOR = b"\n" + b"-" * 79 + b"\n"
_LINK_RE = re.compile(r"https?://[^\s<>\"']+")


def field(page: Page, label: str) -> Locator:
    """The form field labelled exactly `label`, give or take the colon or asterisk templates add."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*:?\s*\*?\s*$"))


def login(page: Page, email_address: str, password: str = PASSWORD) -> None:
    """Log in through the login form and wait until the browser has left it."""
    page.goto("/login/")
    field(page, "Email").fill(email_address)
    field(page, "Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(re.compile(r"/login/"))


def no_sideways_scroll(page: Page) -> None:
    """The page fits the window's width (nothing to scroll to sideways, at 390 px say)."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), page.url


class Outbox:
    """The emails the live server wrote (EMAIL_FILE_PATH): emptied before each test."""

    def __init__(self, directory: Path):
        self.directory = directory

    def clear(self) -> None:
        for path in self.directory.glob("*.log"):
            path.unlink()

    def messages(self) -> list[EmailMessage]:
        found = []
        for path in sorted(self.directory.glob("*.log"), key=lambda p: p.stat().st_mtime_ns):
            for raw in path.read_bytes().split(_MESSAGE_SEPARATOR):
                if raw.strip():
                    found.append(email.message_from_bytes(raw, policy=email.policy.default))
        return found

    def wait_for(self, *, to: str, subject: str = "", timeout: float = 10.0) -> EmailMessage:
        """The latest email to `to` whose subject contains `subject`, waiting for it to be written."""
        deadline = time.monotonic() + timeout
        while True:
            matching = [
                message
                for message in self.messages()
                if to.lower() in message.get("To", "").lower() and subject in message.get("Subject", "")
            ]
            if matching:
                return matching[-1]
            if time.monotonic() > deadline:
                sent = [(m.get("To"), m.get("Subject")) for m in self.messages()]
                raise AssertionError(f"no email to {to!r} about {subject!r} within {timeout} s; sent: {sent}")
            time.sleep(0.05)

    @staticmethod
    def link(message: EmailMessage, containing: str) -> str:
        """The first link in `message` whose URL contains `containing`."""
        body = message.get_body(preferencelist=("plain", "html"))
        text = body.get_content() if body is not None else ""
        for url in _LINK_RE.findall(text):
            if containing in url:
                return url
        raise AssertionError(f"no link containing {containing!r} in:\n{text}")


class Accounts:
    """Users and organizations for a browser test, committed (the live server sees them) and
    removed after the test, with whatever the test itself signed up for under `email()`/`slug()`."""

    def __init__(self):
        self._emails: list[str] = []
        self._slugs: list[str] = []

    def email(self, name: str = "user", domain: str = "example.com") -> str:
        """A fresh address, whose account (made here, through the UI or by single sign-on) is
        deleted afterwards."""
        address = f"{name}-{secrets.token_hex(4)}@{domain}"
        self._emails.append(address)
        return address

    def slug(self, name: str = "org") -> str:
        """A fresh organization slug, whose organization (made here or through the UI) is dropped afterwards."""
        slug = f"{name}-{secrets.token_hex(3)}"
        self._slugs.append(slug)
        return slug

    def user(self, email_address: str | None = None, password: str = PASSWORD):
        """A user with a verified primary email address, ready to log in."""
        email_address = email_address or self.email()
        if email_address not in self._emails:
            self._emails.append(email_address)
        user = get_user_model().objects.create_user(email_address, password=password)
        EmailAddress.objects.create(user=user, email=email_address, verified=True, primary=True)
        return user

    def organization(self, *, owner=None, slug: str | None = None, name: str | None = None) -> Organization:
        """An organization through our provisioning service, owned by `owner` (a new user if None)."""
        slug = slug or self.slug()
        if slug not in self._slugs:
            self._slugs.append(slug)
        return organization_create(name=name or slug.replace("-", " ").title(), slug=slug, owner=owner or self.user())

    def membership(self, *, organization: Organization, user, role: str) -> Membership:
        return Membership.objects.create(organization=organization, user=user, role=role)

    def cleanup(self) -> None:
        for organization in Organization.objects.filter(slug__in=self._slugs):
            organization_drop(organization)
        get_user_model().objects.filter(email__in=self._emails).delete()
