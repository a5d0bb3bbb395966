"""NetBox's JSON representation of registered objects, derived from the registry.

Every object: `id`, `url`, `display_url`, `display`, its fields (related objects nested in
their brief form, choices as `{value, label}`), `tags`, `custom_fields`, `created`,
`last_updated` and the counts the registration declares. Renderers are built once per model;
list queries get the `select_related` / `prefetch_related` they need (`optimize`), so a page
costs the same number of queries whatever its length.

The renderer table (`_renderer`) has identity (`id`, `url`, `display`), tags, custom fields, counts,
related objects and many-to-many fields, the registration's renderers, and for every other field the
renderer of its kind (core.fields: plain values, dates, decimals, choices), each a function
`(obj, links) -> JSON value` built once per model. Lists go through `render_many`, which runs the
table once per row and shares what rows have in common within one response: a related object
(a site's region) is rendered once however many rows point at it, tags are loaded for the whole
page in one query (Django's generic-relation prefetch builds a queryset per row) and rendered
once per tag, custom field definitions are read once.
"""

import functools
from collections.abc import Callable, Set
from typing import Any, NamedTuple, cast

from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import connection, models
from django.db.models.constants import LOOKUP_SEP
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce
from django.db.models.sql import Query
from django.urls import get_script_prefix
from mptt.models import MPTTModel

from core.fields import kind_of, listed, listed_prefetch, own_field, reverse_relation, typed_renderer
from core.models import Tag, TaggedItem
from core.models.base import BaseModel, ChangeLoggedModel
from core.registry import ObjectSpec, registry

INTERNAL_FIELDS = {"custom_field_data", "lft", "rght", "tree_id", "level", "tagged_items"}
# A tag nested in an object: NetBox's NestedTag, its brief form without the description.
TAG_BRIEF = ("id", "url", "display_url", "display", "name", "slug", "color")
NESTED_TAG = frozenset(TAG_BRIEF)


class Links:
    """Absolute URL prefixes of the request (`http://host/o/acme/`), computed once per request."""

    def __init__(self, request):
        self._set_root(request.build_absolute_uri(get_script_prefix()))

    @classmethod
    def for_root(cls, root: str) -> "Links":
        """Links under `root` (`http://host/o/acme/`), for work done outside a request (exports)."""
        links = cls.__new__(cls)
        links._set_root(root)
        return links

    def _set_root(self, root: str) -> None:
        self.api = root + "api/"
        self.ui = root
        # What one response renders once however many rows share it (`_related_renderer`, `_custom_fields`,
        # core.fields' choices), made here rather than looked up and made on each row.
        self._nested: dict = {}
        self._custom_fields: dict = {}
        self._choices: dict = {}

    def api_url(self, spec: ObjectSpec, pk) -> str:
        return f"{self.api}{spec.api.path}/{pk}/"  # the path is "<app>/<plural>": spec.api_app, spec.api_path

    def ui_url(self, spec: ObjectSpec, pk) -> str:
        return f"{self.ui}{spec.api.path}/{pk}/"


def _tag_spec() -> ObjectSpec:
    return registry.get(Tag)


def field_names(spec: ObjectSpec) -> tuple[str, ...]:
    """The representation's field names, in NetBox's order."""
    if spec.api.fields is not None:
        return spec.api.fields
    names = ["id", "url", "display_url", "display"]
    model_fields = [
        field.name
        for field in spec.model._meta.get_fields()
        if not (field.auto_created and not field.concrete)  # reverse relations
        and kind_of(field).relation != "generic"
        and field.name not in INTERNAL_FIELDS
        and field.name not in ("id", "created", "last_updated")
    ]
    # NetBox's order: the model's own fields first, the ladder's shared ones after them.
    trailing = [name for name in ("parent", "description", "owner", "comments") if name in model_fields]
    if "parent" in trailing and "slug" in model_fields:
        model_fields.insert(model_fields.index("slug") + 1, model_fields.pop(model_fields.index("parent")))
        trailing.remove("parent")
    names += [name for name in model_fields if name not in trailing] + trailing
    if issubclass(spec.model, BaseModel):
        names += [name for name in ("tags", "custom_fields") if getattr(spec, name)]
    if issubclass(spec.model, ChangeLoggedModel) or hasattr(spec.model, "created"):
        names += ["created", "last_updated"]
    names += [*spec.api.counts, *spec.api.zero_counts]
    if issubclass(spec.model, MPTTModel):
        # NetBox's nested groups show their owner and comments after the counts, before the depth.
        late = [name for name in ("owner", "comments") if name in names]
        names = [name for name in names if name not in late] + late + ["_depth"]
    return tuple(names)


Renderer = Callable[[models.Model, Links], Any]


def shown_names(spec: ObjectSpec, *, brief: bool, listed: bool = False) -> tuple[str, ...]:
    """The fields of the full form, of the brief form as nested in another object, or (`listed`) of the brief
    form of a brief list, which adds the registration's `brief_counts`."""
    if not brief:
        return field_names(spec)
    return spec.api.brief_fields + spec.api.brief_counts if listed else spec.api.brief_fields


