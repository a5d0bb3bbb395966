"""Absolute links to the public site, for everything Wirebook emails.

A request's Host (and X-Forwarded-Host) is chosen by whoever sends the request: with
`ALLOWED_HOSTS='*'` behind a proxy, a password reset requested with `Host: evil.example` would
mail the victim a reset link to evil.example. So emailed links never come from the request: they
are built here from `WIREBOOK_PUBLIC_URL` (default `<protocol>://<WIREBOOK_BASE_DOMAIN>`), and the
site name and domain emails mention are Wirebook's and the base domain.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings

SITE_NAME = "Wirebook"


def public_url(path: str = "/") -> str:
    """`path` (absolute, e.g. "/invitations/abc/") on the public site."""
    if not path.startswith("/"):
        path = "/" + path
    return settings.WIREBOOK_PUBLIC_URL + path


def public_link(url: str) -> str:
    """An absolute http(s) URL moved onto the public site (same path, query and fragment);
    anything else is returned unchanged."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return url
    public = urlsplit(settings.WIREBOOK_PUBLIC_URL)
    return urlunsplit((public.scheme, public.netloc, parts.path, parts.query, parts.fragment))


@dataclass(frozen=True)
class PublicSite:
    """What allauth's email templates call `current_site` (Django's Site/RequestSite shape)."""

    name: str
    domain: str

    def __str__(self) -> str:
        return self.domain


def public_site() -> PublicSite:
    return PublicSite(name=SITE_NAME, domain=urlsplit(settings.WIREBOOK_PUBLIC_URL).netloc)
