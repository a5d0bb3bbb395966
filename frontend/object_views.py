"""Generic detail, create/edit/clone and delete pages for every registered model (the list: frontend.list_views)."""

from typing import Any

from django.contrib import messages
from django.contrib.admin.utils import NestedObjects
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import router
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from core.changes import readable_diffs
from core.customfields import definitions_for, supports_custom_fields, supports_journaling
from core.fields import JSONFormField, kind_of
from core.filters import CUSTOM_FIELD_PREFIX
from core.images import image_url
from core.models import CustomFieldType, ImageAttachment, JournalEntry, ObjectChange
from core.permissions import NotPermitted
from core.querysets import restricted
from core.registry import ObjectSpec, Page, Tab, registry
from core.representation import Links, counted_in_statement, field_names, optimize, render
from core.usecases import Item, WriteRefused, delete_objects, write_objects
from frontend import listing, pagination, tables
from frontend.base_views import forbidden, object_url, page, permissions, safe_return_url, ui_view
from frontend.breadcrumbs import trail
from frontend.extensions import object_header_items
from frontend.forms import ImageUploadForm, build_form, clone_initial, initial_from
from frontend.markdown import render_markdown
from frontend.object_parts import coordinates, feature_counts, map_tiles
from frontend.patterns import expand, has_pattern

# -- detail ------------------------------------------------------------------------------------


def _get_visible(spec: ObjectSpec, actor, pk: int, action: str = "view"):
    queryset = restricted(spec.model, actor, action)
    try:
        return queryset.get(pk=pk)
    except ObjectDoesNotExist:
        raise Http404 from None


def related_objects(spec: ObjectSpec, actor, instance) -> list[dict]:
    """Registered objects pointing at `instance`, counted with the list's own filter (so counts match)."""
    related = []
    for other in registry:
        for field in other.model._meta.concrete_fields + other.model._meta.many_to_many:
            if not field.is_relation or field.related_model is not spec.model:
                continue
            name = f"{field.name}_id"
            if name not in listing.filters_for(other.model):
                continue
            params = QueryDict(mutable=True)
            params[name] = str(instance.pk)
            count = listing.filtered(other, actor, params).queryset.count()
            plural = other.model._meta.verbose_name_plural
            related.append(
                {
                    "label": f"child {plural}" if other.model is spec.model else plural,  # a tree's children
                    "count": count,
                    "url": object_url(other, "list", **{name: instance.pk}),
                }
            )
    for relation in spec.model._meta.private_fields:  # generic relations: contact assignments, journal
        target = getattr(relation, "related_model", None)
        generic = registry.find(target) if isinstance(target, type) else None
        if kind_of(relation).relation != "generic" or generic is None:
            continue
        params = QueryDict(mutable=True)
        params[relation.content_type_field_name] = spec.type_label
        params[relation.object_id_field_name] = str(instance.pk)
        related.append(
            {
                "label": generic.model._meta.verbose_name_plural,
                "count": listing.filtered(generic, actor, params).queryset.count(),
                "url": object_url(generic, "list", **params.dict()),
            }
        )
    return sorted(related, key=lambda item: str(item["label"]))


def _custom_field_rows(spec: ObjectSpec, data: dict, links: Links) -> list[tuple[str, str, object]]:
    if not supports_custom_fields(spec.model):
        return []
    rows: list[tuple[str, str, object]] = []
    values = data.get("custom_fields") or {}
    for name, definition in definitions_for(spec.model).items():
        value = values.get(name)
        if definition.ui_visible == "hidden" or (definition.ui_visible == "if-set" and value in (None, "", [])):
            continue
        if definition.type == CustomFieldType.LONGTEXT and isinstance(value, str):
            html = render_markdown(value)
        else:
            html = tables.cell(value, links)
        rows.append((definition.group_name, definition.label or name, html))
    return rows


