"""NetBox's list filters, derived from a registered model's fields.

`name=a&name=b` ORs; lookup suffixes as NetBox (`__n`, `__ic`, `__nic`, `__isw`, `__nisw`,
`__iew`, `__niew`, `__ie`, `__nie`, `__empty`, `__regex`, `__iregex` for text; `__n`, `__lt`,
`__lte`, `__gt`, `__gte`, `__empty` for numbers and dates); related objects by `<field>_id=`
and, when they have a slug, `<field>=<slug>` (trees include descendants); `q=` free text over
the registration's `search_fields` (unless it declares a `q` filter of its own); `tag=` (all of),
`tag__n=` (none of), `tag_id=`;
`ordering=a,-b`. Object types (content types) by NetBox's label or id: `<field>=dcim.site`,
`<field>_id=<id>` (many-to-many fields in the singular, as NetBox: `object_type` for
`object_types`); an owner by id or name and by its group (`owner_group_id=`, `owner_group=`);
arrays by any of their items (`actions=view&actions=add`); UUIDs exactly.
Unknown parameters are ignored, as NetBox does; bad values are a 400.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import DataError, connection, models, transaction
from django.db.models import Q
from django.db.models.fields.json import KeyTransform
from mptt.models import MPTTModel

from core.fields import has_tags, kind_of, parse_bool, parse_datetime, parse_float, parse_int
from core.registry import ObjectSpec, object_type_for, registry
from core.representation import count_attribute, related_count
from tenants.inputs import parse_date_bounded, unstorable_text

RESERVED = frozenset(
    {"limit", "offset", "start", "brief", "fields", "omit", "ordering", "format", "exclude_m2m", "exclude", "export"}
)
TEXT_LOOKUPS = {
    "ic": ("icontains", False),
    "nic": ("icontains", True),
    "isw": ("istartswith", False),
    "nisw": ("istartswith", True),
    "iew": ("iendswith", False),
    "niew": ("iendswith", True),
    "ie": ("iexact", False),
    "nie": ("iexact", True),
    "regex": ("regex", False),
    "iregex": ("iregex", False),
}
RANGE_LOOKUPS = ("lt", "lte", "gt", "gte")


class FilterError(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


Apply = Callable[[models.QuerySet, list[str]], models.QuerySet]


@dataclass(frozen=True)
class Filter:
    apply: Apply


def _parse(name: str, values: list[str], parse) -> list:
    parsed: list[Any] = []
    for value in values:
        if value.lower() == "null":
            parsed.append(None)
            continue
        result = parse(value)
        if result is None:
            raise FilterError({name: [f"“{value}” is not a valid value."]})
        parsed.append(result)
    return parsed


def _in(path: str, values: list, *, negate: bool = False) -> Q:
    q = Q()
    present = [value for value in values if value is not None]
    if present:
        q |= Q(**{f"{path}__in": present})
    if len(present) != len(values):
        q |= Q(**{f"{path}__isnull": True})
    return ~q if negate else q


def _exact_filters(name: str, path: str, parse) -> dict[str, Filter]:
    return {
        name: Filter(lambda qs, v: qs.filter(_in(path, _parse(name, v, parse)))),
        f"{name}__n": Filter(lambda qs, v: qs.filter(_in(path, _parse(name, v, parse), negate=True))),
    }


def _empty_filter(name: str, path: str, text: bool) -> Filter:
    def apply(qs, values):
        wanted = _parse(f"{name}__empty", values[-1:], parse_bool)[0]
        empty = Q(**{f"{path}__isnull": True}) | (Q(**{path: ""}) if text else Q())
        return qs.filter(empty if wanted else ~empty)

    return Filter(apply)


def _check_regex(label: str, value: str, lookup: str) -> None:
    """Refuse what PostgreSQL would reject mid-query (a 500) with a 400 instead.

    PostgreSQL's regular expressions (ARE) are not Python's, so PostgreSQL judges: the pattern is
    tried on an empty string inside a savepoint, which a rejection rolls back alone."""
    operator = "~*" if lookup == "iregex" else "~"
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT '' {operator} %s", [value])
    except DataError as error:
        reason = str(error).strip().splitlines()[0].removeprefix("invalid regular expression: ")
        raise FilterError({label: [f"Invalid regular expression: {reason}"]}) from None


def _text_filters(name: str, path: str) -> dict[str, Filter]:
    filters = _exact_filters(name, path, str)
    for suffix, (lookup, negate) in TEXT_LOOKUPS.items():

        def apply(qs, values, lookup=lookup, negate=negate, label=f"{name}__{suffix}"):
            q = Q()
            for value in values:
                if lookup in ("regex", "iregex"):
                    _check_regex(label, value, lookup)
                q |= Q(**{f"{path}__{lookup}": value})
            return qs.exclude(q) if negate else qs.filter(q)

        filters[f"{name}__{suffix}"] = Filter(apply)
    filters[f"{name}__empty"] = _empty_filter(name, path, text=True)
    return filters


def _range_filters(name: str, path: str, parse) -> dict[str, Filter]:
    filters = _exact_filters(name, path, parse)
    for lookup in RANGE_LOOKUPS:

        def apply(qs, values, lookup=lookup, label=f"{name}__{lookup}"):
            for raw, value in zip(values, _parse(label, values, parse), strict=True):
                if value is None:  # "null": nothing is less or greater than it
                    raise FilterError({label: [f"“{raw}” is not a valid value."]})
                qs = qs.filter(**{f"{path}__{lookup}": value})
            return qs

        filters[f"{name}__{lookup}"] = Filter(apply)
    filters[f"{name}__empty"] = _empty_filter(name, path, text=False)
    return filters


def _related_filters(field) -> dict[str, Filter]:
    related = field.related_model
    return path_filters(field.name, field.name, related, tree=False)


def _tree_node_filters(field) -> dict[str, Filter]:
    """A tree: `region_id=5` means region 5 or any region below it."""
    return path_filters(field.name, field.name, field.related_model, tree=True)


def path_filters(
    name: str, path: str, related, *, tree: bool | None = None, many: bool = False, attribute: str = "slug"
) -> dict[str, Filter]:
    """NetBox's filters on an object reached through `path`: `<name>_id=` by id and, when it has one,
    `<name>=` by `attribute` (its slug; a rack's `region_id=` is `site__region`); on a tree (`tree`, by
    default when `related` is one) a node stands for itself and everything below it; `__n` negates;
    unknown objects are a 400. `many`: the path crosses a many-valued relation, so rows are matched once
    (a subquery)."""
    if tree is None:
        tree = issubclass(related, MPTTModel)
    filters: dict[str, Filter] = {}
    own = {field.name: field for field in related._meta.concrete_fields}
    # The attribute's values parse as its kind does (an ASN's number is an integer, a slug a string).
    by_attribute = (kind_of(own[attribute]).parse or str) if attribute in own else str
    for filter_name, key, parse in ((f"{name}_id", "pk", parse_int), (name, attribute, by_attribute)):
        if key != "pk" and key not in own:
            continue
        if tree:
            filters[filter_name] = Filter(_subtree_filter(path, related, key, filter_name, parse, negate=False))
            filters[f"{filter_name}__n"] = Filter(_subtree_filter(path, related, key, filter_name, parse, negate=True))
        else:
            filters.update(
                _existing_filters(filter_name, path if key == "pk" else f"{path}__{key}", related, key, parse)
            )
    if many:
        filters = {label: Filter(_once_per_row(definition.apply)) for label, definition in filters.items()}
    return filters


def _once_per_row(apply: Apply) -> Apply:
    return lambda qs, values: qs.filter(pk__in=apply(qs.model._base_manager.all(), values).values("pk"))


def _subtree(model, key: str, values: list):
    """The nodes whose `key` is in `values`, and every node below them (one query, as a subquery)."""
    return model._tree_manager.filter(**{f"{key}__in": values}).get_descendants(include_self=True)


def _subtree_filter(path: str, related, key: str, label: str, parse, *, negate: bool) -> Apply:
    def apply(qs, values):
        parsed = _parse(label, values, parse)
        present = [value for value in parsed if value is not None]
        _check_exist(related, key, label, present)
        q = Q(**{f"{path}__in": _subtree(related, key, present)}) if present else Q(pk__in=[])
        if len(present) != len(parsed):
            q |= Q(**{f"{path}__isnull": True})
        return qs.exclude(q) if negate else qs.filter(q)

    return apply


def _not_a_choice(label: str, value) -> FilterError:
    return FilterError({label: [f"Select a valid choice. {value} is not one of the available choices."]})


def no_groups_filters() -> dict[str, Filter]:
    """NetBox's user-group filters (`group_id`, `group`, each with `__n`) where Wirebook has no user
    groups: no value can name one, so any is NetBox's 400 for an unknown (or malformed) group."""

    def refuse(label: str, by_id: bool) -> Filter:
        def apply(qs, values):
            value = values[0]
            if by_id and parse_int(value) is None:
                raise FilterError({label: [f"“{value}” is not a valid value."]})
            raise _not_a_choice(label, value)

        return Filter(apply)

    return {
        f"{name}{suffix}": refuse(f"{name}{suffix}", name == "group_id")
        for name in ("group_id", "group")
        for suffix in ("", "__n")
    }


