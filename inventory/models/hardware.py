"""NetBox's devices and what groups or extends them: virtual chassis (a stack managed as one), virtual
device contexts (a device partitioned), and modules (line cards, power supplies) installed in a
device's module bays.

Components (ports, interfaces, bays) are in inventory.models.components; making them from a device or
module type's templates, placing devices in racks and installing modules are the services' work
(inventory.services)."""

import decimal
from typing import TYPE_CHECKING

from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from core.models import ImageAttachmentsMixin, PrimaryModel
from inventory.choices import (
    CoolingMethod,
    DeviceAirflow,
    DeviceFace,
    DeviceStatus,
    ModuleStatus,
    SubdeviceRole,
    VirtualDeviceContextStatus,
)
from inventory.models.devices import HALF_UNIT, DeviceRole, DeviceType, ModuleType, Platform
from inventory.models.mixins import LoadedValuesMixin
from inventory.models.racks import RACK_U_HEIGHT_MAX, Rack
from inventory.models.sites import Location, Site
from inventory.models.tenancy import ContactsMixin, Tenant

if TYPE_CHECKING:
    from inventory.models.components import ModuleBay


NOT_ON_DEVICE = _("The specified IP address ({ip}) is not assigned to this device.")


def ip_slot(verbose_name) -> models.ForeignKey:
    """A device's (or VDC's) primary or out-of-band IP address: cleared when the address is deleted. Its index
    is in the model's Meta (built concurrently: these tables are big)."""
    return models.ForeignKey(
        "addressing.IPAddress",
        on_delete=models.SET_NULL,
        related_name="+",
        blank=True,
        null=True,
        db_index=False,
        verbose_name=verbose_name,
    )


def slot_indexes(table: str, *slots: str) -> list[models.Index]:
    return [models.Index(fields=[slot], name=f"{table}_{slot}"[:30]) for slot in slots]


class PrimaryIPMixin(models.Model):
    """NetBox's `primary_ip`: the IPv4 primary address when there is one (its PREFER_IPV4 default), else
    the IPv6 one."""

    class Meta:
        abstract = True

    @property
    def primary_ip(self):
        return self.primary_ip4 or self.primary_ip6  # type: ignore[attr-defined]

    def _check_primary_ips(self, interfaces, *, message, nat: bool) -> None:
        """Each primary address is of its family and assigned to one of `interfaces` (a queryset of the
        interfaces it may be on), or with `nat` is the outside address of one that is; `message` otherwise."""
        for family in (4, 6):
            name = f"primary_ip{family}"
            address = getattr(self, name)
            if address is None:
                continue
            if address.family != family:
                raise ValidationError(
                    {name: _("{ip} is not an IPv{family} address.").format(ip=address, family=family)}
                )
            if not _on_interfaces(address, interfaces, nat=nat):
                raise ValidationError({name: message.format(ip=address)})


class ServicesMixin(models.Model):
    """Objects application services run on (a device, a virtual machine): deleting one deletes its
    services, each with its change-log entry, as NetBox does."""

    services = GenericRelation(
        "addressing.Service", content_type_field="parent_object_type", object_id_field="parent_object_id"
    )

    class Meta:
        abstract = True


def _on_interfaces(address, interfaces, *, nat: bool) -> bool:
    """Whether the address is assigned to one of `interfaces` (or, with `nat`, is the outside address of one
    that is)."""
    candidates = [address, address.nat_inside] if nat and address.nat_inside_id else [address]
    kind = interfaces.model
    for candidate in candidates:
        assigned = candidate.assigned_object_type
        if (
            assigned is not None
            and assigned.model_class() is kind
            and interfaces.filter(pk=candidate.assigned_object_id).exists()
        ):
            return True
    return False


def blank_to_null(value):
    """ "" stored as NULL: for optional values unique when set (asset tags, names)."""
    return None if value == "" else value


