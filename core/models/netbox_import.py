"""What `manage.py import_netbox` imported: each NetBox object (by its source, NetBox type and id) and the
Wirebook object it became, so that a second run updates instead of duplicating and an interrupted run
resumes (core.netbox_import)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class NetBoxImportRecord(models.Model):
    # The NetBox the object came from (its base URL, normalized), its type as NetBox names it ("dcim.site")
    # and its id there.
    source = models.CharField(_("source"), max_length=200)
    object_type = models.CharField(_("object type"), max_length=100)
    netbox_id = models.BigIntegerField(_("NetBox id"))
    object_id = models.BigIntegerField(_("Wirebook id"))
    # A digest of what NetBox sent last time: the same again is "unchanged", written no more.
    digest = models.CharField(_("digest"), max_length=64)
    # Whether the references written after every object exists (primary IPs, ...) are written too.
    complete = models.BooleanField(_("complete"), default=False)

    class Meta:
        verbose_name = _("NetBox import record")
        verbose_name_plural = _("NetBox import records")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "object_type", "netbox_id"], name="core_netboximportrecord_unique_source_object"
            ),
        ]

    def __str__(self):
        return f"{self.source} {self.object_type} {self.netbox_id} -> {self.object_id}"
