"""Generic writes for registered models: validate, save, tag, index, change-log -- in one transaction.

Writers reach these through core.usecases (REST single and bulk, UI forms, bulk edit and delete,
imports), which calls the functions a registration names in `services=` (`Services`): these
generic ones unless the model has its own, which wrap them. So every write lands in the change log.

Services take every object of a write at once and validate all of them before writing any. Then
the statements do not grow with the number of objects: one INSERT or UPDATE (core.bulk), one for
the tags, one for the search index and the change log, one per unique constraint (core.constraints).
What stays per object: trees (a node's insert, move or delete renumbers the tree), many-to-many
fields, unique custom fields and custom fields referencing objects.
"""

import copy
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, connection, models, router, transaction
from django.db.models.deletion import Collector
from django.utils.translation import gettext as _
from mptt.models import MPTTModel

from core.bulk import create_rows, insert_rows, update_rows
from core.constraints import constraints_validate
from core.context import current_actor
from core.customfields import custom_fields_clean, definitions_for, supports_custom_fields
from core.events import ObjectEvent, events_record
from core.fields import kind_of, own_field
from core.models import ImageAttachment, ObjectChange, ObjectChangeAction, Tag, TaggedItem
from core.models.base import BaseModel, ChangeLoggedModel
from core.registry import registry
from core.search import search_index_statement, search_unindex
from tenants.billing import object_write_check
from tenants.context import current_organization
from tenants.files import files_delete_on_commit

# Within `object_write_batch`: the organization's object count, read once ([None] until then).
_batch_usage: ContextVar[list[int | None] | None] = ContextVar("object_write_batch_usage", default=None)


def counted_models() -> list[type[models.Model]]:
    """The models whose rows count against a plan's object limit: every registered model the API
    writes (the change log, written by us, is not counted)."""
    return [spec.model for spec in registry if not spec.access.read_only]


