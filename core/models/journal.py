"""Journal entries: dated remarks on an object, kept beside its change log (NetBox's extras.JournalEntry)."""

from typing import ClassVar

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.context import current_actor
from core.models.base import ChangeLoggedModel
from core.querysets import RestrictedQuerySet, restricted
from core.registry import object_type_label


class JournalEntryKind(models.TextChoices):
    INFO = "info", _("Info")
    SUCCESS = "success", _("Success")
    WARNING = "warning", _("Warning")
    DANGER = "danger", _("Danger")


class JournalEntryManager(models.Manager.from_queryset(RestrictedQuerySet)):  # type: ignore[misc]
    def get_queryset(self):
        # Every representation of an entry shows its object: fetch them per type, not per row.
        return super().get_queryset().prefetch_related("assigned")


class JournalEntry(ChangeLoggedModel):
    assigned_object_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    assigned_object_id = models.PositiveBigIntegerField()
    # Not named `assigned_object`: that is the REST field, rendered by the registration.
    assigned = GenericForeignKey("assigned_object_type", "assigned_object_id")
    # Users live in the public schema: the author (the acting user, stamped on create by
    # core.authorship) is kept by id and by name, so the entry outlives them.
    created_by_id = models.BigIntegerField(_("created by"), blank=True, null=True)
    created_by_name = models.CharField(_("created by (name)"), max_length=254, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=JournalEntryKind.choices, default=JournalEntryKind.INFO)
    comments = models.TextField(_("comments"))

    objects: ClassVar[JournalEntryManager] = JournalEntryManager()

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        indexes = [
            models.Index(fields=["assigned_object_type", "assigned_object_id"], name="core_journalentry_object"),
        ]

    def __str__(self):
        created = timezone.localtime(self.created) if self.created else timezone.localtime()
        return f"{created:%Y-%m-%d %H:%M} ({self.get_kind_display()})"

    def clean(self):
        super().clean()
        from core.customfields import supports_journaling

        if self.assigned_object_type_id is None or self.assigned_object_id is None:
            return
        model = self.assigned_object_type.model_class()
        if model is None or not supports_journaling(model):
            raise ValidationError(
                {
                    "assigned_object_type": _("Journaling is not supported for this object type ({type}).").format(
                        type=self.assigned_object_type
                    )
                }
            )
        if not restricted(model, current_actor(), "view").filter(pk=self.assigned_object_id).exists():
            raise ValidationError(
                {
                    "assigned_object_id": _("Invalid assigned_object: {type} ID {id}").format(
                        type=object_type_label(self.assigned_object_type), id=self.assigned_object_id
                    )
                }
            )