def _check_exist(model, key: str, label: str, values: list) -> None:
    """NetBox answers 400 when a filter names an object that does not exist (netbox#5129)."""
    present = [value for value in values if value is not None]
    if not present:
        return
    found = set(model._base_manager.filter(**{f"{key}__in": present}).values_list(key, flat=True))
    for value in present:
        if value not in found:
            raise _not_a_choice(label, value)


def _existing_filters(label: str, path: str, model, key: str, parse) -> dict[str, Filter]:
    """`label=` / `label__n=` matching `path`, where every value must name an existing object."""

    def apply(negate):
        def run(qs, values):
            parsed = _parse(label if not negate else f"{label}__n", values, parse)
            _check_exist(model, key, label if not negate else f"{label}__n", parsed)
            return qs.filter(_in(path, parsed, negate=negate))

        return run

    return {label: Filter(apply(False)), f"{label}__n": Filter(apply(True))}


def _choice_filters(name: str, choices) -> dict[str, Filter]:
    valid = {str(value) for value, _label in choices}

    def parse(value):
        if value not in valid:
            raise _not_a_choice(name, value)
        return value

    filters = _exact_filters(name, name, parse)
    filters[f"{name}__empty"] = _empty_filter(name, name, text=True)
    return filters


def _owner_filters(field) -> dict[str, Filter]:
    """NetBox's filters on an object's owner: `owner_id=`, `owner=<name>`, and the owner's group,
    `owner_group_id=`, `owner_group=<name>` (each with `__n`; unknown ones are a 400)."""
    owner = field.related_model
    group = owner._meta.get_field("group").related_model
    return {
        **path_filters(field.name, field.name, owner, attribute="name"),
        **path_filters(f"{field.name}_group", f"{field.name}__group", group, attribute="name"),
    }