def object_usage() -> int:
    """How many objects the selected organization holds: one query over every counted table."""
    tables = sorted({model._meta.db_table for model in counted_models()})
    # Table names come from our models, never from input.
    counts = " UNION ALL ".join(f"SELECT COUNT(*) AS n FROM {connection.ops.quote_name(t)}" for t in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(SUM(n), 0) FROM ({counts}) AS usage")  # noqa: S608
        return int(cursor.fetchone()[0])


@contextmanager
def object_write_batch() -> Iterator[None]:
    """Many writes in one go (bulk API calls, imports): the plan's object count is read once for
    the batch, not once per object."""
    token = _batch_usage.set([None]) if _batch_usage.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            _batch_usage.reset(token)


def _usage() -> int:
    batch = _batch_usage.get()
    if batch is None:
        return object_usage()
    usage = batch[0]
    if usage is None:
        usage = batch[0] = object_usage()
    return usage


def _billing_check(action: str, count: int = 1) -> None:
    """Refuse the write of `count` objects (tenants.billing.BillingRefused) when the organization's
    plan or billing status does not allow it."""
    organization = current_organization()
    if organization is not None:
        object_write_check(organization, action, usage=_usage, added=count)


def _batch_usage_changed(delta: int | None) -> None:
    """Keep the batch's count true after a write: add `delta`, or forget it (None: re-count)."""
    batch = _batch_usage.get()
    if batch is not None and batch[0] is not None:
        batch[0] = None if delta is None else batch[0] + delta


# -- what a service is given -----------------------------------------------------------------------


@dataclass
class ObjectWrite:
    """One object for a service to create (`instance` None; set to the new object once written) or
    to change (`instance`: the object, read for update in this transaction), with the values the
    writer gives: fields (`data`, by model field name), tags and custom fields (None: unchanged)."""

    model: type[models.Model]
    data: dict[str, Any] = field(default_factory=dict)
    tags: list[Tag] | None = None
    custom_fields: dict[str, Any] | None = None
    message: str = ""
    instance: models.Model | None = None
    # The registration's write-only fields that are no model fields (core.registry.Api.write_extras), for
    # the model's own services.
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def target(self) -> models.Model:
        """`instance`, which every write has by the time a service reads it."""
        assert self.instance is not None, "objects_create gives each write its new instance first"
        return self.instance


class WritesInvalid(Exception):
    """Nothing was written: the validation errors, by position in the list of writes."""

    def __init__(self, errors: dict[int, ValidationError]):
        super().__init__(errors)
        self.errors = errors


# -- snapshots for the change log --------------------------------------------------------------------


# Columns NetBox's snapshots (utilities.serialization.serialize_object) leave out: the primary key, the tree's
# bookkeeping, and the times (NetBox 4.7's postchange_data has neither `created` nor `last_updated`).
SNAPSHOT_SKIPS = frozenset({"id", "custom_field_data", "lft", "rght", "tree_id", "level", "created", "last_updated"})


@dataclass
class Related:
    """What a snapshot shows besides the row, for a batch of objects of one model (read in one query
    per kind): tags by object as (tagged item id, tag id, tag name), many-to-many ids by field and object."""

    tags: dict[int, list[tuple[int | None, int, str]]] = field(default_factory=dict)
    many_to_many: dict[str, dict[int, set[int]]] = field(default_factory=dict)


def _logged_relations(model: type[models.Model]) -> tuple[str, ...]:
    spec = registry.find(model)
    return () if spec is None else spec.logged_relations


def related_of(model: type[models.Model], pks: Sequence[int]) -> Related:
    related = Related()
    for name in _logged_relations(model):
        related.many_to_many[name] = _reverse_many(model, name, pks)
    if issubclass(model, ChangeLoggedModel) and _features(model)[0]:
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=True)
        items = TaggedItem.objects.filter(content_type=content_type, object_id__in=pks)
        for object_id, item_pk, tag_id, name in items.values_list("object_id", "pk", "tag_id", "tag__name"):
            related.tags.setdefault(object_id, []).append((item_pk, tag_id, name))
    for many in model._meta.many_to_many:
        through_model = many.remote_field.through
        assert through_model is not None, "Django gives every many-to-many field its through model"
        through = through_model._default_manager
        source, target = many.m2m_field_name(), many.m2m_reverse_field_name()
        values = related.many_to_many[many.name] = {}
        for pk, other in through.filter(**{f"{source}__in": pks}).values_list(source, target):
            values.setdefault(pk, set()).add(other)
    return related


def _reverse_many(model: type[models.Model], name: str, pks: Sequence[int]) -> dict[int, set[int]]:
    """The ids another model's many-to-many field (`name` on this side) relates to each of `pks`, in one query."""
    many: Any = model._meta.get_field(name).remote_field  # the other model's ManyToManyField
    assert kind_of(many).relation == "many", f"{model.__name__}.{name} is no other model's many-to-many"
    through = many.remote_field.through
    assert through is not None, "Django gives every many-to-many field its through model"
    source, target = many.m2m_reverse_field_name(), many.m2m_field_name()  # this side, the other side
    values: dict[int, set[int]] = {}
    for pk, other in through._default_manager.filter(**{f"{source}__in": pks}).values_list(source, target):
        values.setdefault(pk, set()).add(other)
    return values


def snapshot(instance: models.Model, related: Related | None = None) -> dict[str, Any]:
    """A JSON-able picture of an object for the change log: fields, custom fields and tags.
    `related`: its tags and many-to-many values as read for its batch (else read here)."""
    data: dict[str, Any] = {}
    for model_field in instance._meta.concrete_fields:
        if model_field.name in SNAPSHOT_SKIPS:
            continue
        data[model_field.name] = model_field.value_from_object(instance)
    for name in [many.name for many in instance._meta.many_to_many] + list(_logged_relations(type(instance))):
        if instance.pk:
            if related is None:
                data[name] = sorted(other.pk for other in getattr(instance, name).all())
            else:
                data[name] = sorted(related.many_to_many.get(name, {}).get(instance.pk, ()))
    tags, custom_fields = _features(type(instance))
    if isinstance(instance, ChangeLoggedModel):
        if custom_fields:
            data["custom_fields"] = dict(instance.custom_field_data)
        if tags and related is not None:
            data["tags"] = sorted(name for _item, _tag, name in related.tags.get(instance.pk, ()))
        elif tags:
            data["tags"] = sorted(tag.name for tag in instance.tags) if instance.pk else []
    return data


