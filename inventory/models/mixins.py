"""Fields several DCIM models share, as NetBox's mixins share them."""

from typing import Any

from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models.tags import color_validator
from inventory.choices import InterfacePoEMode, WeightUnit, WirelessRole
from inventory.component_types import (
    CHANNELS_MAX,
    INTERFACE_POE_TYPES,
    INTERFACE_TYPES,
    PORT_TYPES,
    POSITIONS_MAX,
    UNCABLED_INTERFACE_TYPES,
    VIRTUAL_INTERFACE_TYPES,
    WIRELESS_INTERFACE_TYPES,
)

GREY = "9e9e9e"


def color_field(*, blank: bool = False, **kwargs) -> models.CharField:
    """NetBox's ColorField: six lowercase hex digits (as tags have), grey by default unless it may be blank."""
    if not blank:
        kwargs.setdefault("default", GREY)
    return models.CharField(_("color"), max_length=6, blank=blank, validators=[color_validator], **kwargs)


class WeightMixin(models.Model):
    weight = models.DecimalField(_("weight"), max_digits=8, decimal_places=2, blank=True, null=True)
    weight_unit = models.CharField(_("weight unit"), max_length=50, choices=WeightUnit.choices, blank=True)

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.weight and not self.weight_unit:
            raise ValidationError(_("Must specify a unit when setting a weight"))


class ScopeMixin(models.Model):
    """Places IPAM's prefixes and VLAN groups may be scoped to, and circuits terminated at: those scoped or
    terminated here go with them, as in NetBox."""

    scoped_prefixes = GenericRelation("addressing.Prefix", content_type_field="scope_type", object_id_field="scope_id")
    scoped_vlan_groups = GenericRelation(
        "addressing.VLANGroup", content_type_field="scope_type", object_id_field="scope_id"
    )
    circuit_terminations = GenericRelation(
        "circuits.CircuitTermination", content_type_field="termination_type", object_id_field="termination_id"
    )

    class Meta:
        abstract = True


class PassThroughMixin(models.Model):
    """What a front or rear port and its template share: a connector type, a colour and the positions that
    pass through to the other side."""

    type = models.CharField(_("type"), max_length=50, choices=PORT_TYPES)
    color = color_field(blank=True)
    positions = models.PositiveSmallIntegerField(
        _("positions"), default=1, validators=[MinValueValidator(1), MaxValueValidator(POSITIONS_MAX)]
    )

    class Meta:
        abstract = True


class LoadedValuesMixin(models.Model):
    """Remembers the values an object was read with, so validation can tell what a write changes (a
    component moved to another device) without reading the row again."""

    _loaded_values: dict[str, Any]

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_values = dict(zip(field_names, values, strict=True))  # attnames, as read
        return instance

    def loaded(self, attname: str):
        """The value of `attname` when the object was read (None for a new object, or one read without it)."""
        return getattr(self, "_loaded_values", {}).get(attname)


class PowerDrawMixin(models.Model):
    """A power port's draw (and a power port template's): the most it draws and what is allocated to it."""

    maximum_draw = models.PositiveIntegerField(
        _("maximum draw"),
        blank=True,
        null=True,
        validators=[MinValueValidator(1)],
        help_text=_("Maximum power draw (watts)"),
    )
    allocated_draw = models.PositiveIntegerField(
        _("allocated draw"),
        blank=True,
        null=True,
        validators=[MinValueValidator(1)],
        help_text=_("Allocated power draw (watts)"),
    )

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        drawn, most = self.allocated_draw, self.maximum_draw
        if drawn is not None and most is not None and drawn > most:
            raise ValidationError(
                {"allocated_draw": _("Allocated draw cannot exceed the maximum draw ({maximum_draw}W).").format(
                    maximum_draw=most
                )}
            )  # fmt: skip