def _tree_filters(spec: ObjectSpec) -> dict[str, Filter]:
    model = spec.model

    def ancestor(key, label, parse):
        return lambda qs, values: qs.filter(pk__in=_subtree(model, key, _parse(label, values, parse)))

    filters = {"ancestor_id": Filter(ancestor("pk", "ancestor_id", parse_int))}
    # By slug, where the tree has one (inventory items have none: NetBox filters them by id only).
    if any(field.name == "slug" for field in model._meta.get_fields()):
        filters["ancestor"] = Filter(ancestor("slug", "ancestor", str))
    return filters


def _object_type_filters(field) -> dict[str, Filter]:
    """A relation to ContentType, as NetBox filters it: by label (`dcim.site`; unknown labels match
    nothing) and by id. Many-to-many fields are named in the singular and matched by a subquery, so
    an object with several matching types is listed once."""
    name = field.name.removesuffix("s") if field.many_to_many else field.name
    path = field.name

    def wanted(label: str, values: list[str], by_id: bool) -> list:
        if by_id:
            return _parse(label, values, parse_int)
        types: list[int | None] = []
        for value in values:
            if value.lower() == "null":
                types.append(None)
            elif (content_type := object_type_for(value)) is not None:
                types.append(content_type.pk)
        return types

    def matching(label: str, values: list[str], by_id: bool) -> Q:
        types = wanted(label, values, by_id)
        if not types:
            return Q(pk__in=[])
        q = _in(path, types)
        return Q(pk__in=field.model._base_manager.filter(q).values("pk")) if field.many_to_many else q

    filters = {}
    for filter_name, by_id in ((name, False), (f"{name}_id", True)):
        for negate in (False, True):
            label = f"{filter_name}__n" if negate else filter_name

            def apply(qs, values, label=label, by_id=by_id, negate=negate):
                q = matching(label, values, by_id)
                return qs.exclude(q) if negate else qs.filter(q)

            filters[label] = Filter(apply)
    return filters


