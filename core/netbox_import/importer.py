"""Copy a NetBox into the current organization over NetBox's REST API (`manage.py import_netbox`, and the
organization's settings page as a background job); docs/import.md tells users and operators.

Table-driven from the registry (core.netbox_import.plan): custom field choice sets, custom fields and tags
first, then every importable type in the order of its references, then the types that point at any object
(contact assignments, journal entries, cables). Every object is written through the same use case as the
REST API (core.usecases.write_objects: NetBox's JSON deserialized, the model's services validating and
change-logging, cable paths traced by the cable services), a batch at a time; a refused object is reported
and left out, and the batch is written again without it, so each object is written whole or not at all.

Ids are remapped: NetBox's nested objects (`{"id": 3, "url": ".../api/dcim/sites/3/"}`) and generic references
(`assigned_object_type` + `assigned_object_id`, a cable's `object_type` + `object_id`) become the ids of the
Wirebook objects they were imported as, kept in core.NetBoxImportRecord with a digest of what NetBox sent.
A re-run updates what changed and leaves the rest ("unchanged"); an interrupted run resumes where it stopped
(the records are written in the transaction of their objects). References to objects not imported yet
(an interface's LAG, an IP address assigned to an interface read later) and those that must wait for every
object (primary IPs, a virtual chassis' master) are written in a second pass.
"""

import hashlib
import json
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models, transaction

from core.context import Actor, acting_as
from core.fields import kind_of
from core.models import NetBoxImportRecord
from core.netbox_import.client import NetBoxClient, NetBoxUnavailable, NotServed
from core.netbox_import.plan import LATE_FIELDS, SKIPPED, PlannedType, import_plan, netbox_writable_keys
from core.registry import ObjectSpec, registry
from core.usecases import Item, WriteRefused, write_objects
from core.writes import writable_fields
from tenants.audit import audit_record
from tenants.billing import BillingRefused
from tenants.context import current_organization
from tenants.models import AuditAction

logger = logging.getLogger(__name__)

BATCH = 200
# Types read ahead of the one being written: memory holds their objects meanwhile.
READ_AHEAD = 8
ACTOR_NAME = "NetBox import"


class ImportFailed(Exception):
    """The import stopped (NetBox unreachable, a refused token, the plan's limit); what was written stays,
    and running it again resumes."""


class _Pending(Exception):
    """A reference to an object not imported yet: written in the second pass."""

    def __init__(self, label: str, netbox_id: Any, *, same_type: bool):
        super().__init__(label, netbox_id)
        self.same_type = same_type


class _Missing(Exception):
    """A reference to an object that was not imported (refused, or not readable)."""


@dataclass
class TypeCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0


@dataclass
class ImportReport:
    netbox_url: str
    netbox_version: str = ""
    counts: dict[str, TypeCounts] = field(default_factory=dict)
    # [{"object_type": "dcim.site", "id": 3, "display": "...", "errors": {"field": ["..."]}}]
    failures: list[dict] = field(default_factory=list)
    # Types not read: by label, why (never imported, or not served by this NetBox).
    skipped: dict[str, str] = field(default_factory=dict)
    # Fields NetBox sent with a value and Wirebook did not import: by label, field -> how many objects had one
    # (a field Wirebook's model lacks, or a reference to a type it does not import).
    dropped: dict[str, dict[str, int]] = field(default_factory=dict)
    requests: int = 0
    # Why the import stopped before its end (ImportFailed), if it did.
    error: str = ""

    def count(self, label: str) -> TypeCounts:
        return self.counts.setdefault(label, TypeCounts())

    def as_dict(self) -> dict:
        return {
            "netbox_url": self.netbox_url,
            "netbox_version": self.netbox_version,
            "counts": {label: vars(counts) for label, counts in self.counts.items()},
            "totals": self.totals(),
            "failures": self.failures,
            "skipped": self.skipped,
            "dropped": self.dropped,
            "requests": self.requests,
        }

    def drop(self, label: str, key: str) -> None:
        fields = self.dropped.setdefault(label, {})
        fields[key] = fields.get(key, 0) + 1

    def totals(self) -> dict[str, int]:
        totals = TypeCounts()
        for counts in self.counts.values():
            for name in vars(totals):
                setattr(totals, name, getattr(totals, name) + getattr(counts, name))
        return vars(totals)


