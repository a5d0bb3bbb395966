"""Cables and the paths they make (NetBox's Cable, CableTermination and CablePath).

A cable has an A and a B end, each ending on one or more objects of one kind (`CableTermination`); an
object takes one cable at most (a database constraint). Which models a cable may end on is declared in
their registrations (`core.registry.Cabling`), so other apps' models (circuit terminations) plug in
without this module knowing them. Components keep their cable and end on their own row, set by the
cable services (inventory.services.cables), which also keep the paths.

A `CablePath` is the traced path from one endpoint (an interface, console or power port, a power feed),
recomputed by the services in the transaction that changes a cable, a wireless link or a port mapping: the segments as
the trace API shows them, the far ends, and the nodes it passes (cables and ports) to find the paths a
change touches.
"""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.query import ModelIterable
from django.utils.translation import gettext_lazy as _

from core.models import PrimaryModel
from core.querysets import RestrictedQuerySet
from inventory.choices import CableEnd, CableLengthUnit, CableStatus, CableType
from inventory.models.mixins import color_field
from inventory.models.tenancy import Tenant


class Cable(PrimaryModel):
    type = models.CharField(_("type"), max_length=50, choices=CableType.choices, blank=True)
    status = models.CharField(
        _("status"), max_length=50, choices=CableStatus.choices, default=CableStatus.STATUS_CONNECTED
    )
    tenant = models.ForeignKey(
        Tenant, on_delete=models.PROTECT, related_name="cables", blank=True, null=True, verbose_name=_("tenant")
    )
    label = models.CharField(_("label"), max_length=100, blank=True)
    color = color_field(blank=True)
    length = models.DecimalField(_("length"), max_digits=8, decimal_places=2, blank=True, null=True)
    length_unit = models.CharField(_("length unit"), max_length=50, choices=CableLengthUnit.choices, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("cable")
        verbose_name_plural = _("cables")

    def __str__(self):
        return self.label or f"#{self.pk}"

    def clean(self):
        super().clean()
        if self.length is not None and not self.length_unit:
            raise ValidationError(_("Must specify a unit when setting a cable length"))
        if self.length is None:
            self.length_unit = ""


class CableTermination(models.Model):
    """One object a cable's end lands on."""

    cable = models.ForeignKey(Cable, on_delete=models.CASCADE, related_name="terminations", verbose_name=_("cable"))
    cable_end = models.CharField(_("end"), max_length=1, choices=CableEnd.choices)
    termination_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    termination_id = models.PositiveBigIntegerField()
    termination = GenericForeignKey("termination_type", "termination_id")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["cable", "cable_end", "pk"]
        verbose_name = _("cable termination")
        verbose_name_plural = _("cable terminations")
        constraints = [
            models.UniqueConstraint(
                fields=["termination_type", "termination_id"], name="inventory_cabletermination_unique_termination"
            ),
        ]

    def __str__(self):
        # Read from the rows' own columns (the content type from Django's cache): a list shows it without
        # loading every cable and object.
        from core.registry import object_type_label

        kind = object_type_label(ContentType.objects.get_for_id(self.termination_type_id))
        return f"Cable #{self.cable_id} {self.cable_end}: {kind} {self.termination_id}"


class _WithDestinations(ModelIterable):
    def __iter__(self):
        from inventory.cabling import load_destinations

        rows = list(super().__iter__())
        load_destinations(rows)
        yield from rows


class CablePathQuerySet(models.QuerySet):
    def with_destinations(self) -> "CablePathQuerySet":
        """Paths with their far ends loaded (`destination_objects`), one query per kind of far end for
        all the paths read, when they are read (a list of interfaces prefetches its paths this way)."""
        clone = self.all()
        clone._iterable_class = _WithDestinations
        return clone


class CablePath(models.Model):
    """The path traced from one endpoint (`origin`): NetBox's CablePath, one row per origin."""

    origin_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    origin_id = models.PositiveBigIntegerField()
    origin = GenericForeignKey("origin_type", "origin_id")
    # The far ends (NetBox's connected endpoints), of one kind.
    destination_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+", null=True)
    destination_ids = ArrayField(models.PositiveBigIntegerField(), default=list)
    # [[near nodes], link, [far nodes]] per segment, in trace order; a node is [content type id, id], a link
    # a cable's id or a wireless link's "w<id>".
    segments = models.JSONField(default=list)
    # What the path passes through ("c<cable id>", "w<wireless link id>", "<content type id>:<id>"), to find
    # the paths a change touches.
    nodes = ArrayField(models.CharField(max_length=40), default=list)
    is_active = models.BooleanField(default=False)
    is_complete = models.BooleanField(default=False)
    is_split = models.BooleanField(default=False)

    objects = CablePathQuerySet.as_manager()
    # The far ends, loaded by `with_destinations()`.
    destination_objects: list[models.Model]

    class Meta:
        ordering = ["pk"]
        verbose_name = _("cable path")
        verbose_name_plural = _("cable paths")
        constraints = [
            models.UniqueConstraint(fields=["origin_type", "origin_id"], name="inventory_cablepath_unique_origin"),
        ]
        indexes = [GinIndex(fields=["nodes"], name="inventory_cablepath_nodes")]

    def __str__(self):
        return f"Path from {self.origin_type_id}:{self.origin_id}"