def _array_filters(field, parse) -> dict[str, Filter]:
    """`actions=view&actions=add`: arrays holding any of the values; `__n`: none of them; `__empty`."""
    name = field.name

    def overlapping(label: str, values: list[str]) -> Q:
        return Q(**{f"{name}__overlap": [value for value in _parse(label, values, parse) if value is not None]})

    def empty(qs, values):
        wanted = _parse(f"{name}__empty", values[-1:], parse_bool)[0]
        q = Q(**{f"{name}__isnull": True}) | Q(**{name: []})
        return qs.filter(q) if wanted else qs.exclude(q)

    return {
        name: Filter(lambda qs, values: qs.filter(overlapping(name, values))),
        f"{name}__n": Filter(lambda qs, values: qs.exclude(overlapping(f"{name}__n", values))),
        f"{name}__empty": Filter(empty),
    }


def _tag_filters() -> dict[str, Filter]:
    from django.apps import apps

    tag_model = apps.get_model("core", "Tag")

    def parsed(label, values, parse, key):
        result = _parse(label, values, parse)
        _check_exist(tag_model, key, label, result)
        return result

    def all_of(key, parse, label):
        def apply(qs, values):
            for value in parsed(label, values, parse, key):
                qs = qs.filter(**{f"tagged_items__tag__{key}": value})
            return qs

        return apply

    def none_of(key, parse, label):
        return lambda qs, values: qs.exclude(**{f"tagged_items__tag__{key}__in": parsed(label, values, parse, key)})

    return {
        "tag": Filter(all_of("slug", str, "tag")),
        "tag__n": Filter(none_of("slug", str, "tag__n")),
        "tag_id": Filter(all_of("pk", parse_int, "tag_id")),
        "tag_id__n": Filter(none_of("pk", parse_int, "tag_id__n")),
    }


def _field_filters(model: type[models.Model], field) -> dict[str, Filter]:
    """The filters of one field, by the lookups its kind offers (core.fields)."""
    kind = kind_of(field)
    name, lookups, parse = field.name, kind.lookups, kind.parse
    if lookups in ("relation", "tree"):
        if registry.find(field.related_model) is None and field.related_model is not model:
            return {}
        return _tree_node_filters(field) if lookups == "tree" else _related_filters(field)
    if lookups == "object_type":
        return _object_type_filters(field)
    if lookups == "owner":
        return _owner_filters(field)
    if lookups == "array":
        return _array_filters(field, parse)
    if lookups == "exact":
        return _exact_filters(name, name, parse)
    if lookups == "boolean":
        return {name: Filter(lambda qs, v: qs.filter(**{name: _parse(name, v[-1:], parse)[0]}))}
    if lookups == "choice":
        return _choice_filters(name, field.flatchoices)
    if lookups == "text":
        return _text_filters(name, name)
    if lookups == "range":
        return _range_filters(name, name, parse)
    return {}  # free-form JSON, generic relations (tags have their own filters; others declare theirs)


def flag_filter(name: str, condition: Q) -> Filter:
    """`<name>=true` keeps the rows matching `condition`, `false` the others (NetBox's `has_front_image=`)."""

    def apply(qs, values):
        wanted = _parse(name, values[-1:], parse_bool)[0]
        if wanted is None:
            raise FilterError({name: [f"“{values[-1]}” is not a valid value."]})
        return qs.filter(condition) if wanted else qs.exclude(condition)

    return Filter(apply)


def number_filter(name: str, condition: Callable[[list[int]], Q]) -> Filter:
    """`<name>=5&<name>=7`: the rows matching `condition([5, 7])` (whole numbers; "null" is refused)."""

    def apply(qs, values):
        numbers = _parse(name, values, parse_int)
        if None in numbers:
            raise FilterError({name: ["“null” is not a valid value."]})
        return qs.filter(condition(numbers))

    return Filter(apply)


@functools.cache
def filters_for(model: type[models.Model]) -> dict[str, Filter]:
    spec = registry.get(model)
    filters: dict[str, Filter] = {}
    for field in model._meta.get_fields():
        if (field.auto_created and not field.concrete) or field.name in ("custom_field_data", "lft", "rght", "tree_id"):
            continue
        filters.update(_field_filters(model, field))
    if issubclass(model, MPTTModel):
        filters.update(_tree_filters(spec))
    if has_tags(model):
        filters.update(_tag_filters())
    filters.update(spec.filters)
    return filters


# -- custom fields: `cf_<name>[__<lookup>]`, defined per organization (data), so built per request ------

CUSTOM_FIELD_PREFIX = "cf_"
TEXT_TYPES = ("text", "longtext", "url", "select")
RANGE_TYPES = ("integer", "decimal", "date", "datetime")


