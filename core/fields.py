"""One table of field kinds: what the generic layers know about a model field's class.

Every model field has a kind (`kind_of(field)`): its OpenAPI schema as read and as written, its
GraphQL type and filter input, its REST filter lookups and how their values parse, its form field,
how the representation and exports write its value, and how imports and JSON writes read one. The
OpenAPI document, the representation, the REST and GraphQL filters, GraphQL types, forms, imports
and writes ask this table; none of them tests a field's class (tests/test_architecture.py checks).

A kind is found by the field's class, walking its MRO, so a subclass takes its parent's kind
(`SlugField` is a `CharField`, `PositiveBigIntegerField` a `BigIntegerField`) unless it registers
its own. A new field class (IPAM's `inet` and `cidr`, DCIM's colours) plugs in once:

    register_field_kind(InetAddressField, replace(TEXT, name="inet", parse=parse_inet, ...))

Some kinds refine themselves by the field (`refine`): a foreign key to ContentType is an object
type, one to another tree a tree node, an array's kind follows its items, `custom_field_data`
holds the custom fields; and a field with choices is a choice of its class's kind.

A registration's renderers (`renderers={"object": Rendered(function, type)}`) declare the type of
what they return as a `ValueType`, so the OpenAPI document and GraphQL describe those fields too.
"""

import copy
import datetime
import functools
import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django import forms
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured, ValidationError
from django.db import models
from django.db.models.fields.reverse_related import ForeignObjectRel
from django.utils.dateparse import parse_time
from django.utils.text import capfirst
from mptt.models import MPTTModel

from core.registry import object_type_label, registry
from tenants.inputs import parse_date_bounded, parse_datetime_bounded

# -- the type of a value on the wire -------------------------------------------------------------

# OpenAPI 3.0 has no "any" type: a schema without `type` accepts every JSON value. Said explicitly,
# so that an empty schema always means "nobody described this field" (tests/core/test_openapi.py).
ANY_JSON = {"description": "Any JSON value."}


@dataclass(frozen=True)
class ValueType:
    """What a value is on the wire: its OpenAPI schema and its GraphQL type, written as in GraphQL's
    schema language (`String`, `Int`, `[String!]`, `JSON`: see core.graphql.types.graphql_type)."""

    schema: Mapping[str, Any]
    graphql: str
    nullable: bool = False

    def openapi(self) -> dict:
        schema = copy.deepcopy(dict(self.schema))  # the caller may change it
        if self.nullable:
            schema["nullable"] = True
        return schema


TEXT_VALUE = ValueType({"type": "string"}, "String")
INTEGER_VALUE = ValueType({"type": "integer"}, "Int")
BOOLEAN_VALUE = ValueType({"type": "boolean"}, "Boolean")
JSON_VALUE = ValueType(ANY_JSON, "JSON")


def nullable(value_type: ValueType) -> ValueType:
    return replace(value_type, nullable=True)


def list_of(value_type: ValueType) -> ValueType:
    item = value_type.graphql if value_type.nullable else f"{value_type.graphql}!"
    return ValueType({"type": "array", "items": value_type.openapi()}, f"[{item}]")


def json_object(properties: Mapping[str, ValueType] | None = None, *, description: str = "") -> ValueType:
    """A JSON object (GraphQL: the `JSON` scalar), with the properties it always has, if known."""
    schema: dict[str, Any] = {"type": "object"}
    if properties:
        schema["properties"] = {name: value.openapi() for name, value in properties.items()}
    else:
        schema["additionalProperties"] = {}
    if description:
        schema["description"] = description
    return ValueType(schema, "JSON")


# An object of whichever registered type (what a journal entry or a contact assignment is about), in
# its brief form. GraphQL gives it as JSON: a union of every registered type would make each new
# model change the union, and its selection would need a fragment per type.
BRIEF_OBJECT = json_object(description="An object of any type in its brief form: id, url, display and the rest.")


@dataclass(frozen=True)
class Rendered:
    """A registration's own representation of a field: `function(obj, links)` and the type of what
    it returns (see the module's docstring). `select` and `prefetch` are what the function reads
    beyond the row (`select_related` paths, `prefetch_related` lookups), loaded for a whole list
    when the field is shown."""

    function: Callable[[Any, Any], Any]
    type: ValueType
    select: tuple[str, ...] = ()
    prefetch: tuple[Any, ...] = ()

    def __call__(self, obj, links):
        return self.function(obj, links)


