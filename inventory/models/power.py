"""NetBox's power panels and the power feeds leaving them.

A power feed is a cable endpoint (its registration's `Cabling`): a cable connects it to a device's power
port, and a path is traced from it as from any other endpoint. What a feed can deliver,
`available_power` (in watts), follows from its voltage, amperage, phase and maximum utilization as in
NetBox, and is kept on the row so that feeds filter and sort by it.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import ImageAttachmentsMixin, PrimaryModel
from inventory.choices import PowerFeedPhase, PowerFeedStatus, PowerFeedSupply, PowerFeedType
from inventory.models.components import Cabled
from inventory.models.racks import Rack
from inventory.models.sites import Location, Site
from inventory.models.tenancy import ContactsMixin, Tenant

# NetBox's defaults (its POWERFEED_DEFAULT_* settings).
DEFAULT_VOLTAGE = 120
DEFAULT_AMPERAGE = 15
DEFAULT_MAX_UTILIZATION = 80
# The square root of 3, as NetBox rounds it for three-phase power.
THREE_PHASE_FACTOR = 1.732


def available_power(*, voltage: int, amperage: int, max_utilization: int, phase: str) -> int:
    """The watts a feed can deliver: NetBox's |voltage| x amperage x max utilization (x 1.732 for
    three-phase), rounded."""
    watts = abs(voltage) * amperage * (max_utilization / 100)
    if phase == PowerFeedPhase.THREE:
        watts *= THREE_PHASE_FACTOR
    return round(watts)


class PowerPanel(ContactsMixin, ImageAttachmentsMixin, PrimaryModel):
    """An electrical panel at a site (and perhaps in a location) that power feeds leave from."""

    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        related_name="powerpanels",
        db_index=False,  # the (site, name) constraint's index serves it
        verbose_name=_("site"),
    )
    location = models.ForeignKey(
        Location,
        on_delete=models.PROTECT,
        related_name="powerpanels",
        blank=True,
        null=True,
        verbose_name=_("location"),
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["site", "name"]
        verbose_name = _("power panel")
        verbose_name_plural = _("power panels")
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="%(app_label)s_%(class)s_unique_site_name"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.location is not None and self.site_id is not None and self.location.site_id != self.site_id:
            raise ValidationError(
                _("Location {location} ({location_site}) is in a different site than {site}").format(
                    location=self.location, location_site=self.location.site, site=self.site
                )
            )


class PowerFeed(Cabled, PrimaryModel):
    """A circuit from a power panel, perhaps to a rack, which a device's power port is cabled to."""

    power_panel = models.ForeignKey(
        PowerPanel,
        on_delete=models.PROTECT,
        related_name="powerfeeds",
        db_index=False,  # the (power panel, name) constraint's index serves it
        verbose_name=_("power panel"),
    )
    rack = models.ForeignKey(
        Rack, on_delete=models.PROTECT, related_name="powerfeeds", blank=True, null=True, verbose_name=_("rack")
    )
    name = models.CharField(_("name"), max_length=100)
    status = models.CharField(
        _("status"), max_length=50, choices=PowerFeedStatus.choices, default=PowerFeedStatus.ACTIVE
    )
    type = models.CharField(_("type"), max_length=50, choices=PowerFeedType.choices, default=PowerFeedType.PRIMARY)
    supply = models.CharField(_("supply"), max_length=50, choices=PowerFeedSupply.choices, default=PowerFeedSupply.AC)
    phase = models.CharField(_("phase"), max_length=50, choices=PowerFeedPhase.choices, default=PowerFeedPhase.SINGLE)
    voltage = models.SmallIntegerField(_("voltage"), default=DEFAULT_VOLTAGE)
    amperage = models.PositiveSmallIntegerField(
        _("amperage"), default=DEFAULT_AMPERAGE, validators=[MinValueValidator(1)]
    )
    max_utilization = models.PositiveSmallIntegerField(
        _("max utilization"),
        default=DEFAULT_MAX_UTILIZATION,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Maximum permissible draw (percentage)"),
    )
    available_power = models.PositiveIntegerField(_("available power"), default=0, editable=False)
    tenant = models.ForeignKey(
        Tenant, on_delete=models.PROTECT, related_name="powerfeeds", blank=True, null=True, verbose_name=_("tenant")
    )

    # The power port cabled to the feed and what it draws, loaded by inventory.power.feed_draws().
    fed_port: Any
    draw: Any

    class Meta:
        ordering = ["power_panel", "name"]
        verbose_name = _("power feed")
        verbose_name_plural = _("power feeds")
        constraints = [
            models.UniqueConstraint(
                fields=["power_panel", "name"], name="%(app_label)s_%(class)s_unique_power_panel_name"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.voltage == 0:
            raise ValidationError({"voltage": _("Voltage cannot be zero")})
        if self.rack is not None and self.power_panel_id is not None and self.rack.site_id != self.power_panel.site_id:
            raise ValidationError(
                _(
                    "Rack {rack} ({rack_site}) and power panel {powerpanel} ({powerpanel_site}) are in different sites."
                ).format(
                    rack=self.rack,
                    rack_site=self.rack.site,
                    powerpanel=self.power_panel,
                    powerpanel_site=self.power_panel.site,
                )
            )
        if self.voltage < 0 and self.supply == PowerFeedSupply.AC:
            raise ValidationError({"voltage": _("Voltage cannot be negative for AC supply")})
        # Derived from the fields just validated, so that every write keeps it in step (as NetBox's save()).
        if self.amperage and self.max_utilization:
            self.available_power = available_power(
                voltage=self.voltage, amperage=self.amperage, max_utilization=self.max_utilization, phase=self.phase
            )
