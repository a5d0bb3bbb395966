"""Object events: what a transaction created, changed and deleted, handed over once it commits.

The services' change log (core.services) reports every change it records here, with the same
before/after snapshots. Events are kept per transaction and given to the consumers (event rules,
automation.events) only after it commits: a rolled-back transaction, or a rolled-back savepoint
inside one, sends nothing. Each object appears once per transaction, however often it was written:
created then changed is one `create` with its final state, changed twice one `update` from the first
state to the last, created then deleted nothing at all.

How: every batch of changes registers an on-commit marker bound to its savepoints (Django drops
those of a rolled-back savepoint), then a delivery callback bound to none; only the last delivery
callback of the transaction acts. After the commit the surviving markers run first, then that
delivery, which hands over the batches whose marker ran. Outside a transaction (autocommit) events
are handed over at once.
"""

import functools
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

CREATE, UPDATE, DELETE = "create", "update", "delete"  # core.models.ObjectChangeAction's values


@dataclass
class ObjectEvent:
    """One object's change in a committed transaction."""

    model: type[models.Model]
    pk: int
    action: str  # create, update or delete
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    object_repr: str
    user_id: int | None
    user_name: str
    request_id: uuid.UUID | None
    time: datetime = field(default_factory=timezone.now)


Consumer = Callable[[list[ObjectEvent]], None]
_consumers: list[Consumer] = []


def event_consumer_register(consumer: Consumer) -> None:
    """Give `consumer` every committed transaction's events (an app's `ready()` registers it once)."""
    if consumer not in _consumers:
        _consumers.append(consumer)


class _Pending:
    """The events of one transaction, batch by batch, and which batches survived its savepoints."""

    def __init__(self) -> None:
        self.batches: list[tuple[object, list[ObjectEvent]]] = []
        self.committed: set[int] = set()
        self.latest: tuple[set, Callable[[], None], bool] | None = None
        self.delivered = False

    def deliver_after(self, batches: int) -> None:
        """The delivery callback registered after `batches` batches: only the last one delivers."""
        if self.delivered or batches != len(self.batches):
            return
        self.delivered = True
        surviving = [batch for token, batch in self.batches if id(token) in self.committed]
        events_hand_over(coalesce([event for batch in surviving for event in batch]))


def coalesce(events: Sequence[ObjectEvent]) -> list[ObjectEvent]:
    """One event per object, in the order objects were first written (see the module doc)."""
    merged: dict[tuple[type[models.Model], int], ObjectEvent | None] = {}
    for event in events:
        key = (event.model, event.pk)
        if key not in merged:
            merged[key] = event
            continue
        first = merged[key]
        if first is None:  # created and deleted earlier: a new object with a reused id is not possible
            merged[key] = event
        elif event.action == DELETE:
            merged[key] = None if first.action == CREATE else _replace(event, before=first.before)
        else:
            merged[key] = _replace(event, action=first.action, before=first.before)
    return [event for event in merged.values() if event is not None]


def _replace(event: ObjectEvent, **changes: Any) -> ObjectEvent:
    values = {**event.__dict__, **changes}
    return ObjectEvent(**values)


def events_record(events: list[ObjectEvent]) -> None:
    """Called by the change log with each batch it writes."""
    if not events or not _consumers:
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        events_hand_over(coalesce(events))
        return
    pending: _Pending | None = getattr(connection, "_wirebook_events", None)
    if pending is None or pending.delivered or pending.latest not in connection.run_on_commit:  # none, or finished
        pending = _Pending()
        connection._wirebook_events = pending
    token = object()
    pending.batches.append((token, events))
    transaction.on_commit(lambda: pending.committed.add(id(token)))  # dropped with its savepoint
    # Bound to no savepoint: a savepoint's rollback drops its markers, never the delivery.
    pending.latest = (set(), functools.partial(pending.deliver_after, len(pending.batches)), True)
    connection.run_on_commit.append(pending.latest)


def events_hand_over(events: list[ObjectEvent]) -> None:
    """Give committed events to every consumer; one consumer's failure does not stop the others."""
    if not events:
        return
    for consumer in _consumers:
        try:
            consumer(events)
        except Exception:
            logger.exception("event consumer %s failed on %d events", consumer.__qualname__, len(events))
