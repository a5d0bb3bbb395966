"""Generations of an organization's cached configuration (custom field definitions, event rules).

A process keeps such configuration per schema and checks it against the schema's *generation*: a token
in the cache (Redis, whose keys carry the schema). The write services of the configuration replace the
token (`Generation.changed`) at once and again when their transaction commits, so that no process keeps
what it read while the write was under way; the transaction that changed it reads it from the database
until it ends (`Generation.changing`: a rollback must leave nothing cached). Reading the token is one
cache round trip instead of the queries the configuration costs.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.cache import cache
from django.db import connection, transaction

from tenants import authcache
from tenants.context import current_schema_name

# Within `generations_pinned`: the tokens read so far, by (schema, key).
_pinned: ContextVar[dict[tuple[str, str], str] | None] = ContextVar("generations_pinned", default=None)


@contextmanager
def generations_pinned() -> Iterator[None]:
    """One write (core.usecases): each generation is read from the cache once for all of it, not once per
    model or batch it reads configuration for. A change within it is seen at once (`changed`, `changing`)."""
    token = _pinned.set({}) if _pinned.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            _pinned.reset(token)


class _NewGeneration:
    """The commit-time half of `Generation.changed` (recognisable among the pending callbacks)."""

    def __init__(self, key: str, schema: str):
        self.key = key
        self.schema = schema

    def __call__(self) -> None:
        cache.set(self.key, uuid.uuid4().hex, None)
        pinned = _pinned.get()
        if pinned is not None:
            pinned.pop((self.schema, self.key), None)


class Generation:
    def __init__(self, key: str, *, read_with_requests: bool = False):
        """`read_with_requests`: an organization request reads the token ahead with its other cache entries
        (tenants.authcache.prefetch), for configuration that most requests consult."""
        self.key = key
        if read_with_requests:
            authcache.prefetch_in_schema(key)

    def changed(self) -> None:
        """The configuration of the current schema changed in this transaction: every process reads it
        again (now, and once more when the transaction commits)."""
        authcache.forget_prefetched()
        bump = _NewGeneration(self.key, current_schema_name())
        bump()
        transaction.on_commit(bump)

    def changing(self) -> bool:
        """Whether the current transaction changed the configuration (it reads it from the database)."""
        schema = current_schema_name()
        return any(
            isinstance(pending[1], _NewGeneration) and pending[1].key == self.key and pending[1].schema == schema
            for pending in connection.run_on_commit
        )

    def current(self) -> str:
        """The current schema's token (a new one if the cache lost it)."""
        pinned = _pinned.get()
        slot = (current_schema_name(), self.key)
        if pinned is not None and slot in pinned:
            return pinned[slot]
        generation = authcache.read_ahead(cache.make_key(self.key))
        if generation is authcache.ABSENT:
            generation = cache.get(self.key)
        if generation is None:
            cache.add(self.key, uuid.uuid4().hex, None)
            generation = cache.get(self.key)
        if pinned is not None:
            pinned[slot] = generation
        return generation
