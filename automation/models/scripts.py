"""Custom scripts (NetBox's extras.ScriptModule and extras.Script): an organization's uploaded Python
modules and the scripts found in them. A module's scripts are read in the sandbox when it is uploaded
or replaced (automation.scripting.modules); they run as jobs (automation.scripting.jobs)."""

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models.base import ChangeLoggedModel
from core.querysets import RestrictedQuerySet


class ScriptModule(ChangeLoggedModel):
    """One Python file: its source, kept in the organization's schema. Uploaded by the organization, or
    shipped by a plugin it enabled (automation.scripting.plugins): those are read-only, and hidden while
    the plugin is not enabled."""

    # NetBox's file_path: the uploaded file's name ("sites.py"), unique in the organization; a plugin's
    # module is "<plugin>/<file>.py" (an upload's name never has a "/").
    file_path = models.CharField(_("file path"), max_length=255, unique=True)
    source = models.TextField(_("source"))
    # The plugin that shipped it (its name, tenants.plugins); blank for an uploaded module.
    plugin = models.CharField(_("plugin"), max_length=50, blank=True, default="", editable=False)

    class Meta:
        ordering = ["file_path"]
        verbose_name = _("script module")
        verbose_name_plural = _("script modules")

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        """The module's name, as NetBox shows it: the file's name without `.py`."""
        return self.file_path.removesuffix(".py")


class Script(models.Model):
    """A `Script` class of a module, as the sandbox described it: its Meta and its variables."""

    module = models.ForeignKey(ScriptModule, on_delete=models.CASCADE, related_name="scripts")
    class_name = models.CharField(_("class name"), max_length=100)
    name = models.CharField(_("name"), max_length=200)
    description = models.CharField(_("description"), max_length=500, blank=True)
    # {name: {"class": "StringVar", "type": "string", "label": ..., "required": ..., options...}}, in order.
    vars = models.JSONField(_("variables"), default=dict, blank=True)
    commit_default = models.BooleanField(_("commit by default"), default=True)
    scheduling_enabled = models.BooleanField(_("scheduling enabled"), default=True)
    is_executable = models.BooleanField(_("is executable"), default=True)
    # Its runs (automation.Job's object): deleted with it.
    jobs = GenericRelation("automation.Job", content_type_field="object_type", object_id_field="object_id")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["module__file_path", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=("module", "class_name"), name="%(app_label)s_%(class)s_unique_module_class")
        ]
        verbose_name = _("script")
        verbose_name_plural = _("scripts")

    def __str__(self):
        return self.name
