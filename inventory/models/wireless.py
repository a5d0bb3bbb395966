"""NetBox's wireless models: wireless LAN groups (a tree), wireless LANs (an SSID, its VLAN, its
authentication, scoped to a place as in NetBox 4.2+) and wireless links between two wireless interfaces.

A link is recorded on both of its interfaces (`Interface.wireless_link`), as NetBox does; the wireless link
services keep that column (inventory.services.wireless).
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import NestedGroupModel, PrimaryModel
from core.models.base import unique_in_tree
from inventory.choices import CableStatus, DistanceUnit, WirelessAuthCipher, WirelessAuthType, WirelessLANStatus
from inventory.component_types import WIRELESS_INTERFACE_TYPES
from inventory.models.hardware import Device
from inventory.models.interfaces import Interface
from inventory.models.scopes import CachedScopeMixin
from inventory.models.tenancy import Tenant

SSID_MAX_LENGTH = 32
PSK_MAX_LENGTH = 64


class WirelessAuthentication(models.Model):
    """What a wireless LAN and a wireless link share: how clients authenticate."""

    auth_type = models.CharField(_("authentication type"), max_length=50, choices=WirelessAuthType, blank=True)
    auth_cipher = models.CharField(_("authentication cipher"), max_length=50, choices=WirelessAuthCipher, blank=True)
    auth_psk = models.CharField(_("pre-shared key"), max_length=PSK_MAX_LENGTH, blank=True)

    class Meta:
        abstract = True


class WirelessLANGroup(NestedGroupModel):
    class Meta:
        ordering = ["name"]
        verbose_name = _("wireless LAN group")
        verbose_name_plural = _("wireless LAN groups")
        constraints = unique_in_tree("inventory_wirelesslangroup", "wireless LAN group")


class WirelessLAN(WirelessAuthentication, CachedScopeMixin, PrimaryModel):
    ssid = models.CharField(_("SSID"), max_length=SSID_MAX_LENGTH)
    group = models.ForeignKey(
        WirelessLANGroup,
        on_delete=models.SET_NULL,
        related_name="wireless_lans",
        blank=True,
        null=True,
        verbose_name=_("group"),
    )
    status = models.CharField(
        _("status"), max_length=50, choices=WirelessLANStatus.choices, default=WirelessLANStatus.ACTIVE
    )
    vlan = models.ForeignKey(
        "addressing.VLAN",
        on_delete=models.PROTECT,
        related_name="wireless_lans",
        blank=True,
        null=True,
        verbose_name=_("VLAN"),
    )
    tenant = models.ForeignKey(
        Tenant, on_delete=models.PROTECT, related_name="wireless_lans", blank=True, null=True, verbose_name=_("tenant")
    )

    class Meta:
        ordering = ["ssid", "pk"]
        verbose_name = _("wireless LAN")
        verbose_name_plural = _("wireless LANs")
        indexes = [models.Index(fields=["scope_type", "scope_id"], name="inventory_wirelesslan_scope")]

    def __str__(self):
        return self.ssid


class WirelessLink(WirelessAuthentication, PrimaryModel):
    """A point-to-point radio link between two wireless interfaces."""

    interface_a = models.ForeignKey(
        Interface, on_delete=models.PROTECT, related_name="+", verbose_name=_("interface A")
    )
    interface_b = models.ForeignKey(
        Interface, on_delete=models.PROTECT, related_name="+", verbose_name=_("interface B")
    )
    ssid = models.CharField(_("SSID"), max_length=SSID_MAX_LENGTH, blank=True)
    status = models.CharField(
        _("status"), max_length=50, choices=CableStatus.choices, default=CableStatus.STATUS_CONNECTED
    )
    tenant = models.ForeignKey(
        Tenant, on_delete=models.PROTECT, related_name="wireless_links", blank=True, null=True, verbose_name=_("tenant")
    )
    distance = models.DecimalField(_("distance"), max_digits=8, decimal_places=2, blank=True, null=True)
    distance_unit = models.CharField(_("distance unit"), max_length=50, choices=DistanceUnit.choices, blank=True)
    # The interfaces' devices (NetBox's cache), kept by clean(): the device filters read them.
    _interface_a_device = models.ForeignKey(
        Device, on_delete=models.CASCADE, related_name="+", blank=True, null=True, editable=False
    )
    _interface_b_device = models.ForeignKey(
        Device, on_delete=models.CASCADE, related_name="+", blank=True, null=True, editable=False
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("wireless link")
        verbose_name_plural = _("wireless links")
        constraints = [
            models.UniqueConstraint(
                fields=["interface_a", "interface_b"],
                name="inventory_wirelesslink_unique_interfaces",
                violation_error_message=_("A wireless link between these interfaces already exists."),
            )
        ]

    def __str__(self):
        return self.ssid or f"#{self.pk}"

    def clean(self):
        super().clean()
        for side in ("interface_a", "interface_b"):
            if getattr(self, f"{side}_id") is None:
                continue
            interface = getattr(self, side)
            if interface.type not in WIRELESS_INTERFACE_TYPES:
                raise ValidationError(
                    {side: _("{type} is not a wireless interface.").format(type=interface.get_type_display())}
                )
            if interface.wireless_link_id is not None and interface.wireless_link_id != self.pk:
                raise ValidationError({side: _("{interface} already has a wireless link.").format(interface=interface)})
        if self.interface_a_id is not None and self.interface_a_id == self.interface_b_id:
            raise ValidationError({"interface_b": _("A wireless link cannot connect an interface to itself.")})
        if self.distance is not None and not self.distance_unit:
            raise ValidationError({"distance_unit": _("Must specify a unit when setting a wireless distance")})
        if self.distance is None and self.distance_unit:
            self.distance_unit = ""
        self._interface_a_device = self.interface_a.device if self.interface_a_id is not None else None
        self._interface_b_device = self.interface_b.device if self.interface_b_id is not None else None
