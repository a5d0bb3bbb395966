"""The platform audit log (`tenants.audit`)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.models.organizations import Organization


class AuditAction(models.TextChoices):
    ORGANIZATION_CREATED = "organization.created", _("Organization created")
    ORGANIZATION_UPDATED = "organization.updated", _("Organization settings changed")
    ORGANIZATION_EXPORT_REQUESTED = "organization.export_requested", _("Data export requested")
    ORGANIZATION_RESTORE_REQUESTED = "organization.restore_requested", _("Restore from an archive requested")
    ORGANIZATION_NETBOX_IMPORTED = "organization.netbox_imported", _("Imported from NetBox")
    ORGANIZATION_DELETION_SCHEDULED = "organization.deletion_scheduled", _("Deletion scheduled")
    ORGANIZATION_DELETION_CANCELLED = "organization.deletion_cancelled", _("Deletion cancelled")
    INVITATION_CREATED = "invitation.created", _("Invitation created")
    INVITATION_ACCEPTED = "invitation.accepted", _("Invitation accepted")
    INVITATION_REVOKED = "invitation.revoked", _("Invitation revoked")
    MEMBERSHIP_ROLE_CHANGED = "membership.role_changed", _("Role changed")
    MEMBERSHIP_REMOVED = "membership.removed", _("Member removed")
    MEMBERSHIP_LEFT = "membership.left", _("Member left")
    TOKEN_CREATED = "token.created", _("API token created")
    TOKEN_REVOKED = "token.revoked", _("API token revoked")
    BILLING_PLAN_CHANGED = "billing.plan_changed", _("Plan changed")
    BILLING_STATUS_CHANGED = "billing.status_changed", _("Billing status changed")
    BILLING_RENEWAL_CHANGED = "billing.renewal_changed", _("Subscription renewal changed")
    BILLING_STRIPE_FAILED = "billing.stripe_failed", _("Stripe could not be asked")
    SSO_CONFIGURED = "sso.configured", _("Single sign-on configured")
    SSO_DISABLED = "sso.disabled", _("Single sign-on disabled")
    MEMBERSHIP_JOINED_BY_SSO = "membership.joined_by_sso", _("Joined by single sign-on")
    SSO_DOMAIN_VERIFIED = "sso.domain_verified", _("Email domain verified")
    SSO_DOMAIN_VERIFICATION_LOST = "sso.domain_verification_lost", _("Email domain verification lost")


class AuditEvent(models.Model):
    """Who changed an organization's settings, members, roles or tokens, when and from where (`tenants.audit`).

    Append-only: written by `audit_record` in the transaction of the change, never updated or
    deleted by the application. `actor_email` survives the actor's account.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="audit_events", verbose_name=_("organization")
    )
    time = models.DateTimeField(_("time"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_email = models.EmailField(_("actor email"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=50, choices=AuditAction.choices)
    target = models.CharField(_("target"), max_length=300, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        ordering = ["-time", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["organization", "-time", "-id"], name="tenants_auditevent_org_time")]

    def __str__(self):
        return f"{self.action} by {self.actor_email or 'system'} at {self.time:%Y-%m-%d %H:%M:%S}"
