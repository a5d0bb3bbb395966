"""NetBox's interfaces (physical, virtual, LAG, wireless, channelized) and MAC addresses, an interface's
primary one among them.

VLANs, VRFs and IP addresses are IPAM's: named here by label (DCIM never imports IPAM), their rules that
read the write as a whole (tagged VLANs by mode) are the interface services'.
"""

import decimal
import re
from typing import Any, cast

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import PrimaryModel
from inventory.choices import InterfaceDuplex, InterfaceMode
from inventory.component_types import (
    UNCABLED_INTERFACE_TYPES,
    VIRTUAL_INTERFACE_TYPES,
    WIRELESS_INTERFACE_TYPES,
)
from inventory.models.components import Cabled, ModularComponent
from inventory.models.hardware import VirtualDeviceContext
from inventory.models.mixins import InterfaceRules
from inventory.wireless_channels import WIRELESS_CHANNELS

INTERFACE_MTU_MAX = 65536
HEX_DIGITS = re.compile(r"[0-9A-Fa-f]")
SEPARATORS = re.compile(r"[-:.\s]")
# Interface names ordered as people read them: Gi1/0/2 before Gi1/0/10 (NetBox's naturalize_interface).
INTERFACE_NAME = re.compile(
    r"^(?P<type>[^\d.:]+)?((?P<slot>\d+)/)?((?P<subslot>\d+)/)?((?P<position>\d+)/)?((?P<subposition>\d+)/)?"
    r"(?P<id>\d+)?(:(?P<channel>\d+))?(\.(?P<vc>\d+))?(?P<remainder>.*)$"
)
NATURAL_NAME_LENGTH = 100
# What a MAC address may be assigned to: device and virtual machine interfaces.
MAC_HOLDERS = ("inventory.interface", "inventory.vminterface")


def hardware_address(value: str | None, octets: int, label: Any) -> str | None:
    """A MAC address (6 octets) or WWN (8) in NetBox's form, upper-case and colon-separated; a ValidationError
    naming `label` otherwise."""
    if value in (None, ""):
        return None
    digits = SEPARATORS.sub("", str(value))
    if len(digits) != octets * 2 or len(HEX_DIGITS.findall(digits)) != len(digits):
        raise ValidationError(_("Invalid {label}: {value}").format(label=label, value=value))
    digits = digits.upper()
    return ":".join(digits[index : index + 2] for index in range(0, len(digits), 2))


def _digits(text: str, places: int) -> str:
    return "".join(part.rjust(places, "0") if part.isdigit() else part for part in re.split(r"(\d+)", text))


def natural_interface_name(name: str) -> str:
    """The sort key of an interface name: slots and positions first, then the type, the port, channel and
    subinterface, numbers padded so that they sort by value."""
    match = INTERFACE_NAME.match(name)
    if match is None:
        return name[:NATURAL_NAME_LENGTH]
    key = "".join((match[part] or "9999").rjust(4, "0") for part in ("slot", "subslot", "position", "subposition"))
    key += match["type"] or ""
    key += "".join((match[part] or "......").rjust(6, "0") for part in ("id", "channel", "vc"))
    key += _digits(match["remainder"] or "", 8)
    return key[:NATURAL_NAME_LENGTH]


