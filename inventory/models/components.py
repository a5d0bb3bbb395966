"""NetBox's device components: console, console server and power ports, power outlets, front and rear
(pass-through) ports and how their positions map, module bays and device bays, and inventory items.
Interfaces, the busiest of them, are in inventory.models.interfaces.

A cabled component keeps its cable and the cable's end it is on (set by the cable services);
`mark_connected` stands for a connection that is not recorded.
"""

from typing import ClassVar

from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from mptt.models import MPTTModel, TreeForeignKey

from core.models import ChangeLoggedModel
from core.models.base import OwnerMixin, RestrictedTreeManager
from inventory.choices import (
    ConsolePortSpeed,
    InventoryItemStatus,
    PowerOutletFeedLeg,
    PowerOutletStatus,
    SubdeviceRole,
)
from inventory.component_types import (
    CONSOLE_PORT_TYPES,
    POSITIONS_MAX,
    POWER_OUTLET_TYPES,
    POWER_PORT_TYPES,
)
from inventory.models.devices import InventoryItemRole, Manufacturer, ModuleBayType
from inventory.models.hardware import Device, Module, blank_to_null
from inventory.models.mixins import LoadedValuesMixin, PassThroughMixin, PowerDrawMixin, color_field


class Component(LoadedValuesMixin, OwnerMixin, ChangeLoggedModel):
    """A part of one device: its name (unique on the device), physical label and description."""

    device = models.ForeignKey(
        Device,
        on_delete=models.CASCADE,
        related_name="%(class)ss",
        db_index=False,  # the (device, name) constraint's index serves it
        verbose_name=_("device"),
    )
    name = models.CharField(_("name"), max_length=64)
    label = models.CharField(_("label"), max_length=64, blank=True, help_text=_("Physical label"))
    description = models.CharField(_("description"), max_length=200, blank=True)

    # Components that may change device (an inventory item may move); the others stay where they were made.
    movable = False

    class Meta:
        abstract = True
        ordering = ["device", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["device", "name"], name="%(app_label)s_%(class)s_unique_device_name"),
        ]

    def __str__(self):
        if self.label:
            return f"{self.name} ({self.label})"
        return self.name

    def clean(self):
        super().clean()
        stored = self.loaded("device_id")
        moved = self.pk is not None and stored is not None and stored != self.device_id
        if moved and not self.movable and not getattr(self, "moving_with_module", False):
            raise ValidationError({"device": _("Components cannot be moved to a different device.")})


class ModularComponent(Component):
    """A component of a device that may come with one of its modules (deleted with it)."""

    module = models.ForeignKey(
        Module,
        on_delete=models.CASCADE,
        related_name="%(class)ss",
        blank=True,
        null=True,
        verbose_name=_("module"),
    )
    # Inventory items standing for the component go with it, as in NetBox.
    inventory_items = GenericRelation(
        "inventory.InventoryItem", content_type_field="component_type", object_id_field="component_id"
    )

    class Meta(Component.Meta):
        abstract = True

    def clean(self):
        super().clean()
        if self.device_id and self.module is not None and self.module.device_id != self.device_id:
            raise ValidationError(
                {"module": _("Module ({module}) must belong to the same device ({device}).").format(
                    module=self.module, device=self.device
                )}
            )  # fmt: skip


class Cabled(models.Model):
    """A component a cable can end on: its cable and the cable's end (written by the cable services), or
    `mark_connected` for a connection that is not recorded."""

    # A copy of the cable's termination row, kept by the cable services (which clear it before a cable
    # goes): no constraint or index, so that deleting a cable does not scan every component table.
    cable = models.ForeignKey(
        "inventory.Cable",
        on_delete=models.DO_NOTHING,
        related_name="+",
        blank=True,
        null=True,
        editable=False,
        db_constraint=False,
        db_index=False,
        verbose_name=_("cable"),
    )
    cable_end = models.CharField(_("cable end"), max_length=1, blank=True, editable=False)
    mark_connected = models.BooleanField(
        _("mark connected"), default=False, help_text=_("Treat as if a cable is connected")
    )
    # The path traced from this component, if it is a path endpoint (inventory.models.cabling.CablePath).
    cable_paths = GenericRelation("inventory.CablePath", content_type_field="origin_type", object_id_field="origin_id")

    class Meta:
        abstract = True

    @property
    def occupied(self) -> bool:
        return self.mark_connected or self.cable_id is not None

    def clean(self):
        super().clean()
        if self.cable_id is not None and self.mark_connected:
            raise ValidationError({"mark_connected": _("Cannot mark as connected with a cable attached.")})


