"""NetBox 4.5's owners: named sets of the organization's members who answer for objects (an object's
`owner`), optionally gathered in owner groups. Users live in the public schema, so an owner holds its
members' user ids, as an object permission does."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.querysets import RestrictedQuerySet


class OwnerGroup(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("owner group")
        verbose_name_plural = _("owner groups")

    def __str__(self):
        return self.name


class Owner(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    group = models.ForeignKey(
        OwnerGroup, on_delete=models.PROTECT, related_name="members", blank=True, null=True, verbose_name=_("group")
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    # The organization's members (users of the public schema): by id.
    user_ids = ArrayField(models.BigIntegerField(), default=list, blank=True, verbose_name=_("users"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("owner")
        verbose_name_plural = _("owners")

    def __str__(self):
        return self.name