@functools.cache
def renderers(model: type[models.Model], brief: bool, listed: bool = False) -> tuple[tuple[str, Renderer], ...]:
    spec = registry.get(model)
    return tuple((name, _renderer(spec, name)) for name in shown_names(spec, brief=brief, listed=listed))


def _depth(obj: models.Model, links: Links) -> int:
    assert isinstance(obj, MPTTModel), "only trees show their depth"
    return obj.level


def _renderer(spec: ObjectSpec, name: str) -> Renderer:
    if name in spec.api.renderers:
        return typed_renderer(spec, name).function
    # The primary key read as the column it is (`obj.pk` goes through a property and the model's metadata).
    pk = spec.model._meta.pk.attname
    path = spec.api.path
    if name == "id":
        return lambda obj, links: getattr(obj, pk)
    if name == "url":
        return lambda obj, links: f"{links.api}{path}/{getattr(obj, pk)}/"
    if name == "display_url":
        return lambda obj, links: f"{links.ui}{path}/{getattr(obj, pk)}/"
    if name == "display":
        return lambda obj, links: spec.display(obj)
    if name == "_depth":
        return _depth
    if name == "tags":
        return _tags
    if name == "custom_fields":
        return _custom_fields
    if name in spec.api.counts:
        attribute = count_attribute(spec.model, name)
        return lambda obj, links: getattr(obj, attribute, 0)
    if name in spec.api.zero_counts:
        return lambda obj, links: 0
    field = spec.model._meta.get_field(name)
    kind = kind_of(field)
    if kind.relation == "many":
        return _many_renderer(field)
    if kind.relation == "one":
        return _related_renderer(field)
    if kind.render is None:
        raise ImproperlyConfigured(
            f"{spec.model._meta.label}.{name} ({kind.name}) has no representation of its own: "
            "give the registration a renderer for it"
        )
    return kind.render(field)


def custom_field_shapes(model, memo: dict) -> dict[str, tuple[str, dict[str, str]]]:
    """The model's custom fields by name, in NetBox's order (group, weight, name): (type, {choice
    value: label}). One query per `memo` (a dict living as long as one response)."""
    if model not in memo:
        from core.customfields import definitions_for

        definitions = sorted(definitions_for(model).values(), key=lambda f: (f.group_name, f.weight, f.name))
        memo[model] = {
            field.name: (field.type, dict(field.choice_set.choices) if field.choice_set is not None else {})
            for field in definitions
        }
    return memo[model]


def custom_field_values(data: dict | None, shapes: dict[str, tuple[str, dict[str, str]]]) -> dict:
    """NetBox 4.7's `custom_fields` (REST and GraphQL alike): every defined field present (null when
    unset), selections as {value, label}."""
    data = data or {}
    return {name: choice_value(data.get(name), kind, labels) for name, (kind, labels) in shapes.items()}


def _custom_field_shapes(model, links: "Links") -> dict[str, tuple[str, dict[str, str]]]:
    memo = links._custom_fields
    return memo[model] if model in memo else custom_field_shapes(model, memo)


def choice_value(value, kind: str, labels: dict[str, str]):
    """A stored selection as NetBox shows it: {value, label} (a list of them for multiselect)."""
    if value is not None and kind == "select":
        return {"value": value, "label": labels.get(value, value)}
    if value is not None and kind == "multiselect":
        return [{"value": item, "label": labels.get(item, item)} for item in value]
    return value


def _custom_fields(obj, links: "Links") -> dict:
    return custom_field_values(obj.custom_field_data, _custom_field_shapes(type(obj), links))


def _tags(obj, links: "Links") -> list:
    preloaded = obj.__dict__.get("_wb_tags")
    if preloaded is not None:
        return preloaded
    return [render(tag, links, only=NESTED_TAG) for tag in obj.tags]


def _preload_tags(model: type[models.Model], rows: list, links: "Links") -> None:
    """Every row's rendered tags, in one query for the page; each tag rendered once."""
    from django.contrib.contenttypes.models import ContentType

    by_object: dict[int, list[int]] = {}
    if all("_wb_tag_ids" in row.__dict__ for row in rows):  # read with the rows (`_RowsRead`)
        by_object = {row.pk: row.__dict__["_wb_tag_ids"] for row in rows}
    else:
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=True)
        pairs = TaggedItem.objects.filter(
            content_type=content_type, object_id__in=[row.pk for row in rows]
        ).values_list("object_id", "tag_id")
        for object_id, tag_id in pairs:
            by_object.setdefault(object_id, []).append(tag_id)
    wanted = {tag_id for tag_ids in by_object.values() for tag_id in tag_ids}
    tags = sorted(Tag.objects.filter(pk__in=wanted), key=lambda tag: (tag.weight, tag.name)) if wanted else []
    order = {tag.pk: position for position, tag in enumerate(tags)}
    rendered = {tag.pk: render(tag, links, only=NESTED_TAG) for tag in tags}
    for row in rows:
        tag_ids = sorted(by_object.get(row.pk, ()), key=order.__getitem__)
        row.__dict__["_wb_tags"] = [rendered[tag_id] for tag_id in tag_ids]


