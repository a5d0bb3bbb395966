"""Billing's tables (`tenants.billing`): the state an organization row carries, and its Stripe
customer and the Stripe events applied.

`BillingAccount` and `StripeEvent` keep the app label `saas_platform` they were created under:
their tables (`saas_platform_billingaccount`, `saas_platform_stripeevent`) and migrations stay
that app's.
"""

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


class BillingAccount(models.Model):
    """An organization's Stripe customer and current subscription (`tenants.billing.services`).

    Created when an owner first opens Checkout. The plan and billing status that limit the
    organization live on the organization row itself (`tenants.billing`).
    """

    organization = models.OneToOneField(
        "tenants.Organization", on_delete=models.CASCADE, related_name="billing_account", verbose_name=_("organization")
    )
    stripe_customer_id = models.CharField(_("Stripe customer"), max_length=255)
    stripe_subscription_id = models.CharField(_("Stripe subscription"), max_length=255, blank=True)
    stripe_price_id = models.CharField(_("Stripe price"), max_length=255, blank=True)
    current_period_end = models.DateTimeField(_("current period ends"), null=True, blank=True)
    cancel_at_period_end = models.BooleanField(_("cancels at period end"), default=False)
    # Wirebook, not the customer, stopped the renewal because the organization's deletion was
    # scheduled: cancelling the deletion turns it back on.
    renewal_stopped_for_deletion = models.BooleanField(_("renewal stopped for deletion"), default=False)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        app_label = "saas_platform"
        verbose_name = _("billing account")
        verbose_name_plural = _("billing accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["stripe_customer_id"], name="saas_platform_billingaccount_unique_stripe_customer_id"
            ),
        ]

    def __str__(self):
        return f"{self.stripe_customer_id} ({self.organization_id})"


class StripeEvent(models.Model):
    """A Stripe webhook event that was applied (or deliberately ignored) -- each at most once: the
    row is written in the transaction of its effect, and its id is unique."""

    event_id = models.CharField(_("event"), max_length=255)
    type = models.CharField(_("type"), max_length=100)
    created = models.DateTimeField(_("created at Stripe"))
    received = models.DateTimeField(_("received"), auto_now_add=True)
    organization = models.ForeignKey(
        "tenants.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organization"),
    )
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)

    class Meta:
        app_label = "saas_platform"
        ordering = ["-received", "-id"]
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")
        constraints = [models.UniqueConstraint(fields=["event_id"], name="saas_platform_stripeevent_unique_event_id")]

    def __str__(self):
        return f"{self.event_id} ({self.type})"
