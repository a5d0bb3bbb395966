"""NetBox's component templates: the console, power and data ports, pass-through ports and bays a
device type (or, for most, a module type) gives each of its devices or modules.

A template's name may carry NetBox's tokens (`{module}`, `{vc_position}`), resolved when components
are made from it. Making components is the device and module services' work, not the templates'.
"""

from typing import ClassVar

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from mptt.models import MPTTModel, TreeForeignKey

from core.models import ChangeLoggedModel
from core.models.base import RestrictedTreeManager
from inventory.choices import PowerOutletFeedLeg, SubdeviceRole
from inventory.component_types import (
    CONSOLE_PORT_TYPES,
    POSITIONS_MAX,
    POWER_OUTLET_TYPES,
    POWER_PORT_TYPES,
)
from inventory.models.devices import DeviceType, InventoryItemRole, Manufacturer, ModuleBayType, ModuleType
from inventory.models.mixins import InterfaceRules, PassThroughMixin, PowerDrawMixin, color_field


class ComponentTemplate(ChangeLoggedModel):
    """A component of every device of a device type: its name, physical label and description."""

    device_type = models.ForeignKey(
        DeviceType, on_delete=models.CASCADE, related_name="%(class)ss", verbose_name=_("device type")
    )
    name = models.CharField(
        _("name"),
        max_length=64,
        help_text=_(
            "{module} is accepted as a substitution for the module bay position when attached to a module type."
        ),
    )
    label = models.CharField(_("label"), max_length=64, blank=True, help_text=_("Physical label"))
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        if self.label:
            return f"{self.name} ({self.label})"
        return self.name

    def clean(self):
        super().clean()
        if self.pk is not None:
            stored = type(self)._base_manager.filter(pk=self.pk).values_list("device_type_id", flat=True).first()
            if stored is not None and stored != self.device_type_id:
                raise ValidationError(
                    {"device_type": _("Component templates cannot be moved to a different device type.")}
                )


class ModularComponentTemplate(ComponentTemplate):
    """A component template of a device type or of a module type (one of them)."""

    # Optional here, required in the abstract parent: Django lets a subclass redefine the field.
    device_type = models.ForeignKey(  # type: ignore[assignment]  # mypy holds it to the parent's type
        DeviceType,
        on_delete=models.CASCADE,
        related_name="%(class)ss",
        blank=True,
        null=True,
        db_index=False,  # the (device_type, name) constraint's index serves it
        verbose_name=_("device type"),
    )
    module_type = models.ForeignKey(
        ModuleType,
        on_delete=models.CASCADE,
        related_name="%(class)ss",
        blank=True,
        null=True,
        db_index=False,  # the (module_type, name) constraint's index serves it
        verbose_name=_("module type"),
    )

    class Meta:
        abstract = True
        ordering = ["device_type", "module_type", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["device_type", "name"], name="%(app_label)s_%(class)s_unique_device_type_name"
            ),
            models.UniqueConstraint(
                fields=["module_type", "name"], name="%(app_label)s_%(class)s_unique_module_type_name"
            ),
        ]

    def clean(self):
        super().clean()
        if self.device_type_id and self.module_type_id:
            raise ValidationError(
                _("A component template cannot be associated with both a device type and a module type.")
            )
        if not self.device_type_id and not self.module_type_id:
            raise ValidationError(
                _("A component template must be associated with either a device type or a module type.")
            )

    def check_sibling(self, field: str, other, noun: str | Promise) -> None:
        """NetBox's rule that a related template (a power outlet's power port) belongs to the same type."""
        if other is None:
            return
        if self.device_type_id and other.device_type_id != self.device_type_id:
            message = _("{noun} ({other}) must belong to the same device type")
        elif self.module_type_id and other.module_type_id != self.module_type_id:
            message = _("{noun} ({other}) must belong to the same module type")
        else:
            return
        raise ValidationError({field: message.format(noun=noun, other=other)})


class ConsolePortTemplate(ModularComponentTemplate):
    type = models.CharField(_("type"), max_length=50, choices=CONSOLE_PORT_TYPES, blank=True)

    class Meta(ModularComponentTemplate.Meta):
        verbose_name = _("console port template")
        verbose_name_plural = _("console port templates")


class ConsoleServerPortTemplate(ModularComponentTemplate):
    type = models.CharField(_("type"), max_length=50, choices=CONSOLE_PORT_TYPES, blank=True)

    class Meta(ModularComponentTemplate.Meta):
        verbose_name = _("console server port template")
        verbose_name_plural = _("console server port templates")


