"""The danger zone: `/o/<slug>/settings/danger/…` -- export all data, restore from an archive,
delete the organization.

Admins and owners see the page and export; only owners restore an archive (into an empty
organization), delete the organization (typing its slug) or cancel a scheduled deletion. The rules
live in `automation.export`, `automation.archives` and `tenants.services`.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import get_script_prefix
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from automation.archives import organization_restore_enqueue
from automation.backup import ArchiveRefused
from automation.export import (
    EXPORT_FUNCTION,
    EXPORTS_KEPT,
    export_path,
    organization_export_enqueue,
    organization_exports,
)
from automation.models import Job
from saas_platform.forms import ServiceForm
from tenants.models import MembershipRole
from tenants.services import organization_deletion_cancel, organization_deletion_schedule

DANGER_PATH = "settings-danger"


class DeletionForm(ServiceForm):
    confirmation = forms.CharField(label="Type the organization's slug to confirm", max_length=50)


class RestoreForm(ServiceForm):
    archive = forms.FileField(
        label="Export archive (.zip)",
        help_text="An archive exported from this page or written by a backup, by this version of Wirebook.",
    )

    def clean_archive(self):
        archive = self.cleaned_data["archive"]
        limit = settings.WIREBOOK_RESTORE_MAX_BYTES
        if archive.size > limit:
            raise ValidationError(f"The archive is too large: {archive.size} bytes, at most {limit}.")
        return archive


def _require_manager(request) -> None:
    if not request.membership.is_manager:
        raise PermissionDenied("Only admins and owners use the danger zone.")


def _is_owner(request) -> bool:
    return request.membership.role == MembershipRole.OWNER


def _danger_page(
    request, deletion_form: DeletionForm, status: int = 200, restore_form: RestoreForm | None = None
) -> HttpResponse:
    context = {
        "restore_form": restore_form or RestoreForm(),
        "exports": organization_exports(),
        "is_owner": _is_owner(request),
        "deletion_form": deletion_form,
        "grace_days": settings.ORGANIZATION_DELETION_GRACE_DAYS,
        "exports_kept": EXPORTS_KEPT,
    }
    return render(request, "frontend/settings/danger.html", context, status=status)


@never_cache
def danger(request) -> HttpResponse:
    _require_manager(request)
    return _danger_page(request, DeletionForm())


@require_POST
def export_start(request) -> HttpResponse:
    _require_manager(request)
    organization_export_enqueue(
        organization=request.organization, user=request.user, root=request.build_absolute_uri(get_script_prefix())
    )
    messages.success(request, "The export has started. Reload this page to see when it is ready.")
    return redirect(DANGER_PATH)


@require_POST
def restore_start(request) -> HttpResponse:
    _require_manager(request)
    if not _is_owner(request):
        raise PermissionDenied("Only owners restore an organization from an archive.")
    form = RestoreForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            job = organization_restore_enqueue(
                organization=request.organization, user=request.user, upload=form.cleaned_data["archive"]
            )
        except ArchiveRefused as error:
            form.add_error("archive", error)
        else:
            return redirect("ui-job", pk=job.pk)
    return _danger_page(request, DeletionForm(), status=400, restore_form=form)


@never_cache
def export_download(request, job_id) -> FileResponse:
    _require_manager(request)
    job = get_object_or_404(Job, job_id=job_id, function=EXPORT_FUNCTION)
    path = export_path(job)
    if path is None or not default_storage.exists(path):
        raise Http404("This export is not available.")
    filename = f"{request.organization.slug}-export-{job.created:%Y%m%d-%H%M%S}.zip"
    return FileResponse(default_storage.open(path, "rb"), as_attachment=True, filename=filename)


@require_POST
def deletion_schedule(request) -> HttpResponse:
    _require_manager(request)
    if not _is_owner(request):
        raise PermissionDenied("Only owners delete an organization.")
    form = DeletionForm(request.POST)
    if form.is_valid():
        try:
            organization_deletion_schedule(
                organization=request.organization, by=request.user, confirmation=form.cleaned_data["confirmation"]
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            # The organization is closed now: its pages show the owners how to cancel.
            return redirect("organization-home")
    return _danger_page(request, form, status=400)


@require_POST
def deletion_cancel(request) -> HttpResponse:
    try:
        organization_deletion_cancel(organization=request.organization, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"{request.organization.name} will not be deleted.")
    return redirect(DANGER_PATH)
