from django.db import models
from django.utils.translation import gettext_lazy as _


class SiteStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    STAGING = "staging", _("Staging")
    ACTIVE = "active", _("Active")
    DECOMMISSIONING = "decommissioning", _("Decommissioning")
    RETIRED = "retired", _("Retired")


class LocationStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    STAGING = "staging", _("Staging")
    ACTIVE = "active", _("Active")
    DECOMMISSIONING = "decommissioning", _("Decommissioning")
    RETIRED = "retired", _("Retired")


class ContactPriority(models.TextChoices):
    PRIMARY = "primary", _("Primary")
    SECONDARY = "secondary", _("Secondary")
    TERTIARY = "tertiary", _("Tertiary")
    INACTIVE = "inactive", _("Inactive")
