"""Plugins: Python packages the operator installs that add models, routes, pages and GraphQL types.

A plugin is a Django app whose package names its `PluginConfig` subclass as `config`:

    # wirebook_maintenance/__init__.py
    from tenants.plugins import PluginConfig

    class MaintenanceConfig(PluginConfig):
        name = "wirebook_maintenance"
        label = "maintenance"            # the plugin's name: what organizations enable
        verbose_name = "Maintenance windows"
        version = "1.0.0"
        description = "Planned maintenance windows on sites."
        min_version = "0.1.0"            # the oldest Wirebook release it runs on
        registrations = "registrations"  # its module (or package) calling core.registry

    config = MaintenanceConfig

`WIREBOOK_PLUGINS` (settings) names the installed packages; `plugin_apps` checks each one at
startup and answers the app configs to add to INSTALLED_APPS and TENANT_APPS (their tables live in
every organization's schema). Everything a plugin registers carries its name (core.plugins), and the
registry hides it from organizations that have not enabled it (`Organization.plugins`).

Imported by the settings: nothing here may need the app registry at import time.
"""

import functools
import importlib
import re
from collections.abc import Callable
from typing import Any

from django.apps import AppConfig, apps
from django.core.exceptions import ImproperlyConfigured

# A plugin's name: what `Organization.plugins` stores and its URLs carry (`/api/plugins/<base_url>/`).
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
BASE_URL_RE = re.compile(r"^[a-z][a-z0-9-]{0,49}$")

# Called with each plugin's config once the apps are ready (core registers its registrations' loader).
_ready_hooks: list[Callable[["PluginConfig"], None]] = []
# Called with (organization, plugin names) when an organization enables plugins, and after `migrate`
# for every organization with its enabled plugins (automation syncs the plugins' script modules).
_enabled_hooks: list[Callable[[Any, frozenset[str]], None]] = []


def plugin_ready_hook(hook: Callable[["PluginConfig"], None]) -> None:
    """Run `hook(config)` for every plugin when it becomes ready (core.plugins imports its registrations)."""
    _ready_hooks.append(hook)


def plugins_enabled_hook(hook: Callable[[Any, frozenset[str]], None]) -> None:
    """Run `hook(organization, names)` when `organization` enables the installed plugins `names`, and
    after each `migrate` for every organization with the plugins it has enabled (a plugin installed
    or upgraded since): hooks make the organization's copy of what the plugins ship current, idempotently."""
    _enabled_hooks.append(hook)


def plugins_enabled(organization, names: frozenset[str]) -> None:
    """Tell the hooks that `organization` has the installed plugins `names` enabled."""
    if names:
        for hook in _enabled_hooks:
            hook(organization, names)


def plugins_resync() -> int:
    """Run the enabled-plugins hooks for every organization that has an installed plugin enabled (after
    `migrate`: a deploy may have installed or upgraded plugins). Answers how many organizations."""
    from tenants.models import Organization

    installed = list(installed_plugins())
    if not installed or not _enabled_hooks:
        return 0
    organizations = Organization.objects.filter(plugins__overlap=installed).order_by("pk")
    count = 0
    for organization in organizations.iterator():
        plugins_enabled(organization, enabled_plugins(organization))
        count += 1
    return count


class PluginConfig(AppConfig):
    """The declaration of a Wirebook plugin: a Django app config with the plugin's metadata."""

    # The package, as for any Django app ("wirebook_maintenance"), and the plugin's name (`label`).
    name: str
    label: str
    verbose_name: str
    version: str = ""
    description: str = ""
    author: str = ""
    author_email: str = ""
    # The oldest (and, if set, the newest) Wirebook release the plugin runs on (settings.WIREBOOK_VERSION).
    min_version: str = ""
    max_version: str = ""
    # Its URL segment under `/api/plugins/` and `/plugins/` (default: the label with hyphens).
    base_url: str = ""
    # The module (or package) of the plugin's registrations, relative to its package (core.registry).
    registrations: str = "registrations"
    # The folder of custom script modules it ships, relative to its package (its `.py` files); "": none.
    scripts: str = ""

    @classmethod
    def plugin_base_url(cls) -> str:
        return cls.base_url or cls.label.replace("_", "-")

    def ready(self) -> None:
        for hook in _ready_hooks:
            hook(self)


