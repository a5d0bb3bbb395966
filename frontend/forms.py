"""Forms derived from the registry: the fields the API writes, with the API's conversions.

A submitted form becomes the same payload a REST client would send and goes through
`core.writes.deserialize` and the services, so the UI validates, resolves related objects
(within what the user may see) and change-logs exactly like the API. Related objects are
picked with search-as-you-type selects that query our REST API (`static/frontend/wirebook.js`):
only the selected options are rendered, so a picker stays usable with 100,000 candidates.
"""

import datetime
import decimal
import re
from typing import TYPE_CHECKING, Any, TypedDict

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import get_script_prefix
from django.utils.text import capfirst

from core.customfields import definitions_for, supports_custom_fields
from core.fields import JSONFormField, kind_of
from core.filters import CUSTOM_FIELD_PREFIX
from core.images import image_file_field
from core.models import CustomField, CustomFieldType, Tag
from core.querysets import RestrictedQuerySet
from core.registry import ObjectSpec, object_type_label, registry
from core.representation import field_names
from core.writes import is_required, writable_fields

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise

TAGS = "tags"
NULLIFY = "_nullify"
_CUSTOM_FIELD_ERROR = re.compile(r"custom field '(?P<name>[^']+)'")


def form_fields(spec: ObjectSpec) -> list[models.Field]:
    """The writable fields in the representation's (NetBox's) order: name first, comments last."""
    order = {name: index for index, name in enumerate(field_names(spec))}
    aliases = {field: alias for alias, field in spec.api.write_aliases.items()}
    fields = writable_fields(spec)
    return sorted(fields, key=lambda f: order.get(aliases.get(f.name, f.name), len(order)))


class FieldOptions(TypedDict):
    """What every field of a derived form is given, whatever its kind."""

    required: bool
    label: "_StrOrPromise"
    help_text: "_StrOrPromise"


def picker_url(spec: ObjectSpec) -> str:
    return f"{get_script_prefix()}api/{spec.api_app}/{spec.api_path}/?brief=1"


class PickerWidget(forms.SelectMultiple):
    """A select holding only the chosen objects; the script adds a search box querying `data-picker`."""

    def __init__(self, url: str, multiple: bool, attrs=None):
        super().__init__(attrs={"class": "form-select", "data-picker": url, **(attrs or {})})
        self.allow_multiple_selected = multiple

    def format_value(self, value):
        if value is None:
            return []
        return [str(v) for v in (value if isinstance(value, list | tuple) else [value]) if v not in (None, "")]

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else data.get(name)
        if not self.allow_multiple_selected and isinstance(values, list):
            return values[-1] if values else None
        return values

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["multiple"] = self.allow_multiple_selected
        return context


class PickerField(forms.Field):
    """Object(s) by primary key. Existence and visibility are checked by the write layer."""

    def __init__(self, spec: ObjectSpec, *, multiple: bool, **kwargs):
        self.spec = spec
        self.multiple = multiple
        kwargs.setdefault("widget", PickerWidget(picker_url(spec), multiple))
        super().__init__(**kwargs)
        self.choices: list[tuple[str, str]] = []

    def to_python(self, value):
        values = value if isinstance(value, list | tuple) else ([] if value in (None, "") else [value])
        pks = []
        for item in values:
            if item in (None, ""):
                continue
            try:
                pks.append(int(item))
            except (TypeError, ValueError):
                raise forms.ValidationError(f"“{item}” is not a valid choice.") from None
        if self.multiple:
            return pks
        return pks[-1] if pks else None

    def validate(self, value):
        if self.required and value in (None, []):
            raise forms.ValidationError(self.error_messages["required"], code="required")


def label_choices(field: PickerField, values, actor) -> None:
    """Give the picker options for its current values (the only options rendered)."""
    pks = [int(v) for v in (values if isinstance(values, list | tuple) else [values]) if str(v).isdigit()]
    if not pks:
        field.widget.choices = []
        return
    queryset = field.spec.model._default_manager.all()
    if isinstance(queryset, RestrictedQuerySet):
        queryset = queryset.restrict(actor, "view")
    field.widget.choices = [(str(obj.pk), field.spec.display(obj)) for obj in queryset.filter(pk__in=pks)]


