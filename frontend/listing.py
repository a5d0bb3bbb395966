"""The list of a registered model as the request asks for it: filtered, sorted, paginated.

Filtering uses the REST API's filter engine, so `/dcim/sites/?region_id=3&status=active` in the
UI means exactly what it means in the API. Shared by the list page, export and bulk actions.
"""

from dataclasses import dataclass
from typing import cast
from urllib.parse import urlencode

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.http import QueryDict
from django.utils.text import capfirst

from core.context import Actor
from core.fields import kind_of, own_field
from core.filters import FilterError, filter_queryset, filters_for, order_queryset
from core.models import SavedFilter, Tag, UserPreference
from core.querysets import restricted, role_allows, visibility
from core.registry import ObjectSpec, registry
from frontend.forms import PickerField, label_choices, object_type_choices
from frontend.tables import sortable_names

# Parameters of the page itself, never filters.
PAGE_PARAMS = {"sort", "per_page", "page", "export", "return_url"}


@dataclass
class Listing:
    queryset: models.QuerySet
    errors: dict[str, list[str]]
    sort: str


def filtered(spec: ObjectSpec, actor: Actor, params: QueryDict, action: str = "view") -> Listing:
    """The objects `actor` may `action` that match `params`; a bad filter value gives no rows and errors."""
    queryset: models.QuerySet = restricted(spec.model, actor, action)
    filters = params.copy()
    for name in PAGE_PARAMS:
        filters.pop(name, None)
    for name in list(filters):  # a filter form's empty fields filter nothing
        values = [value for value in filters.getlist(name) if value != ""]
        if values:
            filters.setlist(name, values)
        else:
            del filters[name]
    errors: dict[str, list[str]] = {}
    try:
        queryset = filter_queryset(queryset, spec, filters)
    except FilterError as error:
        errors = error.errors
        queryset = queryset.none()
    sort = params.get("sort", "")
    if sort.lstrip("-") in sortable_names(spec):
        queryset = order_queryset(queryset, spec, QueryDict(f"ordering={sort}"))
    else:
        sort = ""
        queryset = order_queryset(queryset, spec, QueryDict())
    return Listing(queryset=queryset, errors=errors, sort=sort)


def without_empty(params: QueryDict) -> QueryDict | None:
    """`params` without its empty values (a GET form's blank fields), or None when none was empty."""
    if all(value != "" for _, values in params.lists() for value in values):
        return None
    clean = QueryDict(mutable=True)
    for name, values in params.lists():
        if kept := [value for value in values if value != ""]:
            clean.setlist(name, kept)
    return clean


# -- active filters as chips -------------------------------------------------------------------

# Words for the REST filters' lookup suffixes (core.filters), as a chip says them.
LOOKUP_WORDS = {
    "n": "is not", "ic": "contains", "nic": "does not contain", "isw": "starts with", "nisw": "does not start with",
    "iew": "ends with", "niew": "does not end with", "ie": "is", "nie": "is not", "regex": "matches",
    "iregex": "matches", "lt": "<", "lte": "≤", "gt": ">", "gte": "≥", "empty": "empty",
}  # fmt: skip


@dataclass(frozen=True)
class Chip:
    """One active filter value: "Site: Amsterdam 1", and the list without it."""

    name: str
    label: str
    value: str
    remove_url: str


def filter_chips(spec: ObjectSpec, form: forms.Form, params: QueryDict) -> list[Chip]:
    """Every filter value of `params` as a chip, labelled by the filter form (readable names of chosen
    objects and choices, already looked up there: no query of its own). Values the form does not know
    (an object the member may not see, a lookup the form has no field for) are shown as given."""
    chips = []
    for name, values in params.lists():
        if name in PAGE_PARAMS:
            continue
        label, names = _filter_label(spec, form, name)
        for value in values:
            if value == "":
                continue
            rest = QueryDict(mutable=True)
            for other, others in params.lists():
                kept = [v for v in others if v != "" and not (other == name and v == value) and other != "page"]
                if kept:
                    rest.setlist(other, kept)
            chips.append(Chip(name=name, label=label, value=names.get(value, value), remove_url=_query_url(rest)))
    return chips


def clear_filters_url(params: QueryDict) -> str:
    """The list without any filter, keeping its sort order and page size."""
    return _query_url(QueryDict(urlencode({key: params[key] for key in ("sort", "per_page") if params.get(key)})))


def _query_url(query: QueryDict) -> str:
    return f"?{query.urlencode()}" if query else "?"


def _filter_label(spec: ObjectSpec, form: forms.Form, name: str) -> tuple[str, dict[str, str]]:
    """A filter parameter's label and its values' readable names."""
    if name in form.fields:
        field = form.fields[name]
        choices = field.widget.choices if isinstance(field, PickerField) else getattr(field, "choices", [])
        return str(field.label), {str(value): str(text) for value, text in choices if value != ""}
    base, _, lookup = name.partition("__")
    if base == "q":
        return "Search", {}
    try:
        label = _verbose(spec.model._meta.get_field(base.removesuffix("_id")))
    except FieldDoesNotExist:  # a filter named otherwise than a field: custom fields, counts, NetBox aliases
        label = capfirst(base.removeprefix("cf_").replace("_", " "))
    if lookup:
        label = f"{label} {LOOKUP_WORDS.get(lookup, lookup)}"
    return label, {}


# -- which rows the member may edit or delete ---------------------------------------------------


