from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models.base import PrimaryModel


class MaintenanceStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in-progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class MaintenanceWindow(PrimaryModel):
    """Planned work on a site: from `start` to `end`, announced and tracked by its status."""

    name = models.CharField(_("name"), max_length=100)
    site = models.ForeignKey(
        "inventory.Site", on_delete=models.CASCADE, related_name="maintenance_windows", verbose_name=_("site")
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    status = models.CharField(
        _("status"), max_length=50, choices=MaintenanceStatus.choices, default=MaintenanceStatus.PLANNED
    )

    class Meta:
        ordering = ["start", "pk"]
        verbose_name = _("maintenance window")
        verbose_name_plural = _("maintenance windows")

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValidationError({"end": _("A maintenance window ends after it starts.")})