def _related_renderer(field) -> Renderer:
    related = field.related_model
    name = field.name
    attname = field.attname

    if registry.find(related) is None:
        return lambda obj, links: getattr(obj, attname)
    related_spec = registry.get(related)
    counts = [count for count in related_spec.api.counts if count in related_spec.api.brief_fields]

    def nested(obj, links):
        value = getattr(obj, attname)
        if value is None:
            return None
        # A related object is rendered once per response, however many rows point at it.
        memo = links._nested
        key = (related, value)
        if key not in memo:
            target = getattr(obj, name)
            for count in counts:  # annotated on the row by `optimize`
                annotation = nested_count_name(name, count)
                if annotation in obj.__dict__:
                    setattr(target, count, obj.__dict__[annotation])
            memo[key] = render(target, links, brief=True)
        return memo[key]

    return nested


def _many_renderer(field) -> Renderer:
    related = field.related_model
    name = field.name
    if registry.find(related) is None:
        return lambda obj, links: sorted(item.pk for item in listed(obj, name))
    return lambda obj, links: [render(item, links, brief=True) for item in listed(obj, name)]


def render(obj: models.Model, links: Links, *, brief: bool = False, only: Set[str] | None = None, omit=()) -> dict:
    return {
        name: function(obj, links)
        for name, function in renderers(type(obj), brief)
        if (only is None or name in only) and name not in omit
    }


def render_many(
    rows: list, links: Links, *, brief: bool = False, listed: bool = False, only: Set[str] | None = None, omit=()
) -> list:
    """`render` for every row of a page, sharing what rows have in common (see the module doc); `listed`: the
    brief form of a brief list (with the `brief_counts`). The queryset must come from `optimize(..., tags=False)`
    with the same `brief` and `listed`."""
    if not rows:
        return []
    model = type(rows[0])
    table = [
        (name, function)
        for name, function in renderers(model, brief, listed)  # type: ignore[arg-type]  # classes are hashable: python/mypy#11470
        if (only is None or name in only)
    ]
    table = [(name, function) for name, function in table if name not in omit]
    if any(name == "tags" for name, _ in table):
        _preload_tags(model, rows, links)
    return [{name: function(obj, links) for name, function in table} for obj in rows]


def optimize(queryset, spec: ObjectSpec, *, brief: bool, listed: bool = False, tags: bool = True):
    """Add the joins and prefetches the representation needs (one query per relation, not per row).
    `listed`: the brief form of a brief list (`shown_names`). `tags=False`: the caller renders with
    `render_many`, which loads tags itself."""
    names = set(shown_names(spec, brief=brief, listed=listed))
    select: list[str] = []
    prefetch: list = []
    # What a registration's renderers read beyond the row (core.fields.Rendered); the relations they load
    # their own way (rows with their device) are not loaded the plain way too.
    renderers = [renderer for name, renderer in spec.api.renderers.items() if name in names]
    own_prefetch = [lookup for renderer in renderers for lookup in getattr(renderer, "prefetch", ())]
    own_prefetches = {
        getattr(lookup, attr, lookup) for lookup in own_prefetch for attr in ("prefetch_to", "prefetch_through")
    }
    for field in spec.model._meta.get_fields():
        if field.name not in names or not field.is_relation or field.name in spec.api.counts:  # a tag's tagged_items
            continue
        if field.auto_created and not field.concrete:
            if field.one_to_many and field.name not in own_prefetches:  # rows pointing here (NAT partners)
                # Plain rows (renderers show them in a nested form of their own columns), the queryset given
                # once: without one Django asks the related model's default manager for a new queryset per
                # row (an address's builds its generic prefetch each time: ~1 ms per row).
                rows = cast(type[models.Model], field.related_model)._base_manager.all()
                prefetch.append(models.Prefetch(field.name, queryset=rows))
            continue
        if kind_of(field).relation == "generic_object":
            # Whatever each row points at (a prefix's scope), loaded once per type in its brief form; a brief
            # form showing one (a circuit group assignment's member) loads the rows alone, as the brief forms
            # are what is being built.
            prefetch.append(generic_prefetch(field.name) if not brief else _plain_generic_prefetch(field.name))
            continue
        target = field.related_model
        related_spec = registry.find(target) if isinstance(target, type) else None  # None: a generic foreign key
        if field.many_to_many or kind_of(field).relation == "generic":
            # Related lists are loaded with one extra query per relation (annotated with the counts
            # their nested form shows, if any).
            if field.name in own_prefetches:  # its renderer loads it its own way
                continue
            nested_rows = None if related_spec is None else _nested_queryset(related_spec.model)
            if field.name in spec.api.renderers:  # a renderer of the registration's own reads the relation
                prefetch.append(
                    field.name if nested_rows is None else models.Prefetch(field.name, queryset=nested_rows)
                )
            else:  # `_many_renderer` reads it
                prefetch.append(listed_prefetch(field.name, nested_rows))
            continue
        select.append(field.name)
        if related_spec is not None:  # the nested form's counts (a region's site_count), as subqueries
            for count_name, relation in related_spec.api.counts.items():
                if count_name in related_spec.api.brief_fields:
                    annotation = nested_count_name(field.name, count_name)
                    queryset = queryset.annotate(
                        **{annotation: related_count(related_spec.model, relation, outer=field.name)}
                    )
        if related_spec is not None:  # the nested form may nest once more (device_type -> manufacturer)
            select += [
                f"{field.name}__{inner.name}"
                for inner in related_spec.model._meta.concrete_fields
                if inner.is_relation and inner.name in related_spec.api.brief_fields
            ]
            select += [f"{field.name}__{path}" for path in related_spec.api.display_uses]
    select += spec.api.display_uses
    for renderer in renderers:
        select += getattr(renderer, "select", ())
    prefetch += own_prefetch
    # A path through a relation loaded by a prefetch (its nested form shows counts) is prefetched after
    # it: joining the relation too would fill it without the counts.
    prefetched = {lookup if isinstance(lookup, str) else lookup.prefetch_to for lookup in prefetch}
    joined = []
    for path in select:
        if path.split("__", 1)[0] in prefetched:
            prefetch.append(path)
        else:
            joined.append(path)
    select = joined
    if "tags" in names and tags:
        prefetch.append("tagged_items__tag")
    grouped = []
    for count_name, relation in spec.api.counts.items():
        if count_name in names:
            attribute = count_attribute(spec.model, count_name)
            if (pointing := _grouped_count(spec.model, relation)) is not None:
                grouped.append((attribute, *pointing))
            else:
                queryset = queryset.annotate(**{attribute: related_count(spec.model, relation)})
    # Read with the rows: the counts, the tags' ids (for `render_many`) and which relations are empty.
    queryset = with_page_counts(queryset, tuple(grouped), tags="tags" in names and not tags)
    # A model's manager may load some of these itself (for GraphQL too): not twice.
    return queryset.select_related(*dict.fromkeys(select)).prefetch_related(*_distinct(queryset, prefetch))