def object_type_choices() -> list[tuple[str, str]]:
    """Registered types as NetBox labels ("dcim.site"), for content type fields."""
    choices = []
    for spec in registry:
        choices.append((spec.type_label, f"{capfirst(spec.model._meta.verbose_name)} ({spec.type_label})"))
    return sorted(choices, key=lambda choice: choice[1])


def _model_form_field(spec: ObjectSpec, model_field, *, bulk: bool):
    if model_field.name in spec.ui.form_fields:
        return spec.ui.form_fields[model_field.name](bulk)
    form_field = _model_form_field_for(spec, model_field, bulk=bulk)
    if form_field is not None and not bulk and model_field.has_default() and not model_field.is_relation:
        form_field.initial = model_field.get_default()  # a new object's form shows the defaults
    return form_field


def _model_form_field_for(spec: ObjectSpec, model_field, *, bulk: bool):
    required = False if bulk else is_required(model_field)
    label = capfirst(getattr(model_field, "verbose_name", model_field.name))
    help_text = getattr(model_field, "help_text", "")
    common: FieldOptions = {"required": required, "label": label, "help_text": help_text}
    if model_field.is_relation:
        related = model_field.related_model
        if related is ContentType:
            choices = object_type_choices()
            if model_field.many_to_many:
                return forms.MultipleChoiceField(
                    choices=choices, widget=forms.SelectMultiple(attrs={"class": "form-select"}), **common
                )
            return forms.ChoiceField(
                choices=[("", "---------"), *choices], widget=forms.Select(attrs={"class": "form-select"}), **common
            )
        related_spec = registry.find(related)
        if related_spec is None:
            return None
        return PickerField(related_spec, multiple=model_field.many_to_many, **common)
    kind = kind_of(model_field)
    if kind.form_field is None:
        return None
    return kind.form_field(model_field, bulk=bulk, **common)


def _custom_form_field(definition: CustomField, *, bulk: bool):
    required = definition.required and not bulk
    label = definition.label or capfirst(definition.name.replace("_", " "))
    common: FieldOptions = {"required": required, "label": label, "help_text": definition.description}
    kind = definition.type
    text = {"class": "form-control"}
    if kind == CustomFieldType.LONGTEXT:
        return forms.CharField(widget=forms.Textarea(attrs={**text, "rows": 3}), **common)
    if kind == CustomFieldType.INTEGER:
        return forms.IntegerField(widget=forms.NumberInput(attrs=text), **common)
    if kind == CustomFieldType.DECIMAL:
        return forms.DecimalField(widget=forms.NumberInput(attrs={**text, "step": "any"}), **common)
    if kind == CustomFieldType.BOOLEAN:
        return forms.NullBooleanField(
            widget=forms.Select(
                choices=[("unknown", "---------"), ("true", "Yes"), ("false", "No")], attrs={"class": "form-select"}
            ),
            **common,
        )
    if kind == CustomFieldType.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={**text, "type": "date"}), **common)
    if kind == CustomFieldType.DATETIME:
        return forms.DateTimeField(widget=forms.DateTimeInput(attrs={**text, "type": "datetime-local"}), **common)
    if kind == CustomFieldType.JSON:
        return JSONFormField(widget=forms.Textarea(attrs={**text, "rows": 3}), **common)
    if kind in (CustomFieldType.SELECT, CustomFieldType.MULTISELECT):
        choices = definition.choice_set.choices if definition.choice_set is not None else []
        if kind == CustomFieldType.SELECT:
            return forms.ChoiceField(
                choices=[("", "---------"), *choices], widget=forms.Select(attrs={"class": "form-select"}), **common
            )
        return forms.MultipleChoiceField(
            choices=choices, widget=forms.SelectMultiple(attrs={"class": "form-select"}), **common
        )
    if kind in (CustomFieldType.OBJECT, CustomFieldType.MULTIOBJECT):
        object_type = definition.related_object_type
        model = object_type.model_class() if object_type is not None else None
        related_spec = registry.find(model) if model is not None else None
        if related_spec is None:
            return forms.CharField(widget=forms.TextInput(attrs=text), **common)
        return PickerField(related_spec, multiple=kind == CustomFieldType.MULTIOBJECT, **common)
    return forms.CharField(widget=forms.TextInput(attrs=text), **common)


