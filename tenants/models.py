import ipaddress
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

from tenants.inputs import representable_in_utc


class OrganizationStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    READ_ONLY = "read_only", _("Read-only")
    SUSPENDED = "suspended", _("Suspended")
    PENDING_DELETION = "pending_deletion", _("Pending deletion")


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
    # Set while the status is pending_deletion (`tenants.services.organization_deletion_schedule`):
    # when the schema is dropped, and the status a cancelled deletion returns to.
    deletion_due = models.DateTimeField(_("deletion due"), null=True, blank=True, editable=False)
    status_before_deletion = models.CharField(
        _("status before deletion"), max_length=20, choices=OrganizationStatus.choices, blank=True, editable=False
    )
    # Kept in step with Stripe by saas_platform.billing; read by tenants.billing with no query.
    billing_status = models.CharField(
        _("billing status"), max_length=20, choices=BillingStatus.choices, default=BillingStatus.NONE, blank=True
    )
    billing_grace_ends = models.DateTimeField(
        _("billing grace ends"),
        null=True,
        blank=True,
        help_text=_("While the subscription is past due: when the organization becomes read-only."),
    )

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


class TokenVersion(models.IntegerChoices):
    V1 = 1, _("v1")
    V2 = 2, _("v2")


def allowed_ips_normalize(values) -> list[str]:
    """Canonical CIDR strings (`192.0.2.7` -> `192.0.2.7/32`, `2001:DB8::/32` -> `2001:db8::/32`),
    duplicates dropped, order kept. Networks with host bits set are refused rather than
    silently widened or narrowed: this list decides who may use a credential."""
    if not isinstance(values, list | tuple):
        raise ValidationError(_("Enter a list of networks in CIDR notation, e.g. 192.0.2.0/24 or 2001:db8::/32."))
    networks: list[str] = []
    errors = []
    for value in values:
        text = value.strip() if isinstance(value, str) else ""
        try:
            network = ipaddress.ip_network(text)
        except ValueError:
            try:
                loose = ipaddress.ip_network(text, strict=False)
            except ValueError:
                errors.append(_("'%(value)s' is not a network in CIDR notation.") % {"value": value})
            else:
                errors.append(
                    _("'%(value)s' has host bits set; did you mean %(network)s?") % {"value": value, "network": loose}
                )
            continue
        if str(network) not in networks:
            networks.append(str(network))
    if errors:
        raise ValidationError(errors)
    return networks


