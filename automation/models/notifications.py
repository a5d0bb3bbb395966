"""A member's own marks on objects (NetBox's extras.Bookmark, Subscription, Notification) and the
groups event rules notify (NetBox's extras.NotificationGroup).

Users live in the public schema: rows name their member by id. Bookmarks and subscriptions go with
their object when it is deleted (automation.notifications, on commit); notifications outlive it and
keep its name.
"""

from typing import ClassVar

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from automation.models.events import EventType
from core.context import current_actor
from core.querysets import RestrictedQuerySet, restricted
from core.registry import object_type_label, registry


class _ObjectMarkManager(models.Manager.from_queryset(RestrictedQuerySet)):  # type: ignore[misc]
    def get_queryset(self):
        # Every representation shows the object: fetch them per type, not per row.
        return super().get_queryset().select_related("object_type").prefetch_related("object")


class ObjectMark(models.Model):
    """A member's mark on one object of a registered type."""

    object_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField(_("object id"))
    object = GenericForeignKey("object_type", "object_id")
    user_id = models.BigIntegerField(_("user"))
    created = models.DateTimeField(_("created"), auto_now_add=True)

    objects: ClassVar[_ObjectMarkManager] = _ObjectMarkManager()

    class Meta:
        abstract = True

    def __str__(self):
        target = self.object
        return str(target) if target is not None else f"{self.object_type.model} {self.object_id}"

    def clean(self):
        super().clean()
        if self.object_type_id is None or self.object_id is None:
            return
        model = self.object_type.model_class()
        if model is None or registry.find(model) is None:
            raise ValidationError({"object_type": _("Invalid content type: {type}").format(type=self.object_type)})
        if not restricted(model, current_actor(), "view").filter(pk=self.object_id).exists():
            raise ValidationError(
                {
                    "object_id": _("Related object not found: {type} ID {id}").format(
                        type=object_type_label(self.object_type), id=self.object_id
                    )
                }
            )


class Bookmark(ObjectMark):
    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("bookmark")
        verbose_name_plural = _("bookmarks")
        constraints = [
            models.UniqueConstraint(
                fields=["object_type", "object_id", "user_id"],
                name="automation_bookmark_unique_per_object_and_user",
                violation_error_message=_("You have already bookmarked this object."),
            )
        ]


class Subscription(ObjectMark):
    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["object_type", "object_id", "user_id"],
                name="automation_subscription_unique_per_object_and_user",
                violation_error_message=_("You are already subscribed to this object."),
            )
        ]


class Notification(ObjectMark):
    """Something happened to an object a member follows (a subscription, or an event rule naming a
    notification group they are in). Unread while `read` is empty."""

    read = models.DateTimeField(_("read"), null=True, blank=True)
    event_type = models.CharField(_("event"), max_length=50, choices=EventType.choices)
    object_repr = models.CharField(_("object"), max_length=200, editable=False, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        # The bell's unread count and each member's list read by member.
        indexes = [models.Index(fields=["user_id", "read"], name="automation_notification_user")]

    def __str__(self):
        return self.object_repr or super().__str__()


class NotificationGroup(models.Model):
    """Members an event rule's notification action notifies (NetBox's groups: Wirebook has no user groups)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    user_ids = ArrayField(models.BigIntegerField(), default=list, blank=True, verbose_name=_("users"))
    created = models.DateTimeField(_("created"), auto_now_add=True, null=True)
    last_updated = models.DateTimeField(_("last updated"), auto_now=True, null=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("notification group")
        verbose_name_plural = _("notification groups")

    def __str__(self):
        return self.name
