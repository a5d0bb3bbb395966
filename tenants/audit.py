"""The platform audit log: who changed an organization's members, roles or tokens, and from where.

`audit_record` writes one `AuditEvent` in the caller's transaction, so a change that rolls back
leaves no event. The client IP comes from a context variable that `AuditIPMiddleware` sets for
each request; outside a request (management commands, tasks) it is None.
"""

import ipaddress
from contextvars import ContextVar

from django.conf import settings

from tenants.context import public_context
from tenants.models import AuditEvent, Organization

_client_ip: ContextVar[str | None] = ContextVar("audit_client_ip", default=None)


def _valid_ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def request_client_ip(request) -> str | None:
    """REMOTE_ADDR, or -- behind `ALLAUTH_TRUSTED_PROXY_COUNT` proxies -- the X-Forwarded-For entry
    the outermost trusted proxy appended. Entries left of it are whatever the client sent, so
    they are never trusted (the same rule allauth's rate limits use)."""
    trusted = getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if trusted > 0 and forwarded:
        entries = forwarded.split(",")
        if len(entries) >= trusted:
            ip = _valid_ip(entries[-trusted])
            if ip is not None:
                return ip
    return _valid_ip(request.META.get("REMOTE_ADDR"))


def AuditIPMiddleware(get_response):
    """Remember the request's client IP for the audit events the request writes."""

    def middleware(request):
        token = _client_ip.set(request_client_ip(request))
        try:
            return get_response(request)
        finally:
            _client_ip.reset(token)

    return middleware


def audit_record(
    *, organization: Organization, action: str, actor=None, target: str = "", data: dict | None = None
) -> AuditEvent:
    """Append one event to `organization`'s audit log (public schema), in the current transaction."""
    if actor is not None and not getattr(actor, "pk", None):
        actor = None  # AnonymousUser and unsaved users act as nobody
    with public_context():
        return AuditEvent.objects.create(
            organization=organization,
            action=action,
            actor=actor,
            actor_email=getattr(actor, "email", "") or "",
            target=target[: AuditEvent._meta.get_field("target").max_length],
            ip=_client_ip.get(),
            data=data or {},
        )
