"""Plugins in the object framework: their registrations load under their name, and what they register
is hidden where an organization has not enabled them (tenants.plugins declares and installs plugins).

Hiding happens in the registry (core.registry.Registry: iteration, lookups by name, `hidden`) and at
the doors built once for every organization: REST routes and UI pages answer `not_found` (the response
of a path that does not exist) and GraphQL refuses the plugin's fields as unknown
(core.graphql.validation.HiddenPluginFieldsRule).
"""

import importlib
from collections.abc import Callable
from functools import wraps

from django.core.handlers.exception import response_for_exception
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404

from core.registry import ObjectSpec, registry
from tenants.plugins import PluginConfig, plugin_ready_hook


def plugin_registrations_load(config: PluginConfig) -> None:
    """Import the plugin's registrations module, marking what it registers as the plugin's."""
    with registry.plugin_registrations(config.label, config.plugin_base_url()):
        importlib.import_module(f"{config.name}.{config.registrations}")


def install() -> None:
    """From core's `ready()`: plugins' apps come after Wirebook's, so their registrations load last."""
    plugin_ready_hook(plugin_registrations_load)


def not_found(request: HttpRequest) -> HttpResponse:
    """What Django answers for a path that matches no URL pattern (the tenant URLs' 404 handler)."""
    return response_for_exception(request, Resolver404({"path": request.path_info}))


def gated(spec: ObjectSpec, view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """`view`, answering `not_found` where the selected organization has not enabled `spec`'s plugin
    (Wirebook's own models' views are returned as they are)."""
    if spec.plugin is None:
        return view

    @wraps(view)
    def gated_view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if registry.hidden(spec):
            return not_found(request)
        return view(request, *args, **kwargs)

    return gated_view