class InterfaceRules(LoadedValuesMixin):
    """What an interface and an interface template share: their kind, channels, parent and bridge, PoE and
    wireless role, and NetBox's rules for them by interface type."""

    type = models.CharField(_("type"), max_length=50, choices=INTERFACE_TYPES)
    channels = models.PositiveSmallIntegerField(
        _("channels"),
        blank=True,
        null=True,
        validators=[MinValueValidator(1), MaxValueValidator(CHANNELS_MAX)],
        help_text=_("The number of channels into which this interface is channelized"),
    )
    channel_id = models.PositiveSmallIntegerField(
        _("channel ID"),
        blank=True,
        null=True,
        validators=[MinValueValidator(1), MaxValueValidator(CHANNELS_MAX)],
        help_text=_("The channel on the parent interface to which this subinterface is bound"),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    mgmt_only = models.BooleanField(
        _("management only"), default=False, help_text=_("This interface is used only for out-of-band management")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.RESTRICT,
        related_name="child_interfaces",
        blank=True,
        null=True,
        db_index=False,  # the (parent, channel_id) constraint's index serves it
        verbose_name=_("parent interface"),
    )
    bridge = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        related_name="bridge_interfaces",
        blank=True,
        null=True,
        verbose_name=_("bridge interface"),
    )
    poe_mode = models.CharField(_("PoE mode"), max_length=50, choices=InterfacePoEMode.choices, blank=True)
    poe_type = models.CharField(_("PoE type"), max_length=50, choices=INTERFACE_POE_TYPES, blank=True)
    rf_role = models.CharField(_("wireless role"), max_length=30, choices=WirelessRole.choices, blank=True)
    # What Django adds for the relations to "self" (typed here, where the concrete model is not known).
    parent_id: int | None
    bridge_id: int | None
    child_interfaces: Any

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        self._check_parent_and_channels()
        if self.pk and self.bridge_id == self.pk:
            raise ValidationError({"bridge": _("An interface cannot be bridged to itself.")})
        if self.poe_mode and self.type in VIRTUAL_INTERFACE_TYPES:
            raise ValidationError({"poe_mode": _("Virtual interfaces cannot have a PoE mode.")})
        if self.poe_type and self.type in VIRTUAL_INTERFACE_TYPES:
            raise ValidationError({"poe_type": _("Virtual interfaces cannot have a PoE type.")})
        if self.poe_type and not self.poe_mode:
            raise ValidationError({"poe_type": _("Must specify PoE mode when designating a PoE type.")})
        if self.rf_role and self.type not in WIRELESS_INTERFACE_TYPES:
            raise ValidationError({"rf_role": _("Wireless role may be set only on wireless interfaces.")})

    def _check_parent_and_channels(self) -> None:
        """NetBox's rules for parents and channels: only virtual interfaces and channel subinterfaces have
        a parent; a channel subinterface is bound to a channel its channelized parent has."""
        if self.pk and self.parent_id == self.pk:
            raise ValidationError({"parent": _("An interface cannot be its own parent.")})
        can_bind_to_channel = self.type == "channel" or self.type not in UNCABLED_INTERFACE_TYPES
        if self.parent_id and self.type != "virtual" and self.channel_id is None:
            raise ValidationError(
                {"parent": _(
                    "Only virtual interfaces, or a channel subinterface with a channel ID assigned, may be assigned "
                    "to a parent interface."
                )}
            )  # fmt: skip
        if self.channels and self.channel_id:
            raise ValidationError(
                _("An interface cannot be both channelized and bound to a channel on a parent interface.")
            )
        if self.channels and self.type in UNCABLED_INTERFACE_TYPES:
            raise ValidationError(
                {"channels": _("{display_type} interfaces cannot be channelized.").format(
                    display_type=self.get_type_display()
                )}
            )  # fmt: skip
        if self.type == "channel" and self.channel_id is None:
            raise ValidationError({"channel_id": _("Channel interfaces must have a channel ID assigned.")})
        if self.channel_id is not None and not can_bind_to_channel:
            raise ValidationError(
                {"channel_id": _("A channel ID cannot be assigned to a virtual, LAG, bridge, or wireless interface.")}
            )
        if self.channel_id is not None:
            if self.parent is None:
                raise ValidationError({"parent": _("A channel subinterface must be assigned to a parent interface.")})
            if not self.parent.channels:
                raise ValidationError(
                    {"parent": _("The parent interface ({interface}) is not channelized.").format(
                        interface=self.parent
                    )}
                )  # fmt: skip
            if self.channel_id > self.parent.channels:
                raise ValidationError(
                    {"channel_id": _(
                        "Invalid channel ID ({channel_id}): the parent interface provides only {channels} channels."
                    ).format(channel_id=self.channel_id, channels=self.parent.channels)}
                )  # fmt: skip
        if self.pk and (self.channels or self.loaded("channels")):
            bound = self.child_interfaces.filter(channel_id__gt=self.channels or 0).aggregate(
                highest=models.Max("channel_id")
            )["highest"]
            if bound is not None:
                if self.channels:
                    message = _(
                        "Cannot set channels to {channels}: a channel subinterface is bound to channel {channel_id}. "
                        "Delete or reassign the affected subinterface(s) first."
                    ).format(channels=self.channels, channel_id=bound)
                else:
                    message = _(
                        "Cannot remove channelization: a channel subinterface is bound to channel {channel_id}. "
                        "Delete or reassign the affected subinterface(s) first."
                    ).format(channel_id=bound)
                raise ValidationError({"channels": message})
