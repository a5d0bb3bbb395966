"""Config contexts, config templates and export templates (NetBox's extras.ConfigContext,
extras.ConfigTemplate and extras.ExportTemplate). Templates render in automation.sandbox."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from jinja2 import TemplateError

from core.models.base import ChangeLoggedModel, OwnerMixin

# The Jinja2 environment options a template may set (NetBox passes any; these change no sandbox limit).
ENVIRONMENT_PARAMS = {
    "trim_blocks": bool,
    "lstrip_blocks": bool,
    "keep_trailing_newline": bool,
    "newline_sequence": str,
    "block_start_string": str,
    "block_end_string": str,
    "variable_start_string": str,
    "variable_end_string": str,
    "comment_start_string": str,
    "comment_end_string": str,
    "line_statement_prefix": str,
    "line_comment_prefix": str,
}


def environment_params_check(params) -> None:
    if params in (None, {}):
        return
    if not isinstance(params, dict):
        raise ValidationError({"environment_params": _("Must be a JSON object of Jinja2 environment options.")})
    for name, value in params.items():
        kind = ENVIRONMENT_PARAMS.get(name)
        if kind is None:
            allowed = ", ".join(sorted(ENVIRONMENT_PARAMS))
            raise ValidationError(
                {
                    "environment_params": _("Unknown or refused option %(name)r; allowed: %(allowed)s.")
                    % {"name": name, "allowed": allowed}
                }
            )
        if not isinstance(value, kind) or (kind is str and value == ""):
            raise ValidationError(
                {"environment_params": _("%(name)r must be a %(kind)s.") % {"name": name, "kind": kind.__name__}}
            )


class RenderedTemplate(models.Model):
    """What config and export templates share: the Jinja2 code, its environment and how a download is named."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    template_code = models.TextField(_("template code"), help_text=_("Jinja2 template code."))
    environment_params = models.JSONField(
        _("environment parameters"),
        blank=True,
        null=True,
        default=dict,
        help_text=_("Jinja2 environment options (trim_blocks, lstrip_blocks, ...)"),
    )
    mime_type = models.CharField(
        _("MIME type"), max_length=50, blank=True, help_text=_("Defaults to <code>text/plain; charset=utf-8</code>")
    )
    file_name = models.CharField(
        _("file name"), max_length=200, blank=True, help_text=_("Filename to give to the rendered export file")
    )
    file_extension = models.CharField(
        _("file extension"), max_length=15, blank=True, help_text=_("Extension to append to the rendered filename")
    )
    as_attachment = models.BooleanField(_("as attachment"), default=True, help_text=_("Download file as attachment"))

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        environment_params_check(self.environment_params)
        from automation.templating import template_check

        try:
            template_check(self)
        except TemplateError as error:
            raise ValidationError(
                {"template_code": _("Invalid Jinja2 template: %(error)s") % {"error": error}}
            ) from None


class ConfigTemplate(OwnerMixin, RenderedTemplate, ChangeLoggedModel):
    """A device's configuration as a Jinja2 template, rendered with its config context (render-config)."""

    debug = models.BooleanField(_("debug"), default=False)

    class Meta(RenderedTemplate.Meta):
        verbose_name = _("config template")
        verbose_name_plural = _("config templates")


class ExportTemplate(OwnerMixin, RenderedTemplate, ChangeLoggedModel):
    """A list export of one or more object types as a Jinja2 template over `queryset`."""

    object_types = models.ManyToManyField(ContentType, related_name="+", verbose_name=_("object types"))

    class Meta(RenderedTemplate.Meta):
        verbose_name = _("export template")
        verbose_name_plural = _("export templates")


def _assigned(model: str, name) -> models.ManyToManyField:
    return models.ManyToManyField(model, related_name="+", blank=True, verbose_name=name)


class ConfigContext(OwnerMixin, ChangeLoggedModel):
    """JSON data merged into the config context of the objects it is assigned to, heavier weights last.

    Each assignment narrows: an object matches when, for every relation the context names, the object's
    value is one of them (or below one, for trees). The context's tags (core tags on it) narrow the same
    way."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1000, validators=[MaxValueValidator(32767)])
    description = models.CharField(_("description"), max_length=200, blank=True)
    is_active = models.BooleanField(_("is active"), default=True)
    data = models.JSONField(_("data"))
    regions = _assigned("inventory.Region", _("regions"))
    site_groups = _assigned("inventory.SiteGroup", _("site groups"))
    sites = _assigned("inventory.Site", _("sites"))
    locations = _assigned("inventory.Location", _("locations"))
    device_types = _assigned("inventory.DeviceType", _("device types"))
    roles = _assigned("inventory.DeviceRole", _("roles"))
    platforms = _assigned("inventory.Platform", _("platforms"))
    cluster_types = _assigned("inventory.ClusterType", _("cluster types"))
    cluster_groups = _assigned("inventory.ClusterGroup", _("cluster groups"))
    clusters = _assigned("inventory.Cluster", _("clusters"))
    tenant_groups = _assigned("inventory.TenantGroup", _("tenant groups"))
    tenants = _assigned("inventory.Tenant", _("tenants"))

    class Meta:
        ordering = ["weight", "name"]
        verbose_name = _("config context")
        verbose_name_plural = _("config contexts")

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if not isinstance(self.data, dict):
            raise ValidationError({"data": _('JSON data must be in object form. Example: {"foo": 123}')})
