"""Per-organization API tokens: creation, revocation and `Authorization` header checks.

Wire-compatible with NetBox 4.5+ (`netbox/api/authentication.py`):

- v2: `Bearer nbt_<key>.<secret>` -- `key` (12 characters) is the token's public id, the
  40-character secret is checked against an HMAC-SHA256 digest;
- v1: `Token <40 hex>` -- found by the HMAC digest of the whole value.

As in NetBox the version is inferred from the `nbt_` prefix, not from the keyword: `Token` and
`Bearer` are both accepted for both versions (pynetbox sends `Bearer` for `nbt_` tokens and
`Token` otherwise). Failures carry NetBox's exact `detail` strings; the REST layer answers them
with 403. A valid token of another organization raises `TokenForAnotherOrganization` instead,
which the caller answers with the same 404 as an organization that does not exist.

The plaintext exists only in `token_create`'s return value. Tokens live in the public schema;
every function here may be called from inside an organization's request.
"""

import hmac
import ipaddress
import secrets
import string
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from hashlib import sha256
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from tenants import authcache
from tenants.audit import audit_record
from tenants.context import public_context
from tenants.models import ROLE_RANK, AuditAction, Membership, MembershipRole, Organization, Token, TokenVersion

TOKEN_PREFIX = "nbt_"  # noqa: S105 -- a prefix, not a secret
TOKEN_KEY_LENGTH = 12
TOKEN_SECRET_LENGTH = 40
TOKEN_CHARSET = string.ascii_letters + string.digits
V1_KEYWORD = "token"
V2_KEYWORD = "bearer"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# `last_used` is written at most this often per token (NetBox: once a minute).
LAST_USED_RESOLUTION = timedelta(minutes=1)

# NetBox's `detail` strings, verbatim.
NOT_PROVIDED = "Authentication credentials were not provided."
MALFORMED_HEADER = 'Invalid authorization header: Must be in the form "Bearer <key>.<token>" or "Token <token>"'
INVALID_CHARACTERS = "Invalid authorization header: Token contains invalid characters"
V2_KEY_UNPARSABLE = (
    "Invalid authorization header: Could not parse key from v2 token. Did you mean to use 'Token' instead of 'Bearer'?"
)
INVALID = "Invalid v{version} token"
DISABLED = "Token disabled"
EXPIRED = "Token expired"
USER_INACTIVE = "User inactive"
CLIENT_IP_UNKNOWN = (
    "Client IP address could not be determined for validation. Check that the HTTP server is correctly "
    "configured to pass the required header(s)."
)
SOURCE_IP_NOT_PERMITTED = "Source IP {ip} is not permitted to authenticate using this token."
# What the REST layer answers (403) to an unsafe method with a read-only token.
WRITE_NOT_PERMITTED = "This token does not permit write operations."


class TokenAuthenticationFailed(Exception):
    """The request's token is missing, malformed or refused; answer 403 {"detail": detail}."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


class TokenNotProvided(TokenAuthenticationFailed):
    """No token at all (no header, or another scheme such as `Basic`): the caller may still
    accept a session instead, as NetBox does for the browsable API."""

    def __init__(self):
        super().__init__(NOT_PROVIDED)


class TokenForAnotherOrganization(Exception):
    """A genuine token, but not of the routed organization (or no organization was routed).
    Answer exactly what an unknown organization gets (404), so nothing tells them apart."""


@dataclass(frozen=True)
class TokenAuth:
    """A successful authentication. `user` is None for a token bound to no user; otherwise
    `membership_id` and `role` are the user's membership of the token's organization."""

    user: Any
    token: Token
    membership_id: int | None = field(default=None, compare=False)
    role: str | None = field(default=None, compare=False)


def token_digest(secret: str) -> str:
    """Hex HMAC-SHA256 of a token secret under the server's pepper (`API_TOKEN_PEPPER`)."""
    return hmac.new(settings.API_TOKEN_PEPPER.encode(), secret.encode(), sha256).hexdigest()


def _random_string(length: int) -> str:
    return "".join(secrets.choice(TOKEN_CHARSET) for _ in range(length))


FOR_SELF_ONLY = "You may create API tokens only for yourself."
ROLE_ABOVE_YOURS = "You may not create API tokens for a member whose role is above yours."
# Who may create tokens for other members (for those whose role is not above theirs).
MINT_FOR_OTHERS = frozenset({MembershipRole.OWNER})


def may_mint_for_others(role: str | None) -> bool:
    return role in MINT_FOR_OTHERS


def token_create_check(*, organization: Organization, user, actor) -> None:
    """Whether `actor` may create a token acting as `user` in `organization`.

    A member creates tokens for themselves; an owner also for any member whose role is not
    above theirs (owner > admin > editor > viewer). Otherwise an admin could mint a token for
    an owner and act -- and be logged -- as them. `actor` None is an operator (manage.py).
    Raises PermissionDenied.
    """
    actor_id = getattr(actor, "pk", None)
    if actor is None:
        return
    if user is not None and user.pk == actor_id:
        return
    with public_context():
        creator = Membership.objects.filter(organization=organization, user_id=actor_id).first() if actor_id else None
        if creator is None or not may_mint_for_others(creator.role):
            raise PermissionDenied(FOR_SELF_ONLY)
        target = Membership.objects.filter(organization=organization, user=user).first() if user else None
    if target is not None and ROLE_RANK[MembershipRole(target.role)] > ROLE_RANK[MembershipRole(creator.role)]:
        raise PermissionDenied(ROLE_ABOVE_YOURS)


