from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Global (public schema) so one login can belong to many organizations."""

    email = models.EmailField(_("email address"), max_length=254, unique=True)
    display_name = models.CharField(_("name"), max_length=150, blank=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="saas_platform_user_unique_email_ci"),
        ]

    def __str__(self):
        return self.display_name or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email)


class BillingAccount(models.Model):
    """An organization's Stripe customer and current subscription (`saas_platform.billing`).

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
        ordering = ["-received", "-id"]
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")
        constraints = [models.UniqueConstraint(fields=["event_id"], name="saas_platform_stripeevent_unique_event_id")]

    def __str__(self):
        return f"{self.event_id} ({self.type})"