def _tabs(spec: ObjectSpec, actor, instance, active: str) -> list[dict]:
    tabs: list[dict[str, Any]] = [
        {
            "name": "detail",
            "label": str(spec.model._meta.verbose_name).capitalize(),
            "url": object_url(spec, "detail", instance.pk),
        }
    ]
    for tab in spec.ui.tabs:
        if not tab.visible(instance):
            continue
        badge = tab.badge(actor, spec, instance) if tab.badge is not None else None
        if tab.hide_if_empty and not badge and tab.name != active:
            continue
        tabs.append(
            {"name": tab.name, "label": tab.label, "url": object_url(spec, tab.name, instance.pk), "badge": badge}
        )
    counts = feature_counts(spec, actor, instance)
    if spec.images and (counts["images"] or active == "images"):
        tabs.append(_counted_tab(spec, instance, "images", "Images", counts))
    if supports_journaling(spec.model):
        tabs.append(_counted_tab(spec, instance, "journal", "Journal", counts))
    if spec.ui.changelog:
        tabs.append(_counted_tab(spec, instance, "changelog", "Changelog", counts))
    for entry in tabs:
        entry["active"] = entry["name"] == active
    return tabs


def _counted_tab(spec: ObjectSpec, instance, name: str, label: str, counts: dict[str, int]) -> dict:
    return {"name": name, "label": label, "url": object_url(spec, name, instance.pk), "badge": counts[name]}


def _object_context(request, spec: ObjectSpec, actor, instance, active: str) -> dict:
    links = Links(request)
    loaded = counted_in_statement(optimize(spec.model._default_manager.filter(pk=instance.pk), spec, brief=False)).get()
    data = render(loaded, links)
    can = permissions(spec, actor)
    if can["change"] or can["delete"]:
        changeable = restricted(spec.model, actor, "change").filter(pk=instance.pk).exists()
        deletable = restricted(spec.model, actor, "delete").filter(pk=instance.pk).exists()
        can = {**can, "change": can["change"] and changeable, "delete": can["delete"] and deletable}
    tabs = _tabs(spec, actor, loaded, active)  # badges may read the counts the representation annotates
    images_shown = any(tab["name"] == "images" for tab in tabs)
    can_add_images = spec.images and permissions(registry.get(ImageAttachment), actor)["add"]
    return {
        "object": instance,
        "data": data,
        "display": spec.display(instance),
        "breadcrumbs": trail(spec, actor, instance),
        "tabs": tabs,
        # the first image is attached from the Images tab, which is left out while there are none
        "image_add_url": object_url(spec, "images", instance.pk) if can_add_images and not images_shown else None,
        "can": can,
        "edit_url": None if spec.access.read_only else object_url(spec, "edit", instance.pk),
        "delete_url": None if spec.access.read_only else object_url(spec, "delete", instance.pk),
        "clone_url": object_url(spec, "add", **_clone_query(spec, instance)) if not spec.access.read_only else None,
        "links": links,
        "header_items": object_header_items(request, spec, actor, instance, data),
    }


def _clone_query(spec: ObjectSpec, instance) -> dict:
    query = {}
    for name, value in clone_initial(spec, instance).items():
        if value in (None, "", []) or name.startswith(CUSTOM_FIELD_PREFIX) or name == "tags":
            continue
        query[name] = value
    return query


@ui_view
def object_detail(request, pk: int, *, spec: ObjectSpec, actor):
    instance = _get_visible(spec, actor, pk)
    context = _object_context(request, spec, actor, instance, "detail")
    shown = dict(context["data"])
    if spec.ui.present is not None:
        spec.ui.present([instance], [shown], context["links"], actor)
    # comments get a panel of their own (NetBox's), "None" when empty
    has_comments = "comments" in field_names(spec)
    context["attributes"] = tables.attributes(spec, shown, context["links"], skip=("comments",) if has_comments else ())
    context["comments"] = render_markdown(context["data"].get("comments")) if has_comments else None
    context["coordinates"] = coordinates(context["data"])
    context["map_tiles"] = map_tiles()
    context["custom_fields"] = _custom_field_rows(spec, context["data"], context["links"])
    context["tags"] = [tables.cell(tag, context["links"]) for tag in context["data"].get("tags") or []]
    context["related"] = related_objects(spec, actor, instance)
    context["counts"] = [(tables._label(spec, name), context["data"].get(name)) for name in spec.api.counts]
    context["panels"] = {"left": [], "right": [], "full": []}
    for panel in spec.ui.panels:
        context["panels"][panel.column].append(
            {"template": panel.template, **panel.context(request, spec, actor, instance)}
        )
    return page(request, "frontend/generic/detail.html", spec, actor, context)