def listed_prefetch(relation: str, queryset=None) -> models.Prefetch:
    """A relation (many-to-many, reverse or generic) loaded for a whole list as a plain list on each row, read
    back with `listed`. Django's own prefetch builds a related manager and a filtered queryset for every
    row (~0.3 ms each, ~1 ms through a generic relation): 24 interfaces with their nine relations spent
    ~75 ms there."""
    return models.Prefetch(relation, queryset=queryset, to_attr=f"_wb_listed_{relation}")


def listed(obj, relation: str) -> list:
    """The objects of `relation` of `obj`, as `listed_prefetch` loaded them (read from the database when it did not)."""
    items = obj.__dict__.get(f"_wb_listed_{relation}")
    return items if items is not None else list(getattr(obj, relation).all())


def typed_renderer(spec, name: str) -> Rendered:
    """The registration's renderer of `name`, which must say what it returns."""
    renderer = spec.api.renderers[name]
    if not isinstance(renderer, Rendered):
        raise ImproperlyConfigured(
            f"{spec.model._meta.label}: the renderer of {name!r} does not say what it returns; "
            "register Rendered(function, value_type) (core.fields)"
        )
    return renderer


def renders(
    value_type: ValueType, *, select: tuple[str, ...] = (), prefetch: tuple[Any, ...] = ()
) -> Callable[[Callable[[Any, Any], Any]], Rendered]:
    """`@renders(nullable(TEXT_VALUE))` over a renderer function: the same as `Rendered(function, type)`."""
    return lambda function: Rendered(function, value_type, select, prefetch)


# -- parsing one value of a query string (filters) and of an import --------------------------------


def parse_int(value: str):
    try:
        return int(value)
    except ValueError:
        return None


def parse_float(value: str):
    try:
        return float(value)
    except ValueError:
        return None


def parse_uuid(value: str):
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def parse_bool(value: str):
    return {"true": True, "1": True, "false": False, "0": False}.get(value.lower())


def parse_datetime(value: str):
    """A moment, or a day (its midnight, UTC); without an offset (a browser's datetime-local field): UTC."""
    parsed = parse_datetime_bounded(value)
    if parsed is None:
        day = parse_date_bounded(value)
        parsed = datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC) if day else None
    elif parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.UTC)
    return parsed


def parse_clock_time(value: str):
    try:
        return parse_time(value)
    except ValueError:  # well-formed but out of range ("25:00")
        return None


# Imports take spreadsheet words for booleans, as NetBox's CSV import does.
TRUE_WORDS = frozenset({"true", "yes", "1", "t", "y", "on"})
FALSE_WORDS = frozenset({"false", "no", "0", "f", "n", "off"})


def import_bool(value):
    """An imported boolean ("yes", "0", ""…); anything else is passed on for the write layer to name."""
    if isinstance(value, bool) or value is None:
        return value
    text = str(value).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    if text == "":
        return None
    return value


def split_items(value) -> list:
    """A comma-separated cell as its items (a list stays as it is)."""
    if isinstance(value, list):
        return value
    if value is None:
        return []
    return [item.strip() for item in str(value).split(",") if item.strip()]


def lookup_name(model) -> str | None:
    """How imports and exports name a related object: tags by slug, most objects by name, else by id."""
    names = {f.name for f in model._meta.concrete_fields}
    if model._meta.model_name == "tag":
        return "slug"
    if "name" in names:
        return "name"
    if "slug" in names:
        return "slug"
    return None


def reference(model, value):
    """A related object as the write layer takes it: a dict of attributes, or an id."""
    if isinstance(value, dict):
        return value
    lookup = lookup_name(model)
    if isinstance(value, str):
        value = value.strip()
    if lookup is None:
        return value
    return {lookup: value}


def split_array(model_field, value):
    """A comma-separated text as the list an array field takes, items typed like the array's base."""
    if not isinstance(value, str):
        return value
    items = [item.strip() for item in value.split(",") if item.strip()]
    base = kind_of(model_field.base_field)
    if base.lookups == "array":  # pairs, as NetBox writes them: "value:label,value:label"
        pairs = []
        for item in items:
            value, _, label = item.partition(":")
            pairs.append([value.strip(), (label or value).strip()])
        return pairs
    if base.parse is None or base.parse is str:
        return items
    return [item if (parsed := base.parse(item)) is None else parsed for item in items]


