"""VLAN groups (where VLAN IDs and names are unique, with the IDs they may use), VLANs (Q-in-Q included)
and VLAN translation policies and rules."""

import itertools

from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.backends.postgresql.psycopg_any import NumericRange
from django.utils.translation import gettext_lazy as _

from addressing.choices import VLANQinQRole, VLANStatus
from addressing.fields import VIDRangesField
from addressing.models.ip import Role
from addressing.models.scopes import ScopeMixin
from addressing.querysets import VLANGroupManager
from core.models import OrganizationalModel, PrimaryModel
from core.models.base import ChangeLoggedModel
from inventory.models import Site, Tenant

VID_MIN = 1
VID_MAX = 4094


def inclusive(vid_range: NumericRange) -> tuple[int, int]:
    """A range as its first and last VLAN ID, whatever bounds it was written with."""
    lower = vid_range.lower if vid_range.lower_inc else vid_range.lower + 1
    upper = vid_range.upper if vid_range.upper_inc else vid_range.upper - 1
    return lower, upper


def ranges_text(vid_ranges) -> str:
    """NetBox's form: "1-99, 200, 300-4094"."""
    parts = []
    for vid_range in vid_ranges:
        lower, upper = inclusive(vid_range)
        parts.append(str(lower) if lower == upper else f"{lower}-{upper}")
    return ", ".join(parts)


vid_validators = [MinValueValidator(VID_MIN), MaxValueValidator(VID_MAX)]


class VLANGroup(ScopeMixin, OrganizationalModel):
    """VLANs within a group have unique IDs and names; the group says which IDs they may take."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100)
    # Empty: every VLAN ID (1-4094), as NetBox's default.
    vid_ranges = VIDRangesField(verbose_name=_("VLAN ID ranges"), blank=True, default=list)
    total_vlan_ids = models.PositiveBigIntegerField(_("total VLAN IDs"), default=VID_MAX - VID_MIN + 1, editable=False)
    tenant = models.ForeignKey(
        Tenant, on_delete=models.PROTECT, related_name="vlan_groups", blank=True, null=True, verbose_name=_("tenant")
    )

    objects = VLANGroupManager(linked=("scope",))  # type: ignore[misc]  # django-stubs: the base's manager

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("VLAN group")
        verbose_name_plural = _("VLAN groups")
        indexes = [models.Index(fields=["scope_type", "scope_id"], name="addressing_vlangroup_scope")]
        constraints = [
            models.UniqueConstraint(
                fields=["scope_type", "scope_id", "name"],
                name="addressing_vlangroup_unique_scope_name",
                nulls_distinct=False,
                violation_error_message=_("A VLAN group with this name already exists in this scope."),
            ),
            models.UniqueConstraint(
                fields=["scope_type", "scope_id", "slug"],
                name="addressing_vlangroup_unique_scope_slug",
                nulls_distinct=False,
                violation_error_message=_("A VLAN group with this slug already exists in this scope."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def ranges(self) -> list[NumericRange]:
        """The ranges of VLAN IDs the group's VLANs may take (none given: every VLAN ID)."""
        return list(self.vid_ranges or []) or [NumericRange(VID_MIN, VID_MAX + 1)]

    @property
    def vid_ranges_text(self) -> str:
        return ranges_text(self.ranges)

    def contains_vid(self, vid: int) -> bool:
        return any(lower <= vid <= upper for lower, upper in map(inclusive, self.ranges))

    def clean(self):
        super().clean()
        self.clean_scope()
        bounds = []
        for vid_range in self.ranges:
            lower, upper = inclusive(vid_range)
            if lower < VID_MIN:
                raise ValidationError(
                    {"vid_ranges": _("Starting VLAN ID in range ({value}) cannot be less than {minimum}").format(
                        value=lower, minimum=VID_MIN
                    )}
                )  # fmt: skip
            if upper > VID_MAX:
                raise ValidationError(
                    {"vid_ranges": _("Ending VLAN ID in range ({value}) cannot exceed {maximum}").format(
                        value=upper, maximum=VID_MAX
                    )}
                )  # fmt: skip
            if lower > upper:
                raise ValidationError(
                    {"vid_ranges": _(
                        "Ending VLAN ID in range must be greater than or equal to the starting VLAN ID ({range})"
                    ).format(range=f"{lower}-{upper}")}
                )  # fmt: skip
            bounds.append((lower, upper))
        bounds.sort()
        if any(following[0] <= previous[1] for previous, following in itertools.pairwise(bounds)):
            raise ValidationError({"vid_ranges": _("Ranges cannot overlap.")})
        # Stored as PostgreSQL does ('[)' bounds), so what is read back is what was written.
        self.vid_ranges = [NumericRange(lower, upper + 1) for lower, upper in bounds]
        self.total_vlan_ids = sum(upper - lower + 1 for lower, upper in bounds)

    def free_vids(self, taken) -> list[int]:
        """The VLAN IDs of the group's ranges that `taken` (a set of IDs) does not hold, in order."""
        free: list[int] = []
        for lower, upper in sorted(map(inclusive, self.ranges)):
            free.extend(vid for vid in range(lower, upper + 1) if vid not in taken)
        return free


