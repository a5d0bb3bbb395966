"""Custom field values, checked against the organization's definitions on every write.

`custom_fields_clean` runs in core.services' validation right before the model's own, so REST,
forms, imports and scripts all get the same checks, with NetBox's messages, as a ValidationError
keyed "custom_fields". It costs one query per unique field and per object reference written; the
definitions themselves come from a per-process cache (below), one query when it is cold.

The definitions are cached per schema, for the life of the process, and checked against the
schema's *generation*: a token in the cache (Redis, whose keys carry the schema) that every write
of a definition or choice set replaces through `definitions_changed` -- at once, and again when
its transaction commits, so that no process keeps what another read while the write was under way.
A transaction that changed definitions reads them from the database until it ends (its own changes
are not the committed ones: a rollback must leave nothing cached). Reading the generation is one
cache round trip per request that needs definitions, instead of a query building every definition
with its choice set. Writes that bypass the services (a migration, `QuerySet.update` in a shell)
are caught by the entries' TTL.
"""

import datetime
import decimal
import json
import math
import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from core.context import current_actor
from core.generations import Generation
from core.jsonschema import schema_validate
from core.models import (
    BaseModel,
    ChangeLoggedModel,
    CustomField,
    CustomFieldChoiceSet,
    CustomFieldStatus,
    CustomFieldType,
    ImageAttachment,
    JournalEntry,
    SavedFilter,
)
from core.patterns import PatternError, user_pattern_match
from core.registry import registry
from tenants.context import current_organization, current_schema_name

EMPTY_VALUES: tuple[None, str, list[Any]] = (None, "", [])
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}\Z")
URL = re.compile(r"^[a-z][a-z0-9+.\-]*://[^\s/?#]+\S*\Z", re.IGNORECASE)
# The framework's own configuration objects carry no custom fields and no journal, nor do image
# attachments (as in NetBox: they are part of their object).
_CONFIGURATION = (CustomField, CustomFieldChoiceSet, SavedFilter, ImageAttachment)


def supports_custom_fields(model: type[models.Model]) -> bool:
    """Whether the model's objects take custom fields: registered as taking them (`ObjectSpec.custom_fields`;
    NetBox's component templates take none), with BaseModel's column for them, and no configuration."""
    spec = registry.find(model)
    return (
        spec is not None
        and spec.custom_fields
        and issubclass(model, BaseModel)
        and not issubclass(model, _CONFIGURATION)
    )


def supports_journaling(model: type[models.Model]) -> bool:
    return supports_custom_fields(model) and issubclass(model, ChangeLoggedModel) and model is not JournalEntry


# A backstop for definition writes that bypass the services: entries are re-read after this long.
DEFINITIONS_TTL = 300
_GENERATION = Generation("customfields:generation", read_with_requests=True)
_definitions_lock = threading.Lock()
# (schema, organization id) -> (generation, read at (monotonic), {content type id: {name: CustomField}})
_definitions: dict[tuple[str, Any], tuple[str, float, dict[int, dict[str, CustomField]]]] = {}


def definitions_changed() -> None:
    """Custom field definitions or choice sets of the current schema changed in this transaction:
    every process re-reads them (now, and once more when the transaction commits)."""
    _GENERATION.changed()


def forget_definitions() -> None:
    """Empty this process's cache of definitions (the next read of each schema queries them)."""
    with _definitions_lock:
        _definitions.clear()


def _read_definitions(content_type: ContentType) -> dict[str, CustomField]:
    # Only an active field is live: a provisioning one's values are still being filled in (NetBox's status).
    queryset = CustomField.objects.filter(object_types=content_type, status=CustomFieldStatus.ACTIVE).select_related(
        "choice_set", "related_object_type"
    )
    return {field.name: field for field in queryset}


def _cached_definitions(content_type: ContentType) -> dict[str, CustomField]:
    if _GENERATION.changing():
        return _read_definitions(content_type)
    generation = _GENERATION.current()
    slot = (current_schema_name(), getattr(current_organization(), "pk", None))
    now = time.monotonic()
    with _definitions_lock:
        entry = _definitions.get(slot)
        if entry is None or entry[0] != generation or now - entry[1] > DEFINITIONS_TTL:
            entry = _definitions[slot] = (generation, now, {})
        found = entry[2].get(content_type.pk)
    if found is None:
        found = _read_definitions(content_type)
        with _definitions_lock:
            entry[2][content_type.pk] = found
    return found


def definitions_for(model: type[models.Model], names=None) -> dict[str, CustomField]:
    """The custom fields defined for `model`, by name (cached per schema, see above). The
    definitions are shared between requests: read them, never change them."""
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=True)
    definitions = _cached_definitions(content_type)
    if names is None:
        return dict(definitions)
    wanted = set(names)
    return {name: field for name, field in definitions.items() if name in wanted}