@dataclass(frozen=True)
class _Fields:
    # NetBox's keys of the type's writable fields, and whether each is JSON (kept as it is).
    keys: list[tuple[str, bool]]
    # The keys that may be left out of the first write and written in the second pass.
    nullable: set[str]
    # Written keys that are no model fields: write extras (a cable's ends), tags, custom fields.
    extras: list[str]
    # The keys NetBox's API writes for the type that the importer does not read: not carried over.
    unread: list[str]


@dataclass
class _Prepared:
    netbox_id: int
    display: str
    payload: dict[str, Any]
    digest: str
    # References written in the second pass (reduced form: NetBox ids), and after every other one.
    deferred: dict[str, Any] = field(default_factory=dict)
    late: dict[str, Any] = field(default_factory=dict)


Progress = Callable[[int, int, str], None]  # (types done, types in all, what is being read)


def netbox_import(
    *,
    url: str,
    token: str,
    actor: Actor | None = None,
    parallel: int = 4,
    rate: float = 20.0,
    progress: Progress | None = None,
    client: NetBoxClient | None = None,
) -> ImportReport:
    """Import the NetBox at `url` into the current organization, as `actor` (default: system work named
    "NetBox import"). Raises ImportFailed when the import cannot go on; refused objects are in the report."""
    if current_organization() is None:
        raise RuntimeError("a NetBox import runs inside an organization (tenants.context.tenant_context)")
    try:
        client = client or NetBoxClient(url=url, token=token, parallel=parallel, rate=rate)
    except NetBoxUnavailable as error:
        raise ImportFailed(str(error)) from None
    actor = actor or Actor(user_id=None, user_name=ACTOR_NAME, role=None)
    importer = _Importer(client, actor, ImportReport(netbox_url=client.url), progress)
    workers = max(1, parallel)
    try:
        with (
            acting_as(actor),
            ThreadPoolExecutor(max_workers=workers, thread_name_prefix="netbox-types") as types,
            ThreadPoolExecutor(max_workers=workers, thread_name_prefix="netbox-pages") as pages,
        ):
            try:
                importer.run(types, pages)
            except NetBoxUnavailable as error:
                raise ImportFailed(str(error)) from None
            except BillingRefused as error:
                raise ImportFailed(
                    f"The organization's plan refused more objects: {' '.join(error.messages)}"
                ) from None
            finally:
                importer.report.requests = client.requests
    except ImportFailed as error:
        importer.report.error = str(error)
        _audit(importer.report, actor)
        raise
    _audit(importer.report, actor)
    return importer.report


def _audit(report: ImportReport, actor: Actor) -> None:
    """The import in the organization's audit log: who ran it (nobody for the command: the operator), from which
    NetBox (its URL without credentials; never the token), and what it counted."""
    organization = current_organization()
    assert organization is not None
    user = get_user_model().objects.filter(pk=actor.user_id).first() if actor.user_id is not None else None
    data: dict[str, Any] = {"netbox_version": report.netbox_version, **report.totals()}
    if report.error:
        data["error"] = report.error
    audit_record(
        organization=organization,
        action=AuditAction.ORGANIZATION_NETBOX_IMPORTED,
        actor=user,
        target=report.netbox_url,  # normalized_url refuses credentials in it
        data=data,
    )


