"""The organization's general settings: `/o/<slug>/settings/` (name, change log retention,
uniqueness of the global table's IP space).

Admins and owners only (403 for other roles, as NetBox keeps its configuration to staff). The
rules live in `tenants.services.organization_update`; this view translates its outcome.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from saas_platform.forms import ServiceForm
from tenants.models import Organization
from tenants.services import CHANGELOG_RETENTION_MAX, organization_update


class OrganizationSettingsForm(ServiceForm):
    name = forms.CharField(label="Name", max_length=Organization._meta.get_field("name").max_length)
    changelog_retention = forms.IntegerField(
        label="Change log retention (days)",
        min_value=0,
        max_value=CHANGELOG_RETENTION_MAX,
        help_text="Change log entries older than this are deleted; 0 keeps them forever.",
    )
    enforce_global_unique = forms.BooleanField(
        label="Enforce unique IP space in the global table",
        required=False,
        help_text="Prefixes and IP addresses outside any VRF may not repeat (NetBox's ENFORCE_GLOBAL_UNIQUE). "
        "VRFs follow their own setting.",
    )


def _require_manager(request) -> None:
    if not request.membership.is_manager:
        raise PermissionDenied("Only admins and owners change the organization's settings.")


@never_cache
def settings_general(request) -> HttpResponse:
    _require_manager(request)
    organization = request.organization
    status = 200
    if request.method == "POST":
        form = OrganizationSettingsForm(request.POST)
        if form.is_valid():
            try:
                organization_update(organization=organization, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, "Settings saved.")
                return redirect("settings-general")
        status = 400
    else:
        form = OrganizationSettingsForm(
            initial={
                "name": organization.name,
                "changelog_retention": organization.changelog_retention,
                "enforce_global_unique": organization.enforce_global_unique,
            }
        )
    return render(request, "frontend/settings/general.html", {"form": form}, status=status)
