from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin


class OrganizationStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    READ_ONLY = "read_only", _("Read-only")
    SUSPENDED = "suspended", _("Suspended")
    PENDING_DELETION = "pending_deletion", _("Pending deletion")


class Organization(TenantMixin):
    """A customer. Its data lives in its own PostgreSQL schema (`schema_name`)."""

    # Schemas are handed out by `tenants.services.organization_create`, never created on save.
    auto_create_schema = False
    auto_drop_schema = False

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    plan = models.CharField(_("plan"), max_length=50, default="free")
    status = models.CharField(
        _("status"), max_length=20, choices=OrganizationStatus.choices, default=OrganizationStatus.ACTIVE
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self):
        return self.name


class Domain(DomainMixin):
    """A host name that routes to an organization: `<slug>.<base domain>` or a custom domain."""

    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")


class MembershipRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Admin")
    EDITOR = "editor", _("Editor")
    VIEWER = "viewer", _("Viewer")


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


class SchemaSnapshot(models.Model):
    """The DDL and seed rows of a freshly migrated organization schema, for one migration state."""

    fingerprint = models.CharField(max_length=64, unique=True)
    sql = models.TextField()
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"snapshot {self.fingerprint[:12]}"


class SpareSchema(models.Model):
    """A fully migrated, unused schema waiting to become an organization's (renamed on hand-out)."""

    schema_name = models.CharField(max_length=63, unique=True)
    fingerprint = models.CharField(max_length=64)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]

    def __str__(self):
        return self.schema_name
