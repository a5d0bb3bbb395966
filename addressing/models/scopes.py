"""Where an object applies: NetBox's `scope_type` + `scope_id`, a region, site group, site or location
(VLAN groups may also name a rack). The types are NetBox's labels; they are looked up in the registry,
so a type that is not registered yet (virtualization's clusters) is simply not offered."""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# NetBox's LOCATION_SCOPE_TYPES (prefixes) and VLANGROUP_SCOPE_TYPES.
LOCATION_SCOPE_TYPES = ("dcim.region", "dcim.sitegroup", "dcim.site", "dcim.location")
VLAN_GROUP_SCOPE_TYPES = (
    *LOCATION_SCOPE_TYPES, "dcim.rackgroup", "dcim.rack", "virtualization.clustergroup", "virtualization.cluster",
)  # fmt: skip


class ScopeMixin(models.Model):
    scope_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        related_name="+",
        blank=True,
        null=True,
        verbose_name=_("scope type"),
    )
    scope_id = models.PositiveBigIntegerField(_("scope ID"), blank=True, null=True)
    scope = GenericForeignKey("scope_type", "scope_id")

    class Meta:
        abstract = True

    def clean_scope(self) -> None:
        """Both or neither of `scope_type` and `scope_id`, and the scope must exist."""
        if self.scope_type is not None and self.scope_id is None:
            model = self.scope_type.model_class()
            name = model._meta.model_name if model is not None else str(self.scope_type)
            raise ValidationError(_("Please select a {scope_type}.").format(scope_type=name))
        if self.scope_id is not None and self.scope_type_id is None:
            raise ValidationError(_("Cannot set scope_id without scope_type."))
        if self.scope_type is not None:
            model = self.scope_type.model_class()
            if model is None or not model._base_manager.filter(pk=self.scope_id).exists():
                raise ValidationError(
                    {"scope_id": _("Related object not found using the provided numeric ID: {id}").format(
                        id=self.scope_id
                    )}
                )  # fmt: skip