def array_text(value) -> str:
    """An array as the comma-separated text forms show (pairs as "value:label")."""
    return ", ".join(":".join(map(str, item)) if isinstance(item, list | tuple) else str(item) for item in value)


# -- the parts of a kind ---------------------------------------------------------------------------

# (obj, links) -> JSON value: one field of the representation (core.representation).
Renderer = Callable[[Any, Any], Any]


def _with_null(model_field, schema: dict) -> dict:
    if model_field.null:
        schema["nullable"] = True
    return schema


def _fixed(schema: Mapping[str, Any]) -> Callable[[Any], dict]:
    return lambda model_field: _with_null(model_field, dict(schema))


def _text_schema(model_field, *, format: str | None = None, **extra) -> dict:
    schema: dict[str, Any] = {"type": "string", **extra}
    if format and not model_field.blank:  # "" (a blank e-mail or link) is no e-mail address or URI
        schema["format"] = format
    if getattr(model_field, "max_length", None):
        schema["maxLength"] = model_field.max_length
    return _with_null(model_field, schema)


def _value_renderer(convert: Callable[[Any], Any] | None) -> Callable[[Any], Renderer]:
    """A plain field: its stored value, converted to JSON by `convert` (None: JSON as it is)."""

    def factory(model_field) -> Renderer:
        attname = model_field.attname
        if convert is None:
            return lambda obj, links: getattr(obj, attname)
        return lambda obj, links: None if (value := getattr(obj, attname)) is None else convert(value)

    return factory


def _stored(convert: Callable[[Any], Any] | None = None) -> Callable[[Any, Any], Any]:
    """An export of a plain field: its stored value, converted by `convert`."""

    def export(model_field, obj):
        value = getattr(obj, model_field.attname)
        return value if value is None or convert is None else convert(value)

    return export


def _imported(model_field, value):
    return None if value == "" and model_field.null else value


def _from_json(model_field, value):
    if isinstance(value, dict | list):
        raise ValidationError("Not a valid value.")
    return model_field.to_python(value)


def _text_from_json(wrong_format: str) -> Callable[[Any, Any], Any]:
    """Dates and times come as text (or, from a form, already parsed): a number or a boolean is refused
    with DRF's message."""

    def from_json(model_field, value):
        if not isinstance(value, str | datetime.date | datetime.time):
            raise ValidationError(wrong_format)
        return model_field.to_python(value)

    return from_json


def _utc_text(value: datetime.datetime) -> str:
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _isoformat(value) -> str:
    return value.isoformat()


def _widget_class(widget) -> None:
    css = "form-check-input" if isinstance(widget, forms.CheckboxInput) else "form-control"
    widget.attrs.setdefault("class", css)
    if isinstance(widget, forms.Textarea):
        widget.attrs.setdefault("rows", 3)


def _model_form_field(model_field, *, bulk: bool, required: bool, label, help_text, **options):
    """Django's form field for the model field, with our widgets (date pickers, Bootstrap classes)."""
    form_field = model_field.formfield(required=required, **options)
    if form_field is None:
        return None
    form_field.label, form_field.help_text = label, help_text
    input_type = kind_of(model_field).html_input
    if input_type == "datetime-local":
        form_field.widget = forms.DateTimeInput(attrs={"type": input_type})
    elif input_type == "date":
        form_field.widget = forms.DateInput(attrs={"type": input_type})
    _widget_class(form_field.widget)
    return form_field


def _url_form_field(model_field, **common):
    return _model_form_field(model_field, assume_scheme="https", **common)


def _boolean_form_field(model_field, *, bulk: bool, **common):
    if bulk:  # "no change" must stay possible
        return forms.NullBooleanField(
            widget=forms.Select(
                choices=[("unknown", "---------"), ("true", "Yes"), ("false", "No")], attrs={"class": "form-select"}
            ),
            **common,
        )
    return forms.BooleanField(
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}), **{**common, "required": False}
    )


class JSONFormField(forms.JSONField):
    """JSON as text in a textarea. No value is an empty box (Django's would say `null`, which the
    member then has to delete); an empty box is no value, as before."""

    def prepare_value(self, value):
        return "" if value is None else super().prepare_value(value)

    @staticmethod
    def initial_from_text(text: str):
        """The initial value for JSON text given as text (a pre-filled `?parameters={...}`): the
        value it stands for, or the text as typed when it is not JSON (the form then says so)."""
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return forms.fields.InvalidJSONInput(text)


