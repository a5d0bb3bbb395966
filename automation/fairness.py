"""Per-organization fairness of webhook deliveries: at most WEBHOOK_ORGANIZATION_CONCURRENCY deliveries
of one organization are sent at a time, across all workers.

Deliveries share the workers' queue in the order they were queued. Without a limit, an organization
whose receiver is slow (or times out) would take every worker while its backlog lasts, and every
other organization's deliveries would wait behind it. A delivery that finds its organization at the
limit goes back to the queue (WEBHOOK_FAIRNESS_DEFER_SECONDS later, its retry count kept) and frees
the worker for the next organization's.

The slots are a sorted set per organization in Redis, each delivery in flight scored with the time
its slot expires (its timeout and a margin): a worker killed mid-delivery does not keep its slot.
"""

import functools
import time
from collections.abc import Iterator
from contextlib import contextmanager

import redis
from django.conf import settings

MARGIN_SECONDS = 30

_TAKE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if not redis.call('ZSCORE', KEYS[1], ARGV[4]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
    return 0
end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[3]) - tonumber(ARGV[1])))
return 1
"""


@functools.cache
def _client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=5, socket_timeout=5)


def _key(schema_name: str) -> str:
    return f"wirebook:webhook-slots:{schema_name}"


@contextmanager
def delivery_slot(schema_name: str, delivery_pk: int, *, seconds: float) -> Iterator[bool]:
    """Take one of the organization's delivery slots for at most `seconds` (True), or find none free
    (False: defer the delivery). The slot is given back when the block ends."""
    limit = settings.WEBHOOK_ORGANIZATION_CONCURRENCY
    if limit <= 0:
        yield True
        return
    now = time.time()
    key, member = _key(schema_name), str(delivery_pk)
    taken = bool(_client().eval(_TAKE, 1, key, now, limit, now + seconds + MARGIN_SECONDS, member))
    try:
        yield taken
    finally:
        if taken:
            _client().zrem(key, member)