def row_permissions(spec: ObjectSpec, actor: Actor, can: dict[str, bool], pks: list[int]) -> dict[str, set[int]]:
    """The rows of `pks` the member may change and delete, as the detail page decides for one object:
    the type's permission, then the object within the member's grant. One query per action at most, and
    none when the role grants every row."""
    allowed_rows: dict[str, set[int]] = {}
    for action in ("change", "delete"):
        if not can.get(action) or not pks:
            allowed_rows[action] = set()
        elif (
            actor.is_system
            or actor.is_superuser
            or (role_allows(actor, spec.model, action) and visibility(actor, spec.model) is None)
        ):
            allowed_rows[action] = set(pks)
        else:
            allowed_rows[action] = set(
                restricted(spec.model, actor, action).filter(pk__in=pks).values_list("pk", flat=True)
            )
    return allowed_rows


# -- per-user table preferences ----------------------------------------------------------------


def preference_key(spec: ObjectSpec) -> str:
    return f"tables.{spec.label}"


def table_preference(spec: ObjectSpec, actor: Actor) -> dict:
    if actor.user_id is None:
        return {}
    found = UserPreference.objects.filter(user_id=actor.user_id, key=preference_key(spec)).first()
    return found.value if found is not None and isinstance(found.value, dict) else {}


def table_preference_save(*, spec: ObjectSpec, actor: Actor, columns: list[str] | None, size: int | None) -> None:
    """Remember the member's columns, in the order given, and page size for `spec`'s list."""
    value = table_preference(spec, actor)
    if columns is not None:
        value["columns"] = columns
    if size is not None:
        value["per_page"] = size
    UserPreference.objects.update_or_create(user_id=actor.user_id, key=preference_key(spec), defaults={"value": value})


# -- saved filters -----------------------------------------------------------------------------


def saved_filters(spec: ObjectSpec, actor: Actor) -> list[SavedFilter]:
    content_type = ContentType.objects.get_for_model(spec.model)
    mine = Q(shared=True) | Q(user_id=actor.user_id)
    found = list(
        SavedFilter.objects.restrict(actor, "view")
        .filter(mine, enabled=True, object_types=content_type)
        .order_by("weight", "name")
    )
    for saved in found:
        saved.query_string = _query_string(saved.parameters)
    return found


def _query_string(parameters) -> str:
    query = QueryDict(mutable=True)
    if isinstance(parameters, dict):
        for key, value in parameters.items():
            query.setlist(str(key), [str(v) for v in (value if isinstance(value, list) else [value])])
    return query.urlencode()


# -- the filter form ---------------------------------------------------------------------------


def filter_form(spec: ObjectSpec, actor: Actor, params: QueryDict) -> forms.Form:
    """A form for the most useful filters of the model, derived from its fields (all optional)."""
    available = filters_for(spec.model)
    fields: dict[str, forms.Field] = {
        "q": forms.CharField(
            required=False, label="Search", widget=forms.TextInput(attrs={"class": "form-control", "type": "search"})
        )
    }
    for field in spec.model._meta.get_fields():
        if field.auto_created and not field.concrete:
            continue
        target = field.related_model if field.is_relation else None
        related = registry.find(target) if isinstance(target, type) else None  # None: a generic foreign key
        kind = kind_of(field)
        if field.is_relation and field.related_model is ContentType:
            name = field.name.removesuffix("s") if field.many_to_many else field.name
            if name in available:
                fields[name] = forms.MultipleChoiceField(
                    choices=object_type_choices(), required=False, label=_verbose(field),
                    widget=forms.SelectMultiple(attrs={"class": "form-select"}),
                )  # fmt: skip
        elif related is not None and f"{field.name}_id" in available:
            fields[f"{field.name}_id"] = PickerField(related, multiple=True, required=False, label=_verbose(field))
            if kind.lookups == "owner" and f"{field.name}_group_id" in available:  # NetBox's owner group filter
                group = registry.get(cast(type[models.Model], related.model._meta.get_field("group").related_model))
                fields[f"{field.name}_group_id"] = PickerField(
                    group, multiple=True, required=False, label=capfirst(group.model._meta.verbose_name)
                )
        elif getattr(field, "choices", None) and field.name in available and not field.is_relation:
            fields[field.name] = forms.MultipleChoiceField(
                choices=own_field(field).flatchoices, required=False, label=_verbose(field),
                widget=forms.SelectMultiple(attrs={"class": "form-select"}),
            )  # fmt: skip
        elif kind.lookups == "boolean" and field.name in available:
            fields[field.name] = forms.ChoiceField(
                choices=[("", "Any"), ("true", "Yes"), ("false", "No")], required=False, label=_verbose(field),
                widget=forms.Select(attrs={"class": "form-select"}),
            )  # fmt: skip
        if kind.html_input and f"{field.name}__gte" in available:
            for lookup, word in (("gte", "after"), ("lte", "before")):
                fields[f"{field.name}__{lookup}"] = forms.CharField(
                    required=False, label=f"{_verbose(field)} {word}",
                    widget=forms.DateTimeInput(attrs={"class": "form-control", "type": kind.html_input}),
                )  # fmt: skip
    if "tag_id" in available:
        fields["tag_id"] = PickerField(registry.get(Tag), multiple=True, required=False, label="Tags")
    form = type(f"{spec.model.__name__}FilterForm", (forms.Form,), fields)(params)
    for name, field in form.fields.items():
        if isinstance(field, PickerField):
            label_choices(field, params.getlist(name), actor)
    return form


def _verbose(field) -> str:
    return capfirst(getattr(field, "verbose_name", field.name))
