"""NetBox's VPN models: tunnels (in groups) terminated on device or VM interfaces, the IKE and IPsec
proposals, policies and profiles that secure them, and L2VPNs (VPLS, VXLAN, EVPN...) with their route
targets, terminated on VLANs, interfaces and VM interfaces.

The interfaces are DCIM's and virtualization's, named by NetBox's labels ("dcim.interface"); a termination
names its object by content type and id, as NetBox does.
"""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from addressing.choices import (
    DH_GROUPS,
    L2VPN_POINT_TO_POINT,
    AuthenticationAlgorithm,
    AuthenticationMethod,
    EncryptionAlgorithm,
    IKEMode,
    IKEVersion,
    IPSecMode,
    L2VPNStatus,
    L2VPNType,
    TunnelEncapsulation,
    TunnelStatus,
    TunnelTerminationRole,
)
from addressing.querysets import LinkedManager
from core.models import OrganizationalModel, PrimaryModel
from core.models.base import ChangeLoggedModel
from inventory.models import Tenant
from inventory.models.tenancy import ContactsMixin

# NetBox's TUNNEL_TERMINATION_TYPES and L2VPN_ASSIGNMENT_MODELS.
TUNNEL_TERMINATION_TYPES = ("dcim.interface", "virtualization.vminterface")
L2VPN_ASSIGNMENT_TYPES = ("ipam.vlan", "dcim.interface", "virtualization.vminterface")


def _type_label(content_type: ContentType) -> str | None:
    from core.registry import registry  # the registry is built after the models

    model = content_type.model_class()
    spec = registry.find(model) if model is not None else None
    return spec.type_label if spec is not None else None


def _check_linked(obj, type_field: str, id_field: str, allowed: tuple[str, ...]) -> models.Model | None:
    """The object a termination names by content type and id: of one of the `allowed` types, and existing."""
    content_type = getattr(obj, type_field)
    object_id = getattr(obj, id_field)
    if content_type is None:
        return None
    if _type_label(content_type) not in allowed:
        raise ValidationError({type_field: _("Invalid object type: {type}").format(type=content_type)})
    if object_id is None:
        raise ValidationError({id_field: _("This field is required.")})
    model = content_type.model_class()
    assert model is not None
    target = model._base_manager.filter(pk=object_id).first()
    if target is None:
        raise ValidationError(
            {id_field: _("Related object not found using the provided numeric ID: {id}").format(id=object_id)}
        )
    return target


class TunnelGroup(ContactsMixin, OrganizationalModel):
    class Meta:
        ordering = ["name"]
        verbose_name = _("tunnel group")
        verbose_name_plural = _("tunnel groups")


class Tunnel(ContactsMixin, PrimaryModel):
    name = models.CharField(_("name"), max_length=100)
    status = models.CharField(_("status"), max_length=50, choices=TunnelStatus.choices, default=TunnelStatus.ACTIVE)
    group = models.ForeignKey(
        TunnelGroup,
        on_delete=models.PROTECT,
        related_name="tunnels",
        blank=True,
        null=True,
        db_index=False,  # the (group, name) constraint's index serves it
        verbose_name=_("tunnel group"),
    )
    encapsulation = models.CharField(_("encapsulation"), max_length=50, choices=TunnelEncapsulation.choices)
    ipsec_profile = models.ForeignKey(
        "addressing.IPSecProfile",
        on_delete=models.PROTECT,
        related_name="tunnels",
        blank=True,
        null=True,
        verbose_name=_("IPSec profile"),
    )
    tenant = models.ForeignKey(
        Tenant, on_delete=models.PROTECT, related_name="tunnels", blank=True, null=True, verbose_name=_("tenant")
    )
    tunnel_id = models.PositiveBigIntegerField(_("tunnel ID"), blank=True, null=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tunnel")
        verbose_name_plural = _("tunnels")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "name"],
                name="addressing_tunnel_unique_group_name",
                violation_error_message=_("A tunnel with this name already exists in this group."),
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(group__isnull=True),
                name="addressing_tunnel_unique_name",
                violation_error_message=_("A tunnel with this name already exists."),
            ),
        ]

    def __str__(self):
        return self.name


