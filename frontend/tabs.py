"""Tabs a registration can give its object pages (core.registry.Tab), built from the generic parts.

`related_objects_tab` is NetBox's "Contacts" tab and its kind: the objects of another registered
type that point at this one, as the list page shows them (the same columns, the same one-query
representation), with an Add button that fills in the pointer.
"""

from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import QueryDict

from core.filters import filter_queryset
from core.querysets import restricted
from core.registry import ObjectSpec, Panel, Tab, object_type_label, registry
from core.representation import Links, optimize
from frontend import tables
from frontend.base_views import object_url, permissions

# The rows a tab shows at most: it is a summary, the related list page (linked) has them all.
TAB_ROWS = 100
# The rows a related-objects panel of the detail tab shows.
PANEL_ROWS = 5


def related_objects_tab(
    model,
    name: str,
    label: str,
    pointer: Callable[[ObjectSpec, models.Model], dict],
    *,
    count: Callable[[models.Model], int | None] | None = None,
    hide_if_empty: bool = False,
    hidden_columns: tuple[str, ...] = (),
) -> Tab:
    """A tab listing the `model` objects the member may view that point at the object:
    `pointer(spec, instance)` gives the lookups ({"object_type": <ContentType>, "object_id": 7}),
    also (content types as NetBox's labels, objects by id) the add form's initial values and the
    list page's filter (`<field>_id=` for a foreign key). The badge counts them (a query), or is
    `count(instance)` of the object as its page loads it (a count its representation annotates);
    `hide_if_empty` leaves the tab out while there are none. The table shows the related list's
    columns but the pointer's and `hidden_columns`."""

    def view(request, spec: ObjectSpec, actor, instance) -> tuple[str, dict]:
        table = related_table(request, actor, model, pointer(spec, instance), TAB_ROWS, hidden_columns)
        return "frontend/generic/_related_tab.html", table

    def badge(actor, spec: ObjectSpec, instance) -> int | None:
        if count is not None:
            return count(instance)
        return restricted(model, actor, "view").filter(**pointer(spec, instance)).count()

    return Tab(name, label, view, badge=badge, hide_if_empty=hide_if_empty)


def related_objects_panel(
    model,
    pointer: Callable[[ObjectSpec, models.Model], dict],
    *,
    rows: int = PANEL_ROWS,
    hidden_columns: tuple[str, ...] = (),
    filters: Callable[[ObjectSpec, models.Model], dict] | None = None,
) -> Panel:
    """A panel of the object's detail tab (NetBox's related tables: a site's locations, racks and devices):
    the first `rows` of the `model` objects the member may view that point at the object (`pointer` as for
    `related_objects_tab`), a link to all of them on their list, and an Add button filling in the pointer
    and coming back to the object. A few statements, however many objects point at it.

    `filters(spec, instance)`, when given, chooses the rows as the list's REST filters do and is the "All"
    link's query (a site's prefixes, `site_id=`: scoped to the site or to one of its locations); the pointer
    then only fills in the add form (`scope_type`, `scope_id`)."""

    def context(request, spec: ObjectSpec, actor, instance) -> dict:
        table = related_table(
            request,
            actor,
            model,
            pointer(spec, instance),
            rows,
            hidden_columns,
            filters=filters(spec, instance) if filters is not None else None,
        )
        if table["related_add_url"] is not None:
            separator = "&" if "?" in table["related_add_url"] else "?"
            table["related_add_url"] += separator + urlencode({"return_url": request.get_full_path()})
        return table

    return Panel("frontend/generic/_related_panel.html", context=context, column="full")


def related_table(
    request, actor, model, query: dict, limit: int, hidden_columns: tuple[str, ...] = (), *, filters: dict | None = None
) -> dict:
    """The first `limit` `model` objects the member may view matching `query` (or the list's REST `filters`,
    when given), as the related list shows them, with their total, the list's link and the add form's (None
    when the member may not add; `query` fills it in)."""
    related_spec = registry.get(model)
    queryset: models.QuerySet = restricted(related_spec.model, actor, "view")
    if filters is None:
        queryset = queryset.filter(**query)
    else:
        queryset = filter_queryset(queryset, related_spec, QueryDict(urlencode(filters, doseq=True)))
    # `device_id` in the query (or the filters) hides the device column too
    chosen_by = query if filters is None else filters
    hidden = {*chosen_by, *(key.removesuffix("_id") for key in chosen_by), *hidden_columns}
    columns = [column for column in tables.chosen_columns(related_spec, None) if column.name not in hidden]
    objects = list(optimize(queryset, related_spec, brief=False, tags=False)[:limit])
    links = Links(request)
    rows = [
        tables.row_cells(columns, data, links, tree=False)
        for data in tables.representations(related_spec, objects, links, actor)
    ]
    initial = {key: _query_value(value) for key, value in query.items()}
    return {
        "related_columns": columns,
        "related_rows": rows,
        "related_total": queryset.count() if len(objects) == limit else len(objects),
        "related_name": related_spec.model._meta.verbose_name_plural,
        "related_list_url": object_url(
            related_spec, "list", **(_list_filter(related_spec.model, initial) if filters is None else filters)
        ),
        "related_add_url": (
            object_url(related_spec, "add", **initial) if permissions(related_spec, actor)["add"] else None
        ),
    }


def _list_filter(model, values: dict) -> dict:
    """The list page's filter for the pointer's values: a foreign key (but a content type, named
    as NetBox labels it) by `<field>_id=`, as the REST filters name it."""
    query = {}
    for key, value in values.items():
        field = model._meta.get_field(key)
        by_id = field.is_relation and field.many_to_one and field.related_model is not ContentType
        query[f"{key}_id" if by_id else key] = value
    return query


def _query_value(value) -> str:
    return object_type_label(value) if isinstance(value, ContentType) else str(value)
