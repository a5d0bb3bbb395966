"""Emailed invitations to join an organization (`tenants.members`)."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenants.models.members import MembershipRole
from tenants.models.organizations import Organization

INVITATION_LIFETIME = timedelta(days=7)


def invitation_default_expires():
    return timezone.now() + INVITATION_LIFETIME


class Invitation(models.Model):
    """An emailed offer to join an organization with a role (`tenants.members`).

    Only an HMAC of the link's token is stored; the plaintext exists only in the email. An
    invitation is open until accepted; at most one is open per organization and address.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("organization")
    )
    email = models.EmailField(_("email address"), max_length=254)
    role = models.CharField(_("role"), max_length=20, choices=MembershipRole.choices, default=MembershipRole.VIEWER)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    digest = models.CharField(_("digest"), max_length=64, editable=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    expires = models.DateTimeField(_("expires"), default=invitation_default_expires)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True, editable=False)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("accepted by"),
    )

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(fields=["digest"], name="tenants_invitation_unique_digest"),
            models.UniqueConstraint(
                models.F("organization"),
                Lower("email"),
                condition=models.Q(accepted_at__isnull=True),
                name="tenants_invitation_unique_open_organization_email",
                violation_error_message=_("This address already has an open invitation to this organization."),
            ),
        ]

    def __str__(self):
        return f"{self.email} to {self.organization} ({self.role})"

    @property
    def is_expired(self) -> bool:
        return self.expires <= timezone.now()
