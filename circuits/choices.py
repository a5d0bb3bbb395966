from django.db import models
from django.utils.translation import gettext_lazy as _

from inventory.choices import DistanceUnit as DistanceUnit  # shared with wireless links


class CircuitStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    PROVISIONING = "provisioning", _("Provisioning")
    ACTIVE = "active", _("Active")
    OFFLINE = "offline", _("Offline")
    DEPROVISIONING = "deprovisioning", _("Deprovisioning")
    DECOMMISSIONED = "decommissioned", _("Decommissioned")


class TerminationSide(models.TextChoices):
    A = "A", "A"
    Z = "Z", "Z"


class CircuitPriority(models.TextChoices):
    PRIMARY = "primary", _("Primary")
    SECONDARY = "secondary", _("Secondary")
    TERTIARY = "tertiary", _("Tertiary")
    INACTIVE = "inactive", _("Inactive")


class VirtualCircuitTerminationRole(models.TextChoices):
    PEER = "peer", _("Peer")
    HUB = "hub", _("Hub")
    SPOKE = "spoke", _("Spoke")
