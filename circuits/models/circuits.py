"""Circuits: their types, the circuits themselves, their two terminations (A and Z, each at a site,
location, region, site group or provider network, and each a cable endpoint), and circuit groups
with the assignments of circuits (and virtual circuits) to them."""

from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from addressing.querysets import LinkedManager
from circuits.choices import CircuitPriority, CircuitStatus, DistanceUnit, TerminationSide
from circuits.models.providers import Provider, ProviderAccount
from core.models import ImageAttachmentsMixin, OrganizationalModel, PrimaryModel
from core.models.base import ChangeLoggedModel
from inventory.models import Tenant
from inventory.models.components import Cabled
from inventory.models.mixins import color_field
from inventory.models.tenancy import ContactsMixin

# NetBox's CIRCUIT_TERMINATION_TERMINATION_TYPES, as their API labels.
TERMINATION_TYPES = ("dcim.region", "dcim.sitegroup", "dcim.site", "dcim.location", "circuits.providernetwork")
# NetBox's CIRCUIT_GROUP_ASSIGNMENT_MEMBER_MODELS.
GROUP_MEMBER_TYPES = ("circuits.circuit", "circuits.virtualcircuit")


class CircuitType(OrganizationalModel):
    """What a circuit is for: "Internet transit", "Long haul", "Out-of-band"."""

    color = color_field(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("circuit type")
        verbose_name_plural = _("circuit types")


class Circuit(ContactsMixin, ImageAttachmentsMixin, PrimaryModel):
    """A communications circuit bought from a provider; its speeds are in Kbps."""

    cid = models.CharField(_("circuit ID"), max_length=100, help_text=_("Unique circuit ID"))
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="circuits", verbose_name=_("provider")
    )
    provider_account = models.ForeignKey(
        ProviderAccount,
        on_delete=models.PROTECT,
        related_name="circuits",
        blank=True,
        null=True,
        verbose_name=_("provider account"),
    )
    type = models.ForeignKey(CircuitType, on_delete=models.PROTECT, related_name="circuits", verbose_name=_("type"))
    status = models.CharField(_("status"), max_length=50, choices=CircuitStatus.choices, default=CircuitStatus.ACTIVE)
    tenant = models.ForeignKey(
        Tenant, on_delete=models.PROTECT, related_name="circuits", blank=True, null=True, verbose_name=_("tenant")
    )
    install_date = models.DateField(_("installed"), blank=True, null=True)
    termination_date = models.DateField(_("terminates"), blank=True, null=True)
    commit_rate = models.PositiveIntegerField(
        _("commit rate (Kbps)"), blank=True, null=True, help_text=_("Committed rate")
    )
    distance = models.DecimalField(
        _("distance"),
        max_digits=8,
        decimal_places=2,
        blank=True,
        null=True,
    )
    distance_unit = models.CharField(_("distance unit"), max_length=50, choices=DistanceUnit.choices, blank=True)
    group_assignments = GenericRelation(
        "circuits.CircuitGroupAssignment",
        content_type_field="member_type",
        object_id_field="member_id",
        related_query_name="circuit",
    )

    class Meta:
        ordering = ["provider", "provider_account", "cid"]
        verbose_name = _("circuit")
        verbose_name_plural = _("circuits")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "cid"],
                name="circuits_circuit_unique_provider_cid",
                violation_error_message=_("Circuit with this Provider and Circuit ID already exists."),
            ),
            models.UniqueConstraint(
                fields=["provider_account", "cid"],
                name="circuits_circuit_unique_provideraccount_cid",
                violation_error_message=_("Circuit with this Provider account and Circuit ID already exists."),
            ),
        ]

    def __str__(self):
        return self.cid

    def clean(self):
        super().clean()
        account = self.provider_account
        if account is not None and account.provider_id != self.provider_id:
            raise ValidationError({"provider_account": _("The assigned account must belong to the assigned provider.")})
        if self.distance is not None and not self.distance_unit:
            raise ValidationError(_("Must specify a unit when setting a distance"))
        if self.distance is None and self.distance_unit:
            self.distance_unit = ""

    def termination(self, side: str) -> "CircuitTermination | None":
        """The termination on `side` ("A" or "Z"), from the prefetched terminations where a list loaded them."""
        return next((t for t in self.terminations.all() if t.term_side == side), None)


