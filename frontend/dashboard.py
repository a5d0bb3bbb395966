"""A member's dashboard on the organization's overview: widgets like NetBox's (object counts, recent
changes, bookmarks, recent jobs, a note), arranged by each member and kept in their `core.UserPreference`
(the schema is the organization's, so the layout is per member and organization).

A saved layout is only ever read through `load_layout`, which turns whatever is stored (hand-edited,
written by an older version, naming a widget type or a model that no longer exists) into a valid one:
unknown widgets are dropped, bad settings fall back to the type's defaults, and a value that is not a
layout at all gives the default dashboard.

Rendering is bounded: every type the member may see is counted in one query (`count_each`), for all
counts widgets together; each list widget is one query whatever the number of rows; bookmarks add one
query per type of object bookmarked.
"""

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.http import QueryDict
from django.utils.text import capfirst

from automation.models import Bookmark, Job
from core.context import Actor
from core.models import ObjectChange, UserPreference
from core.permissions import allowed
from core.querysets import count_each, restricted
from core.registry import ObjectSpec, registry
from frontend.base_views import object_url
from frontend.markdown import render_markdown

PREFERENCE_KEY = "dashboard"
MAX_WIDGETS = 24
MAX_ROWS = 50
DEFAULT_ROWS = 10
MAX_NOTE = 4000
WIDGET_ID = re.compile(r"^[a-z0-9]{1,16}$")


def _rows_field() -> forms.IntegerField:
    return forms.IntegerField(
        label="Rows",
        min_value=1,
        max_value=MAX_ROWS,
        initial=DEFAULT_ROWS,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )


def _title_field(required: bool = False) -> forms.CharField:
    return forms.CharField(
        label="Title", max_length=100, required=required, widget=forms.TextInput(attrs={"class": "form-control"})
    )


def model_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Every registered type, grouped by its menu: [(menu, [(type label, plural name)])]."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for spec in registry.in_menu_order():
        groups.setdefault(spec.menu.group, []).append(
            (spec.type_label, str(capfirst(spec.model._meta.verbose_name_plural)))
        )
    return list(groups.items())


class CountsForm(forms.Form):
    title = _title_field(required=True)
    models = forms.MultipleChoiceField(
        label="Object types",
        choices=model_choices,
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": "12"}),
        help_text="Hold Ctrl (⌘ on a Mac) to choose several.",
    )


class RowsForm(forms.Form):
    title = _title_field()
    rows = _rows_field()


class NoteForm(forms.Form):
    title = _title_field()
    content = forms.CharField(
        label="Text",
        max_length=MAX_NOTE,
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control font-monospace", "rows": "8"}),
        help_text="Markdown: **bold**, _italic_, lists, links, tables.",
    )


@dataclass(frozen=True)
class WidgetType:
    name: str
    label: str
    form: type[forms.Form]
    default: Callable[[], dict]
    template: str
    description: str
    # (actor, config, visible_counts) -> what the template shows as `data`, in a bounded number of queries
    render: Callable[[Actor, dict, dict[str, int]], object]


def _counts_default() -> dict:
    return {"title": "Object counts", "models": [spec.type_label for spec in registry.in_menu_order()][:8]}


def _rows_default() -> dict:
    return {"title": "", "rows": DEFAULT_ROWS}


WIDGET_TYPES: dict[str, WidgetType] = {}


def _register_widget_types() -> None:
    for widget in (
        WidgetType(
            "counts", "Object counts", CountsForm, _counts_default, "frontend/dashboard/counts.html",
            "How many objects of the chosen types you may see, each linking to its list.", _counts,
        ),
        WidgetType(
            "changes", "Recent changes", RowsForm, _rows_default, "frontend/dashboard/changes.html",
            "The newest entries of the change log.", _changes,
        ),
        WidgetType(
            "bookmarks", "My bookmarks", RowsForm, _rows_default, "frontend/dashboard/bookmarks.html",
            "The objects you bookmarked, newest first.", _bookmarks,
        ),
        WidgetType(
            "jobs", "Recent jobs", RowsForm, _rows_default, "frontend/dashboard/jobs.html",
            "The newest background jobs you may see (imports, scripts, exports).", _jobs,
        ),
        WidgetType(
            "note", "Note", NoteForm, lambda: {"title": "Note", "content": ""}, "frontend/dashboard/note.html",
            "A text of your own, in Markdown.", _note,
        ),
    ):  # fmt: skip
        WIDGET_TYPES[widget.name] = widget


def new_widget_id() -> str:
    return secrets.token_hex(4)