def _distinct(queryset, lookups: list) -> list:
    """Each lookup once (two renderers may read the same relation), a renderer's `Prefetch` (with its
    own queryset) rather than the plain lookup of the same relation, in the order first given."""
    present = {getattr(lookup, "prefetch_to", lookup) for lookup in queryset._prefetch_related_lookups}
    chosen: dict[str, Any] = {}
    for lookup in lookups:
        key = getattr(lookup, "prefetch_to", lookup)
        if getattr(lookup, "prefetch_through", key) in present:  # loaded by the manager (`listed` reads it there)
            continue
        if key not in present and (key not in chosen or isinstance(chosen[key], str)):
            chosen[key] = lookup
    return list(chosen.values())


def _plain_generic_prefetch(name: str) -> GenericPrefetch:
    return GenericPrefetch(name, [spec.model._base_manager.all() for spec in registry.installed()])


def generic_prefetch(name: str) -> GenericPrefetch:
    """The objects a generic foreign key `name` points at, each type loaded once as its brief form needs
    (a model's manager may use it, so that GraphQL loads them once per list too)."""
    return GenericPrefetch(name, list(_brief_querysets()))


class _ByIdsQuery(Query):
    """The query of `rows_by_ids`: its compiler gives the statement compiled once (`_ByIds`) with its ids."""

    wb_statement: tuple["_ByIds", str, tuple]

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        compiler = super().get_compiler(using, connection, elide_empty)
        statement, sql, params = self.wb_statement
        compiler.__dict__.update(statement.state)
        # (an instance's own functions: this compiler answers with the statement compiled once)
        compiler.as_sql = lambda *args, **kwargs: (sql, params)
        compiler.get_converters = lambda expressions: statement.converters
        return compiler


class _ByIds:
    """A model's rows as `optimize` loads them for one form, read by their ids in a statement compiled once per
    process. Compiling a list's statement (every column of ~25 joined related objects: ~550 for interfaces)
    took ~10 ms of a 50-device page's ~35 ms of CPU, and it was the same statement every time but for the ids."""

    def __init__(self, queryset):
        marker: list[int] = []
        # Unordered: the rows are put in the ids' order (sorting ~1,000 wide rows cost PostgreSQL ~10 ms).
        compiled = queryset.order_by().filter(_AmongIds(models.F("pk"), models.Value(marker)))
        compiler = compiled.query.get_compiler(using=compiled.db)
        sql, params = compiler.as_sql()
        self.sql, self.params = sql, tuple(params)
        self.position = next(index for index, param in enumerate(params) if param is marker)
        self.state = {
            name: getattr(compiler, name)
            for name in ("select", "klass_info", "annotation_col_map", "col_count", "has_extra_select")
        }
        self.converters = compiler.get_converters([column[0] for column in compiler.select[: compiler.col_count]])
        self.queryset = queryset

    def rows(self, ids: list) -> list:
        params = (*self.params[: self.position], list(ids), *self.params[self.position + 1 :])
        by_pk = {row.pk: row for row in self._read(self.sql, params)}
        return [by_pk[pk] for pk in ids if pk in by_pk]

    def _read(self, sql: str, params: tuple) -> list:
        queryset = self.queryset._chain()
        query = queryset.query.clone()
        query.__class__ = _ByIdsQuery
        query.wb_statement = (self, sql, params)
        queryset.query = query
        return list(queryset)