def _features(model: type[models.Model]) -> tuple[bool, bool]:
    """Whether the model's snapshots show tags and custom fields: unless its registration says NetBox's
    objects of its kind have none (a component template's snapshot has neither, as NetBox's)."""
    spec = registry.find(model)
    return (True, True) if spec is None else (spec.tags, spec.custom_fields)


def _log(
    changes: Sequence[tuple[models.Model, str, dict | None, dict | None, str]],
    *,
    along: tuple[str, list] | None = None,
) -> None:
    """One change-log entry per (object, action, before, after, message): one INSERT; the same changes
    are object events once the transaction commits (core.events). `along`: a statement sent with that
    INSERT in one round trip (the search index's: core.search.search_index_statement)."""
    actor = current_actor()
    insert_rows(
        ObjectChange,
        [
            ObjectChange(
                user_id=actor.user_id,
                user_name=actor.user_name,
                token_created_by=actor.token_created_by,
                request_id=actor.request_id,
                action=action,
                changed_object_type=ContentType.objects.get_for_model(instance, for_concrete_model=True),
                changed_object_id=instance.pk,
                object_repr=str(instance)[:200],
                message=message[:200],
                prechange_data=before,
                postchange_data=after,
            )
            for instance, action, before, after, message in changes
        ],
        along=along,
    )
    events_record(
        [
            ObjectEvent(
                model=type(instance)._meta.concrete_model or type(instance),
                pk=instance.pk,
                action=action,
                before=before,
                after=after,
                object_repr=str(instance)[:200],
                user_id=actor.user_id,
                user_name=actor.user_name,
                request_id=actor.request_id,
            )
            for instance, action, before, after, _message in changes
        ]
    )


# -- validating a batch ------------------------------------------------------------------------------


def _apply(instance: models.Model, data: Mapping[str, Any]) -> dict[str, Any]:
    """Set plain and FK fields; return the many-to-many values to set after saving."""
    many_to_many = {}
    for name, value in data.items():
        model_field = own_field(instance._meta.get_field(name))
        if model_field.many_to_many:
            many_to_many[name] = value
        else:
            setattr(
                instance,
                model_field.attname if model_field.is_relation and not isinstance(value, models.Model) else name,
                value,
            )
    return many_to_many


def _unchecked_relations(instance: models.Model, data: Mapping[str, Any]) -> set[str]:
    """Foreign keys whose target needs no existence query: set to an object read from the database
    (the writer's reference, resolved), or left as stored on an update."""
    known = set()
    for model_field in instance._meta.concrete_fields:
        if not model_field.is_relation:
            continue
        if model_field.name in data:
            value = data[model_field.name]
            if isinstance(value, models.Model) and value.pk is not None:
                known.add(model_field.name)
        elif not instance._state.adding:
            known.add(model_field.name)
    return known


def _batch_unique_fields(model: type[models.Model]) -> list[models.Field]:
    """Single unique fields, checked for the whole batch in one query each (those in a
    `unique_together` are left to Django's per-object check, which needs them all)."""
    together = {name for group in model._meta.unique_together for name in group}
    return [f for f in model._meta.concrete_fields if f.unique and not f.primary_key and f.name not in together]