class TunnelTermination(ChangeLoggedModel):
    """One end of a tunnel: a device or VM interface, perhaps with its outside (public) address."""

    tunnel = models.ForeignKey(Tunnel, on_delete=models.CASCADE, related_name="terminations", verbose_name=_("tunnel"))
    role = models.CharField(
        _("role"), max_length=50, choices=TunnelTerminationRole.choices, default=TunnelTerminationRole.PEER
    )
    termination_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("termination type")
    )
    termination_id = models.PositiveBigIntegerField(_("termination ID"), blank=True, null=True)
    termination = GenericForeignKey("termination_type", "termination_id")
    outside_ip = models.OneToOneField(
        "addressing.IPAddress",
        on_delete=models.PROTECT,
        related_name="tunnel_termination",
        blank=True,
        null=True,
        verbose_name=_("outside IP"),
    )

    objects = LinkedManager(linked=("termination",))  # type: ignore[misc]  # django-stubs: the base's manager

    class Meta:
        ordering = ["tunnel", "role", "pk"]
        verbose_name = _("tunnel termination")
        verbose_name_plural = _("tunnel terminations")
        constraints = [
            models.UniqueConstraint(
                fields=["termination_type", "termination_id"],
                name="addressing_tunneltermination_unique_termination",
                violation_error_message=_("An object may be terminated to only one tunnel at a time."),
            )
        ]

    def __str__(self):
        return f"{self.tunnel}: Termination {self.pk}"

    def clean(self):
        super().clean()
        _check_linked(self, "termination_type", "termination_id", TUNNEL_TERMINATION_TYPES)


# -- IKE and IPsec -----------------------------------------------------------------------------------------------