@ui_view
def object_tab(request, pk: int, *, spec: ObjectSpec, actor, tab: Tab):
    """A registration's own tab (core.registry.Tab): the object's header and tabs around its body."""
    instance = _get_visible(spec, actor, pk)
    if not tab.visible(instance):
        raise Http404
    context = _object_context(request, spec, actor, instance, tab.name)
    template, body = tab.view(request, spec, actor, instance)
    context.update(body)
    context["tab_template"] = template
    return page(request, "frontend/generic/tab.html", spec, actor, context)


@ui_view
def model_page(request, *, spec: ObjectSpec, actor, extra: Page):
    """A registration's own page beside its list (core.registry.Page)."""
    answer = extra.view(request, spec, actor)
    if isinstance(answer, HttpResponse):  # a form's POST, answered with a redirect
        return answer
    template, context = answer
    return page(request, template, spec, actor, context)


# -- change log and journal tabs ---------------------------------------------------------------

# The changes a changelog tab shows a page, unless the member asks for another number.
CHANGES_PER_PAGE = 50


@ui_view
def object_changelog(request, pk: int, *, spec: ObjectSpec, actor):
    instance = _get_visible(spec, actor, pk)
    context = _object_context(request, spec, actor, instance, "changelog")
    content_type = ContentType.objects.get_for_model(spec.model)
    changes = (
        ObjectChange.objects.restrict(actor, "view")
        .filter(changed_object_type=content_type, changed_object_id=instance.pk)
        .order_by("-time", "-pk")
    )
    size = pagination.per_page(request.GET, {"per_page": CHANGES_PER_PAGE})
    page_obj = pagination.paginate(changes, request.GET, size)
    shown = list(page_obj.object_list)
    context["changes"] = [
        {"change": change, "diff": diff, "url": object_url(registry.get(ObjectChange), "detail", change.pk)}
        for change, diff in zip(shown, readable_diffs(shown, actor, context["links"]), strict=True)
    ]
    context.update(pagination.footer(page_obj, request.GET, size))
    return page(request, "frontend/generic/changelog.html", spec, actor, context)


@require_http_methods(["GET", "POST"])
@ui_view
def object_journal(request, pk: int, *, spec: ObjectSpec, actor):
    if not supports_journaling(spec.model):
        raise Http404
    instance = _get_visible(spec, actor, pk)
    journal_spec = registry.get(JournalEntry)
    JournalForm = build_form(journal_spec)
    content_type = ContentType.objects.get_for_model(spec.model)
    form = None
    can_add = permissions(journal_spec, actor)["add"]
    if can_add:
        form = JournalForm(request.POST or None, actor=actor, initial={"kind": "info"})
        for name in ("assigned_object_type", "assigned_object_id"):
            form.fields.pop(name, None)
        form.model_field_names = tuple(
            n for n in form.model_field_names if n not in ("assigned_object_type", "assigned_object_id")
        )
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            payload = form.payload()
            payload["assigned_object_type"] = spec.type_label
            payload["assigned_object_id"] = instance.pk
            if _write(form, journal_spec, actor, payload, instance=None) is not None:
                messages.success(request, "Journal entry added.")
                return redirect(object_url(spec, "journal", instance.pk))
    context = _object_context(request, spec, actor, instance, "journal")
    entries = (
        JournalEntry.objects.restrict(actor, "view")
        .filter(assigned_object_type=content_type, assigned_object_id=instance.pk)
        .order_by("-created", "-pk")
    )
    context["entries"] = list(entries[:200])
    context["journal_form"] = form
    context["journal_spec"] = journal_spec
    return page(request, "frontend/generic/journal.html", spec, actor, context)


