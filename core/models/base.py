"""The ladder every tenant model stands on (STYLE: "One ladder of base classes").

BaseModel            id, custom fields, tags
ChangeLoggedModel    + created, last_updated; every write through services is change-logged
OrganizationalModel  + name, slug (unique), description, comments, owner  e.g. Manufacturer, RackRole
PrimaryModel         + description, comments, owner                        e.g. Site, Device
NestedGroupModel     + tree: parent, name, slug, description, comments, owner  e.g. Region, Location

OwnerMixin gives the rungs NetBox's `owner`; a model standing on ChangeLoggedModel directly that has
one in NetBox (a device's components, custom fields, webhooks) adds the mixin itself.
"""

from typing import ClassVar

from django.contrib.contenttypes.fields import GenericRelation
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from mptt.managers import TreeManager
from mptt.models import MPTTModel, TreeForeignKey
from mptt.querysets import TreeQuerySet

from core.querysets import RestrictedQuerySet


class BaseModel(models.Model):
    id = models.BigAutoField(primary_key=True)
    custom_field_data = models.JSONField(encoder=DjangoJSONEncoder, blank=True, default=dict)
    tagged_items = GenericRelation("core.TaggedItem")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def tags(self):
        """The object's tags (use `prefetch_related("tagged_items__tag")` on lists)."""
        return sorted((item.tag for item in self.tagged_items.all()), key=lambda tag: (tag.weight, tag.name))


class ChangeLoggedModel(BaseModel):
    created = models.DateTimeField(_("created"), auto_now_add=True, blank=True, null=True)
    last_updated = models.DateTimeField(_("last updated"), auto_now=True, blank=True, null=True)
    # Journal entries go (change-logged) with their object.
    journal_entries = GenericRelation(
        "core.JournalEntry", content_type_field="assigned_object_type", object_id_field="assigned_object_id"
    )

    class Meta:
        abstract = True


class OwnerMixin(models.Model):
    """NetBox's `owner`: who in the organization answers for the object (core.Owner). An owner in use
    cannot be deleted. No index: a per-organization cost on every table, for a filter that is rare."""

    owner = models.ForeignKey(
        "core.Owner",
        on_delete=models.PROTECT,
        related_name="+",
        blank=True,
        null=True,
        db_index=False,
        verbose_name=_("owner"),
    )

    class Meta:
        abstract = True


class OrganizationalModel(OwnerMixin, ChangeLoggedModel):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    comments = models.TextField(_("comments"), blank=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name


class PrimaryModel(OwnerMixin, ChangeLoggedModel):
    description = models.CharField(_("description"), max_length=200, blank=True)
    comments = models.TextField(_("comments"), blank=True)

    class Meta:
        abstract = True


class RestrictedTreeQuerySet(TreeQuerySet, RestrictedQuerySet):
    pass


class RestrictedTreeManager(TreeManager.from_queryset(RestrictedTreeQuerySet)):  # type: ignore[misc]
    pass


class NestedGroupModel(OwnerMixin, ChangeLoggedModel, MPTTModel):
    """A group in a tree. Names and slugs are unique among siblings (and among roots)."""

    parent = TreeForeignKey(
        "self", on_delete=models.CASCADE, related_name="children", blank=True, null=True, db_index=True
    )
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100)
    description = models.CharField(_("description"), max_length=200, blank=True)
    comments = models.TextField(_("comments"), blank=True)

    objects: ClassVar[RestrictedTreeManager] = RestrictedTreeManager()

    class Meta:
        abstract = True

    class MPTTMeta:
        order_insertion_by = ["name"]

    def __str__(self):
        return self.name

    @property
    def depth(self) -> int:
        return self.level


def unique_in_tree(label: str, verbose_name: str, *, scope: tuple[str, ...] = ()) -> list[models.BaseConstraint]:
    """Names and slugs unique among siblings and among the roots (NULL parents never collide).

    `label` is "<app>_<model>" for the constraint names, `verbose_name` is for the messages.
    """
    constraints: list[models.BaseConstraint] = []
    for field in ("name", "slug"):
        constraints += [
            models.UniqueConstraint(
                fields=[*scope, "parent", field], name=f"{label}_unique_{'_'.join((*scope, 'parent', field))}"
            ),
            models.UniqueConstraint(
                fields=[*scope, field],
                condition=Q(parent__isnull=True),
                name=f"{label}_unique_{'_'.join((*scope, field))}",
                violation_error_message=format_lazy(
                    _("A top-level {model} with this {field} already exists."), model=verbose_name, field=field
                ),
            ),
        ]
    return constraints