class IKEProposal(PrimaryModel):
    name = models.CharField(_("name"), max_length=100, unique=True)
    authentication_method = models.CharField(
        _("authentication method"), max_length=50, choices=AuthenticationMethod.choices
    )
    encryption_algorithm = models.CharField(_("encryption algorithm"), max_length=50, choices=EncryptionAlgorithm)
    # NULL when unset, as NetBox stores it.
    authentication_algorithm = models.CharField(  # noqa: DJ001
        _("authentication algorithm"), max_length=50, choices=AuthenticationAlgorithm, blank=True, null=True
    )
    group = models.PositiveSmallIntegerField(_("group"), choices=DH_GROUPS, help_text=_("Diffie-Hellman group ID"))
    sa_lifetime = models.PositiveIntegerField(
        _("SA lifetime"), blank=True, null=True, help_text=_("Security association lifetime (in seconds)")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("IKE proposal")
        verbose_name_plural = _("IKE proposals")

    def __str__(self):
        return self.name


class IKEPolicy(PrimaryModel):
    name = models.CharField(_("name"), max_length=100, unique=True)
    version = models.PositiveSmallIntegerField(_("version"), choices=IKEVersion.choices, default=IKEVersion.VERSION_2)
    mode = models.CharField(_("mode"), max_length=50, choices=IKEMode.choices, blank=True, null=True)  # noqa: DJ001
    proposals = models.ManyToManyField(
        IKEProposal, related_name="ike_policies", blank=True, verbose_name=_("proposals")
    )
    preshared_key = models.TextField(_("pre-shared key"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("IKE policy")
        verbose_name_plural = _("IKE policies")

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.version == IKEVersion.VERSION_2 and self.mode:
            raise ValidationError({"mode": _("Mode is not supported for IKEv2.")})
        if self.version == IKEVersion.VERSION_1 and not self.mode:
            raise ValidationError({"mode": _("Mode is required for selected IKE version")})


class IPSecProposal(PrimaryModel):
    name = models.CharField(_("name"), max_length=100, unique=True)
    encryption_algorithm = models.CharField(  # noqa: DJ001
        _("encryption"), max_length=50, choices=EncryptionAlgorithm, blank=True, null=True
    )
    authentication_algorithm = models.CharField(  # noqa: DJ001
        _("authentication"), max_length=50, choices=AuthenticationAlgorithm, blank=True, null=True
    )
    sa_lifetime_seconds = models.PositiveIntegerField(
        _("SA lifetime (seconds)"),
        blank=True,
        null=True,
        help_text=_("Security association lifetime (seconds)"),
    )
    sa_lifetime_data = models.PositiveIntegerField(
        _("SA lifetime (KB)"), blank=True, null=True, help_text=_("Security association lifetime (in kilobytes)")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("IPSec proposal")
        verbose_name_plural = _("IPSec proposals")

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if not self.encryption_algorithm and not self.authentication_algorithm:
            raise ValidationError(_("You must define an encryption and/or authentication algorithm"))


class IPSecPolicy(PrimaryModel):
    name = models.CharField(_("name"), max_length=100, unique=True)
    proposals = models.ManyToManyField(
        IPSecProposal, related_name="ipsec_policies", blank=True, verbose_name=_("proposals")
    )
    pfs_group = models.PositiveSmallIntegerField(
        _("PFS group"),
        choices=DH_GROUPS,
        blank=True,
        null=True,
        help_text=_("Diffie-Hellman group for Perfect Forward Secrecy"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("IPSec policy")
        verbose_name_plural = _("IPSec policies")

    def __str__(self):
        return self.name


class IPSecProfile(PrimaryModel):
    name = models.CharField(_("name"), max_length=100, unique=True)
    mode = models.CharField(_("mode"), max_length=50, choices=IPSecMode.choices)
    ike_policy = models.ForeignKey(
        IKEPolicy, on_delete=models.PROTECT, related_name="ipsec_profiles", verbose_name=_("IKE policy")
    )
    ipsec_policy = models.ForeignKey(
        IPSecPolicy, on_delete=models.PROTECT, related_name="ipsec_profiles", verbose_name=_("IPSec policy")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("IPSec profile")
        verbose_name_plural = _("IPSec profiles")

    def __str__(self):
        return self.name


# -- L2VPN -------------------------------------------------------------------------------------------------------


class L2VPN(ContactsMixin, PrimaryModel):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    type = models.CharField(_("type"), max_length=50, choices=L2VPNType.choices)
    status = models.CharField(_("status"), max_length=50, choices=L2VPNStatus.choices, default=L2VPNStatus.ACTIVE)
    identifier = models.BigIntegerField(_("identifier"), blank=True, null=True)
    import_targets = models.ManyToManyField(
        "addressing.RouteTarget", related_name="importing_l2vpns", blank=True, verbose_name=_("import targets")
    )
    export_targets = models.ManyToManyField(
        "addressing.RouteTarget", related_name="exporting_l2vpns", blank=True, verbose_name=_("export targets")
    )
    tenant = models.ForeignKey(
        Tenant, on_delete=models.PROTECT, related_name="l2vpns", blank=True, null=True, verbose_name=_("tenant")
    )

    class Meta:
        ordering = ["name", "identifier"]
        verbose_name = _("L2VPN")
        verbose_name_plural = _("L2VPNs")

    def __str__(self):
        return f"{self.name} ({self.identifier})" if self.identifier is not None else self.name

    def clean(self):
        super().clean()
        if self.pk is not None and self.type in L2VPN_POINT_TO_POINT:
            count = L2VPNTermination._base_manager.filter(l2vpn_id=self.pk).count()
            if count > 2:
                raise ValidationError(
                    {"type": _("Cannot change the type to {type}: the L2VPN has {count} terminations.").format(
                        type=self.get_type_display(), count=count
                    )}
                )  # fmt: skip


class L2VPNTermination(ChangeLoggedModel):
    """A VLAN, interface or VM interface taking part in an L2VPN (each in one L2VPN at most)."""

    l2vpn = models.ForeignKey(L2VPN, on_delete=models.CASCADE, related_name="terminations", verbose_name=_("L2VPN"))
    assigned_object_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("assigned object type")
    )
    assigned_object_id = models.PositiveBigIntegerField(_("assigned object ID"))
    assigned_object = GenericForeignKey("assigned_object_type", "assigned_object_id")

    objects = LinkedManager(linked=("assigned_object",))  # type: ignore[misc]  # django-stubs: the base's manager

    class Meta:
        ordering = ["l2vpn", "pk"]
        verbose_name = _("L2VPN termination")
        verbose_name_plural = _("L2VPN terminations")
        constraints = [
            models.UniqueConstraint(
                fields=["assigned_object_type", "assigned_object_id"],
                name="addressing_l2vpntermination_unique_assigned_object",
                violation_error_message=_("An object may be terminated to only one L2VPN at a time."),
            )
        ]

    def __str__(self):
        if self.assigned_object_id and "assigned_object" in self._state.fields_cache:
            return f"{self.assigned_object} <> {self.l2vpn}"
        return f"{self.l2vpn}: termination {self.pk}"

    def clean(self):
        super().clean()
        _check_linked(self, "assigned_object_type", "assigned_object_id", L2VPN_ASSIGNMENT_TYPES)
        if self.l2vpn_id is None:
            return
        l2vpn = self.l2vpn
        if l2vpn.type in L2VPN_POINT_TO_POINT:
            others = L2VPNTermination._base_manager.filter(l2vpn_id=l2vpn.pk).exclude(pk=self.pk).count()
            if others >= 2:
                raise ValidationError(
                    _("{type} L2VPNs cannot have more than two terminations; found {count} already defined.").format(
                        type=l2vpn.get_type_display(), count=others
                    )
                )
