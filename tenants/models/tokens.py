"""Per-organization API tokens (`tenants.tokens`)."""

import ipaddress

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenants.inputs import representable_in_utc
from tenants.models.members import Membership
from tenants.models.organizations import Organization


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
