"""The platform rows every organization request reads -- its organization, its API token, its
user and their membership, and whether the organization requires single sign-on -- served from
the cache (Redis), so a request spends no SQL statement on them. (The session itself is cached by
Django's `cached_db` session engine, in the `sessions` cache.)

Correctness comes from invalidation, not from expiry: every save or delete of an organization,
domain, token, membership, user or SSO configuration replaces the affected entries with a short-lived *tombstone*,
at once and again when the transaction commits. Entries are only ever written with `cache.add`,
which a tombstone blocks, so a request that read a row just before it changed cannot put the old
row back. A revoked token, a removed member or a deactivated user therefore lose access with the
next request. Entries also expire after `TTL` seconds, as a backstop for writes that bypass model
signals (`QuerySet.update`), which the platform code does not use on these models.

Keys are computed in the public schema, whatever the request's organization.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from tenants.context import public_context

TTL = 300
TOMBSTONE = "gone"
TOMBSTONE_TTL = 30
NO_DOMAIN = "none"  # a host that is no organization's domain (cached too: most hosts are none)


def _cached(key: str, load: Callable[[], Any]) -> Any:
    """The entry under `key`, or `load()`'s result (cached when not None and not tombstoned)."""
    with public_context():
        value = cache.get(key)
        if value is not None and value != TOMBSTONE:
            return value
        value = load()
        if value is not None:
            cache.add(key, value, TTL)  # never over a tombstone
    return value


def _bury(*keys: str) -> None:
    """Invalidate now and again at commit, so no request re-caches what the transaction changes."""
    if not keys:
        return

    def bury():
        with public_context():
            cache.set_many(dict.fromkeys(keys, TOMBSTONE), TOMBSTONE_TTL)

    bury()
    transaction.on_commit(bury)


def organization_key(slug: str) -> str:
    return f"auth:organization:{slug}"


def domain_key(host: str) -> str:
    return f"auth:domain:{host}"


def token_key(version: int, lookup: str) -> str:
    """v2 tokens are found by their public key, v1 tokens by their digest."""
    return f"auth:token:{version}:{lookup}"


def organization_by_slug(slug: str):
    from tenants.models import Organization

    return _cached(organization_key(slug), lambda: Organization.objects.filter(slug=slug).first())


def domain_by_host(host: str):
    from tenants.models import Domain

    def load():
        return Domain.objects.select_related("tenant").filter(domain=host).first() or NO_DOMAIN

    domain = _cached(domain_key(host), load)
    return None if domain == NO_DOMAIN else domain


def cached_token(version: int, lookup: str, load: Callable[[], Any]):
    return _cached(token_key(version, lookup), load)


def user_key(pk: int) -> str:
    return f"auth:user:{pk}"


def membership_key(user_id: int, organization_id: int) -> str:
    return f"auth:membership:{organization_id}:{user_id}"


def sso_required_key(organization_id: int) -> str:
    return f"auth:sso-required:{organization_id}"


def user_by_id(pk: int):
    """The user with this id (active or not: the caller judges), or None."""
    from django.contrib.auth import get_user_model

    return _cached(user_key(pk), lambda: get_user_model()._default_manager.filter(pk=pk).first())


def membership_of(user_id: int, organization_id: int):
    """The user's membership of the organization, or None (not cached: a non-member's requests
    are refused, they need not be fast)."""
    from tenants.models import Membership

    return _cached(
        membership_key(user_id, organization_id),
        lambda: Membership.objects.filter(user_id=user_id, organization_id=organization_id).first(),
    )


def organization_requires_sso(organization_id: int) -> bool:
    """Whether the organization's SSO configuration requires its members to sign in through it."""
    from tenants.models import SSOConfiguration

    return _cached(
        sso_required_key(organization_id),
        lambda: SSOConfiguration.objects.filter(organization_id=organization_id, require_sso=True).exists(),
    )


def token_used_key(token_pk: int) -> str:
    return f"auth:token-used:{token_pk}"


def first_use_within(token_pk: int, seconds: float) -> bool:
    """True once per `seconds` per token: whether this use should record `last_used`."""
    with public_context():
        return cache.add(token_used_key(token_pk), 1, seconds)


# -- invalidation -------------------------------------------------------------------------------


def _token_keys(tokens) -> list[str]:
    return [token_key(version, key if version == 2 else digest) for version, key, digest in tokens]


def _tokens_of(**filters) -> list[str]:
    from tenants.models import Token

    with public_context():
        return _token_keys(Token.objects.filter(**filters).values_list("version", "key", "digest"))


def _organization_changed(sender, instance, created=False, **kwargs) -> None:
    if created:
        return  # nothing cached yet: absent rows are never cached
    with public_context():
        hosts = list(instance.domains.values_list("domain", flat=True)) if instance.pk else []
    _bury(organization_key(instance.slug), *(domain_key(host) for host in hosts))


def _domain_changed(sender, instance, **kwargs) -> None:
    _bury(domain_key(instance.domain))


def _token_changed(sender, instance, created=False, **kwargs) -> None:
    if created:
        return
    _bury(*_token_keys([(instance.version, instance.key, instance.digest)]))


def _membership_changed(sender, instance, created=False, **kwargs) -> None:
    # A new membership: its tokens were cached without it (absent memberships are never cached).
    mine = [] if created else [membership_key(instance.user_id, instance.organization_id)]
    _bury(*mine, *_tokens_of(user_id=instance.user_id, organization_id=instance.organization_id))


def _user_changed(sender, instance, created=False, **kwargs) -> None:
    if instance.pk is not None and not created:
        _bury(user_key(instance.pk), *_tokens_of(user_id=instance.pk))


def _sso_changed(sender, instance, **kwargs) -> None:
    _bury(sso_required_key(instance.organization_id))


def connect() -> None:
    """Called once by the app's ready()."""
    from tenants.models import Domain, Membership, Organization, SSOConfiguration, Token

    for model, receiver in (
        (Organization, _organization_changed),
        (Domain, _domain_changed),
        (Token, _token_changed),
        (Membership, _membership_changed),
        (settings.AUTH_USER_MODEL, _user_changed),
        (SSOConfiguration, _sso_changed),
    ):
        post_save.connect(receiver, sender=model, dispatch_uid=f"authcache-save-{receiver.__name__}")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"authcache-delete-{receiver.__name__}")
