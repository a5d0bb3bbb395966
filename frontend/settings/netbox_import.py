"""Import from NetBox: `/o/<slug>/settings/import-netbox/` starts `manage.py import_netbox` as a background job
(automation.netbox_import) for admins and owners; the job's page shows its progress and report."""

from django import forms
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from automation.netbox_import import netbox_import_enqueue, netbox_import_jobs
from core.netbox_import import NetBoxUnavailable
from frontend.settings.general import _require_manager
from saas_platform.forms import ServiceForm


class NetBoxImportForm(ServiceForm):
    url = forms.URLField(
        label="NetBox URL",
        max_length=200,
        assume_scheme="https",
        help_text="Its base URL, e.g. https://netbox.example.com. Wirebook reads it; nothing is written there.",
    )
    token = forms.CharField(
        label="NetBox API token",
        max_length=200,
        strip=True,
        widget=forms.PasswordInput(render_value=False),
        help_text="A token that may read every object (v2 nbt_... or v1). It is kept only until the import starts.",
    )


@never_cache
def settings_netbox_import(request) -> HttpResponse:
    _require_manager(request)
    status = 200
    if request.method == "POST":
        form = NetBoxImportForm(request.POST)
        if form.is_valid():
            try:
                job = netbox_import_enqueue(
                    user=request.user, url=form.cleaned_data["url"], token=form.cleaned_data["token"]
                )
            except NetBoxUnavailable as error:
                form.add_error("url", str(error))
            else:
                return redirect("ui-job", pk=job.pk)
        status = 400
    else:
        form = NetBoxImportForm()
    context = {"form": form, "jobs": netbox_import_jobs()}
    return render(request, "frontend/settings/netbox_import.html", context, status=status)
