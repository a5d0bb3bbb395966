"""Per-user UI preferences inside an organization (NetBox's UserConfig): table columns, page size."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UserPreference(models.Model):
    # Users live in the public schema: referenced by id, like the change log does.
    user_id = models.BigIntegerField(_("user id"))
    key = models.CharField(_("key"), max_length=200)
    value = models.JSONField(_("value"))
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user_id", "key"], name="%(app_label)s_%(class)s_unique_user_id_key"),
        ]
        verbose_name = _("user preference")
        verbose_name_plural = _("user preferences")

    def __str__(self):
        return f"{self.user_id}: {self.key}"