def custom_field_filters(spec: ObjectSpec, names: list[str]) -> dict[str, Filter]:
    """Filters for the `cf_` parameters that name a custom field of this model (one query, none if no `cf_`)."""
    if not names:
        return {}
    from core.customfields import definitions_for, supports_custom_fields

    if not supports_custom_fields(spec.model):
        return {}
    wanted = {name[len(CUSTOM_FIELD_PREFIX) :].partition("__")[0] for name in names}
    definitions = definitions_for(spec.model, names=wanted)
    filters: dict[str, Filter] = {}
    for field in definitions.values():
        if field.filter_logic != "disabled":
            filters.update(_custom_field_filters(field))
    return filters


def _custom_field_filters(field) -> dict[str, Filter]:
    name, path, kind = f"{CUSTOM_FIELD_PREFIX}{field.name}", f"custom_field_data__{field.name}", field.type
    if kind in TEXT_TYPES:
        filters = _json_text_filters(name, path)
        if kind != "select" and field.filter_logic == "loose":
            filters[name] = _json_filter(name, path, str, lookup="icontains")
        return filters
    if kind in RANGE_TYPES:
        parse: Callable[[str], Any] = {
            "integer": parse_int,
            "decimal": parse_float,
            "date": _json_date,
            "datetime": _json_datetime,
        }[kind]
        filters = _json_exact_filters(name, path, parse)
        for lookup in RANGE_LOOKUPS:
            filters[f"{name}__{lookup}"] = _json_range_filter(f"{name}__{lookup}", f"{path}__{lookup}", parse)
        return filters
    if kind == "boolean":
        return {
            name: Filter(lambda qs, v: qs.filter(**{path: _parse(name, v[-1:], parse_bool)[0]})),
            f"{name}__empty": _json_empty_filter(name, path),
        }
    if kind == "object":
        return _json_exact_filters(name, path, parse_int)
    if kind in ("multiselect", "multiobject"):
        parse = parse_int if kind == "multiobject" else str
        return {
            name: _json_filter(name, path, parse, lookup="contains"),
            f"{name}__n": _json_filter(f"{name}__n", path, parse, lookup="contains", negate=True),
            f"{name}__empty": _json_empty_filter(name, path),
        }
    return {}  # json: not filterable, as in NetBox


def _json_date(value: str):
    day = parse_date_bounded(value)
    return day.isoformat() if day else None


def _json_datetime(value: str):
    moment = parse_datetime(value)
    if moment is None:
        return None
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _json_empty(path: str) -> Q:
    # A key may be absent, JSON null, or an empty string or list.
    return Q(**{f"{path}__isnull": True}) | Q(**{path: None}) | Q(**{path: ""}) | Q(**{path: []})


def _excluding(qs, q: Q):
    # NOT on a missing key is NULL in SQL and would drop the row: exclude by primary key instead.
    return qs.exclude(pk__in=qs.model._base_manager.filter(q).values("pk"))


def _json_filter(name: str, path: str, parse, *, lookup: str | None = None, negate: bool = False) -> Filter:
    def apply(qs, values):
        q = Q()
        for value in _parse(name, values, parse):
            if value is None:
                q |= _json_empty(path)
                continue
            if lookup in ("regex", "iregex"):
                _check_regex(name, value, lookup)
            if lookup == "contains":
                q |= Q(**{f"{path}__contains": [value]})
            else:
                q |= Q(**{f"{path}__{lookup}" if lookup else path: value})
        return _excluding(qs, q) if negate else qs.filter(q)

    return Filter(apply)


def _json_exact_filters(name: str, path: str, parse) -> dict[str, Filter]:
    return {
        name: _json_filter(name, path, parse),
        f"{name}__n": _json_filter(f"{name}__n", path, parse, negate=True),
        f"{name}__empty": _json_empty_filter(name, path),
    }


def _json_text_filters(name: str, path: str) -> dict[str, Filter]:
    filters = _json_exact_filters(name, path, str)
    for suffix, (lookup, negate) in TEXT_LOOKUPS.items():
        filters[f"{name}__{suffix}"] = _json_filter(f"{name}__{suffix}", path, str, lookup=lookup, negate=negate)
    return filters


def _json_range_filter(name: str, path: str, parse) -> Filter:
    def apply(qs, values):
        for value in _parse(name, values, parse):
            if value is not None:
                # JSON null sorts below every number and string: leave it (and missing keys) out.
                qs = qs.filter(**{path: value}).exclude(**{path.rpartition("__")[0]: None})
        return qs

    return Filter(apply)


