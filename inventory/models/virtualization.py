"""NetBox's virtualization: cluster types and groups, clusters (scoped to a region, site group, site or
location, as in NetBox 4.2+), virtual machine types, virtual machines, their interfaces and their virtual disks.

A cluster keeps the region, site group, site and location its scope lies in (NetBox's cached scope) so that
filters by place read one column; `clean()` refreshes them from the scope on every write. A virtual
machine's disk is the sum of its virtual disks when it has any: the virtual disk services keep it.
VLANs, VRFs and IP addresses are IPAM's, named here by label (DCIM never imports IPAM).
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from core.models import ChangeLoggedModel, OrganizationalModel, PrimaryModel
from core.models.base import OwnerMixin
from inventory.choices import ClusterStatus, VirtualMachineStartOnBoot, VirtualMachineStatus
from inventory.models.devices import DeviceRole, Platform
from inventory.models.hardware import Device, PrimaryIPMixin, ServicesMixin, ip_slot, slot_indexes
from inventory.models.interfaces import NATURAL_NAME_LENGTH, InterfaceAddressing, natural_interface_name
from inventory.models.mixins import LoadedValuesMixin
from inventory.models.scopes import LOCATION_SCOPE_TYPES, CachedScopeMixin
from inventory.models.sites import Site
from inventory.models.tenancy import ContactsMixin, Tenant

# NetBox's CLUSTER_SCOPE_TYPES: what a cluster may be scoped to.
CLUSTER_SCOPE_TYPES = LOCATION_SCOPE_TYPES


class ClusterType(OrganizationalModel):
    class Meta:
        ordering = ["name"]
        verbose_name = _("cluster type")
        verbose_name_plural = _("cluster types")


class ClusterGroup(ContactsMixin, OrganizationalModel):
    class Meta:
        ordering = ["name"]
        verbose_name = _("cluster group")
        verbose_name_plural = _("cluster groups")


class Cluster(CachedScopeMixin, ContactsMixin, PrimaryModel):
    """Hosts (devices) that run virtual machines together, of a type, perhaps in a group, scoped to a place."""

    name = models.CharField(_("name"), max_length=100)
    type = models.ForeignKey(ClusterType, on_delete=models.PROTECT, related_name="clusters", verbose_name=_("type"))
    group = models.ForeignKey(
        ClusterGroup,
        on_delete=models.PROTECT,
        related_name="clusters",
        blank=True,
        null=True,
        db_index=False,  # the (group, name) constraint's index serves it
        verbose_name=_("group"),
    )
    status = models.CharField(_("status"), max_length=50, choices=ClusterStatus.choices, default=ClusterStatus.ACTIVE)
    tenant = models.ForeignKey(
        Tenant, on_delete=models.PROTECT, related_name="clusters", blank=True, null=True, verbose_name=_("tenant")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")
        indexes = [models.Index(fields=["scope_type", "scope_id"], name="inventory_cluster_scope")]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "name"],
                name="inventory_cluster_unique_group_name",
                violation_error_message=_("Cluster with this Group and Name already exists."),
            ),
            models.UniqueConstraint(
                fields=["_site", "name"],
                name="inventory_cluster_unique__site_name",
                violation_error_message=_("Cluster with this Site and Name already exists."),
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()  # the scope, and the places it lies in
        if self.pk is None:
            return
        hosts = Device._base_manager.filter(cluster_id=self.pk)
        if self._location_id is not None:
            stray = hosts.exclude(location_id=self._location_id).count()
            if stray:
                raise ValidationError(
                    {"scope": _(
                        "{count} devices are assigned as hosts for this cluster but are not in location {location}."
                    ).format(count=stray, location=self._location)}
                )  # fmt: skip
        elif self._site_id is not None:
            stray = hosts.exclude(site_id=self._site_id).count()
            if stray:
                raise ValidationError(
                    {"scope": _(
                        "{count} devices are assigned as hosts for this cluster but are not in site {site}."
                    ).format(count=stray, site=self._site)}
                )  # fmt: skip


VCPUS_VALIDATORS = [MinValueValidator(0.01), MaxValueValidator(10000)]


class VirtualMachineType(OrganizationalModel):
    """A kind of virtual machine (NetBox 4.7): the platform, vCPUs and memory a new machine of the type takes when
    it is given none (the virtual machine services apply them)."""

    default_platform = models.ForeignKey(
        Platform,
        on_delete=models.SET_NULL,
        related_name="+",
        blank=True,
        null=True,
        db_index=False,  # few rows: a platform's deletion scans them
        verbose_name=_("default platform"),
    )
    default_vcpus = models.DecimalField(
        _("default vCPUs"), max_digits=6, decimal_places=2, blank=True, null=True, validators=VCPUS_VALIDATORS
    )
    default_memory = models.PositiveIntegerField(_("default memory (MB)"), blank=True, null=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("virtual machine type")
        verbose_name_plural = _("virtual machine types")


class VirtualMachine(PrimaryIPMixin, ServicesMixin, ContactsMixin, PrimaryModel):
    """A virtual machine, in a cluster (perhaps on one of its hosts) and/or at a site."""

    virtual_machine_type = models.ForeignKey(
        VirtualMachineType,
        on_delete=models.PROTECT,
        related_name="virtual_machines",
        blank=True,
        null=True,
        db_index=False,  # inventory_vm_type, built concurrently (0016)
        verbose_name=_("type"),
    )
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="virtual_machines", blank=True, null=True, verbose_name=_("site")
    )
    cluster = models.ForeignKey(
        Cluster,
        on_delete=models.PROTECT,
        related_name="virtual_machines",
        blank=True,
        null=True,
        db_index=False,  # the (name, cluster, tenant) constraint's index does not lead with it: see Meta
        verbose_name=_("cluster"),
    )
    device = models.ForeignKey(
        Device,
        on_delete=models.SET_NULL,
        related_name="virtual_machines",
        blank=True,
        null=True,
        verbose_name=_("device"),
    )
    tenant = models.ForeignKey(
        Tenant,
        on_delete=models.PROTECT,
        related_name="virtual_machines",
        blank=True,
        null=True,
        verbose_name=_("tenant"),
    )
    platform = models.ForeignKey(
        Platform,
        on_delete=models.SET_NULL,
        related_name="virtual_machines",
        blank=True,
        null=True,
        verbose_name=_("platform"),
    )
    name = models.CharField(_("name"), max_length=64)
    status = models.CharField(
        _("status"), max_length=50, choices=VirtualMachineStatus.choices, default=VirtualMachineStatus.ACTIVE
    )
    start_on_boot = models.CharField(
        _("start on boot"),
        max_length=32,
        choices=VirtualMachineStartOnBoot.choices,
        default=VirtualMachineStartOnBoot.OFF,
    )
    role = models.ForeignKey(
        DeviceRole,
        on_delete=models.PROTECT,
        related_name="virtual_machines",
        blank=True,
        null=True,
        limit_choices_to={"vm_role": True},
        verbose_name=_("role"),
    )
    # IPAM's addresses, named by label: DCIM never imports IPAM.
    primary_ip4 = ip_slot(_("primary IPv4"))
    primary_ip6 = ip_slot(_("primary IPv6"))
    vcpus = models.DecimalField(
        _("vCPUs"),
        max_digits=6,
        decimal_places=2,
        blank=True,
        null=True,
        validators=VCPUS_VALIDATORS,
    )
    memory = models.PositiveIntegerField(_("memory (MB)"), blank=True, null=True)
    disk = models.PositiveIntegerField(_("disk (MB)"), blank=True, null=True)
    serial = models.CharField(_("serial number"), max_length=50, blank=True)
    local_context_data = models.JSONField(
        _("local config context data"),
        blank=True,
        null=True,
        help_text=_("Local config context data takes precedence over source contexts in the final rendered config "
                    "context"),
    )  # fmt: skip
    # Automation's config templates, by name only: DCIM never imports automation.
    config_template = models.ForeignKey(
        "automation.ConfigTemplate",
        on_delete=models.PROTECT,
        related_name="virtual_machines",
        blank=True,
        null=True,
        db_index=False,
        verbose_name=_("config template"),
    )

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("virtual machine")
        verbose_name_plural = _("virtual machines")
        indexes = [
            models.Index(fields=["cluster"], name="inventory_vm_cluster"),
            models.Index(fields=["virtual_machine_type"], name="inventory_vm_type"),
            *slot_indexes("inventory_vm", "primary_ip4", "primary_ip6"),
        ]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                "cluster",
                "tenant",
                name="inventory_virtualmachine_unique_name_cluster_tenant",
                violation_error_message=_("Virtual machine name must be unique per cluster and tenant."),
            ),
            models.UniqueConstraint(
                Lower("name"),
                "cluster",
                condition=Q(tenant__isnull=True),
                name="inventory_virtualmachine_unique_name_cluster",
                violation_error_message=_("Virtual machine name must be unique per cluster."),
            ),
        ]

    def __str__(self):
        return self.name or f"Virtual machine {self.pk}"

    def clean(self):
        super().clean()
        if self.site_id is None and self.cluster_id is None:
            raise ValidationError({"cluster": _("A virtual machine must be assigned to a site and/or cluster.")})
        cluster = self.cluster if self.cluster_id is not None else None
        if cluster is not None and self.site_id is not None and cluster._site_id not in (None, self.site_id):
            raise ValidationError(
                {"cluster": _("The selected cluster ({cluster}) is not assigned to this site ({site}).").format(
                    cluster=cluster, site=self.site
                )}
            )  # fmt: skip
        if self.device_id is not None:
            if cluster is None:
                raise ValidationError({"device": _("Must specify a cluster when assigning a host device.")})
            if (
                Device._base_manager.filter(pk=self.device_id).values_list("cluster_id", flat=True).first()
                != cluster.pk
            ):
                raise ValidationError(
                    {"device": _("The selected device ({device}) is not assigned to this cluster ({cluster}).").format(
                        device=self.device, cluster=cluster
                    )}
                )  # fmt: skip
        self._check_disk()
        interfaces = VMInterface._base_manager.filter(virtual_machine_id=self.pk) if self.pk else None
        if interfaces is None:
            interfaces = VMInterface._base_manager.none()
        self._check_primary_ips(
            interfaces, message=_("The specified IP address ({ip}) is not assigned to this VM."), nat=True
        )

    def _check_disk(self) -> None:
        """NetBox's rule: with virtual disks, the disk is their total (taken when unset)."""
        if self.pk is None:
            return
        total = VirtualDisk._base_manager.filter(virtual_machine_id=self.pk).aggregate(total=Sum("size"))["total"]
        if not total:
            return
        if self.disk is None:
            self.disk = total
        elif self.disk != total:
            raise ValidationError(
                {"disk": _(
                    "The specified disk size ({size}) must match the aggregate size of assigned virtual disks "
                    "({total_size})."
                ).format(size=self.disk, total_size=total)}
            )  # fmt: skip