def token_create(
    *,
    organization: Organization,
    user,
    description: str = "",
    expires: datetime | None = None,
    write_enabled: bool = True,
    allowed_ips: Iterable[str] = (),
    version: int = TokenVersion.V2,
    actor=None,
) -> tuple[Token, str]:
    """Create a token and return it with its plaintext, which is never stored and cannot be
    shown again: `nbt_<key>.<secret>` (v2) or 40 lowercase hex characters (v1).

    Raises ValidationError for an expiry in the past, a malformed network in `allowed_ips`, or
    a user who is not a member of the organization; PermissionDenied when `actor` may not create
    tokens for `user` (`token_create_check`). `actor` is who asked, recorded as the token's
    `created_by` and in the audit log (None: an operator).
    """
    creator = actor if getattr(actor, "pk", None) else None
    token = Token(
        organization=organization,
        user=user,
        version=version,
        description=description,
        expires=expires,
        write_enabled=write_enabled,
        created_by=creator,
        # A lone string is refused by validation, not split into characters.
        allowed_ips=allowed_ips if isinstance(allowed_ips, str) else list(allowed_ips),
    )
    if version == TokenVersion.V1:
        secret = secrets.token_hex(TOKEN_SECRET_LENGTH // 2)
        plaintext = secret
    else:
        token.key = _random_string(TOKEN_KEY_LENGTH)
        secret = _random_string(TOKEN_SECRET_LENGTH)
        plaintext = f"{TOKEN_PREFIX}{token.key}.{secret}"
    token.digest = token_digest(secret)
    with public_context(), transaction.atomic():
        token_create_check(organization=organization, user=user, actor=actor)
        token.full_clean()
        token.save()
        audit_record(
            organization=organization,
            action=AuditAction.TOKEN_CREATED,
            actor=actor,
            target=token_audit_target(token),
            data={
                "user": getattr(user, "email", None),
                "created_by": getattr(creator, "email", None),
                "version": token.version,
                "write_enabled": token.write_enabled,
                "expires": token.expires.isoformat() if token.expires else None,
                "allowed_ips": list(token.allowed_ips),
            },
        )
    return token, plaintext


def token_audit_target(token: Token) -> str:
    """How the audit log names a token: its public key (v2) or id (v1), and its description."""
    name = str(token)
    return f"{name} ({token.description})" if token.description else name


def token_revoke(*, token: Token, actor=None) -> None:
    """Delete the token for good; requests carrying it fail from now on. `actor` is who asked,
    for the audit log (None: an operator)."""
    with public_context(), transaction.atomic():
        deleted, _ = Token.objects.filter(pk=token.pk).delete()
        if deleted:
            audit_record(
                organization=token.organization,
                action=AuditAction.TOKEN_REVOKED,
                actor=actor,
                target=token_audit_target(token),
                data={"user": token.user.email if token.user_id and token.user else None},
            )


def _parse(header_value: str | None) -> tuple[int, str | None, str]:
    """(version, key, secret) from an `Authorization` header value, as NetBox parses it."""
    parts = (header_value or "").split()
    if not parts or parts[0].lower() not in (V1_KEYWORD, V2_KEYWORD):
        raise TokenNotProvided()
    if len(parts) != 2:
        raise TokenAuthenticationFailed(MALFORMED_HEADER)
    value = parts[1]
    if not value.isascii():
        raise TokenAuthenticationFailed(INVALID_CHARACTERS)
    if not value.startswith(TOKEN_PREFIX):
        return TokenVersion.V1, None, value
    key, dot, secret = value.removeprefix(TOKEN_PREFIX).partition(".")
    if not dot:
        raise TokenAuthenticationFailed(V2_KEY_UNPARSABLE)
    return TokenVersion.V2, key, secret


def _ip_permitted(token: Token, client_ip: str) -> bool:
    try:
        address = ipaddress.ip_address(client_ip.strip())
    except ValueError:
        raise TokenAuthenticationFailed(CLIENT_IP_UNKNOWN) from None
    candidates = [address]
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        candidates.append(address.ipv4_mapped)  # ::ffff:192.0.2.1 from a dual-stack socket
    return any(candidate in ipaddress.ip_network(network) for network in token.allowed_ips for candidate in candidates)


def _touch_last_used(token: Token, now: datetime) -> None:
    """Record the use at most once per LAST_USED_RESOLUTION, in one UPDATE whose WHERE decides
    (callers attempt it once per LAST_USED_RESOLUTION per token: `authcache.first_use_within`).

    In a request transaction the updated row stays locked until the request ends; concurrent
    requests with the same token skip it (SKIP LOCKED) instead of waiting for that request.
    """
    table = connection.ops.quote_name(Token._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_used = %s WHERE id = ("  # noqa: S608 -- the table name is ours
            f"  SELECT id FROM {table} WHERE id = %s AND (last_used IS NULL OR last_used <= %s)"
            "  FOR NO KEY UPDATE SKIP LOCKED)",
            [now, token.pk, now - LAST_USED_RESOLUTION],
        )
        if cursor.rowcount == 1:
            token.last_used = now


def _tokens():
    """Tokens with their user and the user's membership of the token's organization (a cache miss)."""
    membership = Membership.objects.filter(user_id=OuterRef("user_id"), organization_id=OuterRef("organization_id"))
    return Token.objects.select_related("user", "created_by").annotate(
        membership_id=Subquery(membership.values("id")[:1]),
        membership_role=Subquery(membership.values("role")[:1]),
    )


# The tokens this process admitted: (version, lookup) -> (digest, id). Only tells which `last_used` mark a
# request carrying the same secret will ask for, so that it is added with the request's other cache reads.
_verified: dict[tuple[int, str], tuple[str, int]] = {}
_VERIFIED_MAX = 10_000


def _remember_verified(version: int, lookup: str, digest: str, pk: int) -> None:
    if _verified.get((version, lookup)) != (digest, pk):
        if len(_verified) >= _VERIFIED_MAX:
            _verified.clear()
        _verified[(version, lookup)] = (digest, pk)


def token_cache_reads(header_value: str | None) -> tuple[list[str], list[tuple[str, float]]]:
    """What `authenticate_token` will read from the cache for this header (`authcache.prefetch`'s keys and
    marks): its token's entry and, for a token this process admitted with the same secret, its `last_used`
    mark. Nothing for a header it will refuse unread."""
    try:
        version, key, secret = _parse(header_value)
    except TokenAuthenticationFailed:
        return [], []
    digest = token_digest(secret)
    lookup = digest if version == TokenVersion.V1 else key or ""
    known = _verified.get((version, lookup))
    marks = []
    if known is not None and hmac.compare_digest(known[0], digest):
        marks.append((authcache.token_used_key(known[1]), LAST_USED_RESOLUTION.total_seconds()))
    return [authcache.token_key(version, lookup)], marks


def authenticate_token(header_value: str | None, *, organization: Organization | None, client_ip: str) -> TokenAuth:
    """Check an `Authorization` header for a request routed to `organization` (None when the
    request named an organization that does not exist) coming from `client_ip`.

    Raises TokenAuthenticationFailed (403, NetBox's `detail`) or TokenForAnotherOrganization
    (404). Checks run in NetBox's order -- token, source IP, enabled, expiry, user -- with the
    organization checked right after the source IP, so a token used from a network it does not
    allow learns nothing more, and the outcome never depends on whether `organization` exists.
    """
    version, key, secret = _parse(header_value)
    # Computed for every request alike; compared in constant time (v2) or looked up by an
    # index on a digest nobody can steer without the pepper (v1).
    digest = token_digest(secret)
    invalid = TokenAuthenticationFailed(INVALID.format(version=version))
    with public_context():
        if version == TokenVersion.V1:
            token = authcache.cached_token(
                version, digest, lambda: _tokens().filter(version=TokenVersion.V1, digest=digest).first()
            )
        else:
            token = authcache.cached_token(
                version, key or "", lambda: _tokens().filter(version=TokenVersion.V2, key=key).first()
            )
            if token is not None and not hmac.compare_digest(token.digest, digest):
                token = None  # a known key with the wrong secret looks like an unknown key
        if token is None:
            raise invalid

        if token.allowed_ips and not _ip_permitted(token, client_ip):
            raise TokenAuthenticationFailed(SOURCE_IP_NOT_PERMITTED.format(ip=client_ip))
        if organization is None or token.organization_id != organization.pk:
            raise TokenForAnotherOrganization()
        if not token.enabled:
            raise TokenAuthenticationFailed(DISABLED)
        if token.is_expired:
            raise TokenAuthenticationFailed(EXPIRED)
        user = token.user
        if user is not None:
            if not user.is_active:
                raise TokenAuthenticationFailed(USER_INACTIVE)
            if token.membership_id is None:
                raise invalid  # the token died with the membership

        _remember_verified(version, digest if version == TokenVersion.V1 else key or "", digest, token.pk)
        if authcache.first_use_within(token.pk, LAST_USED_RESOLUTION.total_seconds()):
            _touch_last_used(token, timezone.now())
    if user is None:
        return TokenAuth(user=None, token=token)
    return TokenAuth(user=user, token=token, membership_id=token.membership_id, role=token.membership_role)


def token_can_write(auth: TokenAuth, method: str) -> bool:
    """Whether the token may be used for `method`; when not, answer 403 WRITE_NOT_PERMITTED."""
    return method.upper() in SAFE_METHODS or auth.token.write_enabled
