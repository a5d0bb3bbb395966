"""Bulk edit, bulk delete and bulk import: all-or-nothing, through the same services as the API."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from automation.models import Job
from automation.services import job_enqueue, job_function_path, job_progress
from core.models import TaggedItem
from core.patterns import PatternError, compile_user_pattern, user_pattern_replace
from core.permissions import NotPermitted
from core.querysets import restricted
from core.registry import ObjectSpec
from core.usecases import Item, WriteRefused, delete_objects, write_objects
from frontend import listing, transfer
from frontend.base_views import forbidden, object_url, page, safe_return_url, ui_view
from frontend.forms import NULLIFY, build_form
from frontend.object_views import deletion_preview, refusal_on_form

IMPORT_FUNCTION = job_function_path(transfer.import_job)


def _selected(request, spec: ObjectSpec, actor, action: str):
    """The objects a bulk form acts on: the ticked ones, or (`_all`) all matching the list's filter."""
    data = request.POST
    if data.get("_all"):
        params = QueryDict(data.get("_query", ""))
        return listing.filtered(spec, actor, params, action).queryset
    pks = [int(pk) for pk in data.getlist("pk") if pk.isdigit()]
    return restricted(spec.model, actor, action).filter(pk__in=pks).order_by("pk")


def _hidden_selection(request) -> dict:
    return {
        "pks": request.POST.getlist("pk"),
        "all": request.POST.get("_all", ""),
        "query": request.POST.get("_query", ""),
    }


# -- bulk edit ---------------------------------------------------------------------------------


@require_http_methods(["POST"])
@ui_view
def bulk_edit(request, *, spec: ObjectSpec, actor):
    if (refusal := forbidden(request, spec, actor, "change")) is not None:
        return refusal
    selected = list(_selected(request, spec, actor, "change"))
    Form = build_form(spec, bulk=True)
    return_url = safe_return_url(request, object_url(spec, "list"))
    if request.POST.get("_apply"):
        form = Form(request.POST, actor=actor)
        if form.is_valid() and selected:
            errors = _apply_bulk_edit(spec, actor, form, selected)
            if not errors:
                messages.success(request, f"Updated {len(selected)} {spec.model._meta.verbose_name_plural}")
                return redirect(return_url)
            for error in errors:
                obj = selected[error["index"]]
                for name, problems in error["errors"].items():
                    target = name if name in form.fields and name != "__all__" else None
                    for problem in problems:
                        form.add_error(target, f"{spec.display(obj)}: {problem}")
        elif not selected:
            form.add_error(None, "No objects selected.")
    else:
        form = Form(actor=actor)
    return page(
        request,
        "frontend/generic/bulk_edit.html",
        spec,
        actor,
        {"form": form, "nullify": form[NULLIFY] if NULLIFY in form.fields else None, "selected": selected[:100],
         "count": len(selected), "selection": _hidden_selection(request), "return_url": return_url},
    )  # fmt: skip


def _apply_bulk_edit(spec: ObjectSpec, actor, form, selected: list) -> list[dict]:
    """Write the form's changes to every selected object (all or none); NetBox's per-item errors."""
    payload = form.payload()
    add_tags, remove_tags = form.tag_changes() if form.has_tags else ([], [])
    current: dict[int, set[int]] = {}
    if add_tags or remove_tags:
        content_type = ContentType.objects.get_for_model(spec.model)
        tagged = TaggedItem.objects.filter(content_type=content_type, object_id__in=[obj.pk for obj in selected])
        for object_id, tag_id in tagged.values_list("object_id", "tag_id"):
            current.setdefault(object_id, set()).add(tag_id)
    items = []
    for instance in selected:
        item = dict(payload)
        if add_tags or remove_tags:
            item["tags"] = sorted((current.get(instance.pk, set()) | set(add_tags)) - set(remove_tags))
        items.append(Item(payload=item, pk=instance.pk))
    try:
        write_objects(spec, actor, items, partial=True)
    except WriteRefused as refused:
        return refused.errors
    except NotPermitted as refusal:
        return [{"index": 0, "errors": {"__all__": [refusal.message]}}]
    except ValidationError as error:  # refused as a whole (e.g. a read-only organization)
        return [{"index": 0, "errors": {"__all__": list(error.messages)}}]
    return []