class ConsoleComponent(Cabled, ModularComponent):
    """A console port, or a console server port (which console ports connect to)."""

    type = models.CharField(
        _("type"), max_length=50, choices=CONSOLE_PORT_TYPES, blank=True, help_text=_("Physical port type")
    )
    speed = models.PositiveIntegerField(
        _("speed"),
        choices=ConsolePortSpeed.choices,
        blank=True,
        null=True,
        help_text=_("Port speed in bits per second"),
    )

    class Meta(ModularComponent.Meta):
        abstract = True


class ConsolePort(ConsoleComponent):
    class Meta(ConsoleComponent.Meta):
        verbose_name = _("console port")
        verbose_name_plural = _("console ports")


class ConsoleServerPort(ConsoleComponent):
    class Meta(ConsoleComponent.Meta):
        verbose_name = _("console server port")
        verbose_name_plural = _("console server ports")


class PowerPort(PowerDrawMixin, Cabled, ModularComponent):
    type = models.CharField(
        _("type"), max_length=50, choices=POWER_PORT_TYPES, blank=True, help_text=_("Physical port type")
    )

    class Meta(ModularComponent.Meta):
        verbose_name = _("power port")
        verbose_name_plural = _("power ports")


class PowerOutlet(Cabled, ModularComponent):
    status = models.CharField(
        _("status"), max_length=50, choices=PowerOutletStatus.choices, default=PowerOutletStatus.ENABLED
    )
    type = models.CharField(
        _("type"), max_length=50, choices=POWER_OUTLET_TYPES, blank=True, help_text=_("Physical port type")
    )
    power_port = models.ForeignKey(
        PowerPort,
        on_delete=models.SET_NULL,
        related_name="poweroutlets",
        blank=True,
        null=True,
        verbose_name=_("power port"),
    )
    feed_leg = models.CharField(
        _("feed leg"),
        max_length=50,
        choices=PowerOutletFeedLeg.choices,
        blank=True,
        help_text=_("Phase (for three-phase feeds)"),
    )
    color = color_field(blank=True)

    class Meta(ModularComponent.Meta):
        verbose_name = _("power outlet")
        verbose_name_plural = _("power outlets")

    def clean(self):
        super().clean()
        if self.power_port is not None and self.power_port.device_id != self.device_id:
            raise ValidationError(
                _("Parent power port ({power_port}) must belong to the same device").format(power_port=self.power_port)
            )


class PassThroughPort(PassThroughMixin, Cabled, ModularComponent):
    """A front or rear port: a connector whose positions pass through to ports on the other side."""

    class Meta(ModularComponent.Meta):
        abstract = True


class FrontPort(PassThroughPort):
    class Meta(PassThroughPort.Meta):
        verbose_name = _("front port")
        verbose_name_plural = _("front ports")


class RearPort(PassThroughPort):
    class Meta(PassThroughPort.Meta):
        verbose_name = _("rear port")
        verbose_name_plural = _("rear ports")


