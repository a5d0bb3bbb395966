"""The list of a registered model as the request asks for it: filtered, sorted, paginated.

Filtering uses the REST API's filter engine, so `/dcim/sites/?region_id=3&status=active` in the
UI means exactly what it means in the API. Shared by the list page, export and bulk actions.
"""

from dataclasses import dataclass
from typing import cast

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Q
from django.http import QueryDict
from django.utils.text import capfirst

from core.context import Actor
from core.fields import kind_of, own_field
from core.filters import FilterError, filter_queryset, filters_for, order_queryset
from core.models import SavedFilter, Tag, UserPreference
from core.querysets import restricted
from core.registry import ObjectSpec, registry
from frontend.forms import PickerField, label_choices, object_type_choices
from frontend.tables import sortable_names

PER_PAGE_CHOICES = (25, 50, 100, 250, 500, 1000)
DEFAULT_PER_PAGE = 50
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


def per_page(params: QueryDict, preference: dict) -> int:
    try:
        value = int(params.get("per_page") or preference.get("per_page") or DEFAULT_PER_PAGE)
    except ValueError:
        value = DEFAULT_PER_PAGE
    return max(1, min(value, PER_PAGE_CHOICES[-1]))


def paginate(queryset, params: QueryDict, size: int):
    paginator = Paginator(queryset, size)
    return paginator.get_page(params.get("page"))


# -- per-user table preferences ----------------------------------------------------------------


def preference_key(spec: ObjectSpec) -> str:
    return f"tables.{spec.label}"


def table_preference(spec: ObjectSpec, actor: Actor) -> dict:
    if actor.user_id is None:
        return {}
    found = UserPreference.objects.filter(user_id=actor.user_id, key=preference_key(spec)).first()
    return found.value if found is not None and isinstance(found.value, dict) else {}


def table_preference_save(*, spec: ObjectSpec, actor: Actor, columns: list[str] | None, size: int | None) -> None:
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