def multiline_text(model: type[models.Model], name: str) -> Callable[[bool], forms.Field]:
    """A form field factory (`Ui(form_fields=...)`) for a short text field holding several lines,
    such as a postal address: a textarea, since a one-line box drops the line breaks."""
    model_field = model._meta.get_field(name)
    assert isinstance(model_field, models.CharField), f"{model.__name__}.{name} is not a CharField"

    def factory(bulk: bool) -> forms.Field:
        return forms.CharField(
            required=not bulk and not model_field.blank,
            max_length=model_field.max_length,
            label=capfirst(model_field.verbose_name),
            help_text=model_field.help_text,
            strip=False,
            widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
        )

    return factory


def searchable_choice(
    model: type[models.Model], name: str, choices: Callable[[], Iterable[str]]
) -> Callable[[bool], forms.Field]:
    """A form field factory (`Ui(form_fields=...)`) for a text field taking one of many known values (a
    site's time zone among the IANA zones): a select the page makes searchable (Tom Select), its options
    `choices()` in order. The model still validates the value, for the API and imports as for the form."""
    model_field = model._meta.get_field(name)
    assert isinstance(model_field, models.CharField), f"{model.__name__}.{name} is not a CharField"

    def factory(bulk: bool) -> forms.Field:
        return forms.ChoiceField(
            choices=[("", "---------"), *((value, value) for value in choices())],
            required=not bulk and not model_field.blank,
            label=capfirst(model_field.verbose_name),
            help_text=model_field.help_text,
            widget=forms.Select(attrs={"class": "form-select", "data-wb-searchable": ""}),
        )

    return factory


def _json_form_field(model_field, *, bulk: bool, **common):
    return JSONFormField(widget=forms.Textarea(attrs={"class": "form-control font-monospace", "rows": 4}), **common)


def _json_import(model_field, value):
    if not isinstance(value, str):
        return value
    if value.strip() == "":
        return None
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value  # the write layer names the bad value


def _any_json(model_field, value):
    return model_field.to_python(value)


def _decimal_from_json(model_field, value):
    if isinstance(value, float):
        value = repr(value)  # 4.895168, not the float's binary expansion cut to max_digits
    return _from_json(model_field, value)


_AS_STORED_RENDERER = _value_renderer(None)
_AS_STORED = _stored()


@dataclass(frozen=True)
class FieldKind:
    """What every layer needs to know about one class of model field (see the module's docstring).

    Callables take the model field, since a kind's schema or conversion may depend on it (a text's
    `max_length`, an array's items, a relation's target)."""

    name: str
    # OpenAPI: the field's schema as read and as written (None: as read), nullability included.
    # Kinds without one (generic foreign keys) appear only through a registration's renderer.
    schema: Callable[[Any], dict] | None = None
    write_schema: Callable[[Any], dict] | None = None
    # GraphQL: the value's type in GraphQL's schema language; None for relations, which the GraphQL
    # layer nests as object types.
    graphql: str | None = None
    # GraphQL filter input (core.graphql.filters): "text", "int", "big_int", "float", "date",
    # "datetime", "boolean", "choice", "tree" (a tree node's `{id, match_type}`); None: none.
    graphql_filter: str | None = None
    # REST filters (core.filters): the lookups ("exact": `=` and `__n`; "text": those and `__ic`,
    # `__nic`, `__isw`, `__regex`…, `__empty`; "range": `__lt`, `__lte`, `__gt`, `__gte`, `__empty`;
    # "boolean"; "choice"; "array": items overlap; "relation", "tree", "object_type": by id and slug
    # or label; "owner": by id and name, and by the owner's group) and how one query value parses
    # (None: not a valid value). None: no filters.
    lookups: str | None = None
    parse: Callable[[str], Any] | None = None
    # The UI: the form field, `(model_field, *, bulk, required, label, help_text) -> forms.Field`
    # (None: relations, which the UI picks with its own widgets), and the <input type> of
    # date-like values (forms and the list page's filter form).
    form_field: Callable[..., Any] | None = None
    html_input: str | None = None
    # REST OPTIONS: DRF's name of the type ("string", "integer", "choice", "field"…).
    options_type: str = "field"
    # The representation: `(model_field) -> (obj, links) -> JSON value`. None: relations, which the
    # representation nests itself.
    render: Callable[[Any], Renderer] | None = _AS_STORED_RENDERER
    # Exports (CSV, JSON, YAML): `(model_field, obj) -> value` as an import reads it back.
    export: Callable[[Any, Any], Any] = _AS_STORED
    # Imports: `(model_field, a CSV cell or a JSON/YAML value) -> the REST API's JSON value`.
    import_value: Callable[[Any, Any], Any] = _imported
    # JSON writes: `(model_field, JSON value) -> the Python value` for the services; raises
    # ValidationError. Relations are resolved by the write layer (core.writes), which knows the caller.
    from_json: Callable[[Any, Any], Any] = _from_json
    # What a blank but not nullable field stores for "no value" ("" for text); None: null is refused.
    blank_value: Any = None
    # "one" (foreign key), "many" (many-to-many), "reverse" (the rows pointing here), "generic"
    # (a generic relation), "generic_object" (a generic foreign key); None: a value.
    relation: str | None = None
    # The kind this field really has, decided by the field (arrays by their items, foreign keys by
    # their target); None: this one.
    refine: Callable[[Any], "FieldKind"] | None = field(default=None, compare=False)


