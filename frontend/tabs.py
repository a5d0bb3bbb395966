"""Tabs a registration can give its object pages (core.registry.Tab), built from the generic parts.

`related_objects_tab` is NetBox's "Contacts" tab and its kind: the objects of another registered
type that point at this one, as the list page shows them (the same columns, the same one-query
representation), with an Add button that fills in the pointer.
"""

from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType

from core.registry import ObjectSpec, Tab, object_type_label, registry
from core.representation import Links, optimize, render_many
from frontend import tables
from frontend.base_views import object_url, permissions

# The rows a tab shows at most: it is a summary, the related list page (linked) has them all.
TAB_ROWS = 100


def related_objects_tab(model, name: str, label: str, pointer: Callable[[ObjectSpec, object], dict]) -> Tab:
    """A tab listing the `model` objects the member may view that point at the object:
    `pointer(spec, instance)` gives the lookups ({"object_type": <ContentType>, "object_id": 7}),
    also (content types as NetBox's labels) the list page's filter and the add form's initial values."""

    def related(actor, spec: ObjectSpec, instance):
        related_spec = registry.get(model)
        query = pointer(spec, instance)
        return related_spec, related_spec.model.objects.restrict(actor, "view").filter(**query), query

    def view(request, spec: ObjectSpec, actor, instance) -> tuple[str, dict]:
        related_spec, queryset, query = related(actor, spec, instance)
        shown = set(query) | {key.removesuffix("_id") for key in query}  # `device_id` hides the device column
        columns = [column for column in tables.chosen_columns(related_spec, None) if column.name not in shown]
        objects = list(optimize(queryset, related_spec, brief=False, tags=False)[:TAB_ROWS])
        links = Links(request)
        rows = [tables.row_cells(columns, data, links, tree=False) for data in render_many(objects, links)]
        labels = {key: _query_value(value) for key, value in query.items()}
        return "frontend/generic/_related_tab.html", {
            "related_columns": columns,
            "related_rows": rows,
            "related_total": queryset.count() if len(objects) == TAB_ROWS else len(objects),
            "related_name": related_spec.model._meta.verbose_name_plural,
            "related_list_url": object_url(related_spec, "list", **labels),
            "related_add_url": (
                object_url(related_spec, "add", **labels) if permissions(related_spec, actor)["add"] else None
            ),
        }

    def badge(actor, spec: ObjectSpec, instance) -> int:
        return related(actor, spec, instance)[1].count()

    return Tab(name, label, view, badge=badge)


def _query_value(value) -> str:
    return object_type_label(value) if isinstance(value, ContentType) else str(value)