class _AmongIds(models.Func):
    """`pk = ANY(<ids>)`, the ids one array parameter, behind a subquery: given as constants, PostgreSQL estimates
    each of them while planning (~10 ms for 1,000 ids)."""

    template = "%(expressions)s)))"
    arg_joiner = " = ANY(ARRAY(SELECT UNNEST("
    output_field = models.BooleanField()


@functools.cache
def _by_ids(model: type[models.Model], brief: bool, listed: bool) -> _ByIds:
    return _ByIds(optimize(model._default_manager.all(), registry.get(model), brief=brief, listed=listed, tags=False))


def rows_by_ids(model: type[models.Model], ids: list, *, brief: bool = False, listed: bool = False) -> list:
    """The rows with these ids (those that exist), in the ids' order, loaded as `optimize(..., tags=False)` loads
    them for `render_many`, whoever may view them (the caller chose the ids), in a statement compiled once per
    process."""
    if not ids:
        return []
    return _by_ids(model, brief, listed).rows(ids)


@functools.cache
def _nested_queryset(model: type[models.Model]):
    """A related model's rows as its nested form needs them, built once per process (~1.5 ms each time
    for a region with its counts: a large part of a one-object request); unevaluated, cloned by each use."""
    return optimize(model._base_manager.all(), registry.get(model), brief=True)


@functools.cache
def _brief_querysets() -> tuple:
    """Every registered model's rows as their brief form needs them (unevaluated, cloned by each use)."""
    return tuple(optimize(spec.model._base_manager.all(), spec, brief=True) for spec in registry.installed())


class _NodeCount(models.Func):
    """A tree node's count, looked up by the node's id (cast to text) in a JSON object of every node's count."""

    template = "COALESCE((%(expressions)s)::integer, 0)"
    arg_joiner = " ->> "
    output_field = models.IntegerField()


def _node_count(model: type[models.Model], field, outer: str) -> models.Expression:
    """The count of objects at or below the tree node each row points at through `outer` (a device's role
    and its device_count). Counted for every node of the tree at once, in a subquery that refers to no row:
    PostgreSQL runs it once per statement, where one counting the node's subtree per row ran for every row
    (a list of 1,000 devices of one role counted the role's 2,000 devices 1,000 times: ~2 s)."""
    # Only table and column names of the models, quoted, go into the SQL: nothing a request gives.
    quote = connection.ops.quote_name
    objects, column = quote(field.field.model._meta.db_table), quote(field.field.column)
    return _tree_count(model, f"SELECT {column} AS node FROM {objects}", (), outer)  # noqa: S608


def tree_count(model: type[models.Model], placed: models.QuerySet, outer: str = "") -> models.Expression:
    """How many objects are at or below each row's tree node (or, with `outer`, the node the row points at through
    that foreign key), `placed` giving the node of each counted object as its only column, `node` (a prefix's
    region through its scope, which no foreign key holds). Set-based, as `_node_count`."""
    sql, params = placed.query.sql_with_params()
    return _tree_count(model, sql, params, outer)


def _tree_count(model: type[models.Model], placed: str, params, outer: str) -> models.Expression:
    quote = connection.ops.quote_name
    node, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    counts = (
        f"SELECT jsonb_object_agg(counted.node, counted.total) FROM (SELECT ancestor.{pk} AS node, COUNT(*) AS total "  # noqa: S608
        f"FROM {node} ancestor JOIN {node} below ON below.tree_id = ancestor.tree_id "
        f"AND below.lft BETWEEN ancestor.lft AND ancestor.rght JOIN ({placed}) counted_object "
        f"ON counted_object.node = below.{pk} GROUP BY ancestor.{pk}) counted"
    )
    by_node = RawSQL(counts, tuple(params))  # noqa: S611
    return _NodeCount(by_node, Cast(models.F(outer or "pk"), output_field=models.TextField()))


@functools.cache
def count_attribute(model: type[models.Model], count: str) -> str:
    """The annotation holding a count of the registration's `counts` on its rows: the count's name, unless the
    model has a field or relation of that name (a tag's `tagged_items`), which an annotation may not shadow."""
    taken = {field.name for field in model._meta.get_fields()}
    return f"_wb_count_{count}" if count in taken else count


def nested_count_name(relation: str, count: str) -> str:
    """The annotation holding the count a related object shows when nested (`optimize`)."""
    return f"_wb_{relation}_count_{count}"