class VirtualChassis(PrimaryModel):
    """Devices that work as one (a switch stack), one of them the master."""

    master = models.OneToOneField(
        "inventory.Device",
        on_delete=models.PROTECT,
        related_name="vc_master_for",
        blank=True,
        null=True,
        verbose_name=_("master"),
    )
    name = models.CharField(_("name"), max_length=64)
    domain = models.CharField(_("domain"), max_length=30, blank=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("virtual chassis")
        verbose_name_plural = _("virtual chassis")

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.pk and self.master is not None and self.master.virtual_chassis_id != self.pk:
            raise ValidationError(
                {"master": _("The selected master ({master}) is not assigned to this virtual chassis.").format(
                    master=self.master
                )}
            )  # fmt: skip


class Device(PrimaryIPMixin, ServicesMixin, LoadedValuesMixin, ContactsMixin, ImageAttachmentsMixin, PrimaryModel):
    """A piece of hardware at a site, perhaps mounted in a rack (at a position, on a face), of a device type
    whose component templates it was made with."""

    device_type = models.ForeignKey(
        DeviceType, on_delete=models.PROTECT, related_name="instances", verbose_name=_("device type")
    )
    role = models.ForeignKey(
        DeviceRole,
        on_delete=models.PROTECT,
        related_name="devices",
        verbose_name=_("role"),
        help_text=_("The function this device serves"),
    )
    tenant = models.ForeignKey(
        Tenant, on_delete=models.PROTECT, related_name="devices", blank=True, null=True, verbose_name=_("tenant")
    )
    platform = models.ForeignKey(
        Platform, on_delete=models.SET_NULL, related_name="devices", blank=True, null=True, verbose_name=_("platform")
    )
    # NULL when unnamed: names are unique per site and tenant, unnamed devices never collide.
    name = models.CharField(_("name"), max_length=64, blank=True, null=True)  # noqa: DJ001
    serial = models.CharField(
        _("serial number"),
        max_length=50,
        blank=True,
        help_text=_("Chassis serial number, assigned by the manufacturer"),
    )
    asset_tag = models.CharField(
        _("asset tag"),
        max_length=50,
        blank=True,
        null=True,
        unique=True,
        help_text=_("A unique tag used to identify this device"),
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="devices", verbose_name=_("site"))
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="devices", blank=True, null=True, verbose_name=_("location")
    )
    rack = models.ForeignKey(
        Rack,
        on_delete=models.PROTECT,
        related_name="devices",
        blank=True,
        null=True,
        db_index=False,  # the (rack, position, face) constraint's index serves it
        verbose_name=_("rack"),
    )
    position = models.DecimalField(
        _("position (U)"),
        max_digits=4,
        decimal_places=1,
        blank=True,
        null=True,
        validators=[MinValueValidator(1), MaxValueValidator(RACK_U_HEIGHT_MAX + decimal.Decimal("0.5"))],
        help_text=_("The lowest-numbered unit occupied by the device"),
    )
    face = models.CharField(_("rack face"), max_length=50, choices=DeviceFace.choices, blank=True)
    status = models.CharField(_("status"), max_length=50, choices=DeviceStatus.choices, default=DeviceStatus.ACTIVE)
    airflow = models.CharField(_("airflow"), max_length=50, choices=DeviceAirflow.choices, blank=True)
    cooling_method = models.CharField(_("cooling method"), max_length=50, choices=CoolingMethod.choices, blank=True)
    # IPAM's addresses, named by label: DCIM never imports IPAM.
    primary_ip4 = ip_slot(_("primary IPv4"))
    primary_ip6 = ip_slot(_("primary IPv6"))
    oob_ip = ip_slot(_("out-of-band IP"))
    cluster = models.ForeignKey(
        "inventory.Cluster",
        on_delete=models.SET_NULL,
        related_name="devices",
        blank=True,
        null=True,
        db_index=False,  # in Meta (built concurrently: the table is big)
        verbose_name=_("cluster"),
    )
    virtual_chassis = models.ForeignKey(
        VirtualChassis,
        on_delete=models.SET_NULL,
        related_name="members",
        blank=True,
        null=True,
        db_index=False,  # the (virtual_chassis, vc_position) constraint's index serves it
        verbose_name=_("virtual chassis"),
    )
    vc_position = models.PositiveIntegerField(
        _("VC position"),
        blank=True,
        null=True,
        validators=[MaxValueValidator(255)],
        help_text=_("Virtual chassis position"),
    )
    vc_priority = models.PositiveSmallIntegerField(
        _("VC priority"),
        blank=True,
        null=True,
        validators=[MaxValueValidator(255)],
        help_text=_("Virtual chassis master election priority"),
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=6,
        blank=True,
        null=True,
        validators=[MinValueValidator(decimal.Decimal("-90")), MaxValueValidator(decimal.Decimal("90"))],
        help_text=_("GPS coordinate in decimal format (xx.yyyyyy)"),
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        blank=True,
        null=True,
        validators=[MinValueValidator(decimal.Decimal("-180")), MaxValueValidator(decimal.Decimal("180"))],
        help_text=_("GPS coordinate in decimal format (xx.yyyyyy)"),
    )
    local_context_data = models.JSONField(
        _("local config context data"),
        blank=True,
        null=True,
        help_text=_("Local config context data takes precedence over source contexts in the final rendered config "
                    "context"),
    )  # fmt: skip
    # Automation's config templates, by name only: DCIM never imports automation.
    config_template = models.ForeignKey(
        "automation.ConfigTemplate",
        on_delete=models.PROTECT,
        related_name="devices",
        blank=True,
        null=True,
        db_index=False,
        verbose_name=_("config template"),
    )

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        indexes = [
            *slot_indexes("inventory_dev", "primary_ip4", "primary_ip6", "oob_ip"),
            models.Index(fields=["cluster"], name="inventory_dev_cluster"),
        ]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                "site",
                "tenant",
                condition=Q(name__isnull=False),
                nulls_distinct=False,
                name="inventory_device_unique_name_site_tenant",
                violation_error_message=_("Device name must be unique per site and tenant."),
            ),
            models.UniqueConstraint(
                fields=["rack", "position", "face"], name="inventory_device_unique_rack_position_face"
            ),
            models.UniqueConstraint(
                fields=["virtual_chassis", "vc_position"], name="inventory_device_unique_virtual_chassis_vc_position"
            ),
        ]

    def __str__(self):
        label = self.label
        if label and self.asset_tag:
            return f"{label} ({self.asset_tag})"
        if label:
            return label
        if self.device_type_id is None:
            return f"Device {self.pk}"
        type_name = f"{self.device_type.manufacturer} {self.device_type.model}"
        return f"{type_name} ({self.asset_tag})" if self.asset_tag else f"{type_name} ({self.pk})"

    @property
    def label(self) -> str | None:
        """The name, or for an unnamed member of a virtual chassis "<chassis>:<position>"."""
        if self.name:
            return self.name
        if self.virtual_chassis is not None:
            return f"{self.virtual_chassis.name}:{self.vc_position}"
        return None

    def clean(self):
        self.name = blank_to_null(self.name)
        self.asset_tag = blank_to_null(self.asset_tag)
        super().clean()
        self._check_place()
        self.check_space()
        self._check_catalogue()
        self._check_addresses()
        self._check_cluster()
        if self.virtual_chassis_id is not None and self.vc_position is None:
            raise ValidationError(
                {"vc_position": _("A device assigned to a virtual chassis must have its position defined.")}
            )
        if self.pk is not None:
            master_of = VirtualChassis._base_manager.filter(master_id=self.pk).first()
            if master_of is not None and master_of.pk != self.virtual_chassis_id:
                raise ValidationError(
                    {"virtual_chassis": _(
                        "Device cannot be removed from virtual chassis {virtual_chassis} because it is currently "
                        "designated as its master."
                    ).format(virtual_chassis=master_of)}
                )  # fmt: skip

    def _check_place(self) -> None:
        """NetBox's rules for where a device stands; whether its units are free is the services' check (it
        reads the rack's other devices, those of the same write included)."""
        if self.site_id and self.rack is not None and self.rack.site_id != self.site_id:
            raise ValidationError(
                {"rack": _("Rack {rack} does not belong to site {site}.").format(rack=self.rack, site=self.site)}
            )
        if self.site_id and self.location is not None and self.location.site_id != self.site_id:
            raise ValidationError(
                {"location": _("Location {location} does not belong to site {site}.").format(
                    location=self.location, site=self.site
                )}
            )  # fmt: skip
        if self.location_id and self.rack is not None and self.rack.location_id != self.location_id:
            raise ValidationError(
                {"rack": _("Rack {rack} does not belong to location {location}.").format(
                    rack=self.rack, location=self.location
                )}
            )  # fmt: skip
        if self.rack_id is None:
            if self.face:
                raise ValidationError({"face": _("Cannot select a rack face without assigning a rack.")})
            if self.position:
                raise ValidationError({"position": _("Cannot select a rack position without assigning a rack.")})
        if self.position and decimal.Decimal(self.position) % HALF_UNIT:
            raise ValidationError({"position": _("Position must be in increments of 0.5 rack units.")})
        if self.position and not self.face:
            raise ValidationError({"face": _("Must specify rack face when defining rack position.")})
        if self.device_type_id is None:
            return
        if self.position and not self.device_type.u_height:
            raise ValidationError(
                {"position": _("A 0U device type ({device_type}) cannot be assigned to a rack position.").format(
                    device_type=self.device_type
                )}
            )  # fmt: skip
        if self.rack_id and self.device_type.subdevice_role == SubdeviceRole.ROLE_CHILD:
            if self.face:
                raise ValidationError(
                    {"face": _(
                        "Child device types cannot be assigned to a rack face. This is an attribute of the parent "
                        "device."
                    )}
                )  # fmt: skip
            if self.position:
                raise ValidationError(
                    {"position": _(
                        "Child device types cannot be assigned to a rack position. This is an attribute of the "
                        "parent device."
                    )}
                )  # fmt: skip

    def check_space(self) -> None:
        """NetBox's rule that a mounted device fits: its units are in the rack and free on its face (on both
        faces when it is full depth)."""
        if not (self.rack_id and self.position and self.device_type_id) or self.rack is None:
            return
        face = None if self.device_type.is_full_depth else self.face
        taken = self.rack.occupied_units(face=face, exclude=self.pk)
        free = set(self.rack.half_units) - taken
        if not set(self.units) <= free:
            raise ValidationError(
                {"position": _(
                    "U{position} is already occupied or does not have sufficient space to accommodate this device "
                    "type: {device_type} ({u_height}U)"
                ).format(
                    position=decimal.Decimal(self.position).quantize(HALF_UNIT),
                    device_type=self.device_type,
                    u_height=decimal.Decimal(self.device_type.u_height).quantize(HALF_UNIT),
                )}
            )  # fmt: skip

    def vc_interfaces(self):
        """The interfaces an address of this device may be on (NetBox's vc_interfaces(if_master=False)): its
        own, and those of the members of its virtual chassis that are not for management only."""
        from inventory.models.interfaces import Interface  # interfaces.py builds on this module

        interfaces = Interface._base_manager
        if self.pk is None:
            return interfaces.none()
        if self.virtual_chassis_id is None:
            return interfaces.filter(device_id=self.pk)
        return interfaces.filter(
            models.Q(device_id=self.pk) | models.Q(device__virtual_chassis_id=self.virtual_chassis_id, mgmt_only=False)
        )

    def _check_addresses(self) -> None:
        """NetBox's rules for the primary and out-of-band addresses: of their family, and on an interface of
        the device (or of its virtual chassis), or the outside address of one that is."""
        interfaces = self.vc_interfaces()
        self._check_primary_ips(interfaces, message=NOT_ON_DEVICE, nat=True)
        if self.oob_ip is not None and not _on_interfaces(self.oob_ip, interfaces, nat=True):
            raise ValidationError({"oob_ip": NOT_ON_DEVICE.format(ip=self.oob_ip)})

    def _check_cluster(self) -> None:
        """NetBox's rule: a host stands where its cluster is scoped (its site, its location)."""
        cluster = self.cluster if self.cluster_id is not None else None
        if cluster is None:
            return
        if cluster._site_id is not None and cluster._site_id != self.site_id:
            raise ValidationError(
                {"cluster": _("The assigned cluster belongs to a different site ({site})").format(site=cluster._site)}
            )
        if cluster._location_id is not None and cluster._location_id != self.location_id:
            raise ValidationError(
                {"cluster": _("The assigned cluster belongs to a different location ({location})").format(
                    location=cluster._location
                )}
            )  # fmt: skip

    def _check_catalogue(self) -> None:
        platform = self.platform if self.device_type_id else None
        if (
            platform is not None
            and platform.manufacturer_id
            and platform.manufacturer_id != self.device_type.manufacturer_id
        ):
            raise ValidationError(
                {"platform": _(
                    "The assigned platform is limited to {platform_manufacturer} device types, but this device's "
                    "type belongs to {devicetype_manufacturer}."
                ).format(
                    platform_manufacturer=platform.manufacturer,
                    devicetype_manufacturer=self.device_type.manufacturer,
                )}
            )  # fmt: skip

    def power_inputs(self):
        """The device's power ports, each with `outlet_count`: the outlets it feeds (one query)."""
        return self.powerports.annotate(outlet_count=models.Count("poweroutlets")).order_by("name", "pk")

    def chassis_members(self):
        """The members of the device's virtual chassis, by position (none when it is not in one)."""
        if self.virtual_chassis_id is None:
            return Device._base_manager.none()
        return Device._base_manager.filter(virtual_chassis_id=self.virtual_chassis_id).order_by("vc_position", "pk")

    @property
    def units(self) -> list[decimal.Decimal]:
        """The half units the device takes in its rack, from its position up (none when not mounted)."""
        if self.position is None or self.device_type_id is None:
            return []
        start, height = decimal.Decimal(self.position), decimal.Decimal(self.device_type.u_height)
        return [start + HALF_UNIT * step for step in range(int(height / HALF_UNIT))]


