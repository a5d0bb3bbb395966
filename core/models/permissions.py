from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.querysets import RestrictedQuerySet

ACTIONS = ("view", "add", "change", "delete")


class ObjectPermission(models.Model):
    """NetBox-style grant: these users may do these actions on these object types, optionally only
    on objects matching `constraints` (a dict of ORM lookups, or a list of them OR'ed)."""

    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=200, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    object_types = models.ManyToManyField(ContentType, related_name="+")
    actions = ArrayField(models.CharField(max_length=30), verbose_name=_("actions"))
    constraints = models.JSONField(_("constraints"), blank=True, null=True)
    # Members are users of the public schema: referenced by id.
    user_ids = ArrayField(models.BigIntegerField(), default=list, blank=True, verbose_name=_("users"))
    created = models.DateTimeField(_("created"), auto_now_add=True, null=True)
    last_updated = models.DateTimeField(_("last updated"), auto_now=True, null=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("permission")
        verbose_name_plural = _("permissions")

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if not self.actions:
            raise ValidationError({"actions": _("At least one action must be selected.")})
        constraints = self.constraints
        if constraints in (None, {}, []):
            return
        items = constraints if isinstance(constraints, list) else [constraints]
        if not all(isinstance(item, dict) and item for item in items):
            raise ValidationError(
                {"constraints": _("Constraints must be a dictionary of lookups, or a list of dictionaries.")}
            )
