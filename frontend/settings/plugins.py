"""The organization's plugins: `/o/<slug>/settings/plugins/` lists the plugins installed on this
server (tenants.plugins) and lets admins and owners choose the ones the organization uses.

The rules live in `tenants.services.organization_plugins_set`; this view translates its outcome.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from frontend.settings.general import _require_manager
from saas_platform.forms import ServiceForm
from tenants.plugins import enabled_plugins, installed_plugins, plugin_summary
from tenants.services import organization_plugins_set


class PluginsForm(ServiceForm):
    plugins = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["plugins"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(name, str(config.verbose_name)) for name, config in installed_plugins().items()]


@never_cache
def settings_plugins(request) -> HttpResponse:
    _require_manager(request)
    organization = request.organization
    status = 200
    if request.method == "POST":
        form = PluginsForm(request.POST)
        if form.is_valid():
            try:
                organization_plugins_set(
                    organization=organization, by=request.user, plugins=form.cleaned_data["plugins"]
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, "Plugins saved.")
                return redirect("settings-plugins")
        status = 400
    else:
        form = PluginsForm(initial={"plugins": sorted(enabled_plugins(organization))})
    enabled = enabled_plugins(organization)
    plugins = [{**plugin_summary(config), "enabled": name in enabled} for name, config in installed_plugins().items()]
    return render(request, "frontend/settings/plugins.html", {"form": form, "plugins": plugins}, status=status)