class VLAN(PrimaryModel):
    """A layer-two domain with a 12-bit ID, at a site or in a group (or neither: global)."""

    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        related_name="vlans",
        blank=True,
        null=True,
        verbose_name=_("site"),
        help_text=_("The specific site to which this VLAN is assigned (if any)"),
    )
    group = models.ForeignKey(
        VLANGroup,
        on_delete=models.PROTECT,
        related_name="vlans",
        blank=True,
        null=True,
        verbose_name=_("group"),
        help_text=_("VLAN group (optional)"),
    )
    vid = models.PositiveSmallIntegerField(
        _("VLAN ID"), validators=vid_validators, help_text=_("Numeric VLAN ID (1-4094)")
    )
    name = models.CharField(_("name"), max_length=64)
    tenant = models.ForeignKey(
        Tenant, on_delete=models.PROTECT, related_name="vlans", blank=True, null=True, verbose_name=_("tenant")
    )
    status = models.CharField(
        _("status"),
        max_length=50,
        choices=VLANStatus.choices,
        default=VLANStatus.ACTIVE,
        help_text=_("Operational status of this VLAN"),
    )
    role = models.ForeignKey(
        Role,
        on_delete=models.SET_NULL,
        related_name="vlans",
        blank=True,
        null=True,
        verbose_name=_("role"),
        help_text=_("The primary function of this VLAN"),
    )
    qinq_svlan = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="qinq_cvlans",
        blank=True,
        null=True,
        verbose_name=_("Q-in-Q SVLAN"),
    )
    # NULL when unset, as NetBox stores it.
    qinq_role = models.CharField(  # noqa: DJ001
        _("Q-in-Q role"),
        max_length=50,
        choices=VLANQinQRole.choices,
        blank=True,
        null=True,
        help_text=_("Customer/service VLAN designation (for Q-in-Q/IEEE 802.1ad)"),
    )
    # Its L2VPN termination (one at most), deleted with it.
    l2vpn_terminations = GenericRelation(
        "addressing.L2VPNTermination",
        content_type_field="assigned_object_type",
        object_id_field="assigned_object_id",
        related_query_name="vlan",
    )

    class Meta:
        ordering = ["site", "group", "vid", "pk"]
        verbose_name = _("VLAN")
        verbose_name_plural = _("VLANs")
        constraints = [
            models.UniqueConstraint(fields=["group", "vid"], name="addressing_vlan_unique_group_vid"),
            models.UniqueConstraint(fields=["group", "name"], name="addressing_vlan_unique_group_name"),
            models.UniqueConstraint(fields=["qinq_svlan", "vid"], name="addressing_vlan_unique_qinq_svlan_vid"),
            models.UniqueConstraint(fields=["qinq_svlan", "name"], name="addressing_vlan_unique_qinq_svlan_name"),
        ]

    def __str__(self):
        return f"{self.name} ({self.vid})"

    def clean(self):
        super().clean()
        group = self.group if self.group_id else None
        if group is not None and self.site is not None and group.scope_type is not None:
            scope_model = group.scope_type.model_class()
            if scope_model is Site and group.scope_id != self.site_id:
                raise ValidationError(
                    _("VLAN is assigned to group {group} (scope: {scope}); cannot also assign to site {site}.").format(
                        group=group, scope=group.scope, site=self.site
                    )
                )
            if scope_model is not None and scope_model._meta.model_name == "sitegroup":
                site_groups = group.scope.get_descendants(include_self=True) if group.scope else []
                if self.site.group_id not in {node.pk for node in site_groups}:
                    raise ValidationError(
                        _(
                            "The assigned site {site} is not a member of the assigned group {group} (scope: {scope})."
                        ).format(group=group, scope=group.scope, site=self.site)
                    )
        if group is not None and self.vid is not None and not group.contains_vid(self.vid):
            raise ValidationError(
                {"vid": _("VID must be in ranges {ranges} for VLANs in group {group}").format(
                    ranges=group.vid_ranges_text, group=group
                )}
            )  # fmt: skip
        if self.qinq_svlan_id and self.qinq_role != VLANQinQRole.CUSTOMER:
            raise ValidationError({"qinq_svlan": _("Only Q-in-Q customer VLANs maybe assigned to a service VLAN.")})
        if self.qinq_role == VLANQinQRole.CUSTOMER and not self.qinq_svlan_id:
            raise ValidationError({"qinq_role": _("A Q-in-Q customer VLAN must be assigned to a service VLAN.")})


class VLANTranslationPolicy(PrimaryModel):
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("VLAN translation policy")
        verbose_name_plural = _("VLAN translation policies")

    def __str__(self):
        return self.name


class VLANTranslationRule(ChangeLoggedModel):
    policy = models.ForeignKey(
        VLANTranslationPolicy, on_delete=models.CASCADE, related_name="rules", verbose_name=_("policy")
    )
    local_vid = models.PositiveSmallIntegerField(
        _("local VLAN ID"), validators=vid_validators, help_text=_("Numeric VLAN ID (1-4094)")
    )
    remote_vid = models.PositiveSmallIntegerField(
        _("remote VLAN ID"), validators=vid_validators, help_text=_("Numeric VLAN ID (1-4094)")
    )
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        ordering = ["policy", "local_vid"]
        verbose_name = _("VLAN translation rule")
        verbose_name_plural = _("VLAN translation rules")
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "local_vid"], name="addressing_vlantranslationrule_unique_policy_local_vid"
            ),
            models.UniqueConstraint(
                fields=["policy", "remote_vid"], name="addressing_vlantranslationrule_unique_policy_remote_vid"
            ),
        ]

    def __str__(self):
        return f"{self.local_vid} -> {self.remote_vid} ({self.policy})"
