"""Proof that an organization owns the email domains it claims for single sign-on (public schema).

An email domain claimed in the SSO settings counts for nothing -- it sends no one to the
organization's identity provider and matches no accounts -- until the organization publishes

    <domain>.  TXT  "wirebook-verification=<token>"

and a lookup finds it (`sso_domain_verify`, the settings page's "Verify now"). The token is
derived from a random secret of the organization's SSO configuration and the domain, so it is
stable for that organization and domain and proves nothing for any other organization.

One domain is verified by at most one organization at a time (a partial unique index); another
organization may claim it but its verification is refused without saying by whom.

Verified domains are looked up again periodically (`sso_domains_recheck`, Celery beat). A lookup
that answers without the record (NXDOMAIN, no TXT records, or none with the token) unverifies
the domain at once; lookups that get no answer (timeouts, SERVFAIL) unverify it only after
`SSO_DOMAIN_MAX_FAILED_CHECKS` of them in a row, so a resolver's bad minute does not break the
organization's logins. Gaining and losing verification are audit events.
"""

import base64
import enum
import hashlib
import hmac
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import dns.exception
import dns.nameserver
import dns.resolver
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from tenants.audit import audit_record
from tenants.context import public_context
from tenants.models import AuditAction, Organization, SSOConfiguration, SSOEmailDomain
from tenants.sso import require_manager

logger = logging.getLogger(__name__)

TXT_PREFIX = "wirebook-verification="
TAKEN = "This domain is already verified by another organization."


class LookupOutcome(enum.Enum):
    FOUND = "found"  # the record is published
    ABSENT = "absent"  # the DNS answered, without the record
    FAILED = "failed"  # no answer: says nothing about the record


@dataclass(frozen=True)
class DomainLookup:
    outcome: LookupOutcome
    detail: str


@dataclass(frozen=True)
class DomainCheck:
    """What a check of one domain found and did."""

    domain: str
    verified: bool
    message: str


def domain_verification_token(configuration: SSOConfiguration, domain: str) -> str:
    digest = hmac.new(
        configuration.verification_secret.encode(), f"sso-domain:{domain.lower()}".encode(), hashlib.sha256
    ).digest()
    return base64.b32encode(digest[:20]).decode().lower()


def domain_txt_record(configuration: SSOConfiguration, domain: str) -> str:
    """The TXT record's text the organization publishes at `domain`."""
    return f"{TXT_PREFIX}{domain_verification_token(configuration, domain)}"


def _resolver() -> dns.resolver.Resolver:
    if settings.SSO_DNS_NAMESERVERS:
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = [
            dns.nameserver.Do53Nameserver(address, port) for address, port in settings.SSO_DNS_NAMESERVERS
        ]
    else:
        resolver = dns.resolver.Resolver()
    resolver.timeout = resolver.lifetime = float(settings.SSO_DNS_TIMEOUT)
    resolver.cache = None
    return resolver


def domain_txt_lookup(domain: str, expected: str) -> DomainLookup:
    """Whether `domain` publishes the TXT record `expected`."""
    try:
        answer = _resolver().resolve(f"{domain}.", "TXT", search=False)
    except dns.resolver.NXDOMAIN:
        return DomainLookup(LookupOutcome.ABSENT, "The domain does not exist in the DNS.")
    except dns.resolver.NoAnswer:
        return DomainLookup(LookupOutcome.ABSENT, "The domain has no TXT records.")
    except dns.exception.Timeout:
        return DomainLookup(LookupOutcome.FAILED, "The DNS lookup timed out.")
    except dns.resolver.NoNameservers:
        return DomainLookup(LookupOutcome.FAILED, "The DNS servers failed to answer (SERVFAIL).")
    except dns.exception.DNSException as error:
        return DomainLookup(LookupOutcome.FAILED, f"The DNS lookup failed ({type(error).__name__}).")
    texts = {b"".join(record.strings).decode("ascii", "replace").strip() for record in answer}
    if expected in texts:
        return DomainLookup(LookupOutcome.FOUND, "The TXT record is published.")
    return DomainLookup(LookupOutcome.ABSENT, "The domain's TXT records do not include the verification record.")


def _verified_elsewhere(row: SSOEmailDomain) -> bool:
    return (
        SSOEmailDomain.objects.annotate(lower=Lower("domain"))
        .filter(lower=row.domain.lower(), verified_at__isnull=False)
        .exclude(pk=row.pk)
        .exists()
    )


