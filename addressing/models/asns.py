"""Autonomous system numbers and the ranges they are handed out from."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from addressing.models.ip import RIR, Role
from addressing.querysets import LinkedManager
from core.models import OrganizationalModel, PrimaryModel
from core.querysets import RestrictedQuerySet
from inventory.models import Site, Tenant

ASN_MIN = 1
ASN_MAX = 2**32 - 1
ASDOT_BASE = 2**16

asn_validators = [MinValueValidator(ASN_MIN), MaxValueValidator(ASN_MAX)]


def asdot(value: int) -> str:
    """ASDOT notation for 32-bit AS numbers ("1.10" for 65546)."""
    if value >= ASDOT_BASE:
        high, low = divmod(value, ASDOT_BASE)
        return f"{high}.{low}"
    return str(value)


class ASNRangeManager(models.Manager.from_queryset(RestrictedQuerySet)):  # type: ignore[misc]
    def get_queryset(self):
        """Ranges with `asn_count`: how many ASNs they hold (one subquery, however many ranges)."""
        asns = (
            ASN.objects.filter(asn__gte=OuterRef("start"), asn__lte=OuterRef("end"))
            .order_by()
            .annotate(_wb_all=Value(1))
            .values("_wb_all")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return super().get_queryset().annotate(asn_count=Coalesce(Subquery(asns), 0))


class ASNRange(OrganizationalModel):
    rir = models.ForeignKey(RIR, on_delete=models.PROTECT, related_name="asn_ranges", verbose_name=_("RIR"))
    start = models.PositiveBigIntegerField(_("start"), validators=asn_validators)
    end = models.PositiveBigIntegerField(_("end"), validators=asn_validators)
    tenant = models.ForeignKey(
        Tenant, on_delete=models.PROTECT, related_name="asn_ranges", blank=True, null=True, verbose_name=_("tenant")
    )

    objects = ASNRangeManager()  # type: ignore[misc]  # django-stubs types the base's manager as a ClassVar

    class Meta:
        ordering = ["name"]
        verbose_name = _("ASN range")
        verbose_name_plural = _("ASN ranges")

    def __str__(self):
        return f"{self.name} ({self.start}-{self.end})"

    def clean(self):
        super().clean()
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValidationError(
                _("Starting ASN ({start}) must be lower than ending ASN ({end}).").format(
                    start=self.start, end=self.end
                )
            )

    def child_asns(self):
        return ASN.objects.filter(asn__gte=self.start, asn__lte=self.end)


class ASN(PrimaryModel):
    """An autonomous system number, from an RIR's space, perhaps used at sites."""

    rir = models.ForeignKey(
        RIR,
        on_delete=models.PROTECT,
        related_name="asns",
        verbose_name=_("RIR"),
        help_text=_("Regional Internet Registry responsible for this AS number space"),
    )
    asn = models.PositiveBigIntegerField(
        _("ASN"), unique=True, validators=asn_validators, help_text=_("16- or 32-bit autonomous system number")
    )
    role = models.ForeignKey(
        Role,
        on_delete=models.SET_NULL,
        related_name="asns",
        blank=True,
        null=True,
        verbose_name=_("role"),
        help_text=_("The primary function of this ASN"),
    )
    tenant = models.ForeignKey(
        Tenant, on_delete=models.PROTECT, related_name="asns", blank=True, null=True, verbose_name=_("tenant")
    )
    sites = models.ManyToManyField(Site, related_name="asns", blank=True, verbose_name=_("sites"))

    objects = LinkedManager("sites")  # type: ignore[misc]  # django-stubs: the base's manager

    class Meta:
        ordering = ["asn"]
        verbose_name = _("ASN")
        verbose_name_plural = _("ASNs")

    def __str__(self):
        return f"AS{self.asn_with_asdot}"

    @property
    def asn_with_asdot(self) -> str:
        if self.asn is not None and self.asn >= ASDOT_BASE:
            return f"{self.asn} ({asdot(self.asn)})"
        return str(self.asn)