_KINDS: dict[type, FieldKind] = {}


def register_field_kind(field_class: type, kind: FieldKind) -> None:
    """Give `field_class` (and its subclasses that register nothing of their own) `kind`."""
    _KINDS[field_class] = kind
    _kind_of_class.cache_clear()


@functools.cache
def _kind_of_class(field_class: type) -> FieldKind:
    for klass in field_class.__mro__:
        if klass in _KINDS:
            return _KINDS[klass]
    raise LookupError(f"No field kind for {field_class.__qualname__}: register one with register_field_kind()")


def field_kind(model_field) -> FieldKind:
    """The kind registered for the field's class (the nearest in its MRO), before any refinement."""
    return _kind_of_class(type(model_field))  # type: ignore[arg-type]  # classes are hashable: python/mypy#11470


AnyField = models.Field | ForeignObjectRel | GenericForeignKey  # what `_meta.get_field()` gives


def own_field(model_field: AnyField) -> models.Field:
    """`model_field` where it must be a field its model declares (a column, a foreign key, a
    many-to-many field; generic foreign keys are fields too), not the other side of a relation."""
    if not isinstance(model_field, models.Field):
        raise FieldDoesNotExist(f"{model_field} is the other side of a relation, not a field of its model")
    return model_field


def reverse_relation(model_field: AnyField) -> ForeignObjectRel:
    """`model_field` where it must be the other side of a relation: the rows of another model pointing here."""
    if not isinstance(model_field, ForeignObjectRel):
        raise FieldDoesNotExist(f"{model_field} is a field of its model, not the other side of a relation")
    return model_field


def kind_of(model_field) -> FieldKind:
    """The field's kind: its class's, refined by the field, and a choice when it has choices."""
    kind = field_kind(model_field)
    if kind.refine is not None:
        kind = kind.refine(model_field)
    if kind.relation is None and getattr(model_field, "choices", None):
        return _choice_of(kind)
    return kind


# -- values ----------------------------------------------------------------------------------------