class VirtualDeviceContext(PrimaryIPMixin, PrimaryModel):
    """A partition of a device (a Nexus VDC, a Junos logical system) with its own interfaces."""

    device = models.ForeignKey(
        Device,
        on_delete=models.PROTECT,
        related_name="vdcs",
        db_index=False,  # the (device, name) constraint's index serves it
        verbose_name=_("device"),
    )
    name = models.CharField(_("name"), max_length=64)
    status = models.CharField(_("status"), max_length=50, choices=VirtualDeviceContextStatus.choices)
    identifier = models.PositiveSmallIntegerField(
        _("identifier"), blank=True, null=True, help_text=_("Numeric identifier unique to the parent device")
    )
    primary_ip4 = ip_slot(_("primary IPv4"))
    primary_ip6 = ip_slot(_("primary IPv6"))
    tenant = models.ForeignKey(
        Tenant, on_delete=models.PROTECT, related_name="vdcs", blank=True, null=True, verbose_name=_("tenant")
    )

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("virtual device context")
        verbose_name_plural = _("virtual device contexts")
        indexes = slot_indexes("inventory_vdc", "primary_ip4", "primary_ip6")
        constraints = [
            models.UniqueConstraint(
                fields=["device", "identifier"], name="inventory_virtualdevicecontext_unique_device_identifier"
            ),
            models.UniqueConstraint(
                fields=["device", "name"], name="inventory_virtualdevicecontext_unique_device_name"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.device_id is not None:
            self._check_primary_ips(
                self.device.vc_interfaces(),
                message=_("Primary IP address must belong to an interface on the assigned device."),
                nat=False,
            )


class Module(PrimaryModel):
    """A module (a line card, a power supply) of a module type, installed in one of a device's module bays."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="modules", verbose_name=_("device"))
    module_bay = models.OneToOneField(
        "inventory.ModuleBay", on_delete=models.CASCADE, related_name="installed_module", verbose_name=_("module bay")
    )
    module_type = models.ForeignKey(
        ModuleType, on_delete=models.PROTECT, related_name="instances", verbose_name=_("module type")
    )
    status = models.CharField(_("status"), max_length=50, choices=ModuleStatus.choices, default=ModuleStatus.ACTIVE)
    serial = models.CharField(_("serial number"), max_length=50, blank=True)
    asset_tag = models.CharField(
        _("asset tag"),
        max_length=50,
        blank=True,
        null=True,
        unique=True,
        help_text=_("A unique tag used to identify this device"),
    )

    class Meta:
        ordering = ["module_bay", "pk"]
        verbose_name = _("module")
        verbose_name_plural = _("modules")

    def __str__(self):
        if self.module_bay_id is None:
            return f"{self.module_type} ({self.pk})"
        return f"{self.module_bay.name}: {self.module_type} ({self.pk})"

    @property
    def is_bay_compatible(self) -> bool:
        """Whether the module's type fits its bay: true unless both name bay types and none is shared."""
        if not (self.module_bay_id and self.module_type_id):
            return True
        bay_types = {bay_type.pk for bay_type in self.module_bay.module_bay_types.all()}
        type_types = {bay_type.pk for bay_type in self.module_type.module_bay_types.all()}
        return not (bay_types and type_types and not bay_types & type_types)

    def clean(self):
        self.asset_tag = blank_to_null(self.asset_tag)
        super().clean()
        if self.module_bay_id is None or self.device_id is None:
            return
        if self.module_bay.device_id != self.device_id:
            raise ValidationError(
                _("Module must be installed within a module bay belonging to the assigned device ({device}).").format(
                    device=self.device
                )
            )
        if not self.is_bay_compatible:
            raise ValidationError(
                _(
                    "Module type {module_type} is not compatible with module bay {module_bay}: their bay type sets "
                    "have no common members."
                ).format(module_type=self.module_type, module_bay=self.module_bay)
            )
        stored_bay = type(self)._base_manager.filter(pk=self.pk).values_list("module_bay_id", flat=True).first()
        if not self.module_bay.enabled and stored_bay != self.module_bay_id:
            raise ValidationError({"module_bay": _("Cannot install a module in a disabled module bay.")})
        occupant = type(self)._base_manager.filter(module_bay_id=self.module_bay_id).exclude(pk=self.pk).first()
        if occupant is not None:
            raise ValidationError(
                {"module_bay": _("Module bay {module_bay} is already occupied by module {module}.").format(
                    module_bay=self.module_bay, module=occupant
                )}
            )  # fmt: skip
        self._check_recursion()

    def _check_recursion(self) -> None:
        """A module is not installed in a bay of itself, or of a module installed in it."""
        seen: set[int] = set()
        bay: ModuleBay | None = self.module_bay
        while bay is not None and bay.module_id is not None:
            if bay.module_id == self.pk or bay.module_id in seen:
                raise ValidationError(_("A module bay cannot belong to a module installed within it."))
            seen.add(bay.module_id)
            bay = bay.module.module_bay if bay.module is not None else None
