"""Wirebook's example plugin: planned maintenance windows on sites.

Wirebook reads `config` when WIREBOOK_PLUGINS names this package (tenants.plugins).
"""

from tenants.plugins import PluginConfig


class MaintenanceConfig(PluginConfig):
    name = "wirebook_maintenance"
    label = "maintenance"
    verbose_name = "Maintenance windows"
    version = "1.0.0"
    description = "Planned maintenance windows on sites: when, where, and whether they are done."
    author = "Wirebook"
    min_version = "0.1.0"
    registrations = "registrations"
    scripts = "scripts"  # its custom script modules: the .py files of wirebook_maintenance/scripts/
    default_auto_field = "django.db.models.BigAutoField"


config = MaintenanceConfig
