from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.querysets import RestrictedQuerySet


class ObjectChangeAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")


class ObjectChange(models.Model):
    """One create, update or delete of a change-logged object, with full before/after snapshots.

    Written by services only, never edited. Users live in the public schema: kept here by id and
    by name (so the record survives the user).
    """

    time = models.DateTimeField(_("time"), auto_now_add=True, editable=False, db_index=True)
    user_id = models.BigIntegerField(_("user id"), null=True, blank=True, editable=False)
    user_name = models.CharField(_("user name"), max_length=254, editable=False, blank=True)
    # The change was made with an API token that this person (an owner) created for the user.
    token_created_by = models.CharField(_("token created by"), max_length=254, editable=False, blank=True)
    request_id = models.UUIDField(_("request id"), editable=False, db_index=True)
    action = models.CharField(_("action"), max_length=50, choices=ObjectChangeAction.choices)
    changed_object_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    changed_object_id = models.BigIntegerField()
    # The object as it is now (None once deleted): NetBox's `changed_object`.
    changed_object = GenericForeignKey("changed_object_type", "changed_object_id")
    related_object_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", blank=True, null=True
    )
    related_object_id = models.BigIntegerField(blank=True, null=True)
    object_repr = models.CharField(_("object"), max_length=200, editable=False)
    message = models.CharField(_("message"), max_length=200, blank=True, editable=False)
    prechange_data = models.JSONField(encoder=DjangoJSONEncoder, editable=False, blank=True, null=True)
    postchange_data = models.JSONField(encoder=DjangoJSONEncoder, editable=False, blank=True, null=True)

    objects = RestrictedQuerySet.as_manager()
    # The snapshots hold the changed object's fields by name, content type ids among them: a restore
    # into another schema translates those too (automation.backup).
    snapshot_fields = {"changed_object_type": ["prechange_data", "postchange_data"]}

    class Meta:
        ordering = ["-time", "-id"]
        verbose_name = _("object change")
        verbose_name_plural = _("object changes")
        indexes = [
            models.Index(fields=["changed_object_type", "changed_object_id"], name="core_objectchange_object"),
        ]

    def __str__(self):
        return f"{self.object_repr} {self.get_action_display().lower()} by {self.user_name or 'system'}"

    def diff(self) -> list[dict]:
        """The fields the change touched, {name, before, after} as the snapshots hold them (ids for related
        objects); a create or delete shows every field that has a value. The timestamps that snapshots held
        before they took NetBox's shape are left out: `last_updated` always, `created` on an update."""
        before = self.prechange_data or {}
        after = self.postchange_data or {}
        noise = {"last_updated", "created"} if self.action == ObjectChangeAction.UPDATE else {"last_updated"}
        rows = []
        for name in sorted((set(before) | set(after)) - noise):
            old, new = before.get(name), after.get(name)
            if old == new or (self.action != "update" and old in EMPTY and new in EMPTY):
                continue
            rows.append({"name": name, "before": old, "after": new})
        return rows


# Values a snapshot holds for a field without one.
EMPTY: tuple[object, ...] = (None, "", [], {})