@functools.cache
def related_count(model: type[models.Model], relation: str | Callable, *, outer: str = ""):
    """How many `relation` objects point at each row (or, with `outer`, at the row's related object
    through that foreign key), as a subquery (no row-multiplying joins). Built once per process: a
    list of devices annotates 15 of them, and building them took ~1/10 of a 50-device page; each
    `annotate` resolves a copy, so the expression itself is never changed. A callable `relation` gives
    its own expression (core.registry.Api.counts)."""
    if callable(relation):
        return relation(outer)
    field = reverse_relation(model._meta.get_field(relation))
    related_model, remote = field.field.model, field.field.name  # the model pointing here, by its foreign key
    prefix = f"{outer}__" if outer else ""
    if issubclass(model, MPTTModel) and outer and not field.many_to_many:
        return _node_count(model, field, outer)
    if issubclass(model, MPTTModel):  # trees count their descendants' objects too, as NetBox does
        scope = {
            f"{remote}__tree_id": models.OuterRef(f"{prefix}tree_id"),
            f"{remote}__lft__gte": models.OuterRef(f"{prefix}lft"),
            f"{remote}__lft__lte": models.OuterRef(f"{prefix}rght"),
        }
    else:
        scope = {remote: models.OuterRef(f"{prefix}pk")}
    # Through a many-to-many relation an object in two matching groups counts once; through a
    # foreign key it is in one at most, and COUNT(*) lets PostgreSQL count from the index alone.
    count = models.Count("pk", distinct=True) if field.many_to_many else models.Count("*")
    return count_subquery(related_model._base_manager.filter(**scope), count)


@functools.cache
def _grouped_count(model: type[models.Model], relation: str | Callable) -> tuple[type[models.Model], str] | None:
    """The model and foreign key of the rows a count of `relation` counts, when that count can be taken for the
    rows read, grouped by the key (`with_page_counts`); None for the counts that stay subqueries: a tree's (its
    descendants' objects count too), a many-to-many relation's and a registration's own expression."""
    if callable(relation) or issubclass(model, MPTTModel):
        return None
    field = reverse_relation(model._meta.get_field(relation))
    if field.many_to_many or not field.field.concrete:
        return None
    return field.field.model, field.field.name


# Rows read together (a page of up to 1,000 in one statement; their ids are one parameter).
PAGE_COUNTS_BATCH = 2000


class _RowsRead:
    """Rows read with what their page needs beside them, in one statement per batch of rows read (a page: one):
    - the counts `counts` ((attribute, model pointing here, its foreign key), ...), grouped by the foreign key;
    - with `tags`, each row's tag ids (`_preload_tags` renders them), where a statement of their own was sent;
    - which of the relations the queryset prefetches (`_probes`) hold no row for any row read: those are set
      empty on the rows, so that Django's prefetch sends no query for them. A page of interfaces prefetches
      nine relations (VLANs, VDCs, wireless LANs, cable paths, bridged interfaces, MAC and IP addresses, FHRP
      groups, L2VPN terminations), all of them empty for most interfaces: nine statements became none.
    Probing costs nothing when the statement is sent anyway, and is skipped when it would be the only thing
    the statement does for one relation (it would cost what it saves). Rows read in chunks (`iterator()`: an
    organization's export) are handled chunk by chunk, never all held at once."""

    counts: tuple[tuple[str, type[models.Model], str], ...] = ()
    tags: bool = False

    def __iter__(self):
        rows = super().__iter__()  # type: ignore[misc]
        queryset = self.queryset  # type: ignore[attr-defined]
        chunked = self.chunked_fetch  # type: ignore[attr-defined]
        annotated = queryset.query.annotations  # ordered by a count: read there
        wanted = [count for count in self.counts if count[0] not in annotated]
        probes = _probes(queryset)
        if not wanted and not self.tags and len(probes) < 2:
            probes = ()
        batch = PAGE_COUNTS_BATCH if not chunked else self.chunk_size  # type: ignore[attr-defined]
        read: list = []  # every row (a list holds them all anyway), unless read in chunks
        chunk: list = []
        found: set[int] = set()
        for row in rows:
            chunk.append(row)
            if len(chunk) >= batch:
                if wanted or self.tags or probes:
                    found |= rows_read_load(chunk, wanted, tags=self.tags, probes=probes)
                yield from chunk
                read += chunk if not chunked else ()
                chunk = []
        if chunk:
            if wanted or self.tags or probes:
                found |= rows_read_load(chunk, wanted, tags=self.tags, probes=probes)
            yield from chunk
            read += chunk if not chunked else ()
        if not chunked and read:
            # All rows read: Django prefetches after this, and need not walk the rows for what holds nothing.
            empty = {relation.cache_names[0] for number, (relation, _) in enumerate(probes) if number not in found}
            _skip_prefetches(queryset, read, empty)


def _skip_prefetches(queryset, rows: list, empty: set[str]) -> None:
    """Leave out of the queryset's prefetches (read once all its rows are) those that would find nothing: the
    relations `empty` (set empty on the rows) and those through a foreign key no row has set (a page of 1,000
    virtual machines without addresses spent ~40 ms walking the rows for their addresses' NAT partners)."""
    model = queryset.model
    kept = []
    for lookup in queryset._prefetch_related_lookups:
        first = getattr(lookup, "prefetch_through", lookup).split(LOOKUP_SEP, 1)[0]
        if first in empty:
            continue
        key = _forward_key(model, first)
        if key is not None and all(row.__dict__.get(key, 0) is None for row in rows):
            continue
        kept.append(lookup)
    queryset._prefetch_related_lookups = tuple(kept)