class ObjectForm(forms.Form):
    """The base of every derived form; `build_form` adds the fields."""

    spec: ObjectSpec
    model_field_names: tuple[str, ...] = ()
    # The registration's write-only fields that are no model fields (Api.write_extras) its UI offers.
    extra_field_names: tuple[str, ...] = ()
    custom_field_names: tuple[str, ...] = ()
    has_tags = False
    bulk = False

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        for name, field in self.fields.items():
            if isinstance(field, PickerField):
                if self.is_bound:
                    value = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
                else:
                    value = self.initial.get(name)
                label_choices(field, value, actor)

    # -- the payload a REST client would send ---------------------------------------------------

    def payload(self) -> dict[str, Any]:
        data = self.cleaned_data
        nullify = set(data.get(NULLIFY) or []) if self.bulk else set()
        payload: dict[str, Any] = {}
        for name in self.model_field_names:
            if name in nullify:
                payload[name] = None
                continue
            value = data.get(name)
            if self.bulk and value in (None, "", []):
                continue
            payload[name] = _api_value(self.spec.model._meta.get_field(name), value)
        for name in self.extra_field_names:
            if data.get(name) is not None:
                payload[name] = data[name]
        custom: dict[str, Any] = {}
        for name in self.custom_field_names:
            key = CUSTOM_FIELD_PREFIX + name
            if key in nullify:
                custom[name] = None
                continue
            value = data.get(key)
            if self.bulk and value in (None, "", []):
                continue
            custom[name] = _custom_value(value)
        if custom or (self.custom_field_names and not self.bulk):
            payload["custom_fields"] = custom
        if self.has_tags and not self.bulk:
            payload["tags"] = data.get(TAGS) or []
        return payload

    def tag_changes(self) -> tuple[list[int], list[int]]:
        """Bulk edit: tags to add and to remove."""
        return list(self.cleaned_data.get("add_tags") or []), list(self.cleaned_data.get("remove_tags") or [])

    def add_api_errors(self, errors: dict[str, list[str]]) -> None:
        api_errors_on_form(self, errors)

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The fields under their headings (NetBox's fieldsets): the registration's `Ui.sections`, the
        fields it does not place in the first; by default one section named after the model. Custom
        fields and tags follow in their own sections."""
        declared = self.spec.ui.sections or ((capfirst(self.spec.model._meta.verbose_name), ()),)
        placed = {name for _, names in declared for name in names}
        custom = [CUSTOM_FIELD_PREFIX + name for name in self.custom_field_names]
        own = [name for name in self.fields if name not in custom and name != TAGS]
        grouped = [(heading, [name for name in names if name in own]) for heading, names in declared]
        grouped[0][1].extend(name for name in own if name not in placed)
        grouped.append(("Custom fields", custom))
        grouped.append(("Tags", [TAGS] if TAGS in self.fields else []))
        return [(str(heading), [self[name] for name in names]) for heading, names in grouped if names]


def api_errors_on_form(form: forms.Form, errors: dict[str, list[str]]) -> None:
    """Errors of the write layer (REST field names) on the matching form fields."""
    for name, messages in errors.items():
        if name == "custom_fields":
            for message in messages:
                match = _CUSTOM_FIELD_ERROR.search(str(message))
                key = CUSTOM_FIELD_PREFIX + match["name"] if match else None
                form.add_error(key if key in form.fields else None, str(message))
            continue
        target = name if name in form.fields else None
        for message in messages if isinstance(messages, list) else [messages]:
            form.add_error(
                target, str(message) if target else f"{name}: {message}" if name != "__all__" else str(message)
            )


class ImageUploadForm(forms.Form):
    """An image for an object's Images tab: the attachment's object is the page's."""

    image = image_file_field(bulk=False)
    name = forms.CharField(
        label="Name", max_length=50, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    description = forms.CharField(
        label="Description", max_length=200, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )

    def add_api_errors(self, errors: dict[str, list[str]]) -> None:
        api_errors_on_form(self, errors)


def _api_value(model_field, value):
    if model_field.is_relation and not model_field.many_to_many and value == "":
        return None
    return value


def _custom_value(value):
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if value == "":
        return None
    return value


def build_form(spec: ObjectSpec, *, bulk: bool = False) -> type[ObjectForm]:
    """The create/edit form (or, with `bulk`, the bulk edit form) of a registered model."""
    fields: dict[str, forms.Field] = {}
    names = []
    for model_field in form_fields(spec):
        if bulk and (model_field.unique or model_field.name == "slug"):
            continue
        form_field = _model_form_field(spec, model_field, bulk=bulk)
        if form_field is not None:
            fields[model_field.name] = form_field
            names.append(model_field.name)
    extra_names = []
    for name in spec.api.write_extras:
        if name in spec.ui.form_fields and not bulk:
            fields[name] = spec.ui.form_fields[name](bulk)
            extra_names.append(name)
    custom_names = []
    if supports_custom_fields(spec.model):
        for name, definition in definitions_for(spec.model).items():  # in display order
            if (bulk and definition.unique) or definition.ui_editable != "yes":
                continue
            fields[CUSTOM_FIELD_PREFIX + name] = _custom_form_field(definition, bulk=bulk)
            custom_names.append(name)
    has_tags = supports_custom_fields(spec.model)
    tag_spec = registry.get(Tag)
    if has_tags and not bulk:
        fields[TAGS] = PickerField(tag_spec, multiple=True, required=False, label="Tags")
    if has_tags and bulk:
        fields["add_tags"] = PickerField(tag_spec, multiple=True, required=False, label="Add tags")
        fields["remove_tags"] = PickerField(tag_spec, multiple=True, required=False, label="Remove tags")
    if bulk:
        nullable = [name for name in names if _nullable(spec.model._meta.get_field(name))]
        nullable += [CUSTOM_FIELD_PREFIX + name for name in custom_names]
        fields[NULLIFY] = forms.MultipleChoiceField(
            choices=[(name, fields[name].label) for name in nullable],
            required=False,
            label="Set null",
            widget=forms.CheckboxSelectMultiple,
        )
    attributes = {
        **fields,
        "spec": spec,
        "model_field_names": tuple(names),
        "extra_field_names": tuple(extra_names),
        "custom_field_names": tuple(custom_names),
        "has_tags": has_tags,
        "bulk": bulk,
    }
    return type(f"{spec.model.__name__}{'Bulk' if bulk else ''}Form", (ObjectForm,), attributes)


def _nullable(model_field) -> bool:
    if model_field.many_to_many:
        return True
    return bool(model_field.null or (model_field.blank and kind_of(model_field).blank_value is not None))


def initial_from(spec: ObjectSpec, instance) -> dict[str, Any]:
    """The form's initial values for an existing object."""
    initial: dict[str, Any] = {}
    for model_field in writable_fields(spec):
        name = model_field.name
        if model_field.many_to_many:
            related = model_field.related_model
            items = list(getattr(instance, name).all())
            initial[name] = [object_type_label(ct) for ct in items] if related is ContentType else [i.pk for i in items]
        elif model_field.is_relation:
            value = getattr(instance, name)
            if model_field.related_model is ContentType:
                initial[name] = object_type_label(value) if value is not None else ""
            else:
                initial[name] = getattr(instance, model_field.attname)
        else:
            initial[name] = getattr(instance, model_field.attname)  # arrays: their form field shows the text
    for name, value in (getattr(instance, "custom_field_data", None) or {}).items():
        initial[CUSTOM_FIELD_PREFIX + name] = value
    if hasattr(instance, "tagged_items"):
        initial[TAGS] = [item.tag_id for item in instance.tagged_items.all()]
    return initial


def clone_initial(spec: ObjectSpec, instance) -> dict[str, Any]:
    """Initial values for "Clone": everything but unique fields (NetBox's clone_fields, derived)."""
    initial = initial_from(spec, instance)
    for model_field in writable_fields(spec):
        if model_field.unique or model_field.name in {"name", "slug"}:
            initial.pop(model_field.name, None)
    return initial
