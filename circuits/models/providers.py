"""Providers (the companies circuits are bought from), the accounts held with them, and their networks
(a provider's cloud or MPLS core, where circuits may end without a site)."""

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils.translation import gettext_lazy as _

from addressing.models import ASN
from core.models import PrimaryModel
from inventory.models.tenancy import ContactsMixin


class Provider(ContactsMixin, PrimaryModel):
    name = models.CharField(_("name"), max_length=100, unique=True, help_text=_("Full name of the provider"))
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    asns = models.ManyToManyField(ASN, related_name="providers", blank=True, verbose_name=_("ASNs"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("provider")
        verbose_name_plural = _("providers")

    def __str__(self):
        return self.name


class ProviderAccount(ContactsMixin, PrimaryModel):
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="accounts", verbose_name=_("provider")
    )
    account = models.CharField(_("account ID"), max_length=100)
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        ordering = ["provider", "account"]
        verbose_name = _("provider account")
        verbose_name_plural = _("provider accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "account"],
                name="circuits_provideraccount_unique_provider_account",
                violation_error_message=_("Provider account with this Provider and Account ID already exists."),
            ),
            models.UniqueConstraint(
                fields=["provider", "name"],
                name="circuits_provideraccount_unique_provider_name",
                condition=~models.Q(name=""),
                violation_error_message=_("Provider account with this Provider and Name already exists."),
            ),
        ]

    def __str__(self):
        return f"{self.account} ({self.name})" if self.name else self.account


class ProviderNetwork(PrimaryModel):
    """A network a provider runs (an MPLS core, a cloud region) that circuits may terminate on."""

    name = models.CharField(_("name"), max_length=100)
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="networks", verbose_name=_("provider")
    )
    service_id = models.CharField(_("service ID"), max_length=100, blank=True)
    # Circuits terminated on the network end with it.
    circuit_terminations = GenericRelation(
        "circuits.CircuitTermination", content_type_field="termination_type", object_id_field="termination_id"
    )

    class Meta:
        ordering = ["provider", "name"]
        verbose_name = _("provider network")
        verbose_name_plural = _("provider networks")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "name"],
                name="circuits_providernetwork_unique_provider_name",
                violation_error_message=_("Provider network with this Provider and Name already exists."),
            )
        ]

    def __str__(self):
        return self.name
