"""NetBox-style tenancy: a tenant is someone objects are *assigned* to (not data isolation)."""

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import NestedGroupModel, PrimaryModel
from core.models.base import unique_in_tree


class ContactsMixin(models.Model):
    """Objects contacts can be assigned to (NetBox's ContactsMixin): deleting one deletes its assignments."""

    contacts = GenericRelation(
        "inventory.ContactAssignment", content_type_field="object_type", object_id_field="object_id"
    )

    class Meta:
        abstract = True


class TenantGroup(NestedGroupModel):
    class Meta:
        ordering = ["name"]
        verbose_name = _("tenant group")
        verbose_name_plural = _("tenant groups")
        constraints = unique_in_tree("inventory_tenantgroup", "tenant group")


class Tenant(ContactsMixin, PrimaryModel):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    group = models.ForeignKey(
        TenantGroup, on_delete=models.SET_NULL, related_name="tenants", blank=True, null=True, verbose_name=_("group")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")

    def __str__(self):
        return self.name