@functools.cache
def _forward_key(model: type[models.Model], name: str) -> str | None:
    """The column attribute of `model`'s foreign key `name` (a forward one), else None."""
    try:
        field: Any = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field.attname if field.many_to_one and field.concrete else None


def page_counts_load(rows: list, counts) -> None:
    """Set each of `counts` ((attribute, model pointing at the rows, its foreign key), ...) on `rows`, in one
    statement (`rows_read_load`)."""
    rows_read_load(rows, counts)


def rows_read_load(rows: list, counts, *, tags: bool = False, probes: tuple = ()) -> set[int]:
    """What `_RowsRead` reads beside `rows`, in one statement. Counting the rows read by their ids, grouped, is
    planned from the key's index whatever the counted table holds: a subquery per row was planned once for all
    rows, and with 1,000 virtual machines at one site PostgreSQL expected every site to have 1,000 of them and
    scanned the table for each of 1,000 sites (0.1 s).

    Written as SQL, the ids one array parameter that every part shares: the ORM's `__in` makes a parameter of
    each id in each count, and compiling a device page's ten counts of 1,000 ids took longer than running them."""
    from django.contrib.contenttypes.models import ContentType

    quote = connection.ops.quote_name
    params: dict[str, Any] = {"ids": [row.pk for row in rows]}
    # The ids once, read by every part through a subquery (as constants PostgreSQL would estimate each of them
    # in each part while planning: ~14 ms for 1,000 virtual machines).
    ids = "ARRAY(SELECT UNNEST(ids) FROM page)"
    parts = [  # names from the models' metadata, quoted; the ids and content types parameters
        f"SELECT {which}, {quote(column)}, COUNT(*) FROM {quote(table)} WHERE {quote(column)} = ANY({ids})"  # noqa: S608
        f" GROUP BY {quote(column)}"
        for which, (table, column) in enumerate(_counted_column(counted, key) for _, counted, key in counts)
    ]
    model = type(rows[0])
    tags_at = len(parts)
    if tags:
        table, object_id, content_type, tag = _tagged_columns()
        params["tagged"] = ContentType.objects.get_for_model(model, for_concrete_model=True).pk
        parts.append(
            f"SELECT {tags_at}, {object_id}, {tag} FROM {table} WHERE {content_type} = %(tagged)s"  # noqa: S608
            f" AND {object_id} = ANY({ids})"
        )
    probes_at = len(parts)
    for number, (relation, _) in enumerate(probes):
        condition = f"{quote(relation.column)} = ANY({ids})"
        if relation.content_type_column is not None:
            params[f"type{number}"] = ContentType.objects.get_for_model(
                model, for_concrete_model=relation.for_concrete_model
            ).pk
            condition += f" AND {quote(relation.content_type_column)} = %(type{number})s"
        parts.append(
            f"SELECT {probes_at + number}, 0, 0 WHERE EXISTS (SELECT 1 FROM {quote(relation.table)} WHERE {condition})"  # noqa: S608
        )
    totals: dict[tuple[int, Any], int] = {}
    tag_ids: dict[Any, list[int]] = {}
    found: set[int] = set()
    with connection.cursor() as cursor:
        cursor.execute("WITH page AS (SELECT %(ids)s AS ids) " + " UNION ALL ".join(parts), params)
        for which, pk, value in cursor.fetchall():
            if which < tags_at:
                totals[which, pk] = value
            elif which == tags_at and tags:
                tag_ids.setdefault(pk, []).append(value)
            else:
                found.add(which - probes_at)
    for which, (attribute, _, _) in enumerate(counts):
        for row in rows:
            setattr(row, attribute, totals.get((which, row.pk), 0))
    if tags:
        for row in rows:
            row.__dict__["_wb_tag_ids"] = tag_ids.get(row.pk, [])
    for number, (relation, targets) in enumerate(probes):
        if number not in found:
            _set_empty(rows, relation, targets)
    return found


class _Relation(NamedTuple):
    """Where the rows of a relation to many objects point at the object (`_probes`)."""

    table: str
    column: str
    content_type_column: str | None  # a generic relation's
    for_concrete_model: bool
    cache_names: tuple[str, ...]  # where Django keeps the relation's prefetched rows
    related_model: type[models.Model]


INTEGER_KINDS = frozenset({"integer", "big_integer"})