def _version(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.strip().split("."))
    except ValueError:
        raise ValueError(text) from None


def plugin_config(package: str, wirebook_version: str) -> type[PluginConfig]:
    """The config class of the plugin package `package`, checked; ImproperlyConfigured says what is wrong."""
    where = f"WIREBOOK_PLUGINS names {package!r}"
    try:
        module = importlib.import_module(package)
    except ModuleNotFoundError as error:
        if error.name is not None and (package == error.name or package.startswith(f"{error.name}.")):
            raise ImproperlyConfigured(f"{where}, which is not installed (no module named {error.name!r}).") from None
        raise
    config = getattr(module, "config", None)
    if not (isinstance(config, type) and issubclass(config, PluginConfig)):
        raise ImproperlyConfigured(
            f"{where}, which is not a Wirebook plugin: its package must set `config` to a subclass of "
            "tenants.plugins.PluginConfig."
        )
    if getattr(config, "name", None) != package:
        raise ImproperlyConfigured(f"{where}, but its config's name is {getattr(config, 'name', None)!r}.")
    label = getattr(config, "label", None) or ""
    if not NAME_RE.match(label):
        raise ImproperlyConfigured(
            f"{where}: its label {label!r} must be lowercase letters, digits and underscores, starting with a letter."
        )
    if not BASE_URL_RE.match(config.plugin_base_url()):
        raise ImproperlyConfigured(f"{where}: its base_url {config.plugin_base_url()!r} is not a URL segment.")
    if not config.version or not getattr(config, "verbose_name", None):
        raise ImproperlyConfigured(f"{where}: its config must give a version and a verbose_name.")
    try:
        running = _version(wirebook_version)
        oldest = _version(config.min_version) if config.min_version else None
        newest = _version(config.max_version) if config.max_version else None
    except ValueError as error:
        raise ImproperlyConfigured(f"{where}: {error.args[0]!r} is not a version (like 1.2.0).") from None
    if (oldest is not None and running < oldest) or (newest is not None and running > newest):
        wanted = " to ".join(v for v in (config.min_version or "any", config.max_version) if v)
        raise ImproperlyConfigured(
            f"{where}, version {config.version}, which needs Wirebook {wanted}; this is Wirebook {wirebook_version}."
        )
    return config


def plugin_apps(packages: list[str], wirebook_version: str) -> list[str]:
    """The INSTALLED_APPS/TENANT_APPS entries of the plugins `packages` (WIREBOOK_PLUGINS), each checked."""
    entries: list[str] = []
    labels: dict[str, str] = {}
    for package in packages:
        config = plugin_config(package, wirebook_version)
        if config.label in labels:
            raise ImproperlyConfigured(
                f"WIREBOOK_PLUGINS: {package!r} and {labels[config.label]!r} are both named {config.label!r}."
            )
        labels[config.label] = package
        entries.append(f"{config.__module__}.{config.__qualname__}")
    return entries


def installed_plugins() -> dict[str, PluginConfig]:
    """The installed plugins by name (their label), in WIREBOOK_PLUGINS's order."""
    return _installed() if apps.ready else _read_installed()


def _read_installed() -> dict[str, PluginConfig]:
    return {config.label: config for config in apps.get_app_configs() if isinstance(config, PluginConfig)}


@functools.cache
def _installed() -> dict[str, PluginConfig]:
    return _read_installed()


def plugin_summary(config: PluginConfig) -> dict[str, Any]:
    """What the organization's settings and API show of an installed plugin."""
    return {
        "name": config.label,
        "verbose_name": str(config.verbose_name),
        "package": config.name,
        "version": config.version,
        "description": config.description,
        "author": config.author,
        "author_email": config.author_email,
        "base_url": config.plugin_base_url(),
    }


def enabled_plugins(organization) -> frozenset[str]:
    """The installed plugins `organization` has enabled (a name left behind by an uninstalled plugin is
    ignored); none for no organization."""
    if organization is None:
        return frozenset()
    return frozenset(getattr(organization, "plugins", None) or ()) & installed_plugins().keys()
