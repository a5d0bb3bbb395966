"""Tables and attribute panels, derived from the REST representation of each registered model.

The UI shows what the API says: a cell is the formatted value of a field of the object's NetBox
representation (`core.representation.render`), so lists get the same `optimize()`d queries as
the API (constant per page) and every special renderer a registration declares.
"""

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import FieldDoesNotExist
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst

from core.customfields import definitions_for, supports_custom_fields
from core.filters import CUSTOM_FIELD_PREFIX
from core.registry import Counted, ObjectSpec
from core.representation import Links, field_names, render_many
from frontend.markdown import render_markdown

# Representation fields never shown as columns or attributes: links, placeholders, the raw custom field
# dict, and a job's log entries (their own panel: automation.ui).
HIDDEN = {"url", "display_url", "custom_fields", "_depth", "log_entries"}
# Shown on the detail page only (long text, JSON, snapshots).
LONG = {"comments", "prechange_data", "postchange_data", "constraints", "parameters", "data", "physical_address",
        "shipping_address", "address"}  # fmt: skip
# Rendered as Markdown on the detail page, as NetBox does.
MARKDOWN = {"comments"}
MAX_DEFAULT_COLUMNS = 6
# A representation's timestamps ("2026-11-25T16:16:13.719415Z"), shown to the minute.
ISO_DATETIME = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})T(?P<time>\d{2}:\d{2})(:\d{2}(\.\d+)?)?(?P<zone>Z|[+-]\d{2}:\d{2})$"
)
# Badge colours of common choice values, as NetBox colours statuses and change actions.
CHOICE_COLORS = {
    "active": "success", "planned": "info", "staging": "primary", "decommissioning": "warning",
    "retired": "danger", "offline": "secondary", "failed": "danger", "available": "success",
    "reserved": "info", "deprecated": "danger", "create": "success", "update": "primary", "delete": "danger",
    "info": "info", "success": "success", "warning": "warning", "danger": "danger",
}  # fmt: skip


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    sortable: bool


def _model_field(spec: ObjectSpec, name: str):
    try:
        return spec.model._meta.get_field(name)
    except FieldDoesNotExist:  # a representation name without a model field (counts, renderers)
        return None


def _label(spec: ObjectSpec, name: str) -> str:
    if name == "display":
        return str(capfirst(spec.model._meta.verbose_name))
    if name == "id":
        return "ID"
    if name in spec.api.counts:
        relation = spec.api.counts[name]
        if isinstance(relation, Counted):
            return str(capfirst(relation.model._meta.verbose_name_plural))
        field = _model_field(spec, relation)
        model = getattr(field, "related_model", None)
        return capfirst(model._meta.verbose_name_plural) if model is not None else capfirst(relation)
    field = _model_field(spec, name)
    if field is not None and hasattr(field, "verbose_name"):
        return capfirst(field.verbose_name)
    model = getattr(field, "related_model", None)
    if model is not None:  # a reverse relation (a site's ASNs) is labelled by what it lists
        return capfirst(model._meta.verbose_name_plural)
    return capfirst(name.replace("_", " "))


def sortable_names(spec: ObjectSpec) -> set[str]:
    return {field.name for field in spec.model._meta.concrete_fields} | set(spec.api.counts) | {"id"}


def available_columns(spec: ObjectSpec) -> list[Column]:
    """Every column the list of `spec` can show, custom fields included (one query for those)."""
    sortable = sortable_names(spec)
    columns = [
        Column(name, _label(spec, name), name in sortable)
        for name in field_names(spec)
        if name not in HIDDEN and name not in LONG
    ]
    if supports_custom_fields(spec.model):
        for name, field in sorted(definitions_for(spec.model).items()):
            columns.append(Column(CUSTOM_FIELD_PREFIX + name, field.label or capfirst(name.replace("_", " ")), False))
    return columns


def default_columns(spec: ObjectSpec) -> list[str]:
    if spec.ui.table_columns is not None:
        return list(spec.ui.table_columns)
    names = [name for name in field_names(spec) if name not in HIDDEN and name not in LONG]
    first = "name" if "name" in names else "display"
    skipped = {first, "id", "display", "slug", "description", "owner", "tags", "created", "last_updated"}
    skipped |= set(spec.api.counts)
    skipped |= set(spec.api.zero_counts)
    rest = [name for name in names if name not in skipped][: MAX_DEFAULT_COLUMNS - 1]
    trailing = [name for name in (*spec.api.counts, "description") if name in names]
    return [first, *rest, *trailing]


def chosen_columns(spec: ObjectSpec, wanted: Iterable[str] | None) -> list[Column]:
    """The columns to show: `wanted` (a user's choice, unknown names dropped) or the defaults."""
    available = {column.name: column for column in available_columns(spec)}
    names = [name for name in (wanted or []) if name in available] or default_columns(spec)
    return [available[name] for name in names if name in available]