@functools.cache
def _probed_relation(model: type[models.Model], name: str) -> _Relation | None:
    """The relation `name` of `model` as `_probes` asks whether it holds rows: a reverse foreign key to the
    primary key, a many-to-many relation (its through table) or a generic relation with an integer object id;
    None for anything else."""
    try:
        field: Any = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if kind_of(field).relation == "generic":
        related = cast(type[models.Model], field.related_model)
        object_id = own_field(related._meta.get_field(field.object_id_field_name))
        if kind_of(object_id).name not in INTEGER_KINDS:
            return None
        content_type = own_field(related._meta.get_field(field.content_type_field_name))
        return _Relation(
            related._meta.db_table, object_id.column, content_type.column, field.for_concrete_model, (name,), related
        )
    if field.many_to_many and field.concrete:  # declared on this model
        through = field.remote_field.through
        column = through._meta.get_field(field.m2m_field_name()).column
        return _Relation(through._meta.db_table, column, None, True, (name,), field.related_model)
    if field.many_to_many:  # declared on the other one
        through = field.through
        column = through._meta.get_field(field.field.m2m_reverse_field_name()).column
        return _Relation(
            through._meta.db_table, column, None, True, (name, field.field.related_query_name()), field.related_model
        )
    if field.one_to_many and not field.concrete:  # a reverse foreign key
        key = field.field
        if not key.concrete or key.target_field != model._meta.pk:
            return None
        return _Relation(
            key.model._meta.db_table, key.column, None, True, (name, field.cache_name), field.related_model
        )
    return None


def _probes(queryset) -> tuple[tuple[_Relation, frozenset[str | None]], ...]:
    """The relations the queryset prefetches first from its rows that `rows_read_load` can ask about, each with
    where its rows go: the `to_attr` of a one-level `Prefetch`, or None (Django's prefetch cache)."""
    model = queryset.model
    found: dict[str, tuple[_Relation, set[str | None]]] = {}
    for lookup in queryset._prefetch_related_lookups:
        through = getattr(lookup, "prefetch_through", lookup)
        first = through.split(LOOKUP_SEP, 1)[0]
        relation = _probed_relation(model, first)
        if relation is None:
            continue
        to_attr = getattr(lookup, "to_attr", None) if LOOKUP_SEP not in through else None
        found.setdefault(first, (relation, set()))[1].add(to_attr)
    return tuple((relation, frozenset(targets)) for relation, targets in found.values())


def _set_empty(rows: list, relation: _Relation, targets: frozenset[str | None]) -> None:
    """The relation holds nothing for `rows`: as Django's prefetch would leave it, without asking."""
    empty: Any = None
    if None in targets:
        empty = relation.related_model._base_manager.none()
        empty._result_cache, empty._prefetch_done = [], True  # as a prefetch leaves it: read, nothing found
    for row in rows:
        for target in targets:
            if target is not None:
                row.__dict__[target] = []
            else:
                cache = row.__dict__.setdefault("_prefetched_objects_cache", {})
                for name in relation.cache_names:
                    cache[name] = empty


@functools.cache
def _tagged_columns() -> tuple[str, str, str, str]:
    """The tag assignments' table and its object id, content type and tag columns, quoted."""
    quote = connection.ops.quote_name
    meta = TaggedItem._meta
    object_id, content_type, tag = (
        quote(own_field(meta.get_field(name)).column) for name in ("object_id", "content_type", "tag")
    )
    return quote(meta.db_table), object_id, content_type, tag


@functools.cache
def _counted_column(model: type[models.Model], key: str) -> tuple[str, str]:
    """The table of `model` and the column of its foreign key `key`."""
    field = cast(models.ForeignKey, model._meta.get_field(key))  # a foreign key: _grouped_count chose it
    return model._meta.db_table, field.column


@functools.cache
def _rows_read_iterable(base: type, counts: tuple, tags: bool) -> type:
    return type(f"RowsRead{base.__name__}", (_RowsRead, base), {"counts": counts, "tags": tags})


def with_page_counts(queryset, counts: tuple, *, tags: bool = False):
    """`queryset` whose rows carry `counts` (and, with `tags`, their tag ids) when read (`_RowsRead`), whatever
    else its rows load when read (cable paths their far ends)."""
    clone = queryset.all()
    base = clone._iterable_class
    if issubclass(base, _RowsRead):  # asked twice: all of it, once
        counts = tuple(dict.fromkeys(base.counts + counts))
        tags = tags or base.tags
        base = base.__mro__[2]
    clone._iterable_class = _rows_read_iterable(base, counts, tags)
    return clone


def counted_in_statement(queryset):
    """`queryset` (from `optimize`) taking its counts in its own statement, as subqueries: for one row, where a
    statement of their own would cost a round trip more than counting for that row."""
    counts = getattr(queryset._iterable_class, "counts", ())
    annotated = queryset.query.annotations
    return queryset.annotate(
        **{
            attribute: count_subquery(counted._base_manager.filter(**{key: models.OuterRef("pk")}))
            for attribute, counted, key in counts
            if attribute not in annotated
        }
    )


def count_subquery(queryset, count=None):
    """`count` (COUNT(*) by default) over `queryset`, filtered by outer references, as one subquery
    giving 0 when nothing matches: the shape of every count annotated on a list."""
    counted = (
        queryset.order_by()
        .annotate(_wb_all=models.Value(1))
        .values("_wb_all")
        .annotate(count=count if count is not None else models.Count("*"))
        .values("count")
    )
    return Coalesce(models.Subquery(counted, output_field=models.IntegerField()), 0)