@require_http_methods(["GET", "POST"])
@ui_view
def object_images(request, pk: int, *, spec: ObjectSpec, actor):
    """The object's image attachments (NetBox's Images card): thumbnails, an upload form, and deletion."""
    if not spec.images:
        raise Http404
    instance = _get_visible(spec, actor, pk)
    images_spec = registry.get(ImageAttachment)
    can = permissions(images_spec, actor)
    here = object_url(spec, "images", instance.pk)
    attachments = ImageAttachment.objects.restrict(actor, "view").filter(
        object_type=ContentType.objects.get_for_model(spec.model), object_id=instance.pk
    )
    form = ImageUploadForm(request.POST or None, request.FILES or None) if can["add"] else None
    if request.method == "POST" and request.POST.get("delete"):
        if not can["delete"] or not request.POST["delete"].isdigit():
            raise Http404
        try:
            delete_objects(images_spec, actor, [attachments.get(pk=int(request.POST["delete"])).pk])
        except (ObjectDoesNotExist, WriteRefused):
            raise Http404 from None
        messages.success(request, "Image deleted.")
        return redirect(here)
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            payload = {**form.cleaned_data, "object_type": spec.type_label, "object_id": instance.pk}
            if _write(form, images_spec, actor, payload, instance=None) is not None:
                messages.success(request, "Image added.")
                return redirect(here)
    context = _object_context(request, spec, actor, instance, "images")
    links = context["links"]
    context["images"] = [
        {
            "attachment": attachment,
            "url": image_url(attachment, links),
            "thumbnail": image_url(attachment, links, "thumbnail"),
            "detail_url": object_url(images_spec, "detail", attachment.pk),
        }
        for attachment in attachments
    ]
    context["image_form"] = form
    context["can_delete_images"] = can["delete"]
    return page(request, "frontend/generic/images.html", spec, actor, context)


# -- create / edit / clone ---------------------------------------------------------------------


def _write(form, spec: ObjectSpec, actor, payload: dict, *, instance):
    """Write like the API does (core.usecases); errors land on the form. The object, or None."""
    try:
        item = Item(payload=payload, pk=None if instance is None else instance.pk)
        return write_objects(spec, actor, [item], partial=instance is not None)[0]
    except WriteRefused as refused:
        form.add_api_errors(refused.errors[0]["errors"])
    except ValidationError as error:  # refused as a whole (e.g. a read-only organization)
        form.add_error(None, " ".join(error.messages))
    except NotPermitted as refusal:
        form.add_error(None, refusal.message)
    return None


@require_http_methods(["GET", "POST"])
@ui_view
def object_edit(request, pk: int | None = None, *, spec: ObjectSpec, actor):
    if (refusal := forbidden(request, spec, actor, "add" if pk is None else "change")) is not None:
        return refusal
    instance = None if pk is None else _get_visible(spec, actor, pk, "change")
    Form = build_form(spec)
    if request.method == "POST":
        form = Form(request.POST, request.FILES, actor=actor)
        if form.is_valid() and instance is None and _patterned(spec, form):
            made = _write_patterned(form, spec, actor, form.payload())
            if made:
                messages.success(request, f"Created {len(made)} {spec.model._meta.verbose_name_plural}")
                return redirect(safe_return_url(request, object_url(spec, "list")))
        elif form.is_valid():
            obj = _write(form, spec, actor, form.payload(), instance=instance)
            if obj is not None:
                verb = "Created" if instance is None else "Modified"
                messages.success(request, f"{verb} {spec.model._meta.verbose_name} {spec.display(obj)}")
                if request.POST.get("_addanother"):
                    return redirect(object_url(spec, "add"))
                return redirect(safe_return_url(request, object_url(spec, "detail", obj.pk)))
    else:
        initial = initial_from(spec, instance) if instance is not None else _initial_from_query(Form, request.GET)
        form = Form(initial=initial, actor=actor)
    return page(
        request,
        "frontend/generic/edit.html",
        spec,
        actor,
        {
            "form": form,
            "object": instance,
            "display": spec.display(instance) if instance is not None else None,
            "breadcrumbs": trail(spec, actor, instance) if instance is not None else [],
            "detail_url": object_url(spec, "detail", instance.pk) if instance is not None else None,
            "return_url": safe_return_url(
                request, object_url(spec, "detail", instance.pk) if instance else object_url(spec, "list")
            ),
        },
    )


def _initial_from_query(form_class, params: QueryDict) -> dict:
    """The add form's initial values from its query string (`?name=…`); JSON fields take JSON text."""
    initial: dict[str, Any] = {}
    for key in params:
        values = params.getlist(key)
        initial[key] = values if len(values) > 1 else values[0]
        if isinstance(form_class.base_fields.get(key), JSONFormField) and len(values) == 1:
            initial[key] = JSONFormField.initial_from_text(values[0])
    for key in list(initial):  # `?device_id=7` (a list's filter) fills in the form's `device`
        if key.endswith("_id"):
            initial.setdefault(key.removesuffix("_id"), initial[key])
    return initial


