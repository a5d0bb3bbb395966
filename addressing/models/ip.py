"""NetBox's IP space: RIRs, aggregates, roles, prefixes, IP ranges and IP addresses.

Rules that read other rows (unique prefixes and addresses in a VRF, overlapping ranges, a prefix's
depth and children) are set-based statements the models' services run on a whole batch
(addressing.services), under the VRF's lock; the checks of one object are in `clean()`.
"""

import netaddr
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.indexes import GistIndex
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from addressing.choices import IPAddressRole, IPAddressStatus, IPRangeStatus, PrefixStatus
from addressing.fields import IPAddressField, IPNetworkField, host
from addressing.models.scopes import ScopeMixin
from addressing.models.vrfs import VRF
from addressing.querysets import IPAddressManager, IPRangeManager, PrefixManager, first_free, in_vrf
from core.models import OrganizationalModel, PrimaryModel
from inventory.models import Tenant

# IP ranges NetBox accepts at most (one address short of an IPv4 /0).
IP_RANGE_MAX_SIZE = 2**32 - 1

dns_validator = RegexValidator(
    regex=r"^([0-9A-Za-z_-]+|\*)(\.[0-9A-Za-z_-]+)*\.?$",
    message=_("Only alphanumeric characters, asterisks, hyphens, periods, and underscores are allowed in DNS names"),
    code="invalid",
)


