"""NetBox's racks: groups, roles, rack types (a make and model of rack), racks and unit reservations."""

import decimal

from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import ImageAttachmentsMixin, OrganizationalModel, PrimaryModel
from inventory.choices import (
    RackAirflow,
    RackCoolingCapability,
    RackDimensionUnit,
    RackFormFactor,
    RackReservationStatus,
    RackStatus,
    RackWidth,
)
from inventory.models.devices import Manufacturer
from inventory.models.mixins import WeightMixin, color_field
from inventory.models.sites import Location, Site
from inventory.models.tenancy import ContactsMixin, Tenant

RACK_U_HEIGHT_DEFAULT = 42
RACK_U_HEIGHT_MAX = 100
RACK_STARTING_UNIT_DEFAULT = 1
HALF_UNIT = decimal.Decimal("0.5")


class RackGroup(OrganizationalModel):
    """Racks grouped by where they stand (a row, a cage), across locations."""

    class Meta:
        ordering = ["name"]
        verbose_name = _("rack group")
        verbose_name_plural = _("rack groups")


class RackRole(OrganizationalModel):
    color = color_field()

    class Meta:
        ordering = ["name"]
        verbose_name = _("rack role")
        verbose_name_plural = _("rack roles")


class RackBase(WeightMixin, PrimaryModel):
    """What a rack type and a rack both describe: width, units and their numbering, outer size, load, cooling."""

    width = models.PositiveSmallIntegerField(
        _("width"), choices=RackWidth.choices, default=RackWidth.WIDTH_19IN, help_text=_("Rail-to-rail width")
    )
    u_height = models.PositiveSmallIntegerField(
        _("height (U)"),
        default=RACK_U_HEIGHT_DEFAULT,
        validators=[MinValueValidator(1), MaxValueValidator(RACK_U_HEIGHT_MAX)],
        help_text=_("Height in rack units"),
    )
    starting_unit = models.PositiveSmallIntegerField(
        _("starting unit"),
        default=RACK_STARTING_UNIT_DEFAULT,
        validators=[MinValueValidator(1)],
        help_text=_("Starting unit for rack"),
    )
    desc_units = models.BooleanField(
        _("descending units"), default=False, help_text=_("Units are numbered top-to-bottom")
    )
    outer_width = models.PositiveSmallIntegerField(
        _("outer width"), blank=True, null=True, help_text=_("Outer dimension of rack (width)")
    )
    outer_height = models.PositiveSmallIntegerField(
        _("outer height"), blank=True, null=True, help_text=_("Outer dimension of rack (height)")
    )
    outer_depth = models.PositiveSmallIntegerField(
        _("outer depth"), blank=True, null=True, help_text=_("Outer dimension of rack (depth)")
    )
    outer_unit = models.CharField(_("outer unit"), max_length=50, choices=RackDimensionUnit.choices, blank=True)
    mounting_depth = models.PositiveSmallIntegerField(
        _("mounting depth"),
        blank=True,
        null=True,
        help_text=_(
            "Maximum depth of a mounted device, in millimeters. For four-post racks, this is the distance between "
            "the front and rear rails."
        ),
    )
    max_weight = models.PositiveIntegerField(
        _("max weight"), blank=True, null=True, help_text=_("Maximum load capacity for the rack")
    )
    cooling_capability = models.CharField(
        _("cooling capability"), max_length=50, choices=RackCoolingCapability.choices, blank=True
    )
    cooling_capacity = models.DecimalField(
        _("cooling capacity"),
        max_digits=10,
        decimal_places=2,
        blank=True,
        null=True,
        validators=[MinValueValidator(0)],
        help_text=_("Cooling capacity (kW)"),
    )

    class Meta:
        abstract = True

    @property
    def has_outer_dimension(self) -> bool:
        return any((self.outer_width, self.outer_height, self.outer_depth))

    @property
    def units(self) -> range:
        """The unit numbers, from the first to the last (whatever way they are drawn)."""
        return range(self.starting_unit, self.starting_unit + self.u_height)

    @property
    def half_units(self) -> list[decimal.Decimal]:
        """Every half unit a device may take, from the first unit up (a device may sit at U4.5)."""
        start = decimal.Decimal(self.starting_unit)
        return [start + HALF_UNIT * step for step in range(self.u_height * 2)]

    def clean(self):
        super().clean()
        if self.has_outer_dimension and not self.outer_unit:
            raise ValidationError(_("Must specify a unit when setting an outer dimension"))
        if not self.has_outer_dimension:
            self.outer_unit = ""  # NetBox keeps no unit for dimensions that are not there
        if self.max_weight and not self.weight_unit:
            raise ValidationError(_("Must specify a unit when setting a maximum weight"))


