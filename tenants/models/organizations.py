"""Organizations and the host names that route to them."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

from tenants.models.billing import BillingStatus


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
    changelog_retention = models.PositiveIntegerField(
        _("change log retention"),
        default=90,
        help_text=_("Days to keep change log entries; 0 keeps them forever."),
    )
    # NetBox's ENFORCE_GLOBAL_UNIQUE, per organization: read by IPAM's uniqueness checks from the request's
    # organization (no query); new organizations take WIREBOOK_ENFORCE_GLOBAL_UNIQUE.
    enforce_global_unique = models.BooleanField(
        _("enforce global uniqueness"),
        default=True,
        help_text=_("Prefixes and IP addresses outside any VRF (the global table) may not repeat."),
    )
    # The installed plugins (tenants.plugins) the organization uses, by name; changed by its admins and owners
    # (`tenants.services.organization_plugins_set`). A plugin not listed is hidden from the organization.
    plugins = ArrayField(
        models.CharField(max_length=50),
        verbose_name=_("plugins"),
        default=list,
        blank=True,
        help_text=_("The installed plugins this organization has enabled."),
    )
    # Set while the status is pending_deletion (`tenants.services.organization_deletion_schedule`):
    # when the schema is dropped, and the status a cancelled deletion returns to.
    deletion_due = models.DateTimeField(_("deletion due"), null=True, blank=True, editable=False)
    status_before_deletion = models.CharField(
        _("status before deletion"), max_length=20, choices=OrganizationStatus.choices, blank=True, editable=False
    )
    # Kept in step with Stripe by tenants.billing.services; read by tenants.billing with no query.
    billing_status = models.CharField(
        _("billing status"), max_length=20, choices=BillingStatus.choices, default=BillingStatus.NONE, blank=True
    )
    billing_grace_ends = models.DateTimeField(
        _("billing grace ends"),
        null=True,
        blank=True,
        help_text=_("While the subscription is past due: when the organization becomes read-only."),
    )

    # The database server holding the schema: an alias of settings.DATABASES ("default", the server of
    # the public schema, or one of WIREBOOK_DATABASE_SERVERS). Changed by `manage.py organization_move`.
    database = models.CharField(_("database server"), max_length=63, default="default", editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status=OrganizationStatus.PENDING_DELETION, deletion_due__isnull=False)
                | (~models.Q(status=OrganizationStatus.PENDING_DELETION) & models.Q(deletion_due__isnull=True)),
                name="tenants_organization_deletion_due_only_pending",
            ),
        ]

    def __str__(self):
        return self.name


class Domain(DomainMixin):
    """A host name that routes to an organization: `<slug>.<base domain>` or a custom domain."""

    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")
