"""Generic writes for registered models: validate, save, tag, change-log -- in one transaction.

REST, GraphQL, forms, imports and scripts all write through these (STYLE: "Writes go through
services"). Model-specific services call them too, so every write lands in the change log.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, router, transaction
from django.db.models.deletion import Collector
from django.utils.translation import gettext as _

from core.context import current_actor
from core.customfields import custom_fields_clean
from core.models import ObjectChange, ObjectChangeAction, Tag, TaggedItem
from core.models.base import ChangeLoggedModel
from core.registry import registry
from core.search import search_index, search_unindex
from tenants.billing import object_write_check
from tenants.context import current_organization

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
    if batch[0] is None:
        batch[0] = object_usage()
    return batch[0]


def _billing_check(action: str) -> None:
    """Refuse the write (tenants.billing.BillingRefused) when the organization's plan or
    billing status does not allow it."""
    organization = current_organization()
    if organization is not None:
        object_write_check(organization, action, usage=_usage)


def _batch_usage_changed(delta: int | None) -> None:
    """Keep the batch's count true after a write: add `delta`, or forget it (None: re-count)."""
    batch = _batch_usage.get()
    if batch is not None and batch[0] is not None:
        batch[0] = None if delta is None else batch[0] + delta


def snapshot(instance: models.Model) -> dict[str, Any]:
    """A JSON-able picture of an object for the change log: fields, custom fields and tags."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in ("id", "custom_field_data", "lft", "rght", "tree_id", "level"):
            continue
        data[field.name] = field.value_from_object(instance)
    for field in instance._meta.many_to_many:
        if instance.pk:
            data[field.name] = sorted(related.pk for related in getattr(instance, field.name).all())
    if isinstance(instance, ChangeLoggedModel):
        data["custom_fields"] = dict(instance.custom_field_data)
        data["tags"] = sorted(tag.name for tag in instance.tags) if instance.pk else []
    return data


def _log(instance: models.Model, action: str, *, pre, post, message: str = "") -> ObjectChange:
    actor = current_actor()
    return ObjectChange.objects.create(
        user_id=actor.user_id,
        user_name=actor.user_name,
        token_created_by=actor.token_created_by,
        request_id=actor.request_id,
        action=action,
        changed_object_type=ContentType.objects.get_for_model(instance, for_concrete_model=True),
        changed_object_id=instance.pk,
        object_repr=str(instance)[:200],
        message=message[:200],
        prechange_data=pre,
        postchange_data=post,
    )


def _set_tags(instance: models.Model, tags: Iterable[Tag] | None) -> None:
    if tags is None:
        return
    content_type = ContentType.objects.get_for_model(instance, for_concrete_model=True)
    wanted = {tag.pk for tag in tags}
    current = set(
        TaggedItem.objects.filter(content_type=content_type, object_id=instance.pk).values_list("tag", flat=True)
    )
    TaggedItem.objects.filter(content_type=content_type, object_id=instance.pk, tag__in=current - wanted).delete()
    TaggedItem.objects.bulk_create(
        TaggedItem(content_type=content_type, object_id=instance.pk, tag_id=tag_id) for tag_id in wanted - current
    )
    if hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache.pop("tagged_items", None)


def _apply(instance: models.Model, data: Mapping[str, Any]) -> dict[str, Any]:
    """Set plain and FK fields; return the many-to-many values to set after saving."""
    many_to_many = {}
    for name, value in data.items():
        field = instance._meta.get_field(name)
        if field.many_to_many:
            many_to_many[name] = value
        else:
            setattr(
                instance, field.attname if field.is_relation and not isinstance(value, models.Model) else name, value
            )
    return many_to_many


def _save(instance: models.Model, many_to_many: Mapping[str, Any], tags, custom_fields) -> None:
    if custom_fields is not None:
        instance.custom_field_data = {**instance.custom_field_data, **custom_fields}
    custom_fields_clean(instance, written=custom_fields)
    instance.full_clean()
    instance.save()
    for name, values in many_to_many.items():
        getattr(instance, name).set(values)
    _set_tags(instance, tags)
    search_index(instance)  # in the same transaction: the index never disagrees with the data


@contextmanager
def _conflicts_refused(written: Callable[[], models.Model]) -> Iterator[None]:
    """A write that loses a race (two creates of one slug: both pass validation, the database
    takes one) is refused as validation would have refused it, not left as an IntegrityError.

    Wraps the write's own atomic block, which has rolled back when the error arrives here, so the
    checks below run on a usable connection and see the committed winner."""
    try:
        yield
    except IntegrityError as error:
        instance = written()
        try:
            instance.validate_unique()
            instance.validate_constraints()
        except ValidationError as refusal:
            raise refusal from error
        raise ValidationError(_("This change conflicts with another one made at the same time; try again.")) from error


def object_create(
    *,
    model: type[models.Model],
    data: Mapping[str, Any],
    tags: Iterable[Tag] | None = None,
    custom_fields: Mapping[str, Any] | None = None,
    message: str = "",
) -> models.Model:
    instance = model()
    with _conflicts_refused(lambda: instance), transaction.atomic():
        _billing_check("add")
        many_to_many = _apply(instance, data)
        _save(instance, many_to_many, tags, custom_fields)
        _log(instance, ObjectChangeAction.CREATE, pre=None, post=snapshot(instance), message=message)
    _batch_usage_changed(+1)
    return instance


def object_update(
    *,
    instance: models.Model,
    data: Mapping[str, Any],
    tags: Iterable[Tag] | None = None,
    custom_fields: Mapping[str, Any] | None = None,
    message: str = "",
) -> models.Model:
    with _conflicts_refused(lambda: instance), transaction.atomic():
        _billing_check("change")
        instance = type(instance)._base_manager.select_for_update().get(pk=instance.pk)
        before = snapshot(instance)
        many_to_many = _apply(instance, data)
        _save(instance, many_to_many, tags, custom_fields)
        after = snapshot(instance)
        if after != before:
            _log(instance, ObjectChangeAction.UPDATE, pre=before, post=after, message=message)
    return instance


def object_delete(*, instance: models.Model, message: str = "") -> None:
    """Delete the object and everything that cascades with it, logging each deletion.

    Raises django.db.models.ProtectedError / RestrictedError when something prevents it.
    """
    with transaction.atomic():
        _billing_check("delete")
        collector = Collector(using=router.db_for_write(type(instance)))
        collector.collect([instance])
        logged = [
            (obj, snapshot(obj))
            for model, objects in collector.data.items()
            if issubclass(model, ChangeLoggedModel) or registry.find(model) is not None
            for obj in objects
        ]
        for obj, before in logged:
            _log(obj, ObjectChangeAction.DELETE, pre=before, post=None, message=message if obj == instance else "")
        for model, objects in collector.data.items():
            search_unindex(model, [obj.pk for obj in objects])
        instance.delete()  # tags go with it: BaseModel.tagged_items is a GenericRelation
    _batch_usage_changed(None)


def validation_error_dict(error: ValidationError) -> dict[str, list[str]]:
    """Django's ValidationError as NetBox's {"field": ["message", ...]} (non-field: "__all__")."""
    if hasattr(error, "error_dict"):
        return {
            field: [str(message) for message in ValidationError(messages).messages]
            for field, messages in error.error_dict.items()
        }
    return {"__all__": [str(message) for message in error.messages]}