def _unique_conflicts(instances: Sequence[models.Model], fields: Sequence[models.Field], skip: list[set[str]]):
    """{position: {field name: [error]}} for values another row holds, or an earlier object of the batch."""
    conflicts: dict[int, dict[str, list[ValidationError]]] = {}
    if not instances:
        return conflicts
    model = type(instances[0])
    for unique in fields:
        wanted = {
            getattr(instance, unique.attname)
            for position, instance in enumerate(instances)
            if unique.name not in skip[position] and getattr(instance, unique.attname) is not None
        }
        if not wanted:
            continue
        holders: dict[Any, set[int]] = {}
        for value, pk in model._default_manager.filter(**{f"{unique.attname}__in": wanted}).values_list(
            unique.attname, "pk"
        ):
            holders.setdefault(value, set()).add(pk)
        seen: set[Any] = set()
        for position, instance in enumerate(instances):
            value = getattr(instance, unique.attname)
            if unique.name in skip[position] or value is None:
                continue
            others = holders.get(value, set()) - ({instance.pk} if not instance._state.adding else set())
            if others or value in seen:
                error = instance.unique_error_message(model, (unique.name,))
                conflicts.setdefault(position, {}).setdefault(unique.name, []).append(error)
            seen.add(value)
    return conflicts


def _validate(writes: Sequence[ObjectWrite]) -> list[dict[str, Any]]:
    """Apply each write's values to its instance and validate it as `full_clean` does, reading what
    the checks need once for the batch. The many-to-many values of each; WritesInvalid when any fails."""
    model = writes[0].model
    definitions = definitions_for(model) if supports_custom_fields(model) else {}
    taken: dict[str, set[str]] = {}
    errors: dict[int, ValidationError] = {}
    field_errors: list[dict] = []
    excluded: list[set[str]] = []
    many_to_many = []
    for position, write in enumerate(writes):
        instance = write.target
        many_to_many.append(_apply(instance, write.data))
        if write.custom_fields is not None:
            assert isinstance(instance, BaseModel), "core.writes refuses custom fields of models without them"
            instance.custom_field_data = {**instance.custom_field_data, **write.custom_fields}
        found: dict = {}
        try:
            custom_fields_clean(instance, written=write.custom_fields, definitions=definitions, taken=taken)
        except ValidationError as error:
            errors[position] = error  # as before validation: reported alone
        else:
            try:
                instance.clean_fields(exclude=_unchecked_relations(instance, write.data))
            except ValidationError as error:
                found = error.update_error_dict(found)
            try:
                instance.clean()
            except ValidationError as error:
                found = error.update_error_dict(found)
        field_errors.append(found)
        excluded.append({name for name in found if name != NON_FIELD_ERRORS})
    batch_unique = _batch_unique_fields(model)
    every_unique = {f.name for f in batch_unique}
    # An object's stored value of a unique field it does not write is unique already (the database
    # says so): only values written are looked for.
    skip = [
        excluded[p]
        | (every_unique if p in errors else set())
        | (set() if write.target._state.adding else every_unique - set(write.data))
        for p, write in enumerate(writes)
    ]
    conflicts = _unique_conflicts([write.target for write in writes], batch_unique, skip)
    checked: list[tuple[int, dict]] = []
    for position, write in enumerate(writes):
        if position in errors:
            continue
        instance, found = write.target, _merge(field_errors[position], conflicts.get(position, {}))
        try:
            instance.validate_unique(exclude=excluded[position] | {f.name for f in batch_unique})
        except ValidationError as error:
            found = error.update_error_dict(found)
        checked.append((position, found))
    # The constraints of the whole batch at once (core.constraints: a query per constraint, not per object).
    broken = constraints_validate(
        [writes[position].target for position, _found in checked],
        [{name for name in found if name != NON_FIELD_ERRORS} for _position, found in checked],
    )
    for (position, found), more in zip(checked, broken, strict=True):
        if more:
            found = ValidationError(more).update_error_dict(found)
        if found:
            errors[position] = ValidationError(found)
    if errors:
        raise WritesInvalid(errors)
    return many_to_many


def _merge(found: dict, more: dict) -> dict:
    for name, items in more.items():
        found.setdefault(name, []).extend(items)
    return found


