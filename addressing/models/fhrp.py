"""First-hop redundancy groups (VRRP, HSRP…): their virtual addresses are assigned to the group, and the
group to interfaces."""

from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from addressing.choices import FHRPGroupAuthType, FHRPGroupProtocol
from addressing.querysets import LinkedManager
from core.models import PrimaryModel
from core.models.base import ChangeLoggedModel
from core.registry import registry
from core.representation import optimize


def _brief_addresses() -> Prefetch:
    """The group's addresses, as their brief form needs them (NAT partners included)."""
    from addressing.models.ip import IPAddress

    return Prefetch(
        "ip_addresses", queryset=optimize(IPAddress._base_manager.all(), registry.get(IPAddress), brief=True)
    )


class FHRPGroup(PrimaryModel):
    group_id = models.PositiveSmallIntegerField(_("group ID"))
    name = models.CharField(_("name"), max_length=100, blank=True)
    protocol = models.CharField(_("protocol"), max_length=50, choices=FHRPGroupProtocol.choices)
    # NULL when unset, as NetBox stores it.
    auth_type = models.CharField(  # noqa: DJ001
        _("authentication type"), max_length=50, choices=FHRPGroupAuthType.choices, blank=True, null=True
    )
    auth_key = models.CharField(_("authentication key"), max_length=255, blank=True)
    # Its virtual addresses and the services on it go with it, as in NetBox.
    ip_addresses = GenericRelation(
        "addressing.IPAddress",
        content_type_field="assigned_object_type",
        object_id_field="assigned_object_id",
        related_query_name="fhrpgroup",
    )
    services = GenericRelation(
        "addressing.Service", content_type_field="parent_object_type", object_id_field="parent_object_id"
    )

    objects = LinkedManager(_brief_addresses)  # type: ignore[misc]  # django-stubs: the base's manager

    class Meta:
        ordering = ["protocol", "group_id", "pk"]
        verbose_name = _("FHRP group")
        verbose_name_plural = _("FHRP groups")

    def __str__(self):
        name = f"{self.name} " if self.name else ""
        return f"{name}{self.get_protocol_display()}: {self.group_id}"


class FHRPGroupAssignment(ChangeLoggedModel):
    """An interface's membership of an FHRP group, with its priority."""

    interface_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", verbose_name=_("interface type")
    )
    interface_id = models.PositiveBigIntegerField(_("interface ID"))
    interface = GenericForeignKey("interface_type", "interface_id")
    group = models.ForeignKey(FHRPGroup, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("group"))
    priority = models.PositiveSmallIntegerField(
        _("priority"), validators=[MinValueValidator(0), MaxValueValidator(255)]
    )

    objects = LinkedManager(linked=("interface",))  # type: ignore[misc]  # django-stubs: the base's manager

    class Meta:
        ordering = ["-priority", "pk"]
        verbose_name = _("FHRP group assignment")
        verbose_name_plural = _("FHRP group assignments")
        indexes = [models.Index(fields=["interface_type", "interface_id"], name="addressing_fhrp_interface")]
        constraints = [
            models.UniqueConstraint(
                fields=["interface_type", "interface_id", "group"],
                name="addressing_fhrpgroupassignment_unique_interface_group",
            )
        ]

    def __str__(self):
        return f"{self.interface}: {self.group} ({self.priority})"

    def clean(self):
        super().clean()
        if self.interface_type_id is not None and self.interface_id is not None and self.interface is None:
            raise ValidationError(
                {"interface_id": _("Related object not found using the provided numeric ID: {id}").format(
                    id=self.interface_id
                )}
            )  # fmt: skip
