"""VRFs (separate routing tables, each its own address space) and the route targets they import and export."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import PrimaryModel
from inventory.models import Tenant

# RFC 4364's route distinguishers and RFC 4360's route targets: the longest is "255.255.255.255:65535".
RD_MAX_LENGTH = 21


class RouteTarget(PrimaryModel):
    name = models.CharField(
        _("name"),
        max_length=RD_MAX_LENGTH,
        unique=True,
        help_text=_("Route target value (formatted in accordance with RFC 4360)"),
    )
    tenant = models.ForeignKey(
        Tenant, on_delete=models.PROTECT, related_name="route_targets", blank=True, null=True, verbose_name=_("tenant")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("route target")
        verbose_name_plural = _("route targets")

    def __str__(self):
        return self.name


class VRF(PrimaryModel):
    """A routing table: prefixes and addresses in it are unique within it (`enforce_unique`), not across VRFs."""

    name = models.CharField(_("name"), max_length=100)
    # NULL when unset: unique among VRFs that have one.
    rd = models.CharField(
        _("route distinguisher"),
        max_length=RD_MAX_LENGTH,
        unique=True,
        blank=True,
        null=True,
        help_text=_("Unique route distinguisher (as defined in RFC 4364)"),
    )
    tenant = models.ForeignKey(
        Tenant, on_delete=models.PROTECT, related_name="vrfs", blank=True, null=True, verbose_name=_("tenant")
    )
    enforce_unique = models.BooleanField(
        _("enforce unique space"),
        default=True,
        help_text=_("Prevent duplicate prefixes/IP addresses within this VRF"),
    )
    import_targets = models.ManyToManyField(
        RouteTarget, related_name="importing_vrfs", blank=True, verbose_name=_("import targets")
    )
    export_targets = models.ManyToManyField(
        RouteTarget, related_name="exporting_vrfs", blank=True, verbose_name=_("export targets")
    )

    class Meta:
        ordering = ["name", "rd", "pk"]
        verbose_name = _("VRF")
        verbose_name_plural = _("VRFs")

    def __str__(self):
        return f"{self.name} ({self.rd})" if self.rd else self.name
