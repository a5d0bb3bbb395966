"""Turning a NetBox-style JSON write into service arguments, with NetBox's error shapes.

Related objects are accepted by primary key or by a dict of attributes matching exactly one
object the caller may see (`{"site": {"slug": "ams1"}}`): only the object's own concrete,
non-relational fields are attributes (`lookup_fields`); tags by id or attributes; choices
by value. Missing required fields are "This field is required." as NetBox says it.
"""

import functools
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import MultipleObjectsReturned, ObjectDoesNotExist, ValidationError
from django.db import models
from django.utils.translation import gettext as _

from core.context import Actor
from core.customfields import supports_custom_fields
from core.fields import has_tags, kind_of, own_field
from core.models import Tag
from core.registry import ObjectSpec, object_type_for, registry
from core.services import validation_error_dict

READ_ONLY = {"id", "url", "display_url", "display", "created", "last_updated", "_depth"}
INTERNAL = {"custom_field_data", "lft", "rght", "tree_id", "level", "tagged_items"}
DRF_MESSAGES = {
    "This field cannot be blank.": "This field may not be blank.",
    "This field cannot be null.": "This field may not be null.",
}


UNRECOGNIZED_REFERENCE = (
    "Related objects must be referenced by numeric ID or by dictionary of attributes. "
    "Received an unrecognized value: {value}"
)