def default_layout() -> list[dict]:
    """NetBox's dashboard, ours: a counts widget per menu (their types, in menu order), then recent
    changes, bookmarks and jobs."""
    widgets = []
    by_group: dict[str, list[str]] = {}
    for spec in registry.in_menu_order():
        by_group.setdefault(spec.menu.group, []).append(spec.type_label)
    for number, (group, labels) in enumerate(by_group.items()):
        widgets.append({"id": f"counts{number}", "type": "counts", "config": {"title": group, "models": labels}})
    for name in ("changes", "bookmarks", "jobs"):
        widgets.append({"id": name, "type": name, "config": WIDGET_TYPES[name].default()})
    return widgets


def clean_config(widget_type: WidgetType, config) -> dict:
    """`config` as the type's form accepts it; what the form refuses takes the type's default. Types
    that no longer exist are dropped from a counts widget's list first (the rest still counts)."""
    default = widget_type.default()
    if not isinstance(config, dict):
        return default
    data = {name: config.get(name, default.get(name)) for name in widget_type.form.base_fields}
    models = data.get("models")
    if widget_type.name == "counts" and isinstance(models, list):
        data["models"] = [label for label in models if isinstance(label, str) and registry.find_label(label)]
    form_data: dict[str, object] = {}
    for name, value in data.items():
        if value is None:
            continue
        if isinstance(value, list):
            form_data[name] = value
        elif isinstance(value, str | int) and not isinstance(value, bool):
            form_data[name] = str(value)
    form = widget_type.form(data=_as_query_data(form_data))
    if not form.is_valid():
        return default
    return form.cleaned_data


def _as_query_data(data: dict) -> QueryDict:
    query = QueryDict(mutable=True)
    for name, value in data.items():
        if isinstance(value, list):
            query.setlist(name, [str(item) for item in value])
        else:
            query[name] = value
    return query


def clean_layout(value) -> list[dict] | None:
    """A stored value as a valid list of widgets; None when it is not a layout at all."""
    widgets = value.get("widgets") if isinstance(value, dict) else None
    if not isinstance(widgets, list):
        return None
    cleaned: list[dict] = []
    seen: set[str] = set()
    for widget in widgets[:MAX_WIDGETS]:
        if not isinstance(widget, dict):
            continue
        widget_type = WIDGET_TYPES.get(widget.get("type"))  # type: ignore[arg-type]
        if widget_type is None:
            continue
        widget_id = widget.get("id")
        if not isinstance(widget_id, str) or not WIDGET_ID.match(widget_id) or widget_id in seen:
            widget_id = new_widget_id()
        seen.add(widget_id)
        cleaned.append(
            {"id": widget_id, "type": widget_type.name, "config": clean_config(widget_type, widget.get("config"))}
        )
    return cleaned


def load_layout(actor: Actor) -> tuple[list[dict], bool]:
    """(the member's widgets, whether they saved their own): the default dashboard when nothing (or
    nothing usable) is saved."""
    if actor.user_id is None:
        return default_layout(), False
    found = UserPreference.objects.filter(user_id=actor.user_id, key=PREFERENCE_KEY).first()
    widgets = clean_layout(found.value) if found is not None else None
    if widgets is None:
        return default_layout(), False
    return widgets, True


def save_layout(*, actor: Actor, widgets: list[dict]) -> None:
    if actor.user_id is None:  # a token bound to no member has no dashboard of its own
        return
    UserPreference.objects.update_or_create(
        user_id=actor.user_id, key=PREFERENCE_KEY, defaults={"value": {"widgets": widgets[:MAX_WIDGETS]}}
    )


def reset_layout(*, actor: Actor) -> None:
    if actor.user_id is None:
        return
    UserPreference.objects.filter(user_id=actor.user_id, key=PREFERENCE_KEY).delete()


class LayoutError(ValueError):
    """A change the layout cannot take (unknown widget or type, too many widgets)."""


def layout_change(*, actor: Actor, action: str, widget_id: str = "", widget_type: str = "") -> str | None:
    """Apply one of the dashboard's buttons to the member's layout and save it: add (returns the new
    widget's id), up, down, remove; reset goes back to the default dashboard."""
    if action == "reset":
        reset_layout(actor=actor)
        return None
    widgets, _ = load_layout(actor)
    if action == "add":
        found_type = WIDGET_TYPES.get(widget_type)
        if found_type is None:
            raise LayoutError("Choose a kind of widget to add.")
        if len(widgets) >= MAX_WIDGETS:
            raise LayoutError(f"A dashboard holds at most {MAX_WIDGETS} widgets: remove one first.")
        new_id = new_widget_id()
        widgets.append({"id": new_id, "type": found_type.name, "config": found_type.default()})
        save_layout(actor=actor, widgets=widgets)
        return new_id
    index = next((number for number, widget in enumerate(widgets) if widget["id"] == widget_id), None)
    if index is None:
        raise LayoutError("That widget is no longer on your dashboard.")
    if action == "remove":
        del widgets[index]
    elif action in ("up", "down"):
        other = index - 1 if action == "up" else index + 1
        if 0 <= other < len(widgets):
            widgets[index], widgets[other] = widgets[other], widgets[index]
    else:
        raise LayoutError("Unknown dashboard action.")
    save_layout(actor=actor, widgets=widgets)
    return None