class VirtualMachineComponent(LoadedValuesMixin, OwnerMixin, ChangeLoggedModel):
    """A part of one virtual machine (an interface, a disk): its name, unique on the machine."""

    virtual_machine = models.ForeignKey(
        VirtualMachine,
        on_delete=models.CASCADE,
        related_name="%(class)ss",
        db_index=False,  # the (virtual_machine, name) constraint's index serves it
        verbose_name=_("virtual machine"),
    )
    name = models.CharField(_("name"), max_length=64)
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        abstract = True
        ordering = ["virtual_machine", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["virtual_machine", "name"], name="%(app_label)s_%(class)s_unique_virtual_machine_name"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        stored = self.loaded("virtual_machine_id")
        if self.pk is not None and stored is not None and stored != self.virtual_machine_id:
            raise ValidationError({"virtual_machine": _("Components cannot be moved to a different virtual machine.")})


class VMInterface(InterfaceAddressing, VirtualMachineComponent):
    """A virtual machine's network interface: its VLANs (by 802.1Q mode), VRF, MAC and IP addresses."""

    virtual_machine = models.ForeignKey(
        VirtualMachine,
        on_delete=models.CASCADE,
        related_name="interfaces",
        db_index=False,  # the (virtual_machine, name) constraint's index serves it
        verbose_name=_("virtual machine"),
    )
    # The name's sort key (natural_interface_name), kept by clean().
    _name = models.CharField(max_length=NATURAL_NAME_LENGTH, blank=True, editable=False)
    enabled = models.BooleanField(_("enabled"), default=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.RESTRICT,
        related_name="child_interfaces",
        blank=True,
        null=True,
        verbose_name=_("parent interface"),
    )
    bridge = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        related_name="bridge_interfaces",
        blank=True,
        null=True,
        verbose_name=_("bridge interface"),
    )

    class Meta(VirtualMachineComponent.Meta):
        ordering = ["virtual_machine", "_name", "pk"]
        verbose_name = _("VM interface")
        verbose_name_plural = _("VM interfaces")
        indexes = [
            models.Index(fields=[name], name=f"inventory_vmif_{short}")
            for name, short in (
                ("untagged_vlan", "untagged"), ("qinq_svlan", "svlan"), ("vlan_translation_policy", "vlan_policy"),
                ("vrf", "vrf"),
            )
        ]  # fmt: skip

    @property
    def parent_object(self):
        """What the interface belongs to (NetBox's parent_object): the VM whose primary addresses may be on it."""
        return self.virtual_machine

    def clean(self):
        self._name = natural_interface_name(self.name or "")
        super().clean()
        for field, noun in (("parent", _("parent interface")), ("bridge", _("bridge interface"))):
            other = getattr(self, field) if getattr(self, f"{field}_id") is not None else None
            if other is None:
                continue
            if self.pk is not None and other.pk == self.pk:
                raise ValidationError(
                    {field: _("An interface cannot be its own parent.")
                     if field == "parent" else _("An interface cannot be bridged to itself.")}
                )  # fmt: skip
            if other.virtual_machine_id != self.virtual_machine_id:
                raise ValidationError(
                    {field: _(
                        "The selected {noun} ({interface}) belongs to a different virtual machine ({virtual_machine})."
                    ).format(noun=noun, interface=other, virtual_machine=other.virtual_machine)}
                )  # fmt: skip
        vlan = self.untagged_vlan if self.untagged_vlan_id else None
        if vlan is not None and self.virtual_machine_id and vlan.site_id not in (self.virtual_machine.site_id, None):
            raise ValidationError(
                {"untagged_vlan": _(
                    "The untagged VLAN ({untagged_vlan}) must belong to the same site as the interface's parent "
                    "virtual machine, or it must be global."
                ).format(untagged_vlan=vlan)}
            )  # fmt: skip
        mac = self.primary_mac_address if self.primary_mac_address_id else None
        if mac is not None and (
            mac.assigned_object_id != self.pk
            or mac.assigned_object_type is None
            or mac.assigned_object_type.model_class() is not VMInterface
        ):
            raise ValidationError(
                {"primary_mac_address": _(
                    "Only a MAC address assigned to this interface can be its primary MAC address."
                )}
            )  # fmt: skip


class VirtualDisk(VirtualMachineComponent):
    """A disk of a virtual machine; the machine's disk is the total of its virtual disks."""

    size = models.PositiveIntegerField(_("size (MB)"))

    class Meta(VirtualMachineComponent.Meta):
        verbose_name = _("virtual disk")
        verbose_name_plural = _("virtual disks")