@contextmanager
def _conflicts_refused(writes: Sequence[ObjectWrite]) -> Iterator[None]:
    """A write that loses a race (two creates of one slug: both pass validation, the database
    takes one) is refused as validation would have refused it, not left as an IntegrityError.

    Wraps the write's own atomic block, which has rolled back when the error arrives here, so the
    checks below run on a usable connection and see the committed winner. A batch of several
    objects raises the IntegrityError itself: which object lost is known only by writing them one
    at a time (core.usecases does)."""
    try:
        yield
    except IntegrityError as error:
        if len(writes) != 1:
            raise
        instance = writes[0].target
        try:
            instance.validate_unique()
            instance.validate_constraints()
        except ValidationError as refusal:
            raise WritesInvalid({0: refusal}) from error
        conflict = ValidationError(_("This change conflicts with another one made at the same time; try again."))
        raise WritesInvalid({0: conflict}) from error


# -- writing a batch -----------------------------------------------------------------------------------


def _is_tree(model: type[models.Model]) -> bool:
    return issubclass(model, MPTTModel)


def _related_pks(values) -> set[int]:
    return {value.pk if isinstance(value, models.Model) else value for value in values}


def _set_related(writes: Sequence[ObjectWrite], many_to_many: Sequence[dict[str, Any]], related: Related) -> None:
    """Write the many-to-many values (per object) and tags (one DELETE and one INSERT for the
    batch); keep `related` telling what each object now has."""
    model = writes[0].model
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=True)
    stale: list[int] = []
    fresh: list[TaggedItem] = []
    for write, values in zip(writes, many_to_many, strict=True):
        instance = write.target
        for name, items in values.items():
            getattr(instance, name).set(items)
            related.many_to_many.setdefault(name, {})[instance.pk] = _related_pks(items)
        if write.tags is None:
            continue
        wanted = {tag.pk: tag.name for tag in write.tags}
        have = {tag_id: item for item, tag_id, _name in related.tags.get(instance.pk, ())}
        stale += [item for tag_id, item in have.items() if tag_id not in wanted and item is not None]
        fresh += [
            TaggedItem(content_type=content_type, object_id=instance.pk, tag_id=tag_id)
            for tag_id in wanted
            if tag_id not in have
        ]
        related.tags[instance.pk] = [(None, tag_id, name) for tag_id, name in wanted.items()]
        if hasattr(instance, "_prefetched_objects_cache"):
            instance._prefetched_objects_cache.pop("tagged_items", None)
    if stale:
        TaggedItem.objects.filter(pk__in=stale).delete()
    if fresh:
        TaggedItem.objects.bulk_create(fresh)


M = TypeVar("M", bound=models.Model)


def instances_of(model: type[M], objects: Sequence[models.Model]) -> list[M]:
    """`objects` (what a generic write returns) as the instances of `model` they are, for a model's services."""
    typed = []
    for obj in objects:
        assert isinstance(obj, model), f"{obj!r} is no {model.__name__}"
        typed.append(obj)
    return typed


def objects_create(
    writes: Sequence[ObjectWrite],
    *,
    before_insert: Callable[[Sequence[ObjectWrite]], None] | None = None,
    after_write: Callable[[Sequence[ObjectWrite]], None] | None = None,
) -> list[models.Model]:
    """Create one object per write (all of one model), validated, tagged, indexed and change-logged.
    `before_insert(writes)`: a model's service's last step once every object is valid, just before the
    INSERT (taking a lock there holds it for the write alone, not for the validation). `after_write(writes)`:
    what the service writes besides the objects (a site's ASNs), before their change-log snapshots.

    Raises WritesInvalid (nothing written) when any fails validation, BillingRefused when the plan
    has no room for all of them."""
    if not writes:
        return []
    model = writes[0].model
    for write in writes:
        write.instance = model()
    with _conflicts_refused(writes), transaction.atomic():
        _billing_check("add", count=len(writes))
        many_to_many = _validate(writes)
        if before_insert is not None:
            before_insert(writes)
        instances = [write.target for write in writes]
        if _is_tree(model):
            for instance in instances:
                instance.save()
        else:
            create_rows(model, instances)
        related = Related()
        _set_related(writes, many_to_many, related)
        _after_write(writes, after_write, related)
        # The search index in the same transaction (it never disagrees with the data), sent with the change log.
        _log(
            [
                (write.target, ObjectChangeAction.CREATE, None, snapshot(write.target, related), write.message)
                for write in writes
            ],
            along=search_index_statement(instances),
        )
    _batch_usage_changed(+len(writes))
    return instances