class MACAddress(PrimaryModel):
    """A MAC address, perhaps assigned to an interface (of which it may be the primary one)."""

    mac_address = models.CharField(_("MAC address"), max_length=17)
    assigned_object_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        related_name="+",
        blank=True,
        null=True,
        db_index=False,  # the (type, id) index serves it
        verbose_name=_("assigned object type"),
    )
    assigned_object_id = models.PositiveBigIntegerField(_("assigned object ID"), blank=True, null=True)
    assigned_object = GenericForeignKey("assigned_object_type", "assigned_object_id")

    class Meta:
        ordering = ["mac_address", "pk"]
        verbose_name = _("MAC address")
        verbose_name_plural = _("MAC addresses")
        indexes = [
            models.Index(fields=["assigned_object_type", "assigned_object_id"], name="inventory_mac_assigned"),
        ]

    def __str__(self):
        return self.mac_address

    @property
    def is_primary(self) -> bool:
        """Whether the interface it is assigned to has it as its primary MAC address."""
        target = self.assigned_object
        return target is not None and getattr(target, "primary_mac_address_id", None) == self.pk

    def clean(self):
        super().clean()
        try:
            self.mac_address = hardware_address(self.mac_address, 6, _("MAC address")) or ""
        except ValidationError as error:
            raise ValidationError({"mac_address": error.messages}) from None
        if self.assigned_object_type_id is None:
            if self.assigned_object_id is not None:
                raise ValidationError(
                    {"assigned_object_type": _("An object type is required with an assigned object ID.")}
                )
            target_model = None
        else:
            target_model = self.assigned_object_type.model_class() if self.assigned_object_type else None
            if target_model is None or target_model._meta.label_lower not in MAC_HOLDERS:
                raise ValidationError({"assigned_object_type": _("Invalid object type.")})
            if self.assigned_object_id is None:
                raise ValidationError(
                    {"assigned_object_id": _("An assigned object ID is required with an object type.")}
                )
            if not target_model._base_manager.filter(pk=self.assigned_object_id).exists():
                raise ValidationError(
                    {"assigned_object_id": _("Related object not found using the provided numeric ID: {id}").format(
                        id=self.assigned_object_id
                    )}
                )  # fmt: skip
        if self.pk is None:
            return
        for holder_model in (apps.get_model(label) for label in MAC_HOLDERS):
            holder = (
                holder_model._base_manager.filter(primary_mac_address_id=self.pk).values_list("pk", flat=True).first()
            )
            if holder is None:
                continue
            if self.assigned_object_id is None:
                raise ValidationError(
                    _("Cannot unassign MAC Address while it is designated as the primary MAC for an object")
                )
            if holder != self.assigned_object_id or target_model is not holder_model:
                raise ValidationError(
                    _("Cannot reassign MAC Address while it is designated as the primary MAC for an object")
                )


class InterfaceAddressing(models.Model):
    """What a device's interface and a virtual machine's share (NetBox's BaseInterface): MTU, MAC addresses
    (one of them the primary), 802.1Q mode and VLANs, VRF, IP addresses and FHRP group assignments. Indexes
    of the relations are in each model's Meta."""

    mtu = models.PositiveIntegerField(
        _("MTU"), blank=True, null=True, validators=[MinValueValidator(1), MaxValueValidator(INTERFACE_MTU_MAX)]
    )
    primary_mac_address = models.OneToOneField(
        "inventory.MACAddress",
        on_delete=models.SET_NULL,
        related_name="+",
        blank=True,
        null=True,
        verbose_name=_("primary MAC address"),
    )
    mac_addresses = GenericRelation(
        MACAddress,
        content_type_field="assigned_object_type",
        object_id_field="assigned_object_id",
        related_query_name="%(class)s",
    )
    mode = models.CharField(
        _("mode"), max_length=50, choices=InterfaceMode.choices, blank=True, help_text=_("IEEE 802.1Q tagging strategy")
    )
    untagged_vlan = models.ForeignKey(
        "addressing.VLAN",
        on_delete=models.SET_NULL,
        related_name="%(class)ss_as_untagged",
        blank=True,
        null=True,
        db_index=False,  # in the model's Meta (built concurrently on a big table)
        verbose_name=_("untagged VLAN"),
    )
    tagged_vlans = models.ManyToManyField(
        "addressing.VLAN", related_name="%(class)ss_as_tagged", blank=True, verbose_name=_("tagged VLANs")
    )
    qinq_svlan = models.ForeignKey(
        "addressing.VLAN",
        on_delete=models.SET_NULL,
        related_name="%(class)ss_svlan",
        blank=True,
        null=True,
        db_index=False,
        verbose_name=_("Q-in-Q SVLAN"),
    )
    vlan_translation_policy = models.ForeignKey(
        "addressing.VLANTranslationPolicy",
        on_delete=models.PROTECT,
        related_name="%(class)ss",
        blank=True,
        null=True,
        db_index=False,
        verbose_name=_("VLAN translation policy"),
    )
    vrf = models.ForeignKey(
        "addressing.VRF",
        on_delete=models.SET_NULL,
        related_name="%(class)ss",
        blank=True,
        null=True,
        db_index=False,
        verbose_name=_("VRF"),
    )
    # Deleted with the interface, as NetBox's.
    ip_addresses = GenericRelation(
        "addressing.IPAddress",
        content_type_field="assigned_object_type",
        object_id_field="assigned_object_id",
        related_query_name="%(class)s",
    )
    fhrp_group_assignments = GenericRelation(
        "addressing.FHRPGroupAssignment", content_type_field="interface_type", object_id_field="interface_id"
    )
    # NetBox's VPN: the interface as a tunnel's end, or in an L2VPN; deleted with the interface.
    tunnel_terminations = GenericRelation(
        "addressing.TunnelTermination",
        content_type_field="termination_type",
        object_id_field="termination_id",
        related_query_name="%(class)s",
    )
    l2vpn_terminations = GenericRelation(
        "addressing.L2VPNTermination",
        content_type_field="assigned_object_type",
        object_id_field="assigned_object_id",
        related_query_name="%(class)s",
    )

    class Meta:
        abstract = True

    @property
    def mac_address(self) -> str | None:
        """The primary MAC address (NetBox's `mac_address` before 4.2)."""
        primary = cast("MACAddress | None", self.primary_mac_address)
        return primary.mac_address if primary is not None else None