def _unverify(row: SSOEmailDomain, organization: Organization, actor, reason: str) -> None:
    row.verified_at = None
    audit_record(
        organization=organization,
        action=AuditAction.SSO_DOMAIN_VERIFICATION_LOST,
        actor=actor,
        target=row.domain,
        data={"reason": reason},
    )
    logger.warning("SSO email domain %s of organization %s unverified: %s", row.domain, organization.slug, reason)


def _apply(row: SSOEmailDomain, lookup: DomainLookup, *, actor, periodic: bool, now: datetime) -> DomainCheck:
    """Record `lookup` on the locked `row`, verifying or unverifying it."""
    organization = row.configuration.organization
    row.last_checked_at = now
    message = lookup.detail
    if lookup.outcome is LookupOutcome.FOUND:
        row.failed_checks = 0
        if row.verified_at is None:
            if _verified_elsewhere(row):
                message = TAKEN
            else:
                row.verified_at = now
                try:
                    with transaction.atomic():
                        row.save()
                except IntegrityError:  # verified elsewhere meanwhile (the partial unique index)
                    row.verified_at = None
                    message = TAKEN
                else:
                    audit_record(
                        organization=organization,
                        action=AuditAction.SSO_DOMAIN_VERIFIED,
                        actor=actor,
                        target=row.domain,
                        data={"record": domain_txt_record(row.configuration, row.domain)},
                    )
    elif lookup.outcome is LookupOutcome.ABSENT:
        row.failed_checks = 0
        if row.verified_at is not None:
            _unverify(row, organization, actor, lookup.detail)
    elif row.verified_at is not None and periodic:
        # Only the periodic checks count failures: clicking "Verify now" during an outage must
        # not unverify a domain.
        row.failed_checks += 1
        if row.failed_checks >= settings.SSO_DOMAIN_MAX_FAILED_CHECKS:
            _unverify(row, organization, actor, f"{row.failed_checks} lookups in a row failed: {lookup.detail}")
            row.failed_checks = 0
    row.check_result = message[: SSOEmailDomain._meta.get_field("check_result").max_length]
    row.save()
    return DomainCheck(domain=row.domain, verified=row.verified_at is not None, message=message)


@transaction.atomic
def sso_domain_verify(*, organization: Organization, domain: str, by) -> DomainCheck:
    """Look `domain`'s verification record up now (the settings page's "Verify now"). Raises
    PermissionDenied unless `by` is an admin or owner, SSOEmailDomain.DoesNotExist when the
    organization does not claim `domain`."""
    with public_context():
        require_manager(organization, by)
        row = (
            SSOEmailDomain.objects.select_for_update()
            .select_related("configuration__organization")
            .get(configuration__organization=organization, domain=domain.strip().lower())
        )
        lookup = domain_txt_lookup(row.domain, domain_txt_record(row.configuration, row.domain))
        return _apply(row, lookup, actor=by, periodic=False, now=timezone.now())


def sso_domains_recheck(*, now: datetime | None = None, limit: int | None = None) -> list[DomainCheck]:
    """Look up again the verified domains not checked for SSO_DOMAIN_RECHECK_HOURS, the longest
    unchecked first, at most `limit` (SSO_DOMAIN_RECHECK_BATCH) of them (Celery beat, public schema).
    Each lookup runs outside any transaction; its result is applied to the row locked afresh."""
    now = now or timezone.now()
    limit = settings.SSO_DOMAIN_RECHECK_BATCH if limit is None else limit
    due_before = now - timedelta(hours=settings.SSO_DOMAIN_RECHECK_HOURS)
    checks = []
    with public_context():
        due = list(
            SSOEmailDomain.objects.filter(verified_at__isnull=False, last_checked_at__lt=due_before)
            .select_related("configuration")
            .order_by("last_checked_at", "pk")[:limit]
        )
        for candidate in due:
            lookup = domain_txt_lookup(candidate.domain, domain_txt_record(candidate.configuration, candidate.domain))
            with transaction.atomic():
                row = (
                    SSOEmailDomain.objects.select_for_update(skip_locked=True)
                    .select_related("configuration__organization")
                    .filter(pk=candidate.pk, verified_at__isnull=False, last_checked_at__lt=due_before)
                    .first()
                )
                if row is None:  # removed, unverified or checked meanwhile
                    continue
                checks.append(_apply(row, lookup, actor=None, periodic=True, now=now))
    return checks
