"""The one permitted write: every writer of registered objects calls `write_objects` or `delete_objects`.

The REST API (single and bulk), the UI's forms, bulk edit and bulk delete, and imports all come
here, so none can skip a step:

1. the actor may add / change / delete objects of the type at all (`core.permissions.require`);
2. the objects to change or delete are read within what the actor may change or delete (one query);
3. every item is deserialized (core.writes: NetBox's JSON to model values, NetBox's errors);
4. the model's services write them (the registration's `services=`; by default the generic
   core.services), which validate every object before writing any;
5. what was written must be within the actor's grant (`core.permissions.ensure_permitted`),
   checked after writing, inside the transaction.

All or nothing: any refusal rolls the whole write back. A batch is first written in one go. When
items fail, the result must be what writing the items one at a time would give -- NetBox's per-item
errors, and an item may refer to an object an earlier item creates (an import of a region and then
its children) -- without paying one write per item: each refused item is written again alone, after
the items before it, and the runs of items between refused ones are written again in one go each
(splitting again where one of them fails now). A thousand rows with one bad row cost a few batch
writes, not a thousand.

(NetBox's GraphQL API is read-only, and so is Wirebook's: it has no writer here.)
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from core.context import Actor, acting_as
from core.generations import generations_pinned
from core.permissions import ensure_permitted, require
from core.querysets import restricted
from core.registry import ObjectSpec
from core.services import ObjectWrite, WritesInvalid, object_write_batch
from core.writes import WriteData, WriteError, deserialize, model_errors, references_read_once
from tenants.billing import BillingRefused

Deserializer = Callable[..., WriteData]  # (spec, payload, *, actor, partial) -> WriteData; raises WriteError


@dataclass(frozen=True)
class Item:
    """One object to write: its payload (NetBox's JSON), and the id of the object it changes (None: a new one)."""

    payload: Any
    pk: int | None = None


class WriteRefused(Exception):
    """Nothing was written. `errors`: NetBox's per-item errors, [{"index": i, "errors": {field: [...]}}];
    `missing`: ids of objects to change or delete that do not exist or are not the actor's to touch."""

    def __init__(self, errors: list[dict], missing: Sequence[int] = ()):
        super().__init__(errors)
        self.errors = errors
        self.missing = list(missing)


class _ItemsRefused(Exception):
    """Items of a batch that failed: {position: (NetBox's errors, whether the object was not found)}."""

    def __init__(self, refused: dict[int, tuple[dict[str, list[str]], bool]]):
        super().__init__(refused)
        self.refused = refused


class _BatchFailed(Exception):
    """The batch as a whole cannot tell which item failed (a unique value taken twice within it)."""


def _not_found(spec: ObjectSpec, pk: int, action: str) -> dict[str, list[str]]:
    return {"id": [f"No {spec.model._meta.verbose_name} with id {pk} that you may {action}."]}


def write_objects(
    spec: ObjectSpec,
    actor: Actor,
    items: Sequence[Item],
    *,
    partial: bool = False,
    deserialize: Deserializer = deserialize,
    progress: Callable[[int], None] | None = None,
) -> list[models.Model]:
    """Create (items without `pk`) and change (items with one) objects of `spec`, as `actor`; the
    objects written, in the items' order. `partial`: changes leave out fields they do not name
    (PATCH). `deserialize`: the payload's reader (an import's converts its columns first).
    `progress(done)` is told how many items have been read.

    Raises WriteRefused (nothing written), NotPermitted, BillingRefused."""
    if not items:
        return []
    for action in {"change" if item.pk is not None else "add" for item in items}:
        require(actor, spec.model, action)
    writer = _Writer(spec, actor, partial=partial, deserialize=deserialize, progress=progress)
    pks = [item.pk for item in items if item.pk is not None]
    outcome = _Outcome(writer, items)
    with acting_as(actor), object_write_batch(), generations_pinned():
        if len(set(pks)) != len(pks):  # one object changed twice: the second change must see the first
            with transaction.atomic():
                return _permitted(actor, spec, items, outcome.write(one_at_a_time=True))
        try:
            # The whole batch in one go first: when nothing is refused, its savepoint is the write's only one.
            with transaction.atomic(), references_read_once():
                return _permitted(actor, spec, items, writer.write(items))
        except (_ItemsRefused, _BatchFailed) as failed:
            refused = failed  # rolled back: now which items fail, as writing them one at a time would tell
        with transaction.atomic():
            return _permitted(actor, spec, items, outcome.write(failed=refused))


def _permitted(actor: Actor, spec: ObjectSpec, items: Sequence[Item], written: list[models.Model]):
    """`written`, once the objects created and changed are within the actor's grant."""
    ensure_permitted(
        actor, spec.model, "add", [obj.pk for obj, item in zip(written, items, strict=True) if not item.pk]
    )
    ensure_permitted(actor, spec.model, "change", [item.pk for item in items if item.pk is not None])
    return written


@dataclass
class _Outcome:
    """Writes `items` as writing them one at a time would (see the module's docstring), collecting
    the objects written and the items refused."""

    writer: "_Writer"
    items: Sequence[Item]
    written: dict[int, models.Model] = field(default_factory=dict)
    errors: dict[int, dict[str, list[str]]] = field(default_factory=dict)
    missing: list[int] = field(default_factory=list)

    def write(
        self, *, one_at_a_time: bool = False, failed: "_ItemsRefused | _BatchFailed | None" = None
    ) -> list[models.Model]:
        """`failed`: how writing all the items in one go failed (rolled back), when it was tried already."""
        if one_at_a_time:
            for index in range(len(self.items)):
                self._alone(index)
        elif failed is not None:
            self._split(0, len(self.items), failed)
        else:
            self._run(0, len(self.items))
        if self.errors:
            raise WriteRefused([{"index": i, "errors": self.errors[i]} for i in sorted(self.errors)], self.missing)
        return [self.written[index] for index in range(len(self.items))]

    def _run(self, start: int, end: int) -> None:
        """Items start..end-1 in one go; when some are refused, each of those alone and the runs between
        them again in one go (each refused item then sees every item before it that could be written)."""
        if end - start == 1:
            self._alone(start)
            return
        try:
            with transaction.atomic(), references_read_once():
                objects = self.writer.write(self.items[start:end], offset=start)
        except (_ItemsRefused, _BatchFailed) as failed:
            self._split(start, end, failed)
        else:
            self.written.update(zip(range(start, end), objects, strict=True))

    def _split(self, start: int, end: int, failed: "_ItemsRefused | _BatchFailed") -> None:
        """Items start..end-1 again, after writing them in one go failed (and was rolled back)."""
        if end - start == 1 and isinstance(failed, _ItemsRefused):
            self._refused(start, failed)  # the item's own refusal: no need to write it again
            return
        if isinstance(failed, _ItemsRefused):
            suspects = sorted(start + position for position in failed.refused)
        else:
            suspects = list(range(start, end))  # no telling which: every item alone
        cursor = start
        for suspect in suspects:
            if cursor < suspect:
                self._run(cursor, suspect)
            self._alone(suspect)
            cursor = suspect + 1
        if cursor < end:
            self._run(cursor, end)

    def _alone(self, index: int) -> None:
        try:
            with transaction.atomic(), references_read_once():
                self.written[index] = self.writer.write([self.items[index]], offset=index)[0]
        except _ItemsRefused as refused:
            self._refused(index, refused)

    def _refused(self, index: int, refused: _ItemsRefused) -> None:
        """Record the refusal of the item at `index`, written alone (position 0 of the batch that failed)."""
        errors, missing = refused.refused[0]
        self.errors[index] = errors
        item = self.items[index]
        if missing and item.pk is not None:
            self.missing.append(item.pk)


@dataclass
class _Writer:
    spec: ObjectSpec
    actor: Actor
    partial: bool
    deserialize: Deserializer
    progress: Callable[[int], None] | None
    _reported: int = 0

    def write(self, items: Sequence[Item], *, offset: int = 0) -> list[models.Model]:
        """Write `items` in one go through the model's services; _ItemsRefused names those that fail
        (every item that cannot be read, else every object the services refuse; an item of a batch
        of one is always named), _BatchFailed a batch refused as a whole."""
        model = self.spec.model
        current = self._changeable([item.pk for item in items if item.pk is not None])
        creates: list[tuple[int, ObjectWrite]] = []
        updates: list[tuple[int, ObjectWrite]] = []
        refused: dict[int, tuple[dict[str, list[str]], bool]] = {}
        for position, item in enumerate(items):
            self._read(offset + position + 1)
            if item.pk is not None and item.pk not in current:
                refused[position] = (_not_found(self.spec, item.pk, "change"), True)
                continue
            try:
                values = self.deserialize(
                    self.spec, item.payload, actor=self.actor, partial=self.partial and item.pk is not None
                )
            except WriteError as error:
                refused[position] = (error.errors, False)
                continue
            instance = current.get(item.pk) if item.pk is not None else None
            write = ObjectWrite(model=model, instance=instance, **values.service_arguments())
            (creates if item.pk is None else updates).append((position, write))
        if refused:
            raise _ItemsRefused(refused)
        services = self.spec.services
        written: dict[int, models.Model] = {}
        for service, writes in ((services.create, creates), (services.update, updates)):
            if not writes:
                continue
            try:
                objects = service([write for _position, write in writes])
            except WritesInvalid as invalid:
                raise _ItemsRefused(
                    {writes[index][0]: (model_errors(error), False) for index, error in invalid.errors.items()}
                ) from None
            except BillingRefused:
                raise  # refuses the whole write, not one item
            except ValidationError as error:  # a service's refusal of the batch as a whole
                if len(items) != 1:
                    raise _BatchFailed from error
                raise _ItemsRefused({0: (model_errors(error), False)}) from None
            except IntegrityError as error:  # a batch holding one unique value twice
                raise _BatchFailed from error
            written.update((position, obj) for (position, _write), obj in zip(writes, objects, strict=True))
        return [written[position] for position in range(len(items))]

    def _read(self, done: int) -> None:
        """Tell `progress` how many items have been read (the retries of a refused batch read some again)."""
        if self.progress is not None and done > self._reported:
            self._reported = done
            self.progress(done)

    def _changeable(self, pks: list[int]) -> dict[int, models.Model]:
        """The objects to change that the actor may change, read for update (one query)."""
        if not pks:
            return {}
        model = self.spec.model
        allowed = restricted(model, self.actor, "change").filter(pk__in=pks).values("pk")
        return {
            obj.pk: obj
            for obj in model._base_manager.select_for_update(of=("self",)).filter(pk__in=allowed).order_by("pk")
        }


def delete_objects(spec: ObjectSpec, actor: Actor, pks: Sequence[int], *, message: str = "") -> None:
    """Delete the objects of `spec` with these ids (an id given twice is deleted once) and what
    cascades with them, as `actor`, through the model's delete service.

    Raises WriteRefused (an id the actor may not delete; nothing deleted), NotPermitted,
    BillingRefused, django.db.models.ProtectedError / RestrictedError."""
    require(actor, spec.model, "delete")
    wanted = list(dict.fromkeys(pks))
    if not wanted:
        return
    with acting_as(actor), transaction.atomic(), object_write_batch():
        found = {obj.pk: obj for obj in restricted(spec.model, actor, "delete").filter(pk__in=wanted)}
        missing = [pk for pk in wanted if pk not in found]
        if missing:
            errors = [
                {"index": index, "errors": _not_found(spec, pk, "delete")}
                for index, pk in enumerate(wanted)
                if pk in missing
            ]
            raise WriteRefused(errors, missing)
        spec.services.delete([found[pk] for pk in wanted], message=message)