def widget_configure(*, actor: Actor, widget_id: str, config: dict) -> None:
    widgets, _ = load_layout(actor)
    for widget in widgets:
        if widget["id"] == widget_id:
            widget["config"] = config
            save_layout(actor=actor, widgets=widgets)
            return
    raise LayoutError("That widget is no longer on your dashboard.")


def find_widget(actor: Actor, widget_id: str) -> dict | None:
    widgets, _ = load_layout(actor)
    return next((widget for widget in widgets if widget["id"] == widget_id), None)


# -- what the widgets show ---------------------------------------------------------------------------


def widget_title(widget: dict) -> str:
    return widget["config"].get("title") or WIDGET_TYPES[widget["type"]].label


def visible_counts(actor: Actor) -> dict[str, int]:
    """How many objects of each registered type the member may see, by type label, in one query
    (`count_each`) however many types there are; types they may not view at all are left out."""
    viewable = [spec for spec in registry.in_menu_order() if allowed(actor, spec.model, "view")]
    counts = count_each([restricted(spec.model, actor, "view") for spec in viewable])
    return {spec.type_label: count for spec, count in zip(viewable, counts, strict=True)}


def render_widgets(actor: Actor, widgets: list[dict], counted: dict[str, int]) -> list[dict]:
    """Each widget with what it shows (`title`, `template`, `data`), in a bounded number of queries;
    `counted` is `visible_counts`'."""
    shown = []
    for widget in widgets:
        widget_type = WIDGET_TYPES[widget["type"]]
        data = widget_type.render(actor, widget["config"], counted)
        shown.append({**widget, "title": widget_title(widget), "template": widget_type.template, "data": data})
    return shown


def _counts(actor: Actor, config: dict, counted: dict[str, int]) -> list[dict]:
    """The chosen types the member may view, each with its count (from `counted`: no query here)."""
    found = []
    for label in config["models"]:
        spec = registry.find_label(label)
        if spec is not None and label in counted:
            plural = capfirst(spec.model._meta.verbose_name_plural)
            found.append({"label": plural, "count": counted[label], "url": object_url(spec, "list")})
    return found


def _jobs(actor: Actor, config: dict, counted: dict[str, int]) -> list[Job]:
    return list(restricted(Job, actor, "view").only("pk", "name", "status", "created")[: config["rows"]])


def _note(actor: Actor, config: dict, counted: dict[str, int]) -> str:
    return render_markdown(config["content"])


def _changes(actor: Actor, config: dict, counted: dict[str, int]) -> list[dict]:
    rows = config["rows"]
    changes = list(
        restricted(ObjectChange, actor, "view").only(
            "pk", "time", "user_name", "action", "changed_object_type", "changed_object_id", "object_repr"
        )[:rows]
    )
    change_spec = registry.get(ObjectChange)
    found = []
    for change in changes:
        model = ContentType.objects.get_for_id(change.changed_object_type_id).model_class()
        spec = registry.find(model) if model is not None else None
        found.append(
            {
                "change": change,
                "url": object_url(change_spec, "detail", change.pk),
                "type": capfirst(spec.model._meta.verbose_name) if spec is not None else "",
            }
        )
    return found


def _bookmarks(actor: Actor, config: dict, counted: dict[str, int]) -> list[dict]:
    """The member's bookmarks of objects they may still see (one query per type of object)."""
    rows = config["rows"]
    marks = list(restricted(Bookmark, actor, "view").prefetch_related(None).order_by("-created", "-pk")[:rows])
    by_type: dict[int, list[int]] = {}
    for mark in marks:
        by_type.setdefault(mark.object_type_id, []).append(mark.object_id)
    objects: dict[tuple[int, int], tuple[ObjectSpec, Model]] = {}
    for type_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        spec = registry.find(model) if model is not None else None
        if spec is None:
            continue
        for instance in restricted(spec.model, actor, "view").select_related(*spec.api.display_uses).filter(pk__in=ids):
            objects[(type_id, instance.pk)] = (spec, instance)
    found = []
    for mark in marks:
        target = objects.get((mark.object_type_id, mark.object_id))
        if target is None:
            continue
        spec, instance = target
        found.append(
            {
                "display": spec.display(instance),
                "type": capfirst(spec.model._meta.verbose_name),
                "url": object_url(spec, "detail", instance.pk),
            }
        )
    return found


_register_widget_types()