class PortMapping(models.Model):
    """A position of a front port passing through to a position of a rear port of the same device. Written
    through the ports (a front port's `rear_ports`, a rear port's `front_ports`), as in NetBox."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="port_mappings", verbose_name=_("device"))
    front_port = models.ForeignKey(
        FrontPort,
        on_delete=models.CASCADE,
        related_name="mappings",
        db_index=False,  # the (front_port, front_port_position) constraint's index serves it
        verbose_name=_("front port"),
    )
    front_port_position = models.PositiveSmallIntegerField(
        _("front port position"), default=1, validators=[MinValueValidator(1), MaxValueValidator(POSITIONS_MAX)]
    )
    rear_port = models.ForeignKey(
        RearPort,
        on_delete=models.CASCADE,
        related_name="mappings",
        db_index=False,  # the (rear_port, rear_port_position) constraint's index serves it
        verbose_name=_("rear port"),
    )
    rear_port_position = models.PositiveSmallIntegerField(
        _("rear port position"), default=1, validators=[MinValueValidator(1), MaxValueValidator(POSITIONS_MAX)]
    )

    class Meta:
        ordering = ["front_port", "front_port_position"]
        verbose_name = _("port mapping")
        verbose_name_plural = _("port mappings")
        constraints = [
            models.UniqueConstraint(
                fields=["front_port", "front_port_position"], name="inventory_portmapping_unique_front_port_position"
            ),
            models.UniqueConstraint(
                fields=["rear_port", "rear_port_position"], name="inventory_portmapping_unique_rear_port_position"
            ),
        ]

    def __str__(self):
        return f"{self.front_port}:{self.front_port_position} to {self.rear_port}:{self.rear_port_position}"


class ModuleBay(ModularComponent):
    """A slot of a device, or of one of its modules (a bay nested in a module), a module may be installed in."""

    position = models.CharField(
        _("position"),
        max_length=30,
        blank=True,
        help_text=_("Identifier to reference when renaming installed components"),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    module_bay_types = models.ManyToManyField(
        ModuleBayType,
        related_name="module_bays",
        blank=True,
        verbose_name=_("module bay types"),
        help_text=_("Types of modules that can be installed in this bay (empty = unconstrained)"),
    )

    class Meta:
        ordering = ["device", "module_id", "name", "pk"]
        verbose_name = _("module bay")
        verbose_name_plural = _("module bays")
        # Bays of different modules may share a name (each module brings its own); a device's own may not.
        constraints = [
            models.UniqueConstraint(
                fields=["device", "module", "name"],
                nulls_distinct=False,
                name="inventory_modulebay_unique_device_module_name",
            ),
        ]

    @property
    def occupied(self) -> bool:
        """Disabled, or holding a module (`installed_module` loaded with the bay)."""
        return not self.enabled or _installed(self) is not None

    @property
    def is_module_compatible(self) -> bool:
        """Whether the installed module's type fits the bay: true unless both name bay types and none is shared."""
        module = _installed(self)
        if module is None:
            return True
        bay_types = {bay_type.pk for bay_type in self.module_bay_types.all()}
        type_types = {bay_type.pk for bay_type in module.module_type.module_bay_types.all()}
        return not (bay_types and type_types and not bay_types & type_types)

    def clean(self):
        super().clean()
        seen: set[int] = set()
        module = self.module if self.module_id else None
        while module is not None:  # a bay does not belong to a module installed in it (or below it)
            if module.pk in seen or (self.pk is not None and module.module_bay_id == self.pk):
                raise ValidationError(_("A module bay cannot belong to a module installed within it."))
            seen.add(module.pk)
            module = module.module_bay.module if module.module_bay.module_id else None


def _installed(bay: ModuleBay) -> Module | None:
    try:
        return bay.installed_module
    except Module.DoesNotExist:
        return None


class DeviceBay(Component):
    """A slot of a parent device a child device is installed in."""

    installed_device = models.OneToOneField(
        Device,
        on_delete=models.SET_NULL,
        related_name="parent_bay",
        blank=True,
        null=True,
        verbose_name=_("installed device"),
    )
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta(Component.Meta):
        verbose_name = _("device bay")
        verbose_name_plural = _("device bays")

    @property
    def occupied(self) -> bool:
        return not self.enabled or self.installed_device_id is not None

    def clean(self):
        super().clean()
        if self.device_id and self.device.device_type.subdevice_role != SubdeviceRole.ROLE_PARENT:
            raise ValidationError(
                _("This type of device ({device_type}) does not support device bays.").format(
                    device_type=self.device.device_type
                )
            )
        if self.installed_device is None:
            return
        if not self.enabled and self.loaded("installed_device_id") != self.installed_device_id:
            raise ValidationError({"installed_device": _("Cannot install a device in a disabled device bay.")})
        if self.installed_device_id == self.device_id:
            raise ValidationError(_("Cannot install a device into itself."))
        if self.installed_device.device_type.subdevice_role != SubdeviceRole.ROLE_CHILD:
            raise ValidationError(
                {"installed_device": _(
                    "Cannot install device; device type ({device_type}) is not a child type."
                ).format(device_type=self.installed_device.device_type)}
            )  # fmt: skip
        current = type(self)._base_manager.filter(installed_device_id=self.installed_device_id).exclude(pk=self.pk)
        if (bay := current.first()) is not None:
            raise ValidationError(
                {"installed_device": _(
                    "Cannot install the specified device; device is already installed in {bay}."
                ).format(bay=bay)}
            )  # fmt: skip