def _after_write(
    writes: Sequence[ObjectWrite], after_write: Callable[[Sequence[ObjectWrite]], None] | None, related: Related
) -> None:
    """The service's own writes, then what the snapshots show of them read again (`logged_relations`)."""
    if after_write is None:
        return
    after_write(writes)
    model, pks = writes[0].model, [write.target.pk for write in writes]
    for name in _logged_relations(model):
        related.many_to_many[name] = _reverse_many(model, name, pks)


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` new primary keys of `model` from its sequence (one query), so that a service can link the
    objects of a batch to each other (an interface to its parent) before inserting them in one go."""
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(table), model._meta.pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def objects_insert(
    instances: Sequence[models.Model],
    *,
    many_to_many: Mapping[str, Sequence[Sequence[int]]] | None = None,
    message: str = "",
) -> list[models.Model]:
    """Objects a model's own service built from data it has checked already (a device's components, made
    from its type's templates): written without validating them again, with the organization's custom
    field defaults, in one INSERT for the batch (ids already set are kept: `reserve_ids`), indexed and
    change-logged. `many_to_many`: per field, the related ids of each instance, in order.

    Trees are inserted as they are: the caller sets their tree fields. Raises BillingRefused when the
    plan has no room for them."""
    if not instances:
        return []
    model = type(instances[0])
    _billing_check("add", count=len(instances))
    # No savepoint of its own inside the caller's transaction: the caller's service writes the rest of its objects
    # in it, and a failure here fails the whole write (the transaction cannot go on without rolling back).
    with transaction.atomic(savepoint=False):
        if supports_custom_fields(model):
            definitions = definitions_for(model)
            defaults = {name: definition.default for name, definition in definitions.items()}
            for instance in instances:
                assert isinstance(instance, BaseModel)
                instance.custom_field_data = {**defaults, **(instance.custom_field_data or {})}
        create_rows(model, instances)
        related = Related()
        for name, values in (many_to_many or {}).items():
            many: Any = model._meta.get_field(name)
            assert kind_of(many).relation == "many", f"{name} is no many-to-many field"
            through = many.remote_field.through
            source, target = many.m2m_field_name(), many.m2m_reverse_field_name()
            rows = [
                through(**{f"{source}_id": instance.pk, f"{target}_id": other})
                for instance, others in zip(instances, values, strict=True)
                for other in others
            ]
            through._default_manager.bulk_create(rows)
            related.many_to_many[name] = {
                instance.pk: set(others) for instance, others in zip(instances, values, strict=True)
            }
        _log(
            [
                (instance, ObjectChangeAction.CREATE, None, snapshot(instance, related), message)
                for instance in instances
            ],
            along=search_index_statement(instances),
        )
    _batch_usage_changed(+len(instances))
    return list(instances)


def _stored(instance: models.Model) -> dict[str, Any]:
    return {f.attname: copy.deepcopy(f.value_from_object(instance)) for f in instance._meta.concrete_fields}


def _bulk_update(instances: Sequence[models.Model], stored: Sequence[dict[str, Any]]) -> None:
    """One UPDATE for the batch (core.bulk), of the columns any object changed (and `auto_now` times)."""
    model = type(instances[0])
    changed = set()
    for model_field in model._meta.concrete_fields:
        if model_field.primary_key:
            continue
        if getattr(model_field, "auto_now", False):
            for instance in instances:
                model_field.pre_save(instance, add=False)
            changed.add(model_field.name)
        elif any(
            model_field.value_from_object(instance) != before[model_field.attname]
            for instance, before in zip(instances, stored, strict=True)
        ):
            changed.add(model_field.name)
    update_rows(model, instances, sorted(changed))


def objects_update(
    writes: Sequence[ObjectWrite], *, after_write: Callable[[Sequence[ObjectWrite]], None] | None = None
) -> list[models.Model]:
    """Change each write's `instance` (read with select_for_update in this transaction), validated,
    tagged, indexed and change-logged (an entry per object that changed). `after_write` as for objects_create.

    Raises WritesInvalid (nothing written) when any fails validation."""
    if not writes:
        return []
    model = writes[0].model
    instances = [write.target for write in writes]
    with _conflicts_refused(writes), transaction.atomic():
        _billing_check("change")
        related = related_of(model, [instance.pk for instance in instances])
        before = [snapshot(instance, related) for instance in instances]
        stored = [_stored(instance) for instance in instances]
        many_to_many = _validate(writes)
        if _is_tree(model):
            for instance in instances:
                instance.save()  # a move refreshes the node's tree fields first (django-mptt)
        else:
            _bulk_update(instances, stored)
        _set_related(writes, many_to_many, related)
        _after_write(writes, after_write, related)
        changes = []
        for write, pre in zip(writes, before, strict=True):
            post = snapshot(write.target, related)
            if post != pre:
                changes.append((write.target, ObjectChangeAction.UPDATE, pre, post, write.message))
        _log(changes, along=search_index_statement(instances))
    return instances


@contextmanager
def objects_changing(model: type[M], where: models.Q) -> Iterator[list[M]]:
    """The objects of `model` matching `where`, read for update, for a service that keeps columns on
    another model's objects (a wireless link on its interfaces): the caller changes them inside; on leaving,
    one UPDATE of the objects that changed, each with its change-log entry (pre/post snapshots). Not
    validated again (the service checked what it sets), nor re-indexed: for columns search does not read."""
    with transaction.atomic():
        instances = list(model._base_manager.select_for_update(of=("self",)).filter(where).order_by("pk"))
        if not instances:
            yield instances
            return
        related = related_of(model, [instance.pk for instance in instances])
        before = [snapshot(instance, related) for instance in instances]
        stored = [_stored(instance) for instance in instances]
        yield instances
        changed = [
            (instance, pre, kept)
            for instance, pre, kept in zip(instances, before, stored, strict=True)
            if snapshot(instance, related) != pre
        ]
        if not changed:
            return
        _bulk_update([instance for instance, _pre, _kept in changed], [kept for _instance, _pre, kept in changed])
        _log(
            [
                (instance, ObjectChangeAction.UPDATE, pre, snapshot(instance, related), "")
                for instance, pre, _kept in changed
            ]
        )


def _logged(model: type[models.Model]) -> bool:
    return issubclass(model, ChangeLoggedModel) or registry.find(model) is not None


def _outermost(instances: Sequence[models.Model]) -> list[models.Model]:
    """Tree nodes not below another of `instances` (deleting those deletes the rest)."""
    first = instances[0]
    assert isinstance(first, MPTTModel), "called for trees only"
    opts = first._mptt_meta

    def bounds(node):
        return (
            getattr(node, opts.tree_id_attr),
            getattr(node, opts.left_attr),
            getattr(node, opts.right_attr),
        )

    spans = [bounds(node) for node in instances]
    return [
        node
        for node, (tree, left, _right) in zip(instances, spans, strict=True)
        if not any(tree == other_tree and low < left < high for other_tree, low, high in spans)
    ]


def objects_delete(instances: Sequence[models.Model], *, message: str = "") -> None:
    """Delete the objects (all of one model) and everything that cascades with them, logging each
    deletion (`message` on the objects asked for, not on what cascades).

    Raises django.db.models.ProtectedError / RestrictedError when something prevents it.
    """
    if not instances:
        return
    model = type(instances[0])
    with transaction.atomic():
        _billing_check("delete")
        collector = Collector(using=router.db_for_write(model), origin=instances[0])
        collector.collect(list(instances))
        chosen = {instance.pk for instance in instances}
        changes = []
        files: list[str] = []
        for collected_model, objects in collector.data.items():
            if not _logged(collected_model) or not objects:
                continue
            ordered = sorted(objects, key=lambda obj: obj.pk)
            if ordered and ordered[0].get_deferred_fields():
                # Django collects rows that cascade with only the columns it needs (no delete signals are
                # connected): their snapshots read every column, one query per field and row otherwise.
                full = collected_model._base_manager.in_bulk([obj.pk for obj in ordered])
                ordered = [full.get(obj.pk, obj) for obj in ordered]
            related = related_of(collected_model, [obj.pk for obj in ordered])
            for obj in ordered:
                note = message if collected_model is model and obj.pk in chosen else ""
                changes.append((obj, ObjectChangeAction.DELETE, snapshot(obj, related), None, note))
                if isinstance(obj, ImageAttachment):  # its own or its object's (ImageAttachmentsMixin.images)
                    files += obj.stored_files()
        _log(changes)
        for collected_model, objects in collector.data.items():
            search_unindex(collected_model, [obj.pk for obj in objects])
        if _is_tree(model):
            for instance in _outermost(instances):
                instance.delete()  # closes the gap in the tree (django-mptt); tags go with it
        else:
            collector.delete()  # tags go too: BaseModel.tagged_items is a GenericRelation
        # The files go only once the deletion commits (tenants.files).
        files_delete_on_commit(files)
    _batch_usage_changed(None)


# -- one object through its model's services, for system work and tests (writers use core.usecases) -----


def _services(model: type[models.Model]) -> "Services":
    spec = registry.find(model)
    return spec.services if spec is not None else Services()


def _one(service: Callable[[Sequence[ObjectWrite]], Sequence[models.Model]], write: ObjectWrite) -> models.Model:
    try:
        return service([write])[0]
    except WritesInvalid as invalid:
        raise invalid.errors[0] from None


def _single(model, data, tags, custom_fields, message, instance=None) -> ObjectWrite:
    return ObjectWrite(
        model=model,
        data=dict(data),
        tags=tags,
        custom_fields=dict(custom_fields) if custom_fields is not None else None,
        message=message,
        instance=instance,
    )


def object_create(
    *,
    model: type[models.Model],
    data: Mapping[str, Any],
    tags: list[Tag] | None = None,
    custom_fields: Mapping[str, Any] | None = None,
    message: str = "",
) -> models.Model:
    return _one(_services(model).create, _single(model, data, tags, custom_fields, message))


def object_update(
    *,
    instance: models.Model,
    data: Mapping[str, Any],
    tags: list[Tag] | None = None,
    custom_fields: Mapping[str, Any] | None = None,
    message: str = "",
) -> models.Model:
    model = type(instance)
    with transaction.atomic():
        locked = model._base_manager.select_for_update(of=("self",)).order_by().get(pk=instance.pk)
        return _one(_services(model).update, _single(model, data, tags, custom_fields, message, locked))


def object_delete(*, instance: models.Model, message: str = "") -> None:
    _services(type(instance)).delete([instance], message=message)


@dataclass(frozen=True)
class Services:
    """A registration's writes (`registry.register(..., services=Services(create=...))`): each takes
    the whole batch -- `create(writes)` and `update(writes)` a list of ObjectWrite and return the
    objects, `delete(instances, message=...)` -- runs in the caller's transaction, and raises
    WritesInvalid for objects that fail validation. A model's own service adds its behaviour around
    the generic one it calls."""

    create: Callable[[Sequence[ObjectWrite]], Sequence[models.Model]] = objects_create
    update: Callable[[Sequence[ObjectWrite]], Sequence[models.Model]] = objects_update
    delete: Callable[..., None] = objects_delete


def validation_error_dict(error: ValidationError) -> dict[str, list[str]]:
    """Django's ValidationError as NetBox's {"field": ["message", ...]} (non-field: "__all__")."""
    if hasattr(error, "error_dict"):
        return {
            field: [str(message) for message in ValidationError(messages).messages]
            for field, messages in error.error_dict.items()
        }
    return {"__all__": [str(message) for message in error.messages]}