# -- bulk delete -------------------------------------------------------------------------------


@require_http_methods(["POST"])
@ui_view
def bulk_delete(request, *, spec: ObjectSpec, actor):
    if (refusal := forbidden(request, spec, actor, "delete")) is not None:
        return refusal
    selected = list(_selected(request, spec, actor, "delete"))
    return_url = safe_return_url(request, object_url(spec, "list"))
    cascaded, blocking = deletion_preview(selected)
    status = 200
    if request.POST.get("_confirm") and selected and not blocking:
        try:
            delete_objects(spec, actor, [obj.pk for obj in selected])
        except (ProtectedError, RestrictedError) as error:
            objects = getattr(error, "protected_objects", None) or getattr(error, "restricted_objects", [])
            blocking = [str(obj) for obj in objects]
            status = 409
        except ValidationError as error:  # refused as a whole (e.g. a read-only organization)
            blocking = list(error.messages)
            status = 403
        except WriteRefused as refused:  # deleted meanwhile
            blocking = [message for error in refused.errors for message in error["errors"]["id"]]
            status = 409
        else:
            messages.success(request, f"Deleted {len(selected)} {spec.model._meta.verbose_name_plural}")
            return redirect(return_url)
    return page(
        request,
        "frontend/generic/bulk_delete.html",
        spec,
        actor,
        {"selected": selected[:100], "count": len(selected), "cascaded": cascaded, "blocking": blocking,
         "selection": _hidden_selection(request), "return_url": return_url},
        status=status,
    )  # fmt: skip


# -- import ------------------------------------------------------------------------------------


def background_threshold() -> int:
    return settings.WIREBOOK_IMPORT_BACKGROUND_ROWS


@require_http_methods(["GET", "POST"])
@ui_view
def bulk_import(request, *, spec: ObjectSpec, actor):
    if (refusal := forbidden(request, spec, actor, "add")) is not None:
        return refusal
    context = {
        "columns": transfer.columns(spec),
        "nested": spec.ui.importer.keys if spec.ui.importer is not None else (),
        "data": request.POST.get("data", ""),
        "format": request.POST.get("format", "auto"),
        "formats": ("auto", *transfer.FORMATS),
        "errors": [],
        "format_error": None,
    }
    if request.method == "POST":
        text = request.POST.get("data", "")
        upload = request.FILES.get("upload")
        if upload is not None:
            limit = settings.WIREBOOK_IMPORT_MAX_BYTES
            if upload.size > limit:
                context["format_error"] = f"The file is too large: {upload.size} bytes, at most {limit} per import."
            else:
                try:
                    text = upload.read().decode("utf-8-sig")
                except UnicodeDecodeError:
                    context["format_error"] = "The file is not UTF-8 text."
        if context["format_error"] is None:
            fmt = context["format"] if context["format"] in context["formats"] else "auto"
            if upload is not None and fmt == "auto":
                fmt = next((f for f in transfer.FORMATS if upload.name.lower().endswith(f".{f}")), "auto")
                fmt = "yaml" if upload.name.lower().endswith(".yml") else fmt
            try:
                records = transfer.parse(text, fmt)
            except transfer.ImportFormatError as error:
                context["format_error"] = str(error)
            else:
                if len(records) >= background_threshold():
                    job = job_enqueue(
                        name=f"Import {len(records)} {spec.model._meta.verbose_name_plural}",
                        function=transfer.import_job,
                        arguments={"model": spec.label, "records": records, "user_id": actor.user_id,
                                   "user_name": actor.user_name, "role": actor.role},
                        user_id=actor.user_id,
                    )  # fmt: skip
                    return redirect("ui-job", pk=job.pk)
                result = transfer.import_records(spec, actor, records)
                if result.ok:
                    messages.success(
                        request,
                        f"Imported {len(result.created)} and updated {len(result.updated)} "
                        f"{spec.model._meta.verbose_name_plural}",
                    )
                    return redirect(object_url(spec, "list"))
                context["errors"] = result.errors
                context["data"] = text
    status = 400 if context["errors"] or context["format_error"] else 200
    return page(request, "frontend/generic/import.html", spec, actor, context, status=status)


