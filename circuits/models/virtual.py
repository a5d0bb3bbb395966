"""Virtual circuits: connections delivered across a provider's network (an MPLS VPN, an EVPN service),
their types, and their terminations on (virtual) interfaces, each a peer, a hub or a spoke."""

from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from circuits.choices import CircuitStatus, VirtualCircuitTerminationRole
from circuits.models.providers import ProviderAccount, ProviderNetwork
from core.models import OrganizationalModel, PrimaryModel
from core.models.base import ChangeLoggedModel
from inventory.models import Interface, Tenant
from inventory.models.mixins import color_field


class VirtualCircuitType(OrganizationalModel):
    color = color_field(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("virtual circuit type")
        verbose_name_plural = _("virtual circuit types")


class VirtualCircuit(PrimaryModel):
    """A virtual connection between two or more endpoints across a provider network."""

    cid = models.CharField(_("circuit ID"), max_length=100, help_text=_("Unique circuit ID"))
    provider_network = models.ForeignKey(
        ProviderNetwork, on_delete=models.PROTECT, related_name="virtual_circuits", verbose_name=_("provider network")
    )
    provider_account = models.ForeignKey(
        ProviderAccount,
        on_delete=models.PROTECT,
        related_name="virtual_circuits",
        blank=True,
        null=True,
        verbose_name=_("provider account"),
    )
    type = models.ForeignKey(
        VirtualCircuitType, on_delete=models.PROTECT, related_name="virtual_circuits", verbose_name=_("type")
    )
    status = models.CharField(_("status"), max_length=50, choices=CircuitStatus.choices, default=CircuitStatus.ACTIVE)
    tenant = models.ForeignKey(
        Tenant,
        on_delete=models.PROTECT,
        related_name="virtual_circuits",
        blank=True,
        null=True,
        verbose_name=_("tenant"),
    )
    group_assignments = GenericRelation(
        "circuits.CircuitGroupAssignment",
        content_type_field="member_type",
        object_id_field="member_id",
        related_query_name="virtual_circuit",
    )

    class Meta:
        ordering = ["provider_network", "provider_account", "cid"]
        verbose_name = _("virtual circuit")
        verbose_name_plural = _("virtual circuits")
        constraints = [
            models.UniqueConstraint(
                fields=["provider_network", "cid"],
                name="circuits_virtualcircuit_unique_provider_network_cid",
                violation_error_message=_("Virtual circuit with this Provider network and Circuit ID already exists."),
            ),
            models.UniqueConstraint(
                fields=["provider_account", "cid"],
                name="circuits_virtualcircuit_unique_provideraccount_cid",
                violation_error_message=_("Virtual circuit with this Provider account and Circuit ID already exists."),
            ),
        ]

    def __str__(self):
        return self.cid

    def clean(self):
        super().clean()
        account = self.provider_account
        if (
            account is not None
            and self.provider_network_id is not None
            and self.provider_network.provider_id != account.provider_id
        ):
            raise ValidationError(
                {"provider_account": _("The assigned account must belong to the provider of the assigned network.")}
            )


class VirtualCircuitTermination(ChangeLoggedModel):
    virtual_circuit = models.ForeignKey(
        VirtualCircuit, on_delete=models.CASCADE, related_name="terminations", verbose_name=_("virtual circuit")
    )
    role = models.CharField(
        _("role"),
        max_length=50,
        choices=VirtualCircuitTerminationRole.choices,
        default=VirtualCircuitTerminationRole.PEER,
    )
    interface = models.OneToOneField(
        Interface, on_delete=models.CASCADE, related_name="virtual_circuit_termination", verbose_name=_("interface")
    )
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        ordering = ["virtual_circuit", "role", "pk"]
        verbose_name = _("virtual circuit termination")
        verbose_name_plural = _("virtual circuit terminations")

    def __str__(self):
        return f"{self.virtual_circuit}: {self.get_role_display()} termination"

    def clean(self):
        super().clean()
        if self.interface_id is not None and not self.interface.is_virtual:
            raise ValidationError(_("Virtual circuits may be terminated only to virtual interfaces."))