# The components an inventory item may stand for (NetBox's MODULAR_COMPONENT_MODELS).
INVENTORY_COMPONENTS = frozenset(
    {
        "inventory.consoleport",
        "inventory.consoleserverport",
        "inventory.frontport",
        "inventory.interface",
        "inventory.poweroutlet",
        "inventory.powerport",
        "inventory.rearport",
    }
)


class InventoryItem(MPTTModel, Component):
    """A serialized piece of hardware in a device (a transceiver, a fan tray), in a tree, perhaps standing
    for one of the device's components."""

    parent = TreeForeignKey(
        "self",
        on_delete=models.CASCADE,
        related_name="child_items",
        blank=True,
        null=True,
        db_index=False,  # the (device, parent, name) constraint's index serves it
        verbose_name=_("parent"),
    )
    component_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", blank=True, null=True, verbose_name=_("component type")
    )
    component_id = models.PositiveBigIntegerField(_("component ID"), blank=True, null=True)
    # Not named `component`: that is the REST field, rendered by the registration.
    component_object = GenericForeignKey("component_type", "component_id")
    status = models.CharField(
        _("status"), max_length=50, choices=InventoryItemStatus.choices, default=InventoryItemStatus.ACTIVE
    )
    role = models.ForeignKey(
        InventoryItemRole,
        on_delete=models.PROTECT,
        related_name="inventory_items",
        blank=True,
        null=True,
        verbose_name=_("role"),
    )
    manufacturer = models.ForeignKey(
        Manufacturer,
        on_delete=models.PROTECT,
        related_name="inventory_items",
        blank=True,
        null=True,
        verbose_name=_("manufacturer"),
    )
    part_id = models.CharField(
        _("part ID"), max_length=50, blank=True, help_text=_("Manufacturer-assigned part identifier")
    )
    serial = models.CharField(_("serial number"), max_length=50, blank=True)
    asset_tag = models.CharField(
        _("asset tag"),
        max_length=50,
        unique=True,
        blank=True,
        null=True,
        help_text=_("A unique tag used to identify this item"),
    )
    discovered = models.BooleanField(
        _("discovered"), default=False, help_text=_("This item was automatically discovered")
    )

    objects: ClassVar[RestrictedTreeManager] = RestrictedTreeManager()
    movable = True

    class Meta:
        ordering = ["device", "tree_id", "lft"]
        verbose_name = _("inventory item")
        verbose_name_plural = _("inventory items")
        indexes = [models.Index(fields=["component_type", "component_id"], name="inventory_invitem_component")]
        constraints = [
            models.UniqueConstraint(
                fields=["device", "parent", "name"], name="inventory_inventoryitem_unique_device_parent_name"
            ),
            models.UniqueConstraint(
                fields=["device", "name"],
                condition=Q(parent__isnull=True),
                name="inventory_inventoryitem_unique_device_name",
                violation_error_message=_("A top-level inventory item with this name already exists."),
            ),
        ]

    class MPTTMeta:
        order_insertion_by = ["name"]

    def clean(self):
        self.asset_tag = blank_to_null(self.asset_tag)
        super().clean()
        if self.parent_id and self.parent.device_id != self.device_id:
            raise ValidationError({"parent": _("Parent inventory item does not belong to the same device.")})
        moved = self.pk is not None and self.loaded("device_id") not in (None, self.device_id)
        if moved and self.get_children().exclude(device_id=self.device_id).exists():
            raise ValidationError(_("Cannot move an inventory item with dependent children"))
        self._check_component()

    def _check_component(self) -> None:
        if self.component_type_id is None:
            if self.component_id is not None:
                raise ValidationError({"component_type": _("A component type is required with a component ID.")})
            return
        model = self.component_type.model_class() if self.component_type is not None else None
        if model is None or model._meta.label_lower not in INVENTORY_COMPONENTS:
            raise ValidationError({"component_type": _("Invalid component type.")})
        if self.component_id is None:
            raise ValidationError({"component_id": _("A component ID is required with a component type.")})
        component = model._base_manager.filter(pk=self.component_id).first()
        if component is None:
            raise ValidationError(
                {"component_id": _("Related object not found using the provided numeric ID: {id}").format(
                    id=self.component_id
                )}
            )  # fmt: skip
        if getattr(component, "device_id", None) == self.device_id:
            return
        if self._state.adding:
            raise ValidationError({"device": _("Cannot assign inventory item to component on another device")})
        self.component_type, self.component_id = None, None  # moved to another device: the link is dropped
