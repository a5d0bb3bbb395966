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

An organization request reads what it will need in one round trip (`prefetch`, by the routing
middleware): its organization, its token, the organization's configuration generations
(`prefetch_in_schema`) and, for a token this process saw before, the once-a-minute `last_used` mark
(`first_use_within`). The lookups of the request use the values read ahead, which are forgotten when
anything is invalidated and when the request ends; a mark that the request did not end up asking for is removed
again (`prefetch_end`), so a refused request leaves the cache as it found it.
"""

from collections.abc import Callable, Iterable
from typing import Any

from asgiref.local import Local
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from tenants.context import PUBLIC_SCHEMA, public_context, schema_cache_key

TTL = 300
TOMBSTONE = "gone"
TOMBSTONE_TTL = 30
NO_DOMAIN = "none"  # a host that is no organization's domain (cached too: most hosts are none)


# -- one round trip per request -----------------------------------------------------------------

# This request's entries read ahead ({complete key: value}) and marks added ahead ({complete key: stored}),
# per thread and per asyncio task.
_ahead = Local()
ABSENT = object()
# Keys of each organization schema read ahead with its request (core's configuration generations).
_SCHEMA_KEYS: list[str] = []


def prefetch_in_schema(key: str) -> None:
    """Read `key` (an organization schema's cache key) ahead with every request of an organization."""
    if key not in _SCHEMA_KEYS:
        _SCHEMA_KEYS.append(key)


def _public_key(key: str) -> str:
    return schema_cache_key(PUBLIC_SCHEMA, key, cache.key_prefix, cache.version)


def prefetch(*, keys: Iterable[str], schema_name: str | None, marks: Iterable[tuple[str, float]] = ()) -> None:
    """Read the public entries `keys` and, when `schema_name` is known, the schema's `prefetch_in_schema`
    keys, and add the marks `(key, seconds)` (`first_use_within`) -- in one round trip. Call `prefetch_end`
    when the request ends."""
    read_and_add = getattr(cache, "read_and_add", None)
    if read_and_add is None:  # another cache backend: every lookup reads on its own
        return
    complete = [_public_key(key) for key in keys]
    if schema_name is not None:
        complete += [schema_cache_key(schema_name, key, cache.key_prefix, cache.version) for key in _SCHEMA_KEYS]
    marks = list(marks)
    adds = {_public_key(key): (1, max(1, int(seconds))) for key, seconds in marks}
    _ahead.read, added = read_and_add(complete, adds)
    _ahead.added = {
        complete_key: (stored, key) for (complete_key, stored), (key, _) in zip(added.items(), marks, strict=True)
    }


def prefetch_end() -> None:
    """Forget what was read ahead; remove the marks that no lookup asked for."""
    unused = [key for stored, key in getattr(_ahead, "added", {}).values() if stored]
    forget_prefetched()
    if unused:
        with public_context():
            cache.delete_many(unused)


def forget_prefetched() -> None:
    _ahead.read, _ahead.added = {}, {}


def read_ahead(complete_key: str) -> Any:
    """The value read ahead under `complete_key`, or `ABSENT` (also for an entry that was missing: the
    lookup reads it again, as someone may have filled it since)."""
    read: dict[str, Any] = getattr(_ahead, "read", None) or {}
    value = read.get(complete_key, ABSENT)
    if value is None or value == TOMBSTONE:
        del read[complete_key]
        return ABSENT
    return value


def _added_ahead(complete_key: str) -> bool | None:
    added = getattr(_ahead, "added", None)
    entry = added.pop(complete_key, None) if added else None
    return None if entry is None else entry[0]


def _cached(key: str, load: Callable[[], Any]) -> Any:
    """The entry under `key`, or `load()`'s result (cached when not None and not tombstoned)."""
    with public_context():
        value = read_ahead(_public_key(key))
        if value is ABSENT:
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
    forget_prefetched()

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
    stored = _added_ahead(_public_key(token_used_key(token_pk)))
    if stored is not None:
        return stored
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