def _patterned(spec: ObjectSpec, form) -> bool:
    return any(has_pattern(form.cleaned_data.get(name)) for name in spec.ui.name_patterns)


def _write_patterned(form, spec: ObjectSpec, actor, payload: dict) -> list:
    """NetBox's creation of several objects from one form: `Gi1/0/[1-48]` in a pattern field makes one object per
    value (several pattern fields make as many values each). The objects, or [] with the errors on the form."""
    expanded = {}
    for name in spec.ui.name_patterns:
        if has_pattern(payload.get(name)):
            try:
                expanded[name] = expand(payload[name])
            except ValidationError as error:
                form.add_error(name, error.messages[0])
                return []
    count = max(len(values) for values in expanded.values())
    for name, values in expanded.items():
        if len(values) != count:
            form.add_error(
                name, f"The provided pattern makes {len(values)} values, but the others make {count}: they must match."
            )
            return []
    items = [
        Item(payload={**payload, **{name: values[index] for name, values in expanded.items()}})
        for index in range(count)
    ]
    try:
        return write_objects(spec, actor, items)
    except (WriteRefused, ValidationError, NotPermitted) as refusal:
        refusal_on_form(form, refusal, lambda index: ", ".join(values[index] for values in expanded.values()))
    return []


def refusal_on_form(form, refusal: WriteRefused | ValidationError | NotPermitted, named) -> None:
    """A refused write of several objects as the form's errors, each refused item's prefixed with
    `named(index)` (what the item would have been called)."""
    if isinstance(refusal, WriteRefused):
        for error in refusal.errors:
            for problems in error["errors"].values():
                for problem in problems:
                    form.add_error(None, f"{named(error['index'])}: {problem}")
    elif isinstance(refusal, ValidationError):
        form.add_error(None, " ".join(refusal.messages))
    else:
        form.add_error(None, refusal.message)


# -- delete ------------------------------------------------------------------------------------


def deletion_preview(instances: list) -> tuple[list[str], list[str]]:
    """(what would be deleted with them, what blocks the deletion) as readable lines."""
    if not instances:
        return [], []
    collector = NestedObjects(using=router.db_for_write(type(instances[0])))
    collector.collect(instances)
    chosen = {(type(obj), obj.pk) for obj in instances}
    cascaded = []
    for model, objects in collector.data.items():
        if registry.find(model) is None:
            continue
        for obj in objects:
            if (type(obj), obj.pk) not in chosen:
                cascaded.append(f"{str(model._meta.verbose_name).capitalize()}: {obj}")
    blocking = [
        f"{type(obj)._meta.verbose_name.capitalize()}: {obj}"
        for obj in list(collector.protected)
        + [o for objs in getattr(collector, "restricted_objects", {}).values() for o in objs]
    ]
    return sorted(cascaded)[:200], sorted(set(blocking))[:200]


@require_http_methods(["GET", "POST"])
@ui_view
def object_delete_view(request, pk: int, *, spec: ObjectSpec, actor):
    if (refusal := forbidden(request, spec, actor, "delete")) is not None:
        return refusal
    instance = _get_visible(spec, actor, pk, "delete")
    cascaded, blocking = deletion_preview([instance])
    if request.method == "POST" and not blocking:
        display = spec.display(instance)
        try:
            delete_objects(spec, actor, [instance.pk])
        except (ProtectedError, RestrictedError) as error:
            objects = getattr(error, "protected_objects", None) or getattr(error, "restricted_objects", [])
            blocking = [str(obj) for obj in objects]
        except ValidationError as error:  # refused as a whole (e.g. a read-only organization)
            blocking = list(error.messages)
        except WriteRefused:  # deleted meanwhile
            raise Http404 from None
        else:
            messages.success(request, f"Deleted {spec.model._meta.verbose_name} {display}")
            return redirect(safe_return_url(request, object_url(spec, "list")))
    return page(
        request,
        "frontend/generic/delete.html",
        spec,
        actor,
        {
            "object": instance,
            "display": spec.display(instance),
            "cascaded": cascaded,
            "blocking": blocking,
            "return_url": safe_return_url(request, object_url(spec, "detail", instance.pk)),
        },
        status=409 if blocking and request.method == "POST" else 200,
    )