class PowerPortTemplate(PowerDrawMixin, ModularComponentTemplate):
    type = models.CharField(_("type"), max_length=50, choices=POWER_PORT_TYPES, blank=True)

    class Meta(ModularComponentTemplate.Meta):
        verbose_name = _("power port template")
        verbose_name_plural = _("power port templates")


class PowerOutletTemplate(ModularComponentTemplate):
    type = models.CharField(_("type"), max_length=50, choices=POWER_OUTLET_TYPES, blank=True)
    color = color_field(blank=True)
    power_port = models.ForeignKey(
        PowerPortTemplate,
        on_delete=models.SET_NULL,
        related_name="poweroutlet_templates",
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

    class Meta(ModularComponentTemplate.Meta):
        verbose_name = _("power outlet template")
        verbose_name_plural = _("power outlet templates")

    def clean(self):
        super().clean()
        self.check_sibling("power_port", self.power_port, _("Parent power port"))


class InterfaceTemplate(InterfaceRules, ModularComponentTemplate):
    class Meta(ModularComponentTemplate.Meta):
        verbose_name = _("interface template")
        verbose_name_plural = _("interface templates")
        constraints = [
            *ModularComponentTemplate.Meta.constraints,
            models.UniqueConstraint(
                fields=["parent", "channel_id"], name="%(app_label)s_%(class)s_unique_parent_channel_id"
            ),
        ]

    def clean(self):
        super().clean()
        self.check_sibling("parent", self.parent, _("Parent interface"))
        self.check_sibling("bridge", self.bridge, _("Bridge interface"))


class PassThroughPortTemplate(PassThroughMixin, ModularComponentTemplate):
    """A front or rear port: a connector whose positions pass through to the other side."""

    class Meta(ModularComponentTemplate.Meta):
        abstract = True


class FrontPortTemplate(PassThroughPortTemplate):
    class Meta(PassThroughPortTemplate.Meta):
        verbose_name = _("front port template")
        verbose_name_plural = _("front port templates")


class RearPortTemplate(PassThroughPortTemplate):
    class Meta(PassThroughPortTemplate.Meta):
        verbose_name = _("rear port template")
        verbose_name_plural = _("rear port templates")


class PortTemplateMapping(models.Model):
    """A position of a front port template passing through to a position of a rear port template of the same
    type: what each device or module made from the type gets as a PortMapping. Written through the templates
    (a front port template's `rear_ports`, a rear port template's `front_ports`), as in NetBox."""

    front_port = models.ForeignKey(
        FrontPortTemplate,
        on_delete=models.CASCADE,
        related_name="mappings",
        db_index=False,  # the (front_port, front_port_position) constraint's index serves it
        verbose_name=_("front port template"),
    )
    front_port_position = models.PositiveSmallIntegerField(
        _("front port position"), default=1, validators=[MinValueValidator(1), MaxValueValidator(POSITIONS_MAX)]
    )
    rear_port = models.ForeignKey(
        RearPortTemplate,
        on_delete=models.CASCADE,
        related_name="mappings",
        db_index=False,  # the (rear_port, rear_port_position) constraint's index serves it
        verbose_name=_("rear port template"),
    )
    rear_port_position = models.PositiveSmallIntegerField(
        _("rear port position"), default=1, validators=[MinValueValidator(1), MaxValueValidator(POSITIONS_MAX)]
    )

    class Meta:
        ordering = ["front_port", "front_port_position"]
        verbose_name = _("port template mapping")
        verbose_name_plural = _("port template mappings")
        constraints = [
            models.UniqueConstraint(
                fields=["front_port", "front_port_position"],
                name="inventory_porttemplatemapping_unique_front_port_position",
            ),
            models.UniqueConstraint(
                fields=["rear_port", "rear_port_position"],
                name="inventory_porttemplatemapping_unique_rear_port_position",
            ),
        ]

    def __str__(self):
        return f"{self.front_port}:{self.front_port_position} to {self.rear_port}:{self.rear_port_position}"


class ModuleBayTemplate(ModularComponentTemplate):
    position = models.CharField(
        _("position"),
        max_length=30,
        blank=True,
        help_text=_("Identifier to reference when renaming installed components"),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    module_bay_types = models.ManyToManyField(
        ModuleBayType,
        related_name="module_bay_templates",
        blank=True,
        verbose_name=_("module bay types"),
        help_text=_("Types of modules that can be installed in this bay (empty = unconstrained)"),
    )

    class Meta(ModularComponentTemplate.Meta):
        verbose_name = _("module bay template")
        verbose_name_plural = _("module bay templates")


class DeviceBayTemplate(ComponentTemplate):
    device_type = models.ForeignKey(
        DeviceType,
        on_delete=models.CASCADE,
        related_name="devicebaytemplates",
        db_index=False,  # the (device_type, name) constraint's index serves it
        verbose_name=_("device type"),
    )
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        ordering = ["device_type", "name"]
        verbose_name = _("device bay template")
        verbose_name_plural = _("device bay templates")
        constraints = [
            models.UniqueConstraint(
                fields=["device_type", "name"], name="inventory_devicebaytemplate_unique_device_type_name"
            ),
        ]

    def clean(self):
        super().clean()
        if self.device_type_id and self.device_type.subdevice_role != SubdeviceRole.ROLE_PARENT:
            raise ValidationError(
                _('Subdevice role of device type ({device_type}) must be set to "parent" to allow device bays.').format(
                    device_type=self.device_type
                )
            )


# The templates an inventory item template may stand for (NetBox's MODULAR_COMPONENT_TEMPLATE_MODELS).
INVENTORY_COMPONENT_TEMPLATES = frozenset(
    {
        "inventory.consoleporttemplate",
        "inventory.consoleserverporttemplate",
        "inventory.frontporttemplate",
        "inventory.interfacetemplate",
        "inventory.poweroutlettemplate",
        "inventory.powerporttemplate",
        "inventory.rearporttemplate",
    }
)


class InventoryItemTemplateManager(RestrictedTreeManager):
    def get_queryset(self):
        # The components the templates stand for load with one query per type, not one per row.
        return super().get_queryset().prefetch_related("component_object")


class InventoryItemTemplate(ComponentTemplate, MPTTModel):
    """An inventory item every device of the type gets (a transceiver, a fan tray), in a tree, perhaps
    standing for one of the type's component templates."""

    device_type = models.ForeignKey(
        DeviceType, on_delete=models.CASCADE, related_name="inventoryitemtemplates", verbose_name=_("device type")
    )
    parent = TreeForeignKey(
        "self",
        on_delete=models.CASCADE,
        related_name="child_items",
        blank=True,
        null=True,
        db_index=False,  # the (device_type, parent, name) constraint's index serves it
        verbose_name=_("parent"),
    )
    component_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        related_name="+",
        blank=True,
        null=True,
        verbose_name=_("component type"),
    )
    component_id = models.PositiveBigIntegerField(_("component ID"), blank=True, null=True)
    # Not named `component`: that is the REST field, rendered by the registration.
    component_object = GenericForeignKey("component_type", "component_id")
    role = models.ForeignKey(
        InventoryItemRole,
        on_delete=models.PROTECT,
        related_name="inventory_item_templates",
        blank=True,
        null=True,
        verbose_name=_("role"),
    )
    manufacturer = models.ForeignKey(
        Manufacturer,
        on_delete=models.PROTECT,
        related_name="inventory_item_templates",
        blank=True,
        null=True,
        verbose_name=_("manufacturer"),
    )
    part_id = models.CharField(
        _("part ID"), max_length=50, blank=True, help_text=_("Manufacturer-assigned part identifier")
    )

    objects: ClassVar[InventoryItemTemplateManager] = InventoryItemTemplateManager()

    class Meta:
        ordering = ["device_type", "tree_id", "lft"]
        verbose_name = _("inventory item template")
        verbose_name_plural = _("inventory item templates")
        constraints = [
            models.UniqueConstraint(
                fields=["device_type", "parent", "name"],
                name="inventory_inventoryitemtemplate_unique_device_type_parent_name",
            ),
            models.UniqueConstraint(
                fields=["device_type", "name"],
                condition=models.Q(parent__isnull=True),
                name="inventory_inventoryitemtemplate_unique_device_type_name",
                violation_error_message=_("A top-level inventory item template with this name already exists."),
            ),
        ]

    class MPTTMeta:
        order_insertion_by = ["name"]

    def clean(self):
        super().clean()
        if self.parent_id and self.device_type_id and self.parent.device_type_id != self.device_type_id:
            raise ValidationError(
                {"parent": _("Parent inventory item ({parent}) must belong to the same device type.").format(
                    parent=self.parent
                )}
            )  # fmt: skip
        if self.component_type is None:
            if self.component_id is not None:
                raise ValidationError({"component_type": _("A component type is required with a component ID.")})
            return
        model = self.component_type.model_class()
        if model is None or model._meta.label_lower not in INVENTORY_COMPONENT_TEMPLATES:
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
        assert isinstance(component, ComponentTemplate), "INVENTORY_COMPONENT_TEMPLATES are component templates"
        if component.device_type_id != self.device_type_id:
            raise ValidationError(
                {"component_id": _("The component ({component}) must belong to the same device type.").format(
                    component=component
                )}
            )  # fmt: skip