# -- formatting --------------------------------------------------------------------------------


def ui_url(links: Links, api_url: str) -> str | None:
    """The page of an object whose API URL is `api_url` (same organization, same host)."""
    if isinstance(api_url, str) and api_url.startswith(links.api):
        return urlsplit(links.ui).path + api_url[len(links.api) :]
    return None


def _nested(value: dict, links: Links) -> SafeString:
    text = value.get("display") or value.get("name") or value.get("id")
    url = ui_url(links, value.get("url", ""))
    if "color" in value and "slug" in value:  # a tag
        return format_html('<span class="badge wb-tag" data-wb-color="{}">{}</span>', value["color"] or "9e9e9e", text)
    if url:
        return format_html('<a href="{}">{}</a>', url, text)
    return format_html("{}", text)


def cell(value, links: Links) -> SafeString:
    """One value of a representation as HTML."""
    if value is None or value == "" or value == []:
        return mark_safe('<span class="text-body-secondary">&mdash;</span>')
    if isinstance(value, bool):
        icon, label = ("check-lg text-success", "Yes") if value else ("x-lg text-danger", "No")
        return format_html(
            '<i class="bi bi-{}" title="{}" aria-hidden="true"></i><span class="visually-hidden">{}</span>',
            icon,
            label,
            label,
        )
    if isinstance(value, dict):
        if set(value) == {"value", "label"}:
            color = CHOICE_COLORS.get(str(value["value"]), "secondary")
            return format_html('<span class="badge text-bg-{} wb-choice">{}</span>', color, value["label"])
        if "display" in value or "url" in value:
            return _nested(value, links)
        return format_html("<code>{}</code>", _json(value))
    if isinstance(value, list):
        if all(isinstance(item, dict) for item in value):
            return format_html_join(" ", "{}", ((cell(item, links),) for item in value))
        return format_html("{}", ", ".join(str(item) for item in value))
    if isinstance(value, str) and (moment := ISO_DATETIME.match(value)):
        zone = "UTC" if moment["zone"] == "Z" else moment["zone"]
        return format_html('<time datetime="{}">{} {} {}</time>', value, moment["date"], moment["time"], zone)
    return format_html("{}", value)


def _json(value) -> str:
    return json.dumps(value, indent=2, sort_keys=True, default=str, ensure_ascii=False)


def representations(spec: ObjectSpec, objects: list, links: Links, actor) -> list[dict]:
    """The rows of a table of `objects`: their representations as the registration presents them (Ui.present)."""
    rows = render_many(objects, links)
    if spec.ui.present is not None:
        spec.ui.present(objects, rows, links, actor)
    return rows


def row_cells(columns: list[Column], data: dict, links: Links, *, tree: bool) -> list[SafeString]:
    custom = data.get("custom_fields") or {}
    cells = []
    for index, column in enumerate(columns):
        if column.name.startswith(CUSTOM_FIELD_PREFIX):
            value = custom.get(column.name[len(CUSTOM_FIELD_PREFIX) :])
        else:
            value = data.get(column.name)
        html = cell(value, links)
        if index == 0:
            html = format_html('<a href="{}">{}</a>', ui_url(links, data.get("url", "")) or "#", _plain(value))
            if tree and data.get("_depth"):
                html = format_html('<span class="wb-depth">{}</span>{}', "— " * data["_depth"], html)
        cells.append(html)
    return cells


def _plain(value) -> str:
    if isinstance(value, dict):
        return str(value.get("display") or value.get("label") or value.get("value") or "")
    if isinstance(value, str) and (moment := ISO_DATETIME.match(value)):
        return f"{moment['date']} {moment['time']}"
    return "" if value is None else str(value)


def attributes(spec: ObjectSpec, data: dict, links: Links, skip: tuple[str, ...] = ()) -> list[tuple[str, SafeString]]:
    """The detail page's attribute panel: every field of the representation (but `skip`), formatted."""
    rows = []
    for name in field_names(spec):
        if name in HIDDEN or name in {"id", "display", "tags", "created", "last_updated", *spec.api.counts, *skip}:
            continue
        value = data.get(name)
        if name in MARKDOWN and isinstance(value, str) and value:
            html = render_markdown(value)
        elif name in LONG and isinstance(value, dict | list):
            html = format_html('<pre class="mb-0 wb-json">{}</pre>', _json(value))
        elif name in LONG and isinstance(value, str) and value:
            html = format_html('<div class="wb-longtext">{}</div>', value)
        else:
            html = cell(value, links)
        rows.append((_label(spec, name), html))
    return rows
