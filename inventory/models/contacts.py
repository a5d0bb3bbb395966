"""NetBox-style contacts: people or teams, in groups, assigned with a role to any object that takes contacts."""

from typing import ClassVar, TypeGuard

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import ChangeLoggedModel, NestedGroupModel, OrganizationalModel, PrimaryModel
from core.querysets import RestrictedQuerySet
from core.registry import object_type_label, registry
from inventory.choices import ContactPriority

# What contacts may be assigned to: the models NetBox gives its ContactsMixin, as far as we have them.
CONTACT_OBJECT_TYPES = frozenset(
    {
        "inventory.region",
        "inventory.sitegroup",
        "inventory.site",
        "inventory.location",
        "inventory.tenant",
        "inventory.manufacturer",
        "inventory.rack",
        "inventory.device",
        "inventory.clustergroup",
        "inventory.cluster",
        "inventory.virtualmachine",
        "circuits.provider",
        "circuits.provideraccount",
        "circuits.circuit",
        "addressing.tunnelgroup",
        "addressing.tunnel",
        "addressing.l2vpn",
    }
)


def takes_contacts(model: type[models.Model] | None) -> TypeGuard[type[models.Model]]:
    return model is not None and model._meta.label_lower in CONTACT_OBJECT_TYPES


def contact_models(app_label: str) -> list[type[models.Model]]:
    """The registered models of `app_label` that take contacts: for the layers of apps registered after
    inventory (circuits, VPN) to give them contacts' filters, GraphQL field and tab."""
    return [spec.model for spec in registry if spec.model._meta.app_label == app_label and takes_contacts(spec.model)]


class ContactGroup(NestedGroupModel):
    # NetBox keeps names unique among siblings (slugs are not); we also close the gap NULL parents leave.
    class Meta:
        ordering = ["name"]
        verbose_name = _("contact group")
        verbose_name_plural = _("contact groups")
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="inventory_contactgroup_unique_parent_name"),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(parent__isnull=True),
                name="inventory_contactgroup_unique_name",
                violation_error_message=_("A top-level contact group with this name already exists."),
            ),
        ]


class ContactRole(OrganizationalModel):
    class Meta:
        ordering = ["name"]
        verbose_name = _("contact role")
        verbose_name_plural = _("contact roles")


class Contact(PrimaryModel):
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    link = models.URLField(_("link"), blank=True)
    groups: "models.ManyToManyField[ContactGroup, ContactGroupMembership]" = models.ManyToManyField(
        ContactGroup,
        through="ContactGroupMembership",
        related_name="contacts",
        blank=True,
        verbose_name=_("groups"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self):
        return self.name


class ContactGroupMembership(models.Model):
    """Contact <-> group. Explicit only to skip the index on `contact`, which the unique pair already covers."""

    id = models.BigAutoField(primary_key=True)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+", db_index=False)
    group = models.ForeignKey(ContactGroup, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("contact group membership")
        verbose_name_plural = _("contact group memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "group"], name="inventory_contactgroupmembership_unique_contact_group"
            )
        ]

    def __str__(self):
        return f"{self.contact_id} in {self.group_id}"


class ContactAssignmentManager(models.Manager.from_queryset(RestrictedQuerySet)):  # type: ignore[misc]
    def get_queryset(self):
        # The assigned objects (REST `object`, `display`) load with one query per object type, not one per row.
        return super().get_queryset().prefetch_related("assigned_object")


class ContactAssignment(ChangeLoggedModel):
    # The unique constraint's index starts with (object_type, object_id): no separate index needed.
    object_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+", db_index=False, verbose_name=_("object type")
    )
    object_id = models.PositiveBigIntegerField(_("object ID"))
    assigned_object = GenericForeignKey("object_type", "object_id")
    contact = models.ForeignKey(
        Contact, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("contact")
    )
    role = models.ForeignKey(ContactRole, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("role"))
    priority = models.CharField(_("priority"), max_length=50, choices=ContactPriority.choices, blank=True)

    objects: ClassVar[ContactAssignmentManager] = ContactAssignmentManager()

    class Meta:
        ordering = ["contact", "priority", "role", "pk"]
        verbose_name = _("contact assignment")
        verbose_name_plural = _("contact assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["object_type", "object_id", "contact", "role"],
                name="inventory_contactassignment_unique_object_contact_role",
                violation_error_message=_("The fields object_type, object_id, contact, role must make a unique set."),
            )
        ]

    def __str__(self):
        if self.priority:
            return f"{self.contact} ({self.get_priority_display()}) -> {self.assigned_object}"
        return f"{self.contact} -> {self.assigned_object}"

    def clean(self):
        super().clean()
        if self.object_type_id is None:
            return
        model = self.object_type.model_class()
        if not takes_contacts(model):
            raise ValidationError(
                {"object_type": _("Contacts cannot be assigned to this object type ({type}).").format(
                    type=object_type_label(self.object_type)
                )}
            )  # fmt: skip
        if self.object_id is not None and not model._base_manager.filter(pk=self.object_id).exists():
            raise ValidationError(
                {"object_id": _("Related object not found using the provided numeric ID: {id}").format(
                    id=self.object_id
                )}
            )  # fmt: skip
