"""NetBox's device catalogue: manufacturers, platforms, device roles, device and module types (with
their profiles and bay types) and inventory item roles. Devices themselves come later."""

import decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.jsonschema import schema_check, schema_validate
from core.models import ImageAttachmentsMixin, NestedGroupModel, OrganizationalModel, PrimaryModel
from core.models.base import unique_in_tree
from inventory.choices import CoolingMethod, DeviceAirflow, ModuleAirflow, SubdeviceRole
from inventory.models.mixins import WeightMixin, color_field
from inventory.models.tenancy import ContactsMixin

HALF_UNIT = decimal.Decimal("0.5")


class Manufacturer(ContactsMixin, OrganizationalModel):
    class Meta:
        ordering = ["name"]
        verbose_name = _("manufacturer")
        verbose_name_plural = _("manufacturers")


class Platform(NestedGroupModel):
    """The software a device runs (Cisco IOS-XR, Junos), in a tree, optionally tied to a manufacturer."""

    manufacturer = models.ForeignKey(
        Manufacturer,
        on_delete=models.PROTECT,
        related_name="platforms",
        blank=True,
        null=True,
        db_index=False,
        verbose_name=_("manufacturer"),
        help_text=_("Optionally limit this platform to devices of a certain manufacturer"),
    )
    config_template = models.ForeignKey(
        "automation.ConfigTemplate",
        on_delete=models.PROTECT,
        related_name="platforms",
        blank=True,
        null=True,
        db_index=False,
        verbose_name=_("config template"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("platform")
        verbose_name_plural = _("platforms")
        # NetBox: names and slugs are unique per manufacturer (platforms of no manufacturer included),
        # wherever the platform sits in the tree.
        constraints = [
            models.UniqueConstraint(
                fields=["manufacturer", "name"],
                nulls_distinct=False,
                name="inventory_platform_unique_manufacturer_name",
                violation_error_message=_("Platform name must be unique."),
            ),
            models.UniqueConstraint(
                fields=["manufacturer", "slug"],
                nulls_distinct=False,
                name="inventory_platform_unique_manufacturer_slug",
                violation_error_message=_("Platform slug must be unique."),
            ),
        ]


class DeviceRole(NestedGroupModel):
    """What a device does (core switch, file server), in a tree; its colour marks its devices in rack elevations."""

    color = color_field()
    vm_role = models.BooleanField(
        _("VM role"), default=True, help_text=_("Virtual machines may be assigned to this role")
    )
    config_template = models.ForeignKey(
        "automation.ConfigTemplate",
        on_delete=models.PROTECT,
        related_name="device_roles",
        blank=True,
        null=True,
        db_index=False,
        verbose_name=_("config template"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("device role")
        verbose_name_plural = _("device roles")
        constraints = unique_in_tree("inventory_devicerole", "device role")


class DeviceType(WeightMixin, ImageAttachmentsMixin, PrimaryModel):
    """A make and model of device: its height, depth and airflow, and the component templates its devices get."""

    # The (manufacturer, model) constraint's index serves lookups by manufacturer: no index of its own.
    manufacturer = models.ForeignKey(
        Manufacturer,
        on_delete=models.PROTECT,
        related_name="device_types",
        db_index=False,
        verbose_name=_("manufacturer"),
    )
    default_platform = models.ForeignKey(
        Platform,
        on_delete=models.SET_NULL,
        related_name="+",
        blank=True,
        null=True,
        verbose_name=_("default platform"),
    )
    model = models.CharField(_("model"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100)
    part_number = models.CharField(
        _("part number"), max_length=50, blank=True, help_text=_("Discrete part number (optional)")
    )
    u_height = models.DecimalField(
        _("height (U)"),
        max_digits=4,
        decimal_places=1,
        default=decimal.Decimal("1.0"),
        validators=[MinValueValidator(0)],
    )
    exclude_from_utilization = models.BooleanField(
        _("exclude from utilization"),
        default=False,
        help_text=_("Devices of this type are excluded when calculating rack utilization."),
    )
    is_full_depth = models.BooleanField(
        _("is full depth"), default=True, help_text=_("Device consumes both front and rear rack faces.")
    )
    subdevice_role = models.CharField(
        _("parent/child status"),
        max_length=50,
        choices=SubdeviceRole.choices,
        blank=True,
        help_text=_(
            "Parent devices house child devices in device bays. Leave blank if this device type is neither a parent "
            "nor a child."
        ),
    )
    airflow = models.CharField(_("airflow"), max_length=50, choices=DeviceAirflow.choices, blank=True)
    cooling_method = models.CharField(_("cooling method"), max_length=50, choices=CoolingMethod.choices, blank=True)
    end_of_life = models.DateField(
        _("end of life"),
        blank=True,
        null=True,
        help_text=_("The date after which this device type is no longer supported by the manufacturer"),
    )
    # NetBox's pictures of the front and rear (rack elevations draw them): the stored file's name in the
    # media storage, the column NetBox's ImageField keeps. Blank until image uploads arrive.
    front_image = models.CharField(_("front image"), max_length=100, blank=True, editable=False)
    rear_image = models.CharField(_("rear image"), max_length=100, blank=True, editable=False)

    class Meta:
        ordering = ["manufacturer", "model"]
        verbose_name = _("device type")
        verbose_name_plural = _("device types")
        constraints = [
            models.UniqueConstraint(
                fields=["manufacturer", "model"], name="inventory_devicetype_unique_manufacturer_model"
            ),
            models.UniqueConstraint(
                fields=["manufacturer", "slug"], name="inventory_devicetype_unique_manufacturer_slug"
            ),
        ]

    def __str__(self):
        return self.model

    @property
    def full_name(self) -> str:
        return f"{self.manufacturer} {self.model}"

    def clean(self):
        super().clean()
        if self.u_height is not None and decimal.Decimal(self.u_height) % HALF_UNIT:
            raise ValidationError({"u_height": _("U height must be in increments of 0.5 rack units.")})
        if self.u_height and self.subdevice_role == SubdeviceRole.ROLE_CHILD:
            raise ValidationError({"u_height": _("Child device types must be 0U.")})
        if self.subdevice_role != SubdeviceRole.ROLE_PARENT and self.pk and self.devicebaytemplates.exists():
            raise ValidationError(
                {"subdevice_role": _(
                    "Must delete all device bay templates associated with this device before declassifying it as a "
                    "parent device."
                )}
            )  # fmt: skip


class ModuleTypeProfile(PrimaryModel):
    """The attributes module types of one kind carry (a JSON Schema their `attributes` must follow)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    schema = models.JSONField(_("schema"), blank=True, null=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("module type profile")
        verbose_name_plural = _("module type profiles")

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        try:
            schema_check(self.schema)
        except ValidationError as error:
            raise ValidationError({"schema": error.messages}) from None


class ModuleBayType(PrimaryModel):
    """A kind of module bay: a module type fits the bays that share one of its bay types (none: any bay)."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100)
    manufacturer = models.ForeignKey(
        Manufacturer,
        on_delete=models.PROTECT,
        related_name="module_bay_types",
        blank=True,
        null=True,
        db_index=False,
        verbose_name=_("manufacturer"),
    )
    color = color_field(blank=True)

    class Meta:
        ordering = ["manufacturer", "name"]
        verbose_name = _("module bay type")
        verbose_name_plural = _("module bay types")
        constraints = [
            models.UniqueConstraint(
                fields=["manufacturer", "name"],
                nulls_distinct=False,
                name="inventory_modulebaytype_unique_manufacturer_name",
            ),
            models.UniqueConstraint(
                fields=["manufacturer", "slug"],
                nulls_distinct=False,
                name="inventory_modulebaytype_unique_manufacturer_slug",
            ),
        ]

    def __str__(self):
        if self.manufacturer_id:
            return f"{self.manufacturer} {self.name}"
        return self.name


class ModuleType(WeightMixin, ImageAttachmentsMixin, PrimaryModel):
    """A make and model of module (a line card, a PSU): the component templates its modules get."""

    profile = models.ForeignKey(
        ModuleTypeProfile,
        on_delete=models.PROTECT,
        related_name="module_types",
        blank=True,
        null=True,
        verbose_name=_("profile"),
    )
    manufacturer = models.ForeignKey(
        Manufacturer,
        on_delete=models.PROTECT,
        related_name="module_types",
        db_index=False,
        verbose_name=_("manufacturer"),
    )
    model = models.CharField(_("model"), max_length=100)
    part_number = models.CharField(
        _("part number"), max_length=50, blank=True, help_text=_("Discrete part number (optional)")
    )
    airflow = models.CharField(_("airflow"), max_length=50, choices=ModuleAirflow.choices, blank=True)
    cooling_method = models.CharField(_("cooling method"), max_length=50, choices=CoolingMethod.choices, blank=True)
    end_of_life = models.DateField(
        _("end of life"),
        blank=True,
        null=True,
        help_text=_("The date after which this module type is no longer supported by the manufacturer"),
    )
    attribute_data = models.JSONField(_("attributes"), blank=True, null=True)
    module_bay_types = models.ManyToManyField(
        ModuleBayType,
        related_name="module_types",
        blank=True,
        verbose_name=_("module bay types"),
        help_text=_("Types of module bays this module type can be installed in (empty = unconstrained)"),
    )

    class Meta:
        ordering = ["profile", "manufacturer", "model"]
        verbose_name = _("module type")
        verbose_name_plural = _("module types")
        constraints = [
            models.UniqueConstraint(
                fields=["manufacturer", "model"], name="inventory_moduletype_unique_manufacturer_model"
            ),
        ]

    def __str__(self):
        return self.model

    @property
    def full_name(self) -> str:
        return f"{self.manufacturer} {self.model}"

    def clean(self):
        super().clean()
        # NetBox: the attributes follow the profile's schema; without one, a module type has none.
        if self.profile is not None and self.profile.schema:
            schema_validate(self.profile.schema, self.attribute_data)
        else:
            self.attribute_data = None


class InventoryItemRole(OrganizationalModel):
    color = color_field()

    class Meta:
        ordering = ["name"]
        verbose_name = _("inventory item role")
        verbose_name_plural = _("inventory item roles")
