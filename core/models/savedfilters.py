"""Saved filters: named sets of list-filter parameters (NetBox's extras.SavedFilter)."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models.base import ChangeLoggedModel, OwnerMixin


class SavedFilter(OwnerMixin, ChangeLoggedModel):
    object_types = models.ManyToManyField(
        ContentType, related_name="+", help_text=_("The object type(s) to which this filter applies.")
    )
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    # Users live in the public schema: the owner (the acting user, stamped on create by core.authorship)
    # is kept by id.
    user_id = models.BigIntegerField(_("user"), blank=True, null=True)
    weight = models.PositiveSmallIntegerField(_("weight"), default=100)
    enabled = models.BooleanField(_("enabled"), default=True)
    shared = models.BooleanField(_("shared"), default=True)
    parameters = models.JSONField(_("parameters"))

    class Meta:
        ordering = ["weight", "name"]
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if not isinstance(self.parameters, dict):
            raise ValidationError(
                {"parameters": _("Filter parameters must be stored as a dictionary of keyword arguments.")}
            )