TEXT = FieldKind(
    name="text",
    schema=_text_schema,
    graphql="String",
    graphql_filter="text",
    lookups="text",
    parse=str,
    form_field=_model_form_field,
    options_type="string",
    blank_value="",
)
SLUG = replace(
    TEXT, name="slug", schema=functools.partial(_text_schema, pattern="^[-a-zA-Z0-9_]+$"), options_type="slug"
)
URL = replace(
    TEXT, name="url", schema=functools.partial(_text_schema, format="uri"), form_field=_url_form_field,
    options_type="url",
)  # fmt: skip
EMAIL = replace(TEXT, name="email", schema=functools.partial(_text_schema, format="email"), options_type="email")
INTEGER = FieldKind(
    name="integer",
    schema=_fixed({"type": "integer"}),
    graphql="Int",
    graphql_filter="int",
    lookups="range",
    parse=parse_int,
    form_field=_model_form_field,
    options_type="integer",
)
BIG_INTEGER = replace(
    INTEGER, name="big_integer", schema=_fixed({"type": "integer", "format": "int64"}), graphql="BigInt",
    graphql_filter="big_int",
)  # fmt: skip
DECIMAL = FieldKind(
    name="decimal",
    schema=_fixed({"type": "number", "format": "double"}),
    graphql="Decimal",
    graphql_filter="float",
    lookups="range",
    parse=parse_float,
    form_field=_model_form_field,
    options_type="decimal",
    render=_value_renderer(float),
    export=_stored(str),
    from_json=_decimal_from_json,
)
FLOAT = replace(
    DECIMAL, name="float", graphql="Float", options_type="float", render=_AS_STORED_RENDERER, export=_AS_STORED
)
BOOLEAN = FieldKind(
    name="boolean",
    schema=_fixed({"type": "boolean"}),
    graphql="Boolean",
    graphql_filter="boolean",
    lookups="boolean",
    parse=parse_bool,
    form_field=_boolean_form_field,
    options_type="boolean",
    import_value=lambda model_field, value: import_bool(value),
)
DATETIME = FieldKind(
    name="datetime",
    schema=_fixed({"type": "string", "format": "date-time"}),
    graphql="DateTime",
    graphql_filter="datetime",
    lookups="range",
    parse=parse_datetime,
    form_field=_model_form_field,
    html_input="datetime-local",
    options_type="datetime",
    render=_value_renderer(_utc_text),
    export=_stored(_isoformat),
    from_json=_text_from_json(
        "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
    ),
)
DATE = replace(
    DATETIME, name="date", schema=_fixed({"type": "string", "format": "date"}), graphql="Date",
    graphql_filter="date", parse=parse_date_bounded, html_input="date", options_type="date",
    render=_value_renderer(_isoformat),
    from_json=_text_from_json("Date has wrong format. Use one of these formats instead: YYYY-MM-DD."),
)  # fmt: skip
TIME = replace(
    DATE, name="time", schema=_fixed({"type": "string", "format": "time"}), graphql="Time", graphql_filter=None,
    parse=parse_clock_time, html_input=None, options_type="time",
    from_json=_text_from_json("Time has wrong format. Use one of these formats instead: hh:mm[:ss[.uuuuuu]]."),
)  # fmt: skip
UUID = FieldKind(
    name="uuid",
    schema=_fixed({"type": "string", "format": "uuid"}),
    graphql="UUID",
    lookups="exact",
    parse=parse_uuid,
    form_field=_model_form_field,
    options_type="string",
    export=_stored(str),
)
JSON = FieldKind(
    name="json",
    schema=_fixed(ANY_JSON),
    graphql="JSON",
    form_field=_json_form_field,
    import_value=_json_import,
    from_json=_any_json,
)
# The organization's custom field values (BaseModel.custom_field_data): REST `custom_fields`,
# filtered as `cf_<name>` (core.filters), each value typed by its definition (core.customfields).
CUSTOM_FIELDS = replace(
    JSON, name="custom_fields", schema=_fixed({"type": "object", "additionalProperties": {}}), form_field=None
)
# A field class nothing else describes: text, as Django's own forms and serializers would show it.
OTHER = FieldKind(name="other", schema=_fixed({"type": "string"}), graphql="String", form_field=_model_form_field)


def _refine_json(model_field) -> FieldKind:
    return CUSTOM_FIELDS if model_field.name == "custom_field_data" else JSON


# -- choices: a field of some kind whose values are a fixed list -----------------------------------


def _choice_values(model_field) -> list:
    return [value for value, _label in model_field.flatchoices]


def _choice_type(model_field) -> str:
    """The JSON type of the choices' values: "integer" for numbered choices (an IKE proposal's DH group)."""
    values = _choice_values(model_field)
    return "integer" if values and all(isinstance(value, int) for value in values) else "string"


def _choice_schema(model_field) -> dict:
    return {
        "type": "object",
        "properties": {
            "value": {"type": _choice_type(model_field), "enum": _choice_values(model_field)},
            "label": {"type": "string"},
        },
        "nullable": model_field.null or model_field.blank,
    }


def _choice_write_schema(model_field) -> dict:
    return {"type": _choice_type(model_field), "enum": _choice_values(model_field)}


def _choice_form_field(model_field, *, bulk: bool, **common):
    return forms.ChoiceField(
        choices=[("", "---------"), *model_field.choices], widget=forms.Select(attrs={"class": "form-select"}), **common
    )


