"""The billing state an organization carries (`tenants.billing`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BillingStatus(models.TextChoices):
    """The state of the organization's Stripe subscription ("" when it never had one)."""

    NONE = "", _("None")
    ACTIVE = "active", _("Active")
    TRIALING = "trialing", _("Trialing")
    PAST_DUE = "past_due", _("Past due")
    UNPAID = "unpaid", _("Unpaid")
    CANCELED = "canceled", _("Canceled")
    INCOMPLETE = "incomplete", _("Incomplete")
    INCOMPLETE_EXPIRED = "incomplete_expired", _("Incomplete (expired)")
    PAUSED = "paused", _("Paused")
