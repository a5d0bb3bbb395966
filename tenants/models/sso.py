"""Single sign-on per organization (`tenants.sso`)."""

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from tenants.models.members import MembershipRole
from tenants.models.organizations import Organization
from tenants.secrets import EncryptedTextField


class SSOProtocol(models.TextChoices):
    OIDC = "oidc", _("OpenID Connect")
    SAML = "saml", _("SAML 2.0")


class SSOConfiguration(models.Model):
    """An organization's identity provider (`tenants.sso`).

    The protocol side lives in allauth's `SocialApp` row `app` (issuer and client id, or the IdP's
    entity id, SSO URL and certificate); this row says which organization it belongs to and what
    signing in through it grants, and keeps the OIDC client secret encrypted (`client_secret`:
    `app.secret` stays empty, and allauth is handed the secret only when it needs it).
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
    client_secret = EncryptedTextField(_("client secret"), help_text=_("OpenID Connect only; encrypted at rest."))
    updated = models.DateTimeField(_("updated"), auto_now=True)
    # The key each email domain's verification token is derived from (`tenants.sso.domains`): random
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
    """An email domain an organization claims for its identity provider (`tenants.sso.domains`).

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