def _choice_renderer(model_field) -> Renderer:
    labels = dict(model_field.flatchoices)
    attname = model_field.attname
    token = object()  # this field's key in a response's memo

    def choice(obj, links):
        value = getattr(obj, attname)
        if value is None or value == "":
            return None
        # Labels are translated once per response, not once per row; keyed by this renderer's own labels
        # (hashing the model field costs more than the rest of the function).
        memo = links.__dict__.get("_choices")
        if memo is None:
            memo = links.__dict__["_choices"] = {}
        key = (token, value)
        if key not in memo:
            memo[key] = {"value": value, "label": str(labels.get(value, value))}
        return memo[key]

    return choice


@functools.cache
def _choice_of(kind: FieldKind) -> FieldKind:
    """A field of `kind` with choices: `{value, label}` when read, its value when written (GraphQL: the
    value as `kind` types it; filters: an enum of the choices)."""
    return replace(
        kind,
        name="choice",
        schema=_choice_schema,
        write_schema=_choice_write_schema,
        graphql_filter="choice",
        lookups="choice",
        form_field=_choice_form_field,
        options_type="choice",
        render=_choice_renderer,
        refine=None,
    )


# -- arrays: the kind follows the items ------------------------------------------------------------


class ArrayFormField(forms.CharField):
    """An array as comma-separated text ("view, add"; pairs as "value:label"), cleaned to the list
    the API takes."""

    def __init__(self, model_field, **kwargs):
        self.model_field = model_field
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return array_text(value) if isinstance(value, list | tuple) else value

    def to_python(self, value):
        return split_array(self.model_field, super().to_python(value))


def _array_form_field(model_field, *, bulk: bool, help_text, **common):
    return ArrayFormField(
        model_field,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        help_text=help_text or "Comma-separated values",
        **common,
    )


@functools.cache
def _array_of(item: FieldKind) -> FieldKind:
    def schema(model_field) -> dict:
        if item.schema is None:
            raise ImproperlyConfigured(f"{model_field} is an array of {item.name}, which has no OpenAPI schema")
        return _with_null(model_field, {"type": "array", "items": item.schema(model_field.base_field)})

    def from_json(model_field, value):
        if not isinstance(value, list):
            raise ValidationError(f'Expected a list of items but got type "{type(value).__name__}".')
        return [None if part is None else item.from_json(model_field.base_field, part) for part in value]

    return FieldKind(
        name="array",
        schema=schema,
        graphql=f"[{item.graphql}!]",
        # Arrays are matched by any of their items; arrays of arrays (a choice set's [value, label]
        # pairs) are not matched item by item.
        lookups=None if item.lookups == "array" else "array",
        parse=item.parse,
        form_field=_array_form_field,
        options_type="list",
        import_value=split_array,
        from_json=from_json,
    )


def _refine_array(model_field) -> FieldKind:
    return _array_of(kind_of(model_field.base_field))


ARRAY = FieldKind(name="array", refine=_refine_array)


# -- relations -------------------------------------------------------------------------------------


def _brief(model) -> str | None:
    spec = registry.find(model)
    return None if spec is None else f"#/components/schemas/Brief{model._meta.object_name}"


def _related_schema(model_field) -> dict:
    brief = _brief(model_field.related_model)
    return _with_null(model_field, {"allOf": [{"$ref": brief}]} if brief else {"type": "integer"})


def _many_schema(model_field) -> dict:
    brief = _brief(model_field.related_model)
    return {"type": "array", "items": {"$ref": brief} if brief else {"type": "integer"}}


# A related object as a write takes it: by id, or by a dict of its attributes.
_REFERENCE = {"oneOf": [{"type": "integer"}, {"type": "object", "additionalProperties": {}}]}


def _reference_schema(model_field) -> dict:
    return _with_null(model_field, dict(_REFERENCE))


def _references_schema(model_field) -> dict:
    return {"type": "array", "items": dict(_REFERENCE)}


def _export_related(model_field, obj):
    related = getattr(obj, model_field.name)
    if related is None:
        return None
    lookup = lookup_name(model_field.related_model)
    return getattr(related, lookup) if lookup else related.pk


def _export_many(model_field, obj):
    lookup = lookup_name(model_field.related_model)
    return [getattr(item, lookup) if lookup else item.pk for item in getattr(obj, model_field.name).all()]


def _export_object_type(model_field, obj):
    content_type = getattr(obj, model_field.name)
    return None if content_type is None else object_type_label(content_type)


def _export_object_types(model_field, obj):
    return [object_type_label(content_type) for content_type in getattr(obj, model_field.name).all()]


def _import_related(model_field, value):
    return None if value in ("", None) else reference(model_field.related_model, value)