class _Importer:
    def __init__(self, client: NetBoxClient, actor: Actor, report: ImportReport, progress: Progress | None):
        self.client = client
        self.actor = actor
        self.report = report
        self.progress = progress
        self.source = client.url
        self.by_path = {spec.api.path: spec for spec in registry}
        # NetBox id -> Wirebook id, by type label; the types read so far.
        self.ids: dict[str, dict[int, int]] = {}
        self.done: set[str] = set()
        self.planned: set[str] = set()
        # The current type's NetBox ids not written yet (a reference to one waits for it).
        self.waiting: set[int] = set()
        self.current = ""
        # NetBox's custom fields that hold objects: name -> the type of their objects.
        self.object_fields: dict[str, str] = {}
        self.second_pass: list[tuple[PlannedType, int, int, dict, bool]] = []
        self.fields: dict[str, _Fields] = {}

    # -- the run ------------------------------------------------------------------------------------

    def run(self, types: ThreadPoolExecutor, pages: ThreadPoolExecutor) -> None:
        """Read the types ahead of writing them (a few at a time, their pages in parallel), write them in order."""
        self.report.netbox_version = str(self.client.status().get("netbox-version", ""))
        specs = list(registry)
        for spec in specs:
            if spec.type_label in SKIPPED:
                self.report.skipped[spec.type_label] = SKIPPED[spec.type_label]
        plan = import_plan(specs)
        self.planned = {planned.spec.type_label for planned in plan}
        self._load_records()
        ahead: dict[int, Future] = {}

        def read(position: int) -> None:
            if position < len(plan) and position not in ahead:
                ahead[position] = types.submit(self.client.list, plan[position].spec.api.path, pool=pages)

        try:
            self._read_and_write(plan, ahead, read)
        finally:
            for future in ahead.values():
                future.cancel()
        for late in (False, True):
            self._second_pass(late=late)
        if self.progress is not None:
            self.progress(len(plan), len(plan), "")

    def _read_and_write(self, plan: list[PlannedType], ahead: dict[int, Future], read: Callable[[int], None]) -> None:
        for position, planned in enumerate(plan):
            label = planned.spec.type_label
            if self.progress is not None:
                self.progress(position, len(plan), label)
            for next_position in range(position, position + READ_AHEAD):
                read(next_position)
            try:
                objects = ahead.pop(position).result()
            except NotServed as why:
                self.report.skipped[label] = str(why)
                self.done.add(label)
                continue
            self._import_type(planned, objects)
            self.done.add(label)

    def _load_records(self) -> None:
        for label, netbox_id, object_id in NetBoxImportRecord.objects.filter(source=self.source).values_list(
            "object_type", "netbox_id", "object_id"
        ):
            self.ids.setdefault(label, {})[netbox_id] = object_id

    def _import_type(self, planned: PlannedType, objects: list[dict]) -> None:
        spec = planned.spec
        label = spec.type_label
        self.current = label
        self.report.count(label)
        if label == "extras.customfield":
            self.object_fields = {
                str(obj.get("name")): str(obj.get("related_object_type"))
                for obj in objects
                if obj.get("related_object_type")
            }
        remaining = sorted(objects, key=lambda obj: obj.get("_depth") or 0)  # trees: parents first
        self.waiting = {obj["id"] for obj in remaining}
        stuck = False
        while remaining:
            ready: list[_Prepared] = []
            later: list[dict] = []
            for obj in remaining:
                try:
                    prepared = self._prepare(spec, obj, defer_own=stuck)
                except _Pending:
                    later.append(obj)
                    continue
                except _Missing as missing:
                    self._failed(label, obj, missing.args[0])
                    self.waiting.discard(obj["id"])
                    continue
                ready.append(prepared)
            if ready:
                stuck = False
                for start in range(0, len(ready), BATCH):
                    self._write(planned, ready[start : start + BATCH])
            elif stuck:  # still waiting with its own references deferred: what it needs was not written
                for obj in later:
                    self._failed(label, obj, "Refers to objects that could not be imported before it.")
                break
            else:
                stuck = True  # references among the type's own objects that go round: written in the second pass
            remaining = later
        self.waiting = set()

    # -- reading NetBox's representation --------------------------------------------------------------

    def _prepare(self, spec: ObjectSpec, obj: dict, *, defer_own: bool) -> _Prepared:
        reduced = self._reduced(spec, obj)
        # NetBox's values not carried over: reported once the object is prepared (a pending one is prepared again).
        dropped = [key for key in self._fields(spec).unread if obj.get(key) not in _EMPTY]
        payload: dict[str, Any] = {}
        deferred: dict[str, Any] = {}
        late: dict[str, Any] = {}
        nullable = self._fields(spec).nullable
        errors: dict[str, list[str]] = {}
        for key, value in reduced.items():
            if key == "custom_fields" and isinstance(value, dict):
                payload[key], later = self._custom_fields(value, errors)
                if later:
                    deferred[key] = later
                continue
            if key in LATE_FIELDS:
                if value is not None:
                    late[key] = value
                continue
            try:
                payload[key] = self._mapped(key, value, reduced)
            except _Pending as pending:
                if pending.same_type and not defer_own:
                    raise
                if key in nullable:
                    deferred[key] = value
                else:
                    raise
            except _Missing as missing:
                errors[key] = [str(missing)]
            except _Unsupported:  # a reference to something Wirebook does not import (a NetBox user)
                if value not in _EMPTY:
                    dropped.append(key)
                continue
        if errors:
            raise _Missing(errors)
        for key in list(deferred):  # a generic reference's id travels with its type
            kind = f"{key[:-3]}_type"
            if key.endswith("_id") and kind in payload:
                deferred[kind] = payload.pop(kind)
        digest = hashlib.sha256(json.dumps(reduced, sort_keys=True, default=str).encode()).hexdigest()
        for key in dropped:
            self.report.drop(spec.type_label, key)
        return _Prepared(obj["id"], str(obj.get("display") or obj["id"]), payload, digest, deferred, late)

    def _fields(self, spec: ObjectSpec) -> "_Fields":
        """What the importer reads of a type's writes, once per type."""
        fields = self.fields.get(spec.type_label)
        if fields is None:
            aliases = {model_name: alias for alias, model_name in spec.api.write_aliases.items()}
            writable = writable_fields(spec)
            keys = [(aliases.get(f.name, f.name), kind_of(f).name == "json") for f in writable]
            extras = [*spec.api.write_extras, "tags", "custom_fields"]
            read = {key for key, _json in keys} | set(extras)
            fields = _Fields(
                keys=keys,
                nullable={
                    aliases.get(f.name, f.name)
                    for f in writable
                    if f.null or f.many_to_many or (f.blank and not f.is_relation)
                }
                | set(spec.api.write_extras)
                | {"tags", "custom_fields"},
                extras=extras,
                unread=sorted(netbox_writable_keys().get(spec.api.path, frozenset()) - read),
            )
            self.fields[spec.type_label] = fields
        return fields

    def _reduced(self, spec: ObjectSpec, obj: dict) -> dict[str, Any]:
        """The object's writable keys, with NetBox's nested objects as references ({"$ref": label, "id": n}) and
        choices as their values: what the digest is made of and the payload is mapped from."""
        fields = self._fields(spec)
        reduced: dict[str, Any] = {}
        for key, is_json in fields.keys:
            if key in obj:
                reduced[key] = obj[key] if is_json else self._reduce(obj[key])
        for key in fields.extras:
            if key in obj:
                reduced[key] = self._reduce(obj[key])
        return reduced

    def _reduce(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self._reduce(item) for item in value]
        if not isinstance(value, dict):
            return value
        if "id" in value and isinstance(value.get("url"), str):
            path = value["url"].rsplit("/api/", 1)[-1].strip("/").rsplit("/", 1)[0]
            spec = self.by_path.get(path)
            return {"$ref": spec.type_label if spec is not None else None, "id": value["id"]}
        if set(value) <= {"value", "label", "color"} and "value" in value:
            return value["value"]  # a choice: {value, label}
        if "object_type" in value and "object_id" in value:  # a cable's end, a termination
            return {key: self._reduce(item) for key, item in value.items() if key != "object"}
        return {key: self._reduce(item) for key, item in value.items()}

    def _mapped(self, key: str, value: Any, siblings: dict) -> Any:
        if isinstance(value, list):
            return [self._mapped(key, item, siblings) for item in value]
        if isinstance(value, dict):
            if "$ref" in value:
                return self._id(value["$ref"], value["id"])
            if "object_type" in value and "object_id" in value:
                return {**value, "object_id": self._id(value["object_type"], value["object_id"])}
            return {name: self._mapped(name, item, value) for name, item in value.items()}
        if key.endswith("_id") and isinstance(value, int) and isinstance(siblings.get(f"{key[:-3]}_type"), str):
            return self._id(siblings[f"{key[:-3]}_type"], value)  # a generic reference: its type beside it
        return value

    def _id(self, label: str | None, netbox_id: Any) -> int:
        if label is None or (label not in self.planned and label != self.current):
            raise _Unsupported
        found = self.ids.get(label, {}).get(netbox_id)
        if found is not None:
            return found
        if label == self.current and netbox_id in self.waiting:
            raise _Pending(label, netbox_id, same_type=True)
        if label not in self.done and label != self.current:
            raise _Pending(label, netbox_id, same_type=False)
        raise _Missing(f"Refers to NetBox's {label} {netbox_id}, which was not imported.")

    def _custom_fields(self, values: dict, errors: dict) -> tuple[dict, dict]:
        """Plain values now; values that are objects in the second pass (every object exists then)."""
        now, later = {}, {}
        for name, value in values.items():
            if name in self.object_fields and value not in (None, []):
                later[name] = value
            else:
                now[name] = value
        return now, later

    # -- writing --------------------------------------------------------------------------------------

    def _write(self, planned: PlannedType, batch: list[_Prepared]) -> None:
        spec = planned.spec
        label = spec.type_label
        records = {
            record.netbox_id: record
            for record in NetBoxImportRecord.objects.filter(
                source=self.source, object_type=label, netbox_id__in=[p.netbox_id for p in batch]
            )
        }
        existing = set(
            spec.model._base_manager.filter(pk__in=[r.object_id for r in records.values()]).values_list("pk", flat=True)
        )
        to_write: list[tuple[_Prepared, int | None]] = []
        for prepared in batch:
            record = records.get(prepared.netbox_id)
            pk = record.object_id if record is not None and record.object_id in existing else None
            if pk is not None and record is not None and record.digest == prepared.digest:
                self._mapped_to(label, prepared.netbox_id, pk)
                self.report.count(label).unchanged += 1
                if not record.complete:
                    self._queue(planned, prepared, pk, created=False)
                continue
            to_write.append((prepared, pk))
        while to_write:
            try:
                with transaction.atomic():
                    written = self._write_items(spec, to_write)
                    NetBoxImportRecord.objects.bulk_create(
                        [
                            NetBoxImportRecord(
                                source=self.source,
                                object_type=label,
                                netbox_id=prepared.netbox_id,
                                object_id=obj.pk,
                                digest=prepared.digest,
                                complete=not (prepared.deferred or prepared.late),
                            )
                            for (prepared, _pk), obj in zip(to_write, written, strict=True)
                        ],
                        update_conflicts=True,
                        unique_fields=["source", "object_type", "netbox_id"],
                        update_fields=["object_id", "digest", "complete"],
                    )
            except BillingRefused:
                raise
            except WriteRefused as refused:
                failed = {error["index"]: error["errors"] for error in refused.errors}
                for index, errors in failed.items():
                    prepared, _pk = to_write[index]
                    self._failed(label, {"id": prepared.netbox_id, "display": prepared.display}, errors)
                to_write = [item for index, item in enumerate(to_write) if index not in failed]
                if not failed:  # refused as a whole, no item named: each alone tells which
                    to_write = self._one_at_a_time(planned, to_write)
                continue
            except Exception as error:  # a bug of ours or a service's: reported, never a crash of the import
                logger.exception("NetBox import: writing %s failed", label)
                if len(to_write) == 1:
                    prepared, _pk = to_write[0]
                    self._failed(label, {"id": prepared.netbox_id, "display": prepared.display}, repr(error))
                    return
                to_write = self._one_at_a_time(planned, to_write)
                continue
            for (prepared, pk), obj in zip(to_write, written, strict=True):
                self._mapped_to(label, prepared.netbox_id, obj.pk)
                counts = self.report.count(label)
                if pk is None:
                    counts.created += 1
                else:
                    counts.updated += 1
                self._queue(planned, prepared, obj.pk, created=pk is None)
            return

    def _write_items(self, spec: ObjectSpec, items: list[tuple[_Prepared, int | None]]) -> list[models.Model]:
        return write_objects(spec, self.actor, [Item(prepared.payload, pk=pk) for prepared, pk in items], partial=True)

    def _one_at_a_time(
        self, planned: PlannedType, items: list[tuple[_Prepared, int | None]]
    ) -> list[tuple[_Prepared, int | None]]:
        for item in items:
            self._write(planned, [item[0]])
        return []

    def _mapped_to(self, label: str, netbox_id: int, pk: int) -> None:
        self.ids.setdefault(label, {})[netbox_id] = pk
        self.waiting.discard(netbox_id)

    def _queue(self, planned: PlannedType, prepared: _Prepared, pk: int, *, created: bool) -> None:
        if prepared.deferred:
            self.second_pass.append((planned, prepared.netbox_id, pk, prepared.deferred, False))
        if prepared.late:
            self.second_pass.append((planned, prepared.netbox_id, pk, prepared.late, True))

    def _failed(self, label: str, obj: dict, errors: Any) -> None:
        self.report.count(label).failed += 1
        self.waiting.discard(obj["id"])
        if not isinstance(errors, dict):
            errors = {"__all__": [str(errors)]}
        self.report.failures.append(
            {"object_type": label, "id": obj.get("id"), "display": str(obj.get("display") or ""), "errors": errors}
        )

    # -- the second pass: references to objects written after their own --------------------------------------

    def _second_pass(self, *, late: bool) -> None:
        self.current = ""
        by_type: dict[str, list[tuple[PlannedType, int, int, dict]]] = {}
        for planned, netbox_id, pk, values, is_late in self.second_pass:
            if is_late == late:
                by_type.setdefault(planned.spec.type_label, []).append((planned, netbox_id, pk, values))
        for label, entries in by_type.items():
            spec = entries[0][0].spec
            items: list[tuple[int, int, dict]] = []
            for _planned, netbox_id, pk, values in entries:
                payload: dict[str, Any] = {}
                unsupported: list[str] = []
                try:
                    for key, value in values.items():
                        try:
                            payload[key] = self._mapped(key, value, values)
                        except _Unsupported:  # this reference alone is left out: the object's others still go
                            if value not in _EMPTY:
                                self.report.drop(label, key)
                            unsupported.append(key)
                except (_Missing, _Pending) as why:
                    self._field_failure(label, netbox_id, values, str(why))
                    continue
                for key in unsupported:  # a generic reference's type goes with its id
                    if key.endswith("_id"):
                        payload.pop(f"{key[:-3]}_type", None)
                if payload:
                    items.append((netbox_id, pk, payload))
            waiting = set() if late else self._late_ids(label)
            for start in range(0, len(items), BATCH):
                self._write_references(spec, items[start : start + BATCH], waiting=waiting)

    def _late_ids(self, label: str) -> set[int]:
        """The objects of `label` whose late references are still to be written."""
        return {
            netbox_id
            for planned, netbox_id, _pk, _values, is_late in self.second_pass
            if is_late and planned.spec.type_label == label
        }

    def _write_references(self, spec: ObjectSpec, items: list[tuple[int, int, dict]], *, waiting: set[int]) -> None:
        """Write the references of `items`; the objects with none `waiting` are then complete."""
        label = spec.type_label
        while items:
            try:
                with transaction.atomic():
                    write_objects(spec, self.actor, [Item(payload, pk=pk) for _id, pk, payload in items], partial=True)
                    NetBoxImportRecord.objects.filter(
                        source=self.source,
                        object_type=label,
                        netbox_id__in=[netbox_id for netbox_id, *_ in items if netbox_id not in waiting],
                    ).update(complete=True)
            except BillingRefused:
                raise
            except WriteRefused as refused:
                failed = {error["index"]: error["errors"] for error in refused.errors}
                for index, errors in failed.items():
                    netbox_id, _pk, payload = items[index]
                    self._field_failure(label, netbox_id, payload, errors)
                if not failed:
                    for item in items:
                        self._write_references(spec, [item], waiting=waiting)
                    return
                items = [item for index, item in enumerate(items) if index not in failed]
                continue
            return

    def _field_failure(self, label: str, netbox_id: int, values: dict, errors: Any) -> None:
        if not isinstance(errors, dict):
            errors = {key: [str(errors)] for key in values}
        self.report.failures.append(
            {
                "object_type": label,
                "id": netbox_id,
                "display": "",
                "errors": errors,
                "imported": True,  # the object is there; these references are not
            }
        )


# Values that carry nothing: a field sent with one is not reported as dropped.
_EMPTY: tuple[Any, ...] = (None, "", [], {})


class _Unsupported(Exception):
    """A reference to a type the importer does not import: the field is left out."""