def _json_empty_filter(name: str, path: str) -> Filter:
    def apply(qs, values):
        wanted = _parse(f"{name}__empty", values[-1:], parse_bool)[0]
        return qs.filter(_json_empty(path)) if wanted else _excluding(qs, _json_empty(path))

    return Filter(apply)


def search(queryset, spec: ObjectSpec, text: str):
    text = text.strip()
    if not text:
        return queryset
    q = Q()
    for field in spec.search.fields:
        q |= Q(**{f"{field}__icontains": text})
    return queryset.filter(q)


def filter_queryset(queryset, spec: ObjectSpec, params) -> models.QuerySet:
    """Apply every recognised filter in `params` (a QueryDict). Raises FilterError on bad values."""
    available = filters_for(spec.model)
    errors: dict[str, list[str]] = {}
    custom = custom_field_filters(spec, [name for name in params if name.startswith(CUSTOM_FIELD_PREFIX)])
    for name in params:
        if name in RESERVED:
            continue
        # An empty value filters nothing (`?id=`), as django-filter reads it.
        values = [value for value in params.getlist(name) if value != ""]
        if not values:
            continue
        # Requests were checked by tenants.inputs' middleware; GraphQL's string escapes decode later.
        if (problem := next(filter(None, map(unstorable_text, values)), None)) is not None:
            errors[name] = [problem]
            continue
        if name == "q" and name not in available:  # a registration may give its own `q` (IP space by containment)
            queryset = search(queryset, spec, values[-1])
            continue
        definition = custom.get(name) if name.startswith(CUSTOM_FIELD_PREFIX) else available.get(name)
        if definition is None:
            continue
        try:
            queryset = definition.apply(queryset, values)
        except FilterError as exc:
            errors.update(exc.errors)
    if errors:
        raise FilterError(errors)
    return queryset


def _order_key(spec: ObjectSpec, part: str) -> str:
    """An ordering term on the column it names: a count by its annotation (core.representation.count_attribute)."""
    name = part.lstrip("-")
    if name not in spec.api.counts:
        return part
    return part[: len(part) - len(name)] + count_attribute(spec.model, name)


def _custom_field_order(spec: ObjectSpec, requested: list[str]) -> dict[str, Any]:
    """Ordering terms for the `cf_<name>` parts that name a custom field of the model: by its stored value,
    a missing or null value before the others or after them as the field's `nulls_first` says."""
    names = {
        part.lstrip("-")[len(CUSTOM_FIELD_PREFIX) :]
        for part in requested
        if part.lstrip("-").startswith(CUSTOM_FIELD_PREFIX)
    }
    if not names:
        return {}
    from core.customfields import definitions_for, supports_custom_fields

    if not supports_custom_fields(spec.model):
        return {}
    terms: dict[str, Any] = {}
    for name, field in definitions_for(spec.model, names=names).items():
        value = models.Func(
            KeyTransform(name, "custom_field_data"),
            template="NULLIF(%(expressions)s, 'null'::jsonb)",
            output_field=models.JSONField(),
        )
        nulls = {"nulls_first": True} if field.nulls_first else {"nulls_last": True}
        terms[f"{CUSTOM_FIELD_PREFIX}{name}"] = value.asc(**nulls)
        terms[f"-{CUSTOM_FIELD_PREFIX}{name}"] = value.desc(**nulls)
    return terms


def order_queryset(queryset, spec: ObjectSpec, params) -> models.QuerySet:
    requested = [part.strip() for part in params.get("ordering", "").split(",") if part.strip()]
    allowed = {field.name for field in spec.model._meta.concrete_fields} | set(spec.api.counts) | {"id"}
    custom = _custom_field_order(spec, requested)
    ordering = [
        custom[part] if part in custom else _order_key(spec, part)
        for part in requested
        if part in custom or part.lstrip("-") in allowed
    ]
    for name in {part.lstrip("-") for part in requested} & set(spec.api.counts):
        # a count the rows do not show (a brief list's, the UI's before its columns are chosen) is annotated for
        # the ordering alone
        if (attribute := count_attribute(spec.model, name)) not in queryset.query.annotations:
            queryset = queryset.annotate(**{attribute: related_count(spec.model, spec.api.counts[name])})
    if ordering:
        return queryset.order_by(*ordering, "pk")
    default = list(spec.model._meta.ordering or [])
    if issubclass(spec.model, MPTTModel):
        default = ["tree_id", "lft"]
    return queryset.order_by(*default, "pk")