class Token(models.Model):
    """An API token of one organization, usually acting as one of its members.

    Only an HMAC of the secret is stored (`tenants.tokens`); the plaintext is shown once. A v2
    token reads `nbt_<key>.<secret>`: `key` is its public id, found by index, and the secret is
    checked against `digest`. A v1 token is a 40-hex secret, found by its `digest` directly.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="tokens", verbose_name=_("organization")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tokens",
        verbose_name=_("user"),
    )
    # Who made it (a member for themselves, or an owner for another member); NULL: an operator.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("created by"),
    )
    version = models.PositiveSmallIntegerField(_("version"), choices=TokenVersion.choices, default=TokenVersion.V2)
    # NULL, not "", for v1 tokens: they have no key, and must not collide on its unique index.
    key = models.CharField(_("key"), max_length=12, null=True, blank=True, editable=False)  # noqa: DJ001
    digest = models.CharField(_("digest"), max_length=64, editable=False)
    description = models.CharField(_("description"), max_length=200, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    expires = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    write_enabled = models.BooleanField(_("write enabled"), default=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    allowed_ips = models.JSONField(
        _("allowed IPs"),
        default=list,
        blank=True,
        help_text=_("Networks (CIDR) the token may be used from. Empty: any."),
    )

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            # The index v1 authentication looks up; also keeps two tokens from sharing a secret.
            models.UniqueConstraint(fields=["digest"], name="tenants_token_unique_digest"),
            models.UniqueConstraint(fields=["key"], name="tenants_token_unique_key"),
            models.CheckConstraint(
                condition=models.Q(version=TokenVersion.V1, key__isnull=True)
                | models.Q(version=TokenVersion.V2, key__isnull=False),
                name="tenants_token_key_only_v2",
            ),
        ]

    def __str__(self):
        return f"nbt_{self.key}" if self.version == TokenVersion.V2 else f"v1 token {self.pk}"

    @property
    def is_expired(self) -> bool:
        return self.expires is not None and self.expires <= timezone.now()

    def clean(self):
        super().clean()
        errors: dict[str, list] = {}
        try:
            self.allowed_ips = allowed_ips_normalize(self.allowed_ips)
        except ValidationError as exc:
            errors["allowed_ips"] = exc.messages
        if self.expires is not None and timezone.is_naive(self.expires):
            errors["expires"] = [_("Give the expiry time with a time zone.")]
        elif self.expires is not None and not representable_in_utc(self.expires):
            errors["expires"] = [_("The expiry time is out of range.")]
        elif self._state.adding and self.expires is not None and self.expires <= timezone.now():
            errors["expires"] = [_("The expiry time must be in the future.")]
        if (
            self.user_id is not None
            and self.organization_id is not None
            and not Membership.objects.filter(user_id=self.user_id, organization_id=self.organization_id).exists()
        ):
            errors["user"] = [_("The user is not a member of this organization.")]
        if errors:
            raise ValidationError(errors)


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


class AuditAction(models.TextChoices):
    ORGANIZATION_CREATED = "organization.created", _("Organization created")
    ORGANIZATION_UPDATED = "organization.updated", _("Organization settings changed")
    ORGANIZATION_EXPORT_REQUESTED = "organization.export_requested", _("Data export requested")
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


class SSOProtocol(models.TextChoices):
    OIDC = "oidc", _("OpenID Connect")
    SAML = "saml", _("SAML 2.0")


class SSOConfiguration(models.Model):
    """An organization's identity provider (`tenants.sso`).

    The protocol side lives in allauth's `SocialApp` row `app` (issuer, client id and secret, or the
    IdP's entity id, SSO URL and certificate); this row says which organization it belongs to and
    what signing in through it grants.
    """

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="sso", verbose_name=_("organization")
    )
    protocol = models.CharField(_("protocol"), max_length=10, choices=SSOProtocol.choices)
    app = models.OneToOneField(
        "socialaccount.SocialApp", on_delete=models.PROTECT, related_name="+", verbose_name=_("allauth app")
    )
    default_role = models.CharField(
        _("default role"),
        max_length=20,
        choices=MembershipRole.choices,
        default=MembershipRole.VIEWER,
        help_text=_("The role of people who become members by signing in through the identity provider."),
    )
    require_sso = models.BooleanField(
        _("require SSO"),
        default=False,
        help_text=_("Members other than owners cannot log in with a password."),
    )
    updated = models.DateTimeField(_("updated"), auto_now=True)
    # The key each email domain's verification token is derived from (`tenants.sso_domains`): random
    # per organization, so one organization's published record proves nothing for another.
    verification_secret = models.CharField(_("domain verification secret"), max_length=64, editable=False)

    class Meta:
        verbose_name = _("SSO configuration")
        verbose_name_plural = _("SSO configurations")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(default_role=MembershipRole.OWNER),
                name="tenants_ssoconfiguration_default_role_not_owner",
            ),
        ]

    def __str__(self):
        return f"{self.get_protocol_display()} for {self.organization}"


class SSOEmailDomain(models.Model):
    """An email domain an organization claims for its identity provider (`tenants.sso_domains`).

    A claim counts for nothing -- it routes no logins and matches no accounts -- until the
    organization proves it owns the domain by publishing a DNS TXT record (`verified_at`). Several
    organizations may claim a domain, but only one at a time has it verified.
    """

    configuration = models.ForeignKey(
        SSOConfiguration, on_delete=models.CASCADE, related_name="email_domains", verbose_name=_("SSO configuration")
    )
    domain = models.CharField(_("domain"), max_length=253)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    last_checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    # Lookups of a verified domain in a row that got no answer (timeouts, SERVFAIL).
    failed_checks = models.PositiveSmallIntegerField(_("failed checks"), default=0)
    check_result = models.CharField(_("result of the last check"), max_length=300, blank=True)

    class Meta:
        ordering = ["domain"]
        verbose_name = _("SSO email domain")
        verbose_name_plural = _("SSO email domains")
        constraints = [
            models.UniqueConstraint(
                fields=["configuration", "domain"], name="tenants_ssoemaildomain_unique_configuration_domain"
            ),
            models.UniqueConstraint(
                Lower("domain"),
                condition=models.Q(verified_at__isnull=False),
                name="tenants_ssoemaildomain_unique_verified_domain",
                violation_error_message=_("This email domain is already verified by another organization."),
            ),
        ]

    def __str__(self):
        return self.domain