class WriteError(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class WriteExtra:
    """A write-only field that is no model field (core.registry.Api.write_extras): `convert(value, actor)`
    reads its JSON (raising ValidationError for a bad value), `type` describes it in OpenAPI."""

    convert: Callable[[Any, Actor], Any]
    type: Any  # core.fields.ValueType
    description: str = ""
    # A choice's (value, label) pairs, listed by OPTIONS as a model field's are (the Ansible modules look
    # a choice's value up there).
    choices: tuple[tuple[str, str], ...] = ()


@dataclass
class WriteData:
    data: dict[str, Any] = field(default_factory=dict)
    tags: list[Tag] | None = None
    custom_fields: dict[str, Any] | None = None
    message: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def service_arguments(self) -> dict[str, Any]:
        """The values of a core.services.ObjectWrite."""
        return {
            "data": self.data,
            "tags": self.tags,
            "custom_fields": self.custom_fields,
            "message": self.message,
            "extra": self.extra,
        }


def writable_fields(spec: ObjectSpec) -> list[models.Field]:
    model = spec.model
    if spec.api.write_fields is not None:
        return [own_field(model._meta.get_field(name)) for name in spec.api.write_fields]
    return [
        f
        for f in [*model._meta.concrete_fields, *model._meta.many_to_many]
        if f.editable and f.name not in READ_ONLY and f.name not in INTERNAL and not f.primary_key
    ]


def is_required(model_field: models.Field) -> bool:
    if model_field.many_to_many:
        return False
    return not model_field.blank and not model_field.null and not model_field.has_default()


def lookup_fields(model) -> list[str]:
    """The attributes a related object may be looked up by: its own concrete, non-relational
    fields. Anything else (`tagged_items__…`, `site__name`, `name__regex`) would let a writer
    probe other rows and tables through the answer, one true/false at a time."""
    return [f.name for f in model._meta.concrete_fields if not f.is_relation and f.name not in INTERNAL]


def _lookup(model, attributes: dict) -> dict:
    allowed = lookup_fields(model)
    for key, item in attributes.items():
        if key not in allowed:
            raise ValidationError(
                f"Related objects cannot be looked up by {key!r}. "
                f"Use the {model._meta.verbose_name}'s own fields: {', '.join(allowed)}."
            )
        if item is not None and not isinstance(item, str | int | float | bool):
            raise ValidationError(f"Invalid value for {key!r}: expected a single value, not {type(item).__name__}.")
    return attributes


# Within `references_read_once`: the objects references were resolved to, by (model, value, actor).
_resolved: ContextVar[dict | None] = ContextVar("write_references", default=None)


@contextmanager
def references_read_once() -> Iterator[None]:
    """Within: each distinct reference is looked up once. For a batch whose items are all read
    before any is written (a hundred sites in one region look the region up once)."""
    token = _resolved.set({})
    try:
        yield
    finally:
        _resolved.reset(token)


def _resolve(model, value, actor: Actor):
    """An object by pk or by attributes, among those `actor` may view."""
    memo = _resolved.get()
    if memo is None:
        return _find(model, value, actor)
    try:
        key = (model, actor, json.dumps(value, sort_keys=True, default=str))
    except (TypeError, ValueError):  # keys of mixed types (YAML): looked up as they are
        return _find(model, value, actor)
    if key not in memo:
        memo[key] = _find(model, value, actor)
    return memo[key]


def _find(model, value, actor: Actor):
    queryset = model.objects.restrict(actor, "view") if hasattr(model.objects, "restrict") else model.objects.all()
    if isinstance(value, dict):
        attributes = _lookup(model, value)
        try:
            return queryset.get(**attributes)
        except MultipleObjectsReturned:
            raise ValidationError(f"Multiple objects match the provided attributes: {value}") from None
        except (ObjectDoesNotExist, ValidationError, ValueError, TypeError):
            raise ValidationError(f"Related object not found using the provided attributes: {value}") from None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValidationError(UNRECOGNIZED_REFERENCE.format(value=value))
    try:
        pk = int(value)
    except ValueError:
        raise ValidationError(UNRECOGNIZED_REFERENCE.format(value=value)) from None
    try:
        return queryset.get(pk=pk)
    except ObjectDoesNotExist:
        raise ValidationError(f"Related object not found using the provided numeric ID: {pk}") from None


def _convert(model_field: models.Field, value, actor: Actor):
    kind = kind_of(model_field)
    if value == "" and model_field.is_relation and not model_field.many_to_many:
        value = None  # DRF's RelatedField reads "" as null (Go clients send "" for an unset string pointer)
    if value is None:
        if model_field.many_to_many:
            return []
        if model_field.null:
            return None
        if model_field.blank and kind.blank_value is not None:  # a blank text is stored as ""
            return kind.blank_value
        raise ValidationError("This field may not be null.")
    if model_field.many_to_many:
        return references(model_field.related_model, value, actor)
    if model_field.is_relation:
        return _resolve(model_field.related_model, value, actor)
    return kind.from_json(model_field, value)


def references(model, value, actor: Actor) -> list:
    """A list of related objects as a many-to-many write gives them (by id or by attributes), among those
    `actor` may view; also for a write extra setting the other side of a relation (a site's ASNs)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValidationError(f'Expected a list of items but got type "{type(value).__name__}".')
    return [_resolve(model, item, actor) for item in value]


def deserialize(spec: ObjectSpec, payload: Any, *, actor: Actor, partial: bool) -> WriteData:
    if not isinstance(payload, dict):
        # NetBox 4.7 keys what concerns no one field `__all__`, as Django does (its NON_FIELD_ERRORS_KEY).
        raise WriteError({"__all__": [f"Invalid data. Expected a dictionary, but got {type(payload).__name__}."]})
    errors: dict[str, list[str]] = {}
    known = known_keys(spec)
    for key in payload:
        # A field NetBox writes that Wirebook lacks is refused, never silently dropped; a key NetBox
        # ignores too (the device-type library's component lists) is ignored.
        if key not in known and key in netbox_write_fields(spec):
            errors[key] = [f"Wirebook does not store this field of {spec.model._meta.verbose_name_plural} yet."]
    payload = {spec.api.write_aliases.get(key, key): value for key, value in payload.items()}
    result = WriteData()
    for model_field in writable_fields(spec):
        name = model_field.name
        if name not in payload:
            if not partial and is_required(model_field):
                errors[name] = ["This field is required."]
            continue
        try:
            if name in spec.api.write_converters:
                result.data[name] = spec.api.write_converters[name](payload[name], actor)
            else:
                result.data[name] = _convert(model_field, payload[name], actor)
        except ValidationError as exc:
            errors[name] = [DRF_MESSAGES.get(str(m), str(m)) for m in exc.messages]
    for name, extra in spec.api.write_extras.items():
        if name in payload:
            try:
                result.extra[name] = extra.convert(payload[name], actor)
            except ValidationError as exc:
                errors[name] = [str(m) for m in exc.messages]
    # Tags or custom fields of a type that has none are refused rather than dropped; an empty value (as
    # a client copying another object sends) is no write.
    plural = str(spec.model._meta.verbose_name_plural).capitalize()
    if "tags" in payload:
        if not has_tags(spec.model):
            if payload["tags"]:
                errors["tags"] = [f"{plural} have no tags."]
        else:
            try:
                result.tags = _tags(payload["tags"], actor)
            except ValidationError as exc:
                errors["tags"] = list(exc.messages)
    if "custom_fields" in payload:
        custom_fields = payload["custom_fields"]
        if not supports_custom_fields(spec.model):
            if custom_fields:
                errors["custom_fields"] = [f"{plural} have no custom fields."]
        elif not isinstance(custom_fields, dict):
            errors["custom_fields"] = ["Invalid data. Expected a dictionary."]
        else:
            result.custom_fields = custom_fields
    if isinstance(payload.get("changelog_message"), str):
        result.message = payload["changelog_message"]
    if errors:
        names = {field: alias for alias, field in spec.api.write_aliases.items()}
        raise WriteError({names.get(key, key): messages for key, messages in errors.items()})
    return result


WRITE_ONLY_KEYS = frozenset({"tags", "custom_fields", "changelog_message"})
# The fields NetBox 4.7.3's write bodies take, by API path ("dcim/sites"): its OpenAPI document's
# request schemas, extracted once and committed.
NETBOX_WRITE_FIELDS = Path(__file__).with_name("netbox_write_fields.json")


@functools.cache
def _netbox_write_fields() -> dict[str, frozenset[str]]:
    return {path: frozenset(names) for path, names in json.loads(NETBOX_WRITE_FIELDS.read_text()).items()}


def netbox_write_fields(spec: ObjectSpec) -> frozenset[str]:
    return _netbox_write_fields().get(spec.api.path, frozenset())


def known_keys(spec: ObjectSpec) -> frozenset[str]:
    """The keys a write of this type may carry: what it writes, and what its representation shows
    (read back and sent again, a read-only field is ignored as NetBox ignores it)."""
    known = _known_keys.get(spec.model)
    if known is None:
        from core.representation import field_names

        known = frozenset(
            {model_field.name for model_field in writable_fields(spec)}
            | set(field_names(spec))
            | set(spec.api.renderers)
            | set(spec.api.write_aliases)
            | set(spec.api.write_extras)
            | WRITE_ONLY_KEYS
        )
        _known_keys[spec.model] = known
    return known


_known_keys: dict[type[models.Model], frozenset[str]] = {}


def _tags(value, actor: Actor) -> list[Tag]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValidationError(f'Expected a list of items but got type "{type(value).__name__}".')
    return [_resolve(Tag, item, actor) for item in value]


_UNIQUE = re.compile(r"^(?P<model>.+) with this (?P<field>.+) already exists\.$")


def _drf_message(error: ValidationError) -> str:
    """Django's wording of a validation message as DRF (and so NetBox) words it."""
    message = " ".join(error.messages)
    unique = _UNIQUE.match(message) if error.code == "unique" else None
    if unique:  # one unique field: DRF's UniqueValidator says it in lower case
        return f"{unique['model'].lower()} with this {unique['field'].lower()} already exists."
    return DRF_MESSAGES.get(message, message)


def model_errors(error: ValidationError) -> dict[str, list[str]]:
    if not hasattr(error, "error_dict"):
        return validation_error_dict(error)
    return {name: [_drf_message(item) for item in items] for name, items in error.error_dict.items()}


def spec_for(model) -> ObjectSpec:
    return registry.get(model)


def object_type_converter(allowed: Callable[[type[models.Model]], bool], *, many: bool = False, null: bool = True):
    """A write converter for content types given as NetBox's "app.model" strings."""

    def one(label):
        if not isinstance(label, str) or label.count(".") != 1:
            raise ValidationError(_("Invalid value. Specify a content type as '<app_label>.<model_name>'."))
        content_type = object_type_for(label)
        model = content_type.model_class() if content_type is not None else None
        if model is None or not allowed(model):
            raise ValidationError(_("Invalid content type: {content_type}").format(content_type=label))
        return content_type

    def convert(value, actor):
        if value == "" and not many:
            value = None  # NetBox's ContentTypeField is a DRF RelatedField: "" reads as null
        if value is None:
            if many:
                return []
            if not null:
                raise ValidationError(_("This field may not be null."))
            return None
        if not many:
            return one(value)
        if not isinstance(value, list):
            raise ValidationError(f'Expected a list of items but got type "{type(value).__name__}".')
        return [one(item) for item in value]

    return convert