class CircuitTermination(Cabled, ChangeLoggedModel):
    """One end of a circuit: where it is handed off (a site, location, region, site group or provider network)
    and the port there. A cable endpoint."""

    circuit = models.ForeignKey(
        Circuit, on_delete=models.CASCADE, related_name="terminations", verbose_name=_("circuit")
    )
    term_side = models.CharField(_("termination side"), max_length=1, choices=TerminationSide.choices)
    termination_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        related_name="+",
        blank=True,
        null=True,
        verbose_name=_("termination type"),
    )
    termination_id = models.PositiveBigIntegerField(_("termination ID"), blank=True, null=True)
    termination = GenericForeignKey("termination_type", "termination_id")
    port_speed = models.PositiveIntegerField(
        _("port speed (Kbps)"), blank=True, null=True, help_text=_("Physical circuit speed")
    )
    upstream_speed = models.PositiveIntegerField(
        _("upstream speed (Kbps)"), blank=True, null=True, help_text=_("Upstream speed, if different from port speed")
    )
    xconnect_id = models.CharField(
        _("cross-connect ID"), max_length=50, blank=True, help_text=_("ID of the local cross-connect")
    )
    pp_info = models.CharField(
        _("patch panel/port(s)"), max_length=100, blank=True, help_text=_("Patch panel ID and port number(s)")
    )
    description = models.CharField(_("description"), max_length=200, blank=True)

    objects = LinkedManager(linked=("termination",))  # type: ignore[misc]  # django-stubs: the base's manager

    class Meta:
        ordering = ["circuit", "term_side"]
        verbose_name = _("circuit termination")
        verbose_name_plural = _("circuit terminations")
        indexes = [models.Index(fields=["termination_type", "termination_id"], name="circuits_termination_target")]
        constraints = [
            models.UniqueConstraint(
                fields=["circuit", "term_side"],
                name="circuits_circuittermination_unique_circuit_term_side",
                violation_error_message=_("Circuit termination with this Circuit and Termination side already exists."),
            )
        ]

    def __str__(self):
        return f"{self.circuit}: Termination {self.term_side}"

    def clean(self):
        if self.termination_type_id is not None and self.termination_id is None:
            model = ContentType.objects.get_for_id(self.termination_type_id).model_class()
            name = str(model._meta.verbose_name).title() if model is not None else str(self.termination_type_id)
            raise ValidationError(_("Please select a {termination_type}.").format(termination_type=name))
        super().clean()
        if self.termination_type_id is not None and self.termination is None:
            raise ValidationError(
                {"termination_id": _("Related object not found using the provided numeric ID: {id}").format(
                    id=self.termination_id
                )}
            )  # fmt: skip
        if self.termination_type_id is None:
            raise ValidationError(_("A circuit termination must attach to a terminating object."))


class CircuitGroup(OrganizationalModel):
    """An administrative grouping of circuits (a customer's redundant links, say)."""

    tenant = models.ForeignKey(
        Tenant, on_delete=models.PROTECT, related_name="circuit_groups", blank=True, null=True, verbose_name=_("tenant")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("circuit group")
        verbose_name_plural = _("circuit groups")


class CircuitGroupAssignment(ChangeLoggedModel):
    """A circuit's (or virtual circuit's) membership of a group, with an optional priority."""

    member_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("member type")
    )
    member_id = models.PositiveBigIntegerField(_("member ID"))
    member = GenericForeignKey("member_type", "member_id")
    group = models.ForeignKey(
        CircuitGroup, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("group")
    )
    priority = models.CharField(_("priority"), max_length=50, choices=CircuitPriority.choices, blank=True)

    objects = LinkedManager(linked=("member",))  # type: ignore[misc]  # django-stubs: the base's manager

    class Meta:
        ordering = ["group", "member_type", "member_id", "priority", "pk"]
        verbose_name = _("circuit group assignment")
        verbose_name_plural = _("circuit group assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["member_type", "member_id", "group"],
                name="circuits_circuitgroupassignment_unique_member_group",
                violation_error_message=_(
                    "Circuit group assignment with this Member type, Member ID and Group already exists."
                ),
            )
        ]

    def __str__(self):
        if self.priority:
            return f"{self.group} ({self.get_priority_display()})"
        return str(self.group)

    def clean(self):
        super().clean()
        if self.member_type_id is not None and self.member_id is not None and self.member is None:
            raise ValidationError(
                {
                    "member_id": _("Related object not found using the provided numeric ID: {id}").format(
                        id=self.member_id
                    )
                }
            )