class RIR(OrganizationalModel):
    """A Regional Internet Registry (ARIN, RIPE…) or a standard (RFC 1918) that IP space comes from."""

    is_private = models.BooleanField(
        _("private"), default=False, help_text=_("IP space managed by this RIR is considered private")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("RIR")
        verbose_name_plural = _("RIRs")


class Aggregate(PrimaryModel):
    """The root of an IP space hierarchy: a block allocated by an RIR. Aggregates never overlap."""

    prefix = IPNetworkField(_("prefix"), help_text=_("IPv4 or IPv6 network"))
    rir = models.ForeignKey(
        RIR,
        on_delete=models.PROTECT,
        related_name="aggregates",
        verbose_name=_("RIR"),
        help_text=_("Regional Internet Registry responsible for this IP space"),
    )
    tenant = models.ForeignKey(
        Tenant, on_delete=models.PROTECT, related_name="aggregates", blank=True, null=True, verbose_name=_("tenant")
    )
    date_added = models.DateField(_("date added"), blank=True, null=True)

    class Meta:
        ordering = ["prefix", "pk"]
        verbose_name = _("aggregate")
        verbose_name_plural = _("aggregates")
        indexes = [GistIndex(fields=["prefix"], opclasses=["inet_ops"], name="addressing_aggregate_gist")]

    def __str__(self):
        return str(self.prefix)

    @property
    def family(self) -> int | None:
        return self.prefix.version if self.prefix is not None else None

    def clean(self):
        super().clean()
        if self.prefix is not None and self.prefix.prefixlen == 0:
            raise ValidationError({"prefix": _("Cannot create aggregate with /0 mask.")})

    def utilization(self) -> float:
        """The share of it the prefixes within it (of any VRF) cover, in percent."""
        within = Prefix.objects.filter(prefix__net_contained_or_equal=str(self.prefix))
        covered = netaddr.IPSet(within.order_by().values_list("prefix", flat=True)).size
        return min(covered / self.prefix.size * 100, 100.0)


class Role(OrganizationalModel):
    """What a prefix, range or VLAN is for ("Customer", "Infrastructure", "Management")."""

    weight = models.PositiveSmallIntegerField(_("weight"), default=1000)

    class Meta:
        ordering = ["weight", "name"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")


class Prefix(ScopeMixin, PrimaryModel):
    """A network in a VRF (or the global table). Its place in the hierarchy (`_depth`: how many prefixes
    contain it; `_children`: how many it contains) is kept by its services, for the whole VRF at once."""

    prefix = IPNetworkField(_("prefix"), help_text=_("IPv4 or IPv6 network with mask"))
    vrf = models.ForeignKey(
        VRF, on_delete=models.PROTECT, related_name="prefixes", blank=True, null=True, verbose_name=_("VRF")
    )
    tenant = models.ForeignKey(
        Tenant, on_delete=models.PROTECT, related_name="prefixes", blank=True, null=True, verbose_name=_("tenant")
    )
    vlan = models.ForeignKey(
        "addressing.VLAN",
        on_delete=models.PROTECT,
        related_name="prefixes",
        blank=True,
        null=True,
        verbose_name=_("VLAN"),
    )
    status = models.CharField(
        _("status"),
        max_length=50,
        choices=PrefixStatus.choices,
        default=PrefixStatus.ACTIVE,
        help_text=_("Operational status of this prefix"),
    )
    role = models.ForeignKey(
        Role,
        on_delete=models.SET_NULL,
        related_name="prefixes",
        blank=True,
        null=True,
        verbose_name=_("role"),
        help_text=_("The primary function of this prefix"),
    )
    is_pool = models.BooleanField(
        _("is a pool"), default=False, help_text=_("All IP addresses within this prefix are considered usable")
    )
    mark_utilized = models.BooleanField(_("mark utilized"), default=False, help_text=_("Treat as fully utilized"))
    _depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    _children = models.PositiveBigIntegerField(_("children"), default=0, editable=False)

    objects = PrefixManager()  # type: ignore[misc]  # django-stubs types the base's manager as a ClassVar

    class Meta:
        ordering = [F("vrf").asc(nulls_first=True), "prefix", "pk"]
        verbose_name = _("prefix")
        verbose_name_plural = _("prefixes")
        indexes = [
            GistIndex(fields=["prefix"], opclasses=["inet_ops"], name="addressing_prefix_gist"),
            models.Index(fields=["scope_type", "scope_id"], name="addressing_prefix_scope"),
        ]

    def __str__(self):
        return str(self.prefix)

    @property
    def family(self) -> int | None:
        return self.prefix.version if self.prefix is not None else None

    @property
    def mask_length(self) -> int | None:
        return self.prefix.prefixlen if self.prefix is not None else None

    @property
    def depth(self) -> int:
        return self._depth

    @property
    def children(self) -> int:
        return self._children

    def clean(self):
        super().clean()
        self.clean_scope()
        if self.prefix is not None and self.prefix.prefixlen == 0:
            raise ValidationError({"prefix": _("Cannot create prefix with /0 mask.")})

    # -- the space below it -------------------------------------------------------------------------

    @property
    def usable_bounds(self) -> tuple[netaddr.IPAddress, netaddr.IPAddress]:
        """The first and last addresses that can be handed out: a pool, an IPv4 /31 or /32 and an
        IPv6 /127 or /128 use every address; otherwise IPv4 keeps its network and broadcast
        addresses back, IPv6 its subnet-router anycast address (the first)."""
        network = self.prefix
        first, last = network.first, network.last
        point_to_point = network.prefixlen >= (31 if network.version == 4 else 127)
        if not (self.is_pool or point_to_point):
            first += 1
            if network.version == 4:
                last -= 1
        return netaddr.IPAddress(first, network.version), netaddr.IPAddress(last, network.version)

    def child_prefixes(self):
        """The prefixes below this one: in its VRF, or in every VRF for a container of the global table."""
        below = Prefix.objects.filter(prefix__net_contained=str(self.prefix))
        if self.vrf_id is None and self.status == PrefixStatus.CONTAINER:
            return below
        return below.filter(in_vrf(self.vrf_id))

    def child_ranges(self):
        return IPRange.objects.filter(in_vrf(self.vrf_id)).within(self.prefix)

    def child_ips(self):
        """The addresses within it: in its VRF, or in every VRF for a container of the global table."""
        within = IPAddress.objects.filter(address__net_contained_or_equal=str(self.prefix))
        if self.vrf_id is None and self.status == PrefixStatus.CONTAINER:
            return within
        return within.filter(in_vrf(self.vrf_id))

    def first_free(self, count: int) -> list[netaddr.IPAddress]:
        """Its first `count` usable addresses no address takes and no populated range of its VRF holds (one
        reaching beyond it included: an address there could not be created), in order; one query, however large
        the prefix (a /64 is never listed whole)."""
        first, last = self.usable_bounds
        populated = IPRange.objects.filter(in_vrf(self.vrf_id), mark_populated=True).overlapping(first, last)
        return first_free(self.child_ips(), populated, first, last, count)

    def utilization(self) -> float:
        """NetBox's utilization, in percent: of a container, the share its child prefixes cover; of any other
        prefix, its addresses (and mark-utilized ranges) over its usable size; 100 when marked utilized."""
        if self.mark_utilized:
            return 100.0
        network = self.prefix
        if self.status == PrefixStatus.CONTAINER:
            children = Prefix.objects.filter(in_vrf(self.vrf_id), prefix__net_contained=str(network))
            covered = netaddr.IPSet(children.order_by().values_list("prefix", flat=True)).size
            return min(covered / network.size * 100, 100.0)
        held_back = network.version == 4 and network.prefixlen < 31 and not self.is_pool  # network, broadcast
        size = network.size - 2 if held_back else network.size
        utilized = self.child_ranges().filter(mark_utilized=True).spans()
        addresses = self.child_ips()
        for first, last in utilized:
            addresses = addresses.exclude(
                address__host__gte=str(netaddr.IPAddress(first, network.version)),
                address__host__lte=str(netaddr.IPAddress(last, network.version)),
            )
        used = sum(last - first + 1 for first, last in utilized) + addresses.host_count()
        return min(used / size * 100, 100.0) if size > 0 else 100.0


class IPRange(PrimaryModel):
    """Addresses from `start_address` to `end_address` (both with the same mask), in a VRF. Ranges of one
    VRF never overlap. `mark_populated`: no address of its own may be created in it."""

    start_address = IPAddressField(_("start address"), help_text=_("IPv4 or IPv6 address (with mask)"))
    end_address = IPAddressField(_("end address"), help_text=_("IPv4 or IPv6 address (with mask)"))
    size = models.PositiveBigIntegerField(_("size"), default=0, editable=False)
    vrf = models.ForeignKey(
        VRF, on_delete=models.PROTECT, related_name="ip_ranges", blank=True, null=True, verbose_name=_("VRF")
    )
    tenant = models.ForeignKey(
        Tenant, on_delete=models.PROTECT, related_name="ip_ranges", blank=True, null=True, verbose_name=_("tenant")
    )
    status = models.CharField(
        _("status"),
        max_length=50,
        choices=IPRangeStatus.choices,
        default=IPRangeStatus.ACTIVE,
        help_text=_("Operational status of this range"),
    )
    role = models.ForeignKey(
        Role,
        on_delete=models.SET_NULL,
        related_name="ip_ranges",
        blank=True,
        null=True,
        verbose_name=_("role"),
        help_text=_("The primary function of this range"),
    )
    mark_populated = models.BooleanField(
        _("mark populated"), default=False, help_text=_("Prevent the creation of IP addresses within this range")
    )
    mark_utilized = models.BooleanField(
        _("mark utilized"), default=False, help_text=_("Report space as fully utilized")
    )

    objects = IPRangeManager()  # type: ignore[misc]  # django-stubs types the base's manager as a ClassVar

    class Meta:
        ordering = [F("vrf").asc(nulls_first=True), "start_address", "pk"]
        verbose_name = _("IP range")
        verbose_name_plural = _("IP ranges")

    def __str__(self):
        return self.name

    @property
    def family(self) -> int | None:
        return self.start_address.version if self.start_address is not None else None

    @property
    def mask_length(self) -> int | None:
        return self.start_address.prefixlen if self.start_address is not None else None

    @property
    def name(self) -> str:
        """NetBox's short form: the common leading part once ("10.0.0.10-20/24")."""
        start, end = self.start_address, self.end_address
        if start is None or end is None:
            return ""
        if start.ip == end.ip:
            return f"{start.ip}-{end.ip}/{start.prefixlen}"
        separator = ":" if start.version == 6 else "."
        first, last = str(start.ip).split(separator), str(end.ip).split(separator)
        common = 0
        for a, b in zip(first, last, strict=False):
            if a != b:
                break
            common += 1
        base = separator.join(first[:common])
        head = f"{base}{separator}" if base else ""
        return f"{head}{separator.join(first[common:])}-{separator.join(last[common:])}/{start.prefixlen}"

    @property
    def first_ip(self) -> netaddr.IPAddress:
        return self.start_address.ip

    @property
    def last_ip(self) -> netaddr.IPAddress:
        return self.end_address.ip

    @property
    def usable_bounds(self) -> tuple[netaddr.IPAddress, netaddr.IPAddress]:
        """The first and last addresses that can be handed out (as a prefix's): all of it."""
        return self.first_ip, self.last_ip

    def clean(self):
        super().clean()
        start, end = self.start_address, self.end_address
        if start is None or end is None:
            return
        if start.version != end.version:
            raise ValidationError({"end_address": _("Starting and ending IP address versions must match")})
        if start.prefixlen != end.prefixlen:
            raise ValidationError({"end_address": _("Starting and ending IP address masks must match")})
        if end.ip < start.ip:
            raise ValidationError(
                {"end_address": _(
                    "Ending address must be greater than or equal to the starting address ({start_address})"
                ).format(start_address=start)}
            )  # fmt: skip
        size = int(end.ip) - int(start.ip) + 1
        if size > IP_RANGE_MAX_SIZE:
            raise ValidationError(
                _("Defined range exceeds maximum supported size ({max_size})").format(max_size=IP_RANGE_MAX_SIZE)
            )
        self.size = size

    def child_ips(self):
        return IPAddress.objects.filter(in_vrf(self.vrf_id)).host_between(self.first_ip, self.last_ip)

    def first_free(self, count: int) -> list[netaddr.IPAddress]:
        """Its first `count` addresses no address takes, in order (one query); none when it is marked populated."""
        if self.mark_populated:
            return []
        return first_free(self.child_ips(), None, self.first_ip, self.last_ip, count)

    def utilization(self) -> float:
        if self.mark_utilized:
            return 100.0
        return min(self.child_ips().host_count() / self.size * 100, 100.0) if self.size else 0.0


class IPAddress(PrimaryModel):
    """An address with the mask of its network, in a VRF (or the global table), perhaps assigned to an
    interface (or an FHRP group), perhaps the outside address of another (NAT)."""

    address = IPAddressField(_("address"), help_text=_("IPv4 or IPv6 address (with mask)"))
    vrf = models.ForeignKey(
        VRF, on_delete=models.PROTECT, related_name="ip_addresses", blank=True, null=True, verbose_name=_("VRF")
    )
    tenant = models.ForeignKey(
        Tenant, on_delete=models.PROTECT, related_name="ip_addresses", blank=True, null=True, verbose_name=_("tenant")
    )
    status = models.CharField(
        _("status"),
        max_length=50,
        choices=IPAddressStatus.choices,
        default=IPAddressStatus.ACTIVE,
        help_text=_("The operational status of this IP"),
    )
    # NULL when unset, as NetBox stores it.
    role = models.CharField(  # noqa: DJ001
        _("role"),
        max_length=50,
        choices=IPAddressRole.choices,
        blank=True,
        null=True,
        help_text=_("The functional role of this IP"),
    )
    assigned_object_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        related_name="+",
        blank=True,
        null=True,
        verbose_name=_("assigned object type"),
    )
    assigned_object_id = models.PositiveBigIntegerField(_("assigned object ID"), blank=True, null=True)
    assigned_object = GenericForeignKey("assigned_object_type", "assigned_object_id")
    nat_inside = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        related_name="nat_outside",
        blank=True,
        null=True,
        verbose_name=_("NAT (inside)"),
        help_text=_('The IP for which this address is the "outside" IP'),
    )
    dns_name = models.CharField(
        _("DNS name"),
        max_length=255,
        blank=True,
        validators=[dns_validator],
        help_text=_("Hostname or FQDN (not case-sensitive)"),
    )

    objects = IPAddressManager()  # type: ignore[misc]  # django-stubs types the base's manager as a ClassVar

    class Meta:
        ordering = [host("address"), "pk"]
        verbose_name = _("IP address")
        verbose_name_plural = _("IP addresses")
        indexes = [
            # Lists are ordered by host address, and allocation reads the hosts of a span in order.
            models.Index(host("address"), F("id"), name="addressing_ipaddress_host"),
            GistIndex(fields=["address"], opclasses=["inet_ops"], name="addressing_ipaddress_gist"),
            models.Index(fields=["assigned_object_type", "assigned_object_id"], name="addressing_ipaddress_assigned"),
        ]

    def __str__(self):
        return str(self.address)

    @property
    def family(self) -> int | None:
        return self.address.version if self.address is not None else None

    @property
    def mask_length(self) -> int | None:
        return self.address.prefixlen if self.address is not None else None

    def clean(self):
        super().clean()
        if self.dns_name:
            self.dns_name = self.dns_name.lower()
        address = self.address
        if address is not None:
            if address.prefixlen == 0:
                raise ValidationError({"address": _("Cannot create IP address with /0 mask.")})
            if self.assigned_object_id is not None:
                self.check_assignable(address)
            # A new address inside a range marked populated is refused by its service, for a whole batch
            # in one statement (addressing.services).
        if self.status == IPAddressStatus.SLAAC and self.family != 6:
            raise ValidationError({"status": _("Only IPv6 addresses can be assigned SLAAC status")})
        if (self.assigned_object_type_id is None) != (self.assigned_object_id is None):
            raise ValidationError(
                {"assigned_object_type": _("Set both the assigned object's type and its ID, or neither.")}
            )
        if self.assigned_object_type_id is not None and self.assigned_object is None:
            raise ValidationError(
                {"assigned_object_id": _("Related object not found using the provided numeric ID: {id}").format(
                    id=self.assigned_object_id
                )}
            )  # fmt: skip

    @staticmethod
    def check_assignable(address: netaddr.IPNetwork) -> None:
        """An interface takes neither a network ID nor (IPv4) a broadcast address, except on point-to-point
        masks (/31, /32, /127, /128)."""
        point_to_point = address.prefixlen in ((31, 32) if address.version == 4 else (127, 128))
        if point_to_point:
            return
        if address.ip == address.network:
            raise ValidationError(
                _("{ip} is a network ID, which may not be assigned to an interface.").format(ip=address.ip)
            )
        if address.version == 4 and address.ip == address.broadcast:
            raise ValidationError(
                _("{ip} is a broadcast address, which may not be assigned to an interface.").format(ip=address.ip)
            )