def _import_many(model_field, value):
    return [reference(model_field.related_model, item) for item in split_items(value)]


def _relation(**options) -> FieldKind:
    return FieldKind(render=None, options_type="field", **options)


FOREIGN_KEY = _relation(
    name="foreign_key",
    schema=_related_schema,
    write_schema=_reference_schema,
    lookups="relation",
    export=_export_related,
    import_value=_import_related,
    relation="one",
)
# A relation to another tree (a site's region, a contact's groups): filtering by it includes the
# nodes below.
TREE_NODE = replace(FOREIGN_KEY, name="tree_node", lookups="tree", graphql_filter="tree")
# A foreign key to ContentType: NetBox's object types, named "dcim.site".
OBJECT_TYPE = replace(FOREIGN_KEY, name="object_type", lookups="object_type", export=_export_object_type)
# A foreign key to core.Owner (NetBox's `owner`): filtered by the owner's id or name and by its group's
# (`owner_id=`, `owner=`, `owner_group_id=`, `owner_group=`).
OWNER = replace(FOREIGN_KEY, name="owner", lookups="owner")
MANY_TO_MANY = _relation(
    name="many_to_many",
    schema=_many_schema,
    write_schema=_references_schema,
    lookups="relation",
    export=_export_many,
    import_value=_import_many,
    relation="many",
)
OBJECT_TYPES = replace(MANY_TO_MANY, name="object_types", lookups="object_type", export=_export_object_types)
TREE_NODES = replace(MANY_TO_MANY, name="tree_nodes", lookups="tree", graphql_filter="tree")
# Generic relations (an object's tags, journal entries, contact assignments) and generic foreign
# keys (what a contact assignment is assigned to) have no representation of their own: tags and
# custom fields have theirs, the others a registration's renderer.
GENERIC_RELATION = _relation(name="generic_relation", relation="generic")
GENERIC_OBJECT = _relation(name="generic_object", relation="generic_object")
REVERSE = _relation(name="reverse", relation="reverse")


def _to_other_tree(model_field) -> bool:
    related = model_field.related_model
    return isinstance(related, type) and issubclass(related, MPTTModel) and related is not model_field.model


def _to_owner(model_field) -> bool:
    related = model_field.related_model
    return isinstance(related, type) and issubclass(related, models.Model) and related._meta.label == "core.Owner"


def _refine_foreign_key(model_field) -> FieldKind:
    if model_field.related_model is ContentType:
        return OBJECT_TYPE
    if _to_owner(model_field):
        return OWNER
    return TREE_NODE if _to_other_tree(model_field) else FOREIGN_KEY


def _refine_many_to_many(model_field) -> FieldKind:
    if model_field.related_model is ContentType:
        return OBJECT_TYPES
    return TREE_NODES if _to_other_tree(model_field) else MANY_TO_MANY


for _field_class, _kind in (
    (models.Field, OTHER),
    (models.CharField, TEXT),
    (models.TextField, TEXT),
    (models.SlugField, SLUG),
    (models.URLField, URL),
    (models.EmailField, EMAIL),
    (models.IntegerField, INTEGER),
    (models.BigIntegerField, BIG_INTEGER),
    (models.DecimalField, DECIMAL),
    (models.FloatField, FLOAT),
    (models.BooleanField, BOOLEAN),
    (models.DateTimeField, DATETIME),
    (models.DateField, DATE),
    (models.TimeField, TIME),
    (models.UUIDField, UUID),
    (models.JSONField, replace(JSON, refine=_refine_json)),
    (ArrayField, ARRAY),
    (models.ForeignKey, replace(FOREIGN_KEY, refine=_refine_foreign_key)),
    (models.ManyToManyField, replace(MANY_TO_MANY, refine=_refine_many_to_many)),
    (GenericRelation, GENERIC_RELATION),
    (GenericForeignKey, GENERIC_OBJECT),
    (ForeignObjectRel, REVERSE),
):
    register_field_kind(_field_class, _kind)


def has_tags(model) -> bool:
    """Whether the model takes tags: it has BaseModel's generic relation to tagged items, and its
    registration does not say NetBox's objects of its kind take none (`ObjectSpec.tags`)."""
    spec = registry.find(model)
    if spec is not None and not spec.tags:
        return False
    return any(
        kind_of(model_field).relation == "generic" and model_field.name == "tagged_items"
        for model_field in model._meta.get_fields()
    )
