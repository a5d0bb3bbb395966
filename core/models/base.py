"""The ladder every tenant model stands on (STYLE: "One ladder of base classes").

BaseModel            id, custom fields, tags
ChangeLoggedModel    + created, last_updated; every write through services is change-logged
OrganizationalModel  + name, slug (unique), description, comments, owner  e.g. Manufacturer, RackRole
PrimaryModel         + description, comments, owner                        e.g. Site, Device
NestedGroupModel     + tree: parent, name, slug, description, comments, owner  e.g. Region, Location

OwnerMixin gives the rungs NetBox's `owner`; a model standing on ChangeLoggedModel directly that has
one in NetBox (a device's components, custom fields, webhooks) adds the mixin itself.
"""

import inspect
import re
from typing import ClassVar

import orjson
from django.contrib.contenttypes.fields import GenericRelation
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q, signals
from django.db.models.base import ModelState
from django.db.models.fields.files import FileDescriptor, ImageFileDescriptor
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from mptt.managers import TreeManager
from mptt.models import MPTTModel, TreeForeignKey
from mptt.querysets import TreeQuerySet

from core.querysets import RestrictedQuerySet

# Numbers of 19 digits or more, which orjson reads as floats past 64 bits (Python's json as exact integers).
_LONG_NUMBER = re.compile(r"\d{19}")


class CustomFieldData(models.JSONField):
    """`BaseModel.custom_field_data`: read with orjson (~10x Python's json; every related object of a list row
    has one: 4,000 of them in a page of 1,000 virtual machines). Python's json where the two could differ
    (long numbers) or orjson refuses (a lone surrogate, a number past a double). Declared to migrations as
    Django's JSONField, which it is in the database."""

    def from_db_value(self, value, expression, connection):
        if value is None:  # most of a list row's: its related objects' that are not there
            return None
        if isinstance(value, str) and not _LONG_NUMBER.search(value):
            try:
                return orjson.loads(value)
            except orjson.JSONDecodeError:
                pass
        return super().from_db_value(value, expression, connection)

    def deconstruct(self):
        name, _, args, kwargs = super().deconstruct()
        return name, "django.db.models.JSONField", args, kwargs


class BaseModel(models.Model):
    id = models.BigAutoField(primary_key=True)
    custom_field_data = CustomFieldData(encoder=DjangoJSONEncoder, blank=True, default=dict)
    tagged_items = GenericRelation("core.TaggedItem")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        """A row read from the database, its columns set straight into the instance's dict: what `Model.__init__`
        does for a row, without a `setattr` through each field's descriptor (a page of 1,000 virtual machines builds
        4,000 instances, its rows' and their related objects': a fifth of the page's loading CPU went there).
        Django's own way when some columns are deferred, when a field's descriptor or the class's `__init__` does
        more on assignment (`_row_attnames`; MPTT's remembered position is repeated here) or when anything
        listens to the init signals."""
        attnames = _row_attnames(cls)
        if (
            attnames is None
            or len(values) != len(attnames)
            or signals.pre_init.receivers
            or signals.post_init.receivers
        ):
            return super().from_db(db, field_names, values)
        new = cls.__new__(cls)
        state = ModelState()
        state.adding = False
        state.db = db
        new.__dict__["_state"] = state
        new.__dict__.update(zip(attnames, values, strict=True))
        if isinstance(new, MPTTModel):
            new._mptt_meta.update_mptt_cached_fields(new)
        return new

    @property
    def tags(self):
        """The object's tags (use `prefetch_related("tagged_items__tag")` on lists)."""
        return sorted((item.tag for item in self.tagged_items.all()), key=lambda tag: (tag.weight, tag.name))


_ROW_ATTNAMES: dict[type, tuple[str, ...] | None] = {}
# Descriptors whose assignment to an instance being built only stores the value in its dict.
_PLAIN_DESCRIPTORS = (DeferredAttribute, ForeignKeyDeferredAttribute, FileDescriptor, ImageFileDescriptor)


def _row_attnames(model: type[models.Model]) -> tuple[str, ...] | None:
    """The attributes a row's columns go to, in the order `from_db` gets them; None for a model whose `__init__`
    is its own (beyond MPTT's, which `from_db` repeats) or with a field whose descriptor does more on assignment."""
    if model not in _ROW_ATTNAMES:
        fields = model._meta.concrete_fields
        plain = model.__init__ in (models.Model.__init__, MPTTModel.__init__) and all(
            type(inspect.getattr_static(model, field.attname, None)) in _PLAIN_DESCRIPTORS for field in fields
        )
        _ROW_ATTNAMES[model] = tuple(field.attname for field in fields) if plain else None
    return _ROW_ATTNAMES[model]


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
