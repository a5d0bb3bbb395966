"""Fields several DCIM models share, as NetBox's mixins share them."""

from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models.tags import color_validator
from inventory.choices import WeightUnit

GREY = "9e9e9e"


def color_field(*, blank: bool = False, **kwargs) -> models.CharField:
    """NetBox's ColorField: six lowercase hex digits (as tags have), grey by default unless it may be blank."""
    if not blank:
        kwargs.setdefault("default", GREY)
    return models.CharField(_("color"), max_length=6, blank=blank, validators=[color_validator], **kwargs)


class WeightMixin(models.Model):
    weight = models.DecimalField(_("weight"), max_digits=8, decimal_places=2, blank=True, null=True)
    weight_unit = models.CharField(_("weight unit"), max_length=50, choices=WeightUnit.choices, blank=True)

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.weight and not self.weight_unit:
            raise ValidationError(_("Must specify a unit when setting a weight"))


class ScopeMixin(models.Model):
    """Places IPAM's prefixes and VLAN groups may be scoped to: those scoped here go with them, as in NetBox."""

    scoped_prefixes = GenericRelation("addressing.Prefix", content_type_field="scope_type", object_id_field="scope_id")
    scoped_vlan_groups = GenericRelation(
        "addressing.VLANGroup", content_type_field="scope_type", object_id_field="scope_id"
    )

    class Meta:
        abstract = True
