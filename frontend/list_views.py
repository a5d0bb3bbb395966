"""The generic list page of every registered model, and its table configuration."""

import json

from django.http import QueryDict
from django.shortcuts import redirect
from django.utils.text import capfirst, slugify
from django.views.decorators.http import require_http_methods

from core.models import SavedFilter
from core.registry import ObjectSpec, registry
from core.representation import Links, optimize
from frontend import listing, pagination, tables, transfer
from frontend.base_views import object_url, page, permissions, safe_return_url, ui_view


@ui_view
def object_list(request, *, spec: ObjectSpec, actor):
    params = request.GET
    if (clean := listing.without_empty(params)) is not None:  # a GET form's blank fields: a clean URL instead
        return redirect(f"{request.path}?{clean.urlencode()}" if clean else request.path)
    result = listing.filtered(spec, actor, params)
    if params.get("export"):
        return transfer.export_response(spec, result.queryset, params["export"], actor)
    preference = listing.table_preference(spec, actor)
    columns = tables.chosen_columns(spec, preference.get("columns"))
    size = pagination.per_page(params, preference)
    # The page's rows with the joins and prefetches of the API's representation: constant queries.
    page_obj = pagination.paginate(optimize(result.queryset, spec, brief=False, tags=False), params, size)
    links = Links(request)
    tree = "_depth" in tables.field_names(spec)
    objects = list(page_obj.object_list)
    can = permissions(spec, actor)
    editable = listing.row_permissions(spec, actor, can, [obj.pk for obj in objects])
    here = request.get_full_path()
    rows = [
        {
            "pk": obj.pk,
            "cells": tables.row_cells(columns, data, links, tree=tree),
            "display": data.get("display") or obj.pk,
            "edit_url": object_url(spec, "edit", obj.pk, return_url=here) if obj.pk in editable["change"] else None,
            "delete_url": object_url(spec, "delete", obj.pk, return_url=here) if obj.pk in editable["delete"] else None,
        }
        for obj, data in zip(objects, tables.representations(spec, objects, links, actor), strict=True)
    ]
    form = listing.filter_form(spec, actor, params)
    return page(
        request,
        "frontend/generic/list.html",
        spec,
        actor,
        {
            "columns": columns,
            "other_columns": [column for column in tables.available_columns(spec) if column not in columns],
            "rows": rows,
            "row_actions": bool(editable["change"] or editable["delete"]),
            **pagination.footer(page_obj, params, size),
            "sort": result.sort,
            "filter_errors": result.errors,
            "filter_form": form,
            "filter_chips": listing.filter_chips(spec, form, params),
            "clear_filters_url": listing.clear_filters_url(params),
            "saved_filters": listing.saved_filters(spec, actor),
            "filter_query": _filter_query(params),
            "sort_query": _without(params, "sort", "page"),
            "export_formats": transfer.export_formats(spec, actor),
            "saved_filter_add": _saved_filter_add_url(spec, params, actor),
            "table_url": object_url(spec, "table"),
        },
    )


def _without(params: QueryDict, *names: str) -> str:
    query = params.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def _filter_query(params: QueryDict) -> str:
    return _without(params, *listing.PAGE_PARAMS)


SAVED_FILTER_NAME_LENGTH = SavedFilter._meta.get_field("name").max_length or 100


def _saved_filter_add_url(spec: ObjectSpec, params: QueryDict, actor) -> str | None:
    """The form saving the current filter, when there is one and the member may add saved filters."""
    filters = {key: params.getlist(key) for key in params if key not in listing.PAGE_PARAMS and params.get(key)}
    if not filters or not permissions(registry.get(SavedFilter), actor)["add"]:
        return None

    # named after what it filters, so that it saves in one click (the name can still be changed)
    conditions = ", ".join(f"{key}={','.join(values)}" for key, values in filters.items())
    name = f"{capfirst(spec.model._meta.verbose_name_plural)}: {conditions}"[:SAVED_FILTER_NAME_LENGTH]
    return object_url(
        registry.get(SavedFilter),
        "add",
        object_types=spec.type_label,
        parameters=json.dumps(filters),
        name=name,
        slug=slugify(name)[:SAVED_FILTER_NAME_LENGTH],
    )


@require_http_methods(["POST"])
@ui_view
def table_configure(request, *, spec: ObjectSpec, actor):
    available = {column.name for column in tables.available_columns(spec)}
    columns = [name for name in request.POST.getlist("columns") if name in available]
    for direction, step in (("up", -1), ("down", 1)):  # a move button (without JavaScript, which moves in place)
        if (moved := request.POST.get(direction)) in columns:
            index = columns.index(moved)
            other = min(max(index + step, 0), len(columns) - 1)
            columns[index], columns[other] = columns[other], columns[index]
    size = None
    if request.POST.get("per_page", "").isdigit():
        size = max(1, min(int(request.POST["per_page"]), pagination.PER_PAGE_CHOICES[-1]))
    if request.POST.get("reset"):
        columns = []
    listing.table_preference_save(spec=spec, actor=actor, columns=columns, size=size)
    return redirect(safe_return_url(request, object_url(spec, "list")))