def _job_visible(request, pk: int) -> Job:
    job = Job.objects.filter(pk=pk).first()
    membership = request.membership
    if job is None or (job.user_id != request.user.pk and membership.role not in ("admin", "owner")):
        raise Http404
    return job


@ui_view
def job_detail(request, pk: int, *, actor):
    """A background job's progress and result; the progress part re-polls itself (htmx) until done."""
    job = _job_visible(request, pk)
    progress = job_progress(job.pk)
    percent = int(100 * progress["done"] / progress["total"]) if progress.get("total") else 0
    if job.status == "completed":
        percent = 100
    template = "frontend/job_progress.html" if request.headers.get("HX-Request") else "frontend/job.html"
    context = {"job": job, "percent": percent, "progress": progress, "import_function": IMPORT_FUNCTION}
    return render(request, template, context)


# -- bulk rename ---------------------------------------------------------------------------------


class RenameForm(forms.Form):
    find = forms.CharField(label="Find", widget=forms.TextInput(attrs={"class": "form-control"}))
    replace = forms.CharField(
        label="Replace", required=False, strip=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    use_regex = forms.BooleanField(
        label="Use regular expression",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def clean(self):
        data = super().clean() or {}
        if data.get("use_regex") and data.get("find"):
            try:
                compile_user_pattern(data["find"])
            except PatternError as error:
                self.add_error("find", f"Invalid regular expression: {error}")
        return data

    def renamed(self, name: str) -> str:
        find, replace = self.cleaned_data["find"], self.cleaned_data["replace"] or ""
        if self.cleaned_data["use_regex"]:
            return user_pattern_replace(find, replace, name)
        return name.replace(find, replace)


@require_http_methods(["POST"])
@ui_view
def bulk_rename(request, *, spec: ObjectSpec, actor):
    """NetBox's bulk rename: find and replace (or a regular expression) over the selected objects' names, shown
    before it is applied, applied through the same writes as the API."""
    if not spec.ui.bulk_rename:
        raise Http404
    if (refusal := forbidden(request, spec, actor, "change")) is not None:
        return refusal
    selected = list(_selected(request, spec, actor, "change"))
    return_url = safe_return_url(request, object_url(spec, "list"))
    bound = "_preview" in request.POST or "_apply" in request.POST
    form = RenameForm(request.POST if bound else None)
    renames = []
    if bound and form.is_valid():
        renames = [(obj, obj.name, form.renamed(obj.name)) for obj in selected]
        if "_apply" in request.POST:
            items = [Item(payload={"name": new}, pk=obj.pk) for obj, old, new in renames if new != old]
            renamed = [obj for obj, old, new in renames if new != old]  # in the order of `items`
            try:
                write_objects(spec, actor, items, partial=True)
            except (WriteRefused, ValidationError, NotPermitted) as refused:
                refusal_on_form(form, refused, lambda index: spec.display(renamed[index]))
            else:
                messages.success(request, f"Renamed {len(items)} {spec.model._meta.verbose_name_plural}")
                return redirect(return_url)
    return page(
        request,
        "frontend/generic/bulk_rename.html",
        spec,
        actor,
        {"form": form, "renames": renames[:500], "count": len(selected), "selected": selected[:100],
         "selection": _hidden_selection(request), "return_url": return_url},
    )  # fmt: skip