class RackType(ImageAttachmentsMixin, RackBase):
    """A make and model of rack: the physical attributes its racks take."""

    form_factor = models.CharField(_("form factor"), max_length=50, choices=RackFormFactor.choices)
    manufacturer = models.ForeignKey(
        Manufacturer,
        on_delete=models.PROTECT,
        related_name="rack_types",
        db_index=False,  # the (manufacturer, model) constraint's index serves it
        verbose_name=_("manufacturer"),
    )
    model = models.CharField(_("model"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)

    class Meta:
        ordering = ["manufacturer", "model"]
        verbose_name = _("rack type")
        verbose_name_plural = _("rack types")
        constraints = [
            models.UniqueConstraint(
                fields=["manufacturer", "model"], name="inventory_racktype_unique_manufacturer_model"
            ),
            models.UniqueConstraint(
                fields=["manufacturer", "slug"], name="inventory_racktype_unique_manufacturer_slug"
            ),
        ]

    def __str__(self):
        return self.model

    @property
    def full_name(self) -> str:
        return f"{self.manufacturer} {self.model}"


class Rack(ContactsMixin, ImageAttachmentsMixin, RackBase):
    """A rack at a site (and perhaps a location), its units numbered from `starting_unit`."""

    # The physical attributes a rack takes from its rack type, when it has one (NetBox's RACKTYPE_FIELDS);
    # inventory.services copies them.
    RACK_TYPE_FIELDS = (
        "form_factor", "width", "u_height", "starting_unit", "desc_units", "outer_width", "outer_height",
        "outer_depth", "outer_unit", "mounting_depth", "weight", "weight_unit", "max_weight", "cooling_capability",
        "cooling_capacity",
    )  # fmt: skip

    form_factor = models.CharField(_("form factor"), max_length=50, choices=RackFormFactor.choices, blank=True)
    rack_type = models.ForeignKey(
        RackType, on_delete=models.PROTECT, related_name="racks", blank=True, null=True, verbose_name=_("rack type")
    )
    name = models.CharField(_("name"), max_length=100)
    # NULL when unset: unique within a location, and racks without one must not collide.
    facility_id = models.CharField(  # noqa: DJ001
        _("facility ID"), max_length=50, blank=True, null=True, help_text=_("Locally-assigned identifier")
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="racks", verbose_name=_("site"))
    location = models.ForeignKey(
        Location,
        on_delete=models.SET_NULL,
        related_name="racks",
        blank=True,
        null=True,
        db_index=False,  # the (location, name) constraint's index serves it
        verbose_name=_("location"),
    )
    group = models.ForeignKey(
        RackGroup,
        on_delete=models.PROTECT,
        related_name="racks",
        blank=True,
        null=True,
        verbose_name=_("group"),
        help_text=_("physical grouping"),
    )
    tenant = models.ForeignKey(
        Tenant, on_delete=models.PROTECT, related_name="racks", blank=True, null=True, verbose_name=_("tenant")
    )
    status = models.CharField(_("status"), max_length=50, choices=RackStatus.choices, default=RackStatus.ACTIVE)
    role = models.ForeignKey(
        RackRole,
        on_delete=models.PROTECT,
        related_name="racks",
        blank=True,
        null=True,
        verbose_name=_("role"),
        help_text=_("Functional role"),
    )
    serial = models.CharField(_("serial number"), max_length=50, blank=True)
    asset_tag = models.CharField(
        _("asset tag"),
        max_length=50,
        blank=True,
        null=True,
        unique=True,
        help_text=_("A unique tag used to identify this rack"),
    )
    airflow = models.CharField(_("airflow"), max_length=50, choices=RackAirflow.choices, blank=True)
    # IPAM's VLAN groups scoped to the rack go with it, as in NetBox.
    scoped_vlan_groups = GenericRelation(
        "addressing.VLANGroup", content_type_field="scope_type", object_id_field="scope_id"
    )

    class Meta:
        ordering = ["site", "location", "name", "pk"]
        verbose_name = _("rack")
        verbose_name_plural = _("racks")
        # NetBox: names and facility IDs are unique within a location (racks outside locations may repeat them).
        constraints = [
            models.UniqueConstraint(fields=["location", "name"], name="inventory_rack_unique_location_name"),
            models.UniqueConstraint(
                fields=["location", "facility_id"], name="inventory_rack_unique_location_facility_id"
            ),
        ]

    def __str__(self):
        if self.facility_id:
            return f"{self.name} ({self.facility_id})"
        return self.name

    def clean(self):
        super().clean()
        if self.site_id and self.location is not None and self.location.site_id != self.site_id:
            raise ValidationError(_("Assigned location must belong to parent site ({site}).").format(site=self.site))

    def check_houses(self, lowest, top) -> None:
        """NetBox's rule that a rack stays tall enough for its mounted devices and numbers its units from at
        most the lowest one's position: `lowest` the lowest device's position, `top` the unit above the highest
        one's top (None: no device is mounted). Read for a batch of racks by inventory.services."""
        if lowest is None or top is None:
            return
        needed = top - self.starting_unit
        if self.u_height < needed:
            raise ValidationError(
                {"rack_type" if self.rack_type_id else "u_height": _(
                    "Rack must be at least {min_height}U tall to house currently installed devices."
                ).format(min_height=needed)}
            )  # fmt: skip
        if self.starting_unit > lowest:
            raise ValidationError(
                {"rack_type" if self.rack_type_id else "starting_unit": _(
                    "Rack unit numbering must begin at {position} or less to house currently installed devices."
                ).format(position=lowest)}
            )  # fmt: skip

    def utilization(self, mounted=None, reservations=None) -> float:
        """How much of the rack is used, in percent, as NetBox counts it: half units taken by devices (those of
        types excluded from utilization left out) or reserved. `mounted` and `reservations`: the rack's mounted
        devices (with their types) and its reservations, when a list has loaded them already."""
        if mounted is None:
            mounted = self.devices.filter(position__isnull=False).select_related("device_type")
        if reservations is None:
            reservations = self.reservations.all()
        every = set(self.half_units)
        used: set[decimal.Decimal] = set()
        for device in mounted:
            if device.position is not None and not device.device_type.exclude_from_utilization:
                used.update(device.units)
        for reservation in reservations:
            for unit in reservation.units:
                used.update((decimal.Decimal(unit), decimal.Decimal(unit) + HALF_UNIT))
        return round(len(used & every) / len(every) * 100, 1) if every else 0.0

    def occupied_units(self, *, face: str | None, exclude: int | None = None) -> set[decimal.Decimal]:
        """The half units devices take on `face` (None: on either face), full-depth ones on both; `exclude`:
        a device not to count (one being moved)."""
        devices = self.devices.filter(position__isnull=False).select_related("device_type")
        if exclude is not None:
            devices = devices.exclude(pk=exclude)
        taken: set[decimal.Decimal] = set()
        for device in devices:
            if face is None or device.face == face or device.device_type.is_full_depth:
                taken.update(device.units)
        return taken


class RackReservation(PrimaryModel):
    """Units of a rack set aside for someone (a member of the organization), for a reason."""

    rack = models.ForeignKey(Rack, on_delete=models.CASCADE, related_name="reservations", verbose_name=_("rack"))
    units = ArrayField(models.PositiveSmallIntegerField(), verbose_name=_("units"))
    status = models.CharField(
        _("status"), max_length=50, choices=RackReservationStatus.choices, default=RackReservationStatus.ACTIVE
    )
    tenant = models.ForeignKey(
        Tenant,
        on_delete=models.PROTECT,
        related_name="rack_reservations",
        blank=True,
        null=True,
        verbose_name=_("tenant"),
    )
    # Users live in the public schema: the member the units are reserved for, by id.
    user_id = models.BigIntegerField(_("user"))
    description = models.CharField(_("description"), max_length=200)

    class Meta:
        ordering = ["created", "pk"]
        verbose_name = _("rack reservation")
        verbose_name_plural = _("rack reservations")

    def __str__(self):
        return f"Reservation for rack {self.rack}"

    @property
    def unit_list(self) -> str:
        """The units as NetBox lists them: ranges where they run on ("1-3, 7")."""
        ranges: list[list[int]] = []
        for unit in sorted(set(self.units or ())):
            if ranges and unit == ranges[-1][1] + 1:
                ranges[-1][1] = unit
            else:
                ranges.append([unit, unit])
        return ", ".join(str(first) if first == last else f"{first}-{last}" for first, last in ranges)

    def clean(self):
        super().clean()
        if self.rack_id is None or not self.units:
            return
        invalid = [unit for unit in self.units if unit not in self.rack.units]
        if invalid:
            raise ValidationError(
                {"units": _("Invalid unit(s) for {height}U rack: {unit_list}").format(
                    height=self.rack.u_height, unit_list=", ".join(map(str, invalid))
                )}
            )  # fmt: skip
        reserved = set()
        for units in (
            RackReservation._base_manager.filter(rack_id=self.rack_id)
            .exclude(pk=self.pk)
            .values_list("units", flat=True)
        ):
            reserved.update(units)
        conflicting = [unit for unit in self.units if unit in reserved]
        if conflicting:
            raise ValidationError(
                {"units": _("The following units have already been reserved: {unit_list}").format(
                    unit_list=", ".join(map(str, conflicting))
                )}
            )  # fmt: skip