class Interface(InterfaceRules, InterfaceAddressing, Cabled, ModularComponent):  # noqa: DJ008 (Component names it)
    """A network interface of a device: physical, virtual, a LAG and its members, a bridge, wireless, or a
    channel of a channelized port."""

    # The name's sort key (natural_interface_name), kept by the services.
    _name = models.CharField(max_length=NATURAL_NAME_LENGTH, blank=True, editable=False)
    vdcs = models.ManyToManyField(
        VirtualDeviceContext, related_name="interfaces", blank=True, verbose_name=_("virtual device contexts")
    )
    lag = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        related_name="member_interfaces",
        blank=True,
        null=True,
        verbose_name=_("parent LAG"),
    )
    speed = models.PositiveBigIntegerField(_("speed (Kbps)"), blank=True, null=True)
    duplex = models.CharField(_("duplex"), max_length=50, choices=InterfaceDuplex.choices, blank=True)
    # NULL when unset, as NetBox stores it: a WWN is unique in the world, not an empty text.
    wwn = models.CharField(  # noqa: DJ001
        _("WWN"), max_length=23, blank=True, null=True, help_text=_("64-bit World Wide Name")
    )
    rf_channel = models.CharField(_("wireless channel"), max_length=50, choices=WIRELESS_CHANNELS, blank=True)
    rf_channel_frequency = models.DecimalField(
        _("channel frequency (MHz)"),
        max_digits=8,
        decimal_places=3,
        blank=True,
        null=True,
        help_text=_("Populated by selected channel (if set)"),
    )
    rf_channel_width = models.DecimalField(
        _("channel width (MHz)"),
        max_digits=7,
        decimal_places=3,
        blank=True,
        null=True,
        help_text=_("Populated by selected channel (if set)"),
    )
    tx_power = models.SmallIntegerField(
        _("transmit power (dBm)"),
        blank=True,
        null=True,
        validators=[MinValueValidator(-40), MaxValueValidator(127)],
    )
    # NetBox's wireless: the link this radio takes part in (kept by the wireless link services) and the
    # wireless LANs it serves.
    wireless_link = models.ForeignKey(
        "inventory.WirelessLink",
        on_delete=models.SET_NULL,
        related_name="+",
        blank=True,
        null=True,
        editable=False,
        db_index=False,  # inventory_if_wireless_link, built concurrently (0015)
        verbose_name=_("wireless link"),
    )
    wireless_lans = models.ManyToManyField(
        "inventory.WirelessLAN", related_name="interfaces", blank=True, verbose_name=_("wireless LANs")
    )

    class Meta(ModularComponent.Meta):
        ordering = ["device", "_name", "pk"]
        verbose_name = _("interface")
        verbose_name_plural = _("interfaces")
        indexes = [
            models.Index(fields=[name], name=f"inventory_if_{short}")
            for name, short in (
                ("untagged_vlan", "untagged"), ("qinq_svlan", "svlan"), ("vlan_translation_policy", "vlan_policy"),
                ("vrf", "vrf"), ("wireless_link", "wireless_link"),
            )
        ]  # fmt: skip
        constraints = [
            *ModularComponent.Meta.constraints,
            models.UniqueConstraint(
                fields=["parent", "channel_id"], name="inventory_interface_unique_parent_channel_id"
            ),
        ]

    @property
    def is_virtual(self) -> bool:
        return self.type in VIRTUAL_INTERFACE_TYPES

    @property
    def is_wireless(self) -> bool:
        return self.type in WIRELESS_INTERFACE_TYPES

    @property
    def is_wired(self) -> bool:
        return self.type not in UNCABLED_INTERFACE_TYPES and self.channel_id is None

    def clean(self):
        self._name = natural_interface_name(self.name or "")
        try:
            self.wwn = hardware_address(self.wwn, 8, _("WWN"))
        except ValidationError as error:
            raise ValidationError({"wwn": error.messages}) from None
        super().clean()
        self._check_connections()
        # The mixin's relations to "self" are typed as the mixin; they are interfaces.
        self._check_related("parent", cast("Interface | None", self.parent), _("parent interface"))
        self._check_related("bridge", cast("Interface | None", self.bridge), _("bridge interface"))
        if self.type == "virtual" and self.lag_id is not None:
            raise ValidationError({"lag": _("Virtual interfaces cannot have a parent LAG interface.")})
        if self.pk and self.lag_id == self.pk:
            raise ValidationError({"lag": _("A LAG interface cannot be its own parent.")})
        if self.lag is not None and self.lag.type != "lag":
            raise ValidationError(
                {"lag": _("The selected parent LAG interface ({lag}) is not a LAG interface.").format(lag=self.lag)}
            )
        self._check_related("lag", self.lag, _("LAG interface"))
        self._check_wireless()
        self._check_primary_mac()
        vlan = self.untagged_vlan if self.untagged_vlan_id else None
        if vlan is not None and self.device_id and vlan.site_id not in (self.device.site_id, None):
            raise ValidationError(
                {"untagged_vlan": _(
                    "The untagged VLAN ({untagged_vlan}) must belong to the same site as the interface's parent "
                    "device, or it must be global."
                ).format(untagged_vlan=vlan)}
            )  # fmt: skip

    @property
    def parent_object(self):
        """What the interface belongs to (NetBox's parent_object): the device whose primary addresses may be on
        it."""
        return self.device

    def _check_connections(self) -> None:
        if self.is_virtual and self.mark_connected:
            raise ValidationError(
                {"mark_connected": _("{display_type} interfaces cannot be marked as connected.").format(
                    display_type=self.get_type_display()
                )}
            )  # fmt: skip

    def _check_related(self, field: str, other: "Interface | None", noun) -> None:
        """An interface's parent, bridge or LAG is on its device, or on a member of its virtual chassis."""
        if other is None or other.device_id == self.device_id:
            return
        chassis = self.device.virtual_chassis_id
        if chassis is None:
            raise ValidationError(
                {field: _("The selected {noun} ({interface}) belongs to a different device ({device}).").format(
                    noun=noun, interface=other, device=other.device
                )}
            )  # fmt: skip
        if other.device.virtual_chassis_id != chassis:
            raise ValidationError(
                {field: _(
                    "The selected {noun} ({interface}) belongs to {device}, which is not part of virtual chassis "
                    "{virtual_chassis}."
                ).format(noun=noun, interface=other, device=other.device, virtual_chassis=self.device.virtual_chassis)}
            )  # fmt: skip

    def _check_wireless(self) -> None:
        """NetBox's rules for radio settings: wireless interfaces only; a chosen channel sets the frequency and
        width."""
        if self.rf_channel and not self.is_wireless:
            raise ValidationError({"rf_channel": _("Channel may be set only on wireless interfaces.")})
        channel = _channel_attributes(self.rf_channel) if self.rf_channel else None
        if self.rf_channel_frequency is not None:
            if not self.is_wireless:
                raise ValidationError(
                    {"rf_channel_frequency": _("Channel frequency may be set only on wireless interfaces.")}
                )
            if channel and self.rf_channel_frequency != channel[0]:
                raise ValidationError(
                    {"rf_channel_frequency": _("Cannot specify custom frequency with channel selected.")}
                )
        if self.rf_channel_width is not None:
            if not self.is_wireless:
                raise ValidationError({"rf_channel_width": _("Channel width may be set only on wireless interfaces.")})
            if channel and self.rf_channel_width != channel[1]:
                raise ValidationError({"rf_channel_width": _("Cannot specify custom width with channel selected.")})
        if channel:
            self.rf_channel_frequency, self.rf_channel_width = channel

    def _check_primary_mac(self) -> None:
        mac = self.primary_mac_address if self.primary_mac_address_id else None
        if mac is None:
            return
        if (
            mac.assigned_object_id is None
            or mac.assigned_object_type is None
            or mac.assigned_object_type.model_class() is not Interface
        ):
            raise ValidationError(
                {"primary_mac_address": _(
                    "Only a MAC address assigned to this interface can be its primary MAC address."
                )}
            )  # fmt: skip
        if mac.assigned_object_id != self.pk:
            raise ValidationError(
                {"primary_mac_address": _(
                    "MAC address {mac_address} is assigned to a different interface ({interface})."
                ).format(mac_address=mac, interface=mac.assigned_object)}
            )  # fmt: skip


def _channel_attributes(channel: str):
    """A wireless channel's (frequency, width) in MHz, from its value ("5g-36-5180-20")."""
    _band, _number, frequency, width = channel.split("-")
    return decimal.Decimal(frequency), decimal.Decimal(width)
