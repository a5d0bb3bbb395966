"""Script modules shipped by plugins (tenants.plugins: a plugin's `scripts` folder of Python files).

They live in each organization's schema like uploaded modules, marked with the plugin's name
(`ScriptModule.plugin`) and named "<plugin>/<file>.py", so they run as uploaded modules do -- as jobs,
in the sandbox, as the member who runs them -- and keep their jobs and event rules. They are written
only here: when an organization enables the plugin, and for every organization that enabled it after
`manage.py migrate` (a plugin upgraded on deploy: a changed file is loaded again, a file gone from
the plugin is deleted with its scripts and their jobs); nobody edits, replaces or deletes them.
While the plugin is not enabled (or no longer installed) they are hidden: not listed, not runnable,
404 -- and kept, so enabling it again brings back the same modules and scripts with their jobs."""

import logging
from importlib import resources

from django.db.models import Q

from automation.models import ScriptModule
from automation.scripting.modules import MODULE_MAX_BYTES, ModuleFile, plugin_script_modules_sync
from tenants.context import current_organization, tenant_context
from tenants.plugins import PluginConfig, enabled_plugins, installed_plugins

logger = logging.getLogger(__name__)


def shown(prefix: str = "") -> Q:
    """The script modules (or, with `prefix` "module__", scripts) the selected organization sees: its
    uploaded ones and those of the installed plugins it enabled."""
    return Q(**{f"{prefix}plugin": ""}) | Q(**{f"{prefix}plugin__in": sorted(enabled_plugins(current_organization()))})


def plugin_module_files(config: PluginConfig) -> list[ModuleFile]:
    """The script modules `config`'s plugin ships: the `.py` files of its `scripts` folder (none without
    one), named "<plugin>/<file>.py"; files whose name is no module name ("_helpers.py" included) are
    skipped."""
    folder = getattr(config, "scripts", "")
    if not folder:
        return []
    root = resources.files(config.name).joinpath(folder)
    if not root.is_dir():
        raise ValueError(f"plugin {config.label!r}: its scripts folder {folder!r} does not exist")
    found = []
    for entry in sorted(root.iterdir(), key=lambda item: item.name):
        stem = entry.name.removesuffix(".py")
        if not entry.is_file() or not entry.name.endswith(".py") or not stem.isidentifier() or stem.startswith("_"):
            continue
        data = entry.read_bytes()
        if len(data) > MODULE_MAX_BYTES:
            raise ValueError(f"plugin {config.label!r}: {entry.name} is larger than {MODULE_MAX_BYTES // 1024} KB")
        found.append(ModuleFile(name=f"{config.label}/{entry.name}", source=data.decode("utf-8")))
    return found


def plugin_scripts_sync(*, plugin: str) -> list[ScriptModule]:
    """Bring the selected organization's modules of installed plugin `plugin` in line with the files it
    ships (automation.scripting.modules.plugin_script_modules_sync)."""
    return plugin_script_modules_sync(plugin=plugin, files=plugin_module_files(installed_plugins()[plugin]))


def plugins_enabled_scripts_sync(organization, names: frozenset[str]) -> None:
    """tenants.plugins' hook: sync the script modules of the plugins `organization` just enabled (or
    still has enabled after a deploy). A plugin's file that does not load is logged (Sentry) and left
    out; it never undoes the enabling."""
    for name in sorted(names & installed_plugins().keys()):
        if not getattr(installed_plugins()[name], "scripts", ""):
            continue
        try:
            with tenant_context(organization):
                plugin_scripts_sync(plugin=name)
        except Exception:
            logger.exception("plugin %r: its script modules were not synced into organization %s", name, organization)