def custom_fields_clean(
    instance: models.Model,
    written: Mapping[str, Any] | None = None,
    *,
    definitions: Mapping[str, CustomField] | None = None,
    taken: dict[str, set[str]] | None = None,
) -> None:
    """Validate and normalise `instance.custom_field_data`; on create, fill in the defaults.

    `written` holds the values this write sets (on update the rest were stored before). A name no
    longer defined is an error when written, and kept as it is when merely stored: a background
    job is still moving it (a renamed field) or dropping it (a deleted one), see
    core.customfield_values. A batch passes the `definitions` it read once, and `taken`, the
    unique values earlier objects of the batch wrote (by field name; none are saved yet).
    """
    if not isinstance(instance, BaseModel):
        return
    data = instance.custom_field_data
    if not isinstance(data, dict):
        raise ValidationError({"custom_fields": [_("Invalid data. Expected a dictionary.")]})
    model = type(instance)
    adding = instance._state.adding
    if not supports_custom_fields(model):
        if written or (adding and data):
            raise ValidationError({"custom_fields": [_unknown(name) for name in data]})
        # Values stored while the type still took custom fields (component templates did) are dropped.
        instance.custom_field_data = {}
        return
    if definitions is None:
        definitions = definitions_for(model)
    fresh = set(data) if adding else set(written or ())
    errors: list[str] = []
    cleaned: dict[str, Any] = {}
    for name, value in data.items():
        field = definitions.get(name)
        if field is None:
            if name in fresh:
                errors.append(_unknown(name))
            else:
                cleaned[name] = value
            continue
        try:
            cleaned[name] = validate_value(field, value, check_objects=name in fresh)
        except ValidationError as error:
            errors.append(
                _("Invalid value for custom field '{name}': {error}").format(name=name, error=error.messages[0])
            )
            continue
        if field.unique and name in fresh and cleaned[name] not in EMPTY_VALUES:
            others = model._base_manager.exclude(pk=instance.pk)
            key = json.dumps(cleaned[name], sort_keys=True, default=str)
            batch = taken.setdefault(name, set()) if taken is not None else set()
            if key in batch or others.filter(**{f"custom_field_data__{name}": cleaned[name]}).exists():
                errors.append(_("Custom field '{name}' must have a unique value.").format(name=name))
            batch.add(key)
    for name, field in definitions.items():
        if name in data:
            continue
        if adding and field.default is not None:
            cleaned[name] = field.default
        elif field.required:
            errors.append(_("Missing required custom field '{name}'.").format(name=name))
        elif adding:
            cleaned[name] = None
    if errors:
        raise ValidationError({"custom_fields": errors})
    instance.custom_field_data = cleaned


def _unknown(name: str) -> str:
    return _("Unknown field name '{name}' in custom field data.").format(name=name)


def validate_value(field: CustomField, value: Any, *, check_objects: bool = True) -> Any:
    """The value as stored (normalised), or a ValidationError with NetBox's message."""
    if value is None or (isinstance(value, str | list) and value in EMPTY_VALUES):
        if field.required:
            raise ValidationError(_("Required field cannot be empty."))
        return value
    check = _CHECKS.get(field.type)
    return value if check is None else check(field, value, check_objects)


def _text(field: CustomField, value, check_objects: bool):
    if not isinstance(value, str):
        raise ValidationError(_("Value must be a string."))
    if field.type == CustomFieldType.URL and not URL.match(value):
        raise ValidationError(_("Enter a valid URL."))
    if field.validation_regex and not _matches(field.validation_regex, value):
        raise ValidationError(_("Value must match regex '{regex}'").format(regex=field.validation_regex))
    return value


def _matches(pattern: str, value: str) -> bool:
    try:
        return user_pattern_match(pattern, value)
    except PatternError:
        # Stored before RE2 checked definitions; refused until the field's pattern is fixed.
        return False


def _bounded(field: CustomField, value):
    if field.validation_minimum is not None and value < field.validation_minimum:
        raise ValidationError(_("Value must be at least {minimum}").format(minimum=field.validation_minimum))
    if field.validation_maximum is not None and value > field.validation_maximum:
        raise ValidationError(_("Value must not exceed {maximum}").format(maximum=field.validation_maximum))
    return value


def _integer(field: CustomField, value, check_objects: bool):
    if type(value) is not int:
        raise ValidationError(_("Value must be an integer."))
    return _bounded(field, value)


