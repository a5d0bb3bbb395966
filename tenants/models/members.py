"""Who belongs to an organization, and with which role (`tenants.members`)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.models.organizations import Organization


class MembershipRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Admin")
    EDITOR = "editor", _("Editor")
    VIEWER = "viewer", _("Viewer")


MANAGER_ROLES = frozenset({MembershipRole.OWNER, MembershipRole.ADMIN})
# owner > admin > editor > viewer
ROLE_RANK = {MembershipRole.VIEWER: 0, MembershipRole.EDITOR: 1, MembershipRole.ADMIN: 2, MembershipRole.OWNER: 3}


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=MembershipRole.choices, default=MembershipRole.VIEWER)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"], name="tenants_membership_unique_user_organization"
            ),
        ]

    def __str__(self):
        return f"{self.user} in {self.organization} ({self.role})"

    @property
    def is_manager(self) -> bool:
        """Admins and owners manage the organization's members and settings (`tenants.members`)."""
        return self.pk is not None and self.role in MANAGER_ROLES