def _decimal(field: CustomField, value, check_objects: bool):
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValidationError(_("Value must be a decimal."))
    if isinstance(value, str):
        try:
            number = decimal.Decimal(value.strip())
        except decimal.InvalidOperation:
            raise ValidationError(_("Value must be a decimal.")) from None
        if not number.is_finite():
            raise ValidationError(_("Value must be a decimal."))
        value = int(number) if number == number.to_integral_value() and "." not in value else float(number)
    elif isinstance(value, float) and not math.isfinite(value):
        raise ValidationError(_("Value must be a decimal."))
    return _bounded(field, value)


def _boolean(field: CustomField, value, check_objects: bool):
    if value in (True, False) and type(value) in (bool, int):
        return bool(value)
    raise ValidationError(_("Value must be true or false."))


def _date(field: CustomField, value, check_objects: bool):
    try:
        if isinstance(value, str) and DATE.match(value):
            datetime.date.fromisoformat(value)
            return value
    except ValueError:
        pass
    raise ValidationError(_("Date values must be in ISO 8601 format (YYYY-MM-DD)."))


def _datetime(field: CustomField, value, check_objects: bool):
    try:
        if not isinstance(value, str) or len(value) < 10 or not DATE.match(value[:10]):
            raise ValueError(value)
        text = datetime.datetime.fromisoformat(value).isoformat()
    except ValueError:
        raise ValidationError(_("Date and time values must be in ISO 8601 format (YYYY-MM-DD HH:MM:SS).")) from None
    # Stored in one canonical form (as NetBox renders it), so ranges compare as text.
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _choice(value):
    # NetBox 4.7 renders selections as {value, label}; accept them back.
    return value.get("value") if isinstance(value, dict) else value


def _select(field: CustomField, value, check_objects: bool):
    value = _choice(value)
    if not isinstance(value, str) or field.choice_set is None or value not in field.choice_set.values:
        raise ValidationError(
            _("Invalid choice ({value}) for choice set {choiceset}.").format(value=value, choiceset=field.choice_set)
        )
    return value


def _multiselect(field: CustomField, value, check_objects: bool):
    if not isinstance(value, list):
        raise ValidationError(_('Expected a list of items but got type "{type}".').format(type=type(value).__name__))
    values = [_choice(item) for item in value]
    allowed = field.choice_set.values if field.choice_set is not None else []
    if not all(isinstance(item, str) and item in allowed for item in values):
        raise ValidationError(
            _("Invalid choice(s) ({value}) for choice set {choiceset}.").format(
                value=", ".join(str(item) for item in values), choiceset=field.choice_set
            )
        )
    return values


def _object_id(value):
    return value.get("id") if isinstance(value, dict) else value


def _object(field: CustomField, value, check_objects: bool):
    value = _object_id(value)
    if type(value) is not int:
        raise ValidationError(_("Value must be an object ID, not {type}").format(type=type(value).__name__))
    if check_objects:
        _objects_exist(field, [value])
    return value


def _multiobject(field: CustomField, value, check_objects: bool):
    if not isinstance(value, list):
        raise ValidationError(_("Value must be a list of object IDs, not {type}").format(type=type(value).__name__))
    ids = [_object_id(item) for item in value]
    for item in ids:
        if type(item) is not int:
            raise ValidationError(_("Found invalid object ID: {id}").format(id=item))
    if check_objects:
        _objects_exist(field, ids)
    return ids


def _objects_exist(field: CustomField, ids: list[int]) -> None:
    """The referenced objects exist and the acting user may see them (one query)."""
    model = field.related_object_type.model_class() if field.related_object_type else None
    if model is None:
        raise ValidationError(_("Unknown related object(s): {name}").format(name=ids))
    manager = model._default_manager
    queryset = manager.restrict(current_actor(), "view") if hasattr(manager, "restrict") else manager.all()
    found = set(queryset.filter(pk__in=ids).values_list("pk", flat=True))
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise ValidationError(_("Unknown related object(s): {name}").format(name=missing[0] if len(ids) == 1 else ids))


def _json(field: CustomField, value, check_objects: bool):
    if field.validation_schema is not None:
        schema_validate(field.validation_schema, value)
    return value


_CHECKS: dict[str, Callable[[CustomField, Any, bool], Any]] = {
    CustomFieldType.JSON: _json,
    CustomFieldType.TEXT: _text,
    CustomFieldType.LONGTEXT: _text,
    CustomFieldType.URL: _text,
    CustomFieldType.INTEGER: _integer,
    CustomFieldType.DECIMAL: _decimal,
    CustomFieldType.BOOLEAN: _boolean,
    CustomFieldType.DATE: _date,
    CustomFieldType.DATETIME: _datetime,
    CustomFieldType.SELECT: _select,
    CustomFieldType.MULTISELECT: _multiselect,
    CustomFieldType.OBJECT: _object,
    CustomFieldType.MULTIOBJECT: _multiobject,
}
