"""Image attachments: pictures of an object (a site's entrance, a rack's front), NetBox's extras.ImageAttachment.

The files live in the organization's storage (core.images); a row keeps their storage names and what
was read from the image when it was checked."""

from pathlib import PurePosixPath
from typing import ClassVar

from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.context import current_actor
from core.models.base import ChangeLoggedModel
from core.querysets import RestrictedQuerySet, restricted
from core.registry import object_type_label
from tenants.inputs import MAX_BIGINT


class ImageAttachmentManager(models.Manager.from_queryset(RestrictedQuerySet)):  # type: ignore[misc]
    def get_queryset(self):
        # Every representation of an attachment shows its object: fetch them per type, not per row.
        return super().get_queryset().prefetch_related("parent")


class ImageAttachment(ChangeLoggedModel):
    # The index below serves lookups by type (its first column): no index of its own.
    object_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+", db_index=False)
    object_id = models.PositiveBigIntegerField()
    parent = GenericForeignKey("object_type", "object_id")
    name = models.CharField(_("name"), max_length=50, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    # Storage names (core.images: under the organization's prefix), set by the services, never written.
    image = models.CharField(_("image"), max_length=255, editable=False)
    thumbnail = models.CharField(_("thumbnail"), max_length=255, editable=False)
    image_width = models.PositiveIntegerField(_("image width"), editable=False)
    image_height = models.PositiveIntegerField(_("image height"), editable=False)
    image_size = models.PositiveBigIntegerField(_("image size"), editable=False)

    objects: ClassVar[ImageAttachmentManager] = ImageAttachmentManager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("image attachment")
        verbose_name_plural = _("image attachments")
        indexes = [models.Index(fields=["object_type", "object_id"], name="core_imageattachment_object")]

    def __str__(self):
        return self.name or self.filename

    @property
    def filename(self) -> str:
        return PurePosixPath(self.image).name

    def stored_files(self) -> list[str]:
        """The files this row owns in storage (deleted with it: core.services.objects_delete)."""
        return [name for name in (self.image, self.thumbnail) if name]

    def clean(self):
        super().clean()
        from core.images import supports_images

        if self.object_type_id is None or self.object_id is None or not 0 <= self.object_id <= MAX_BIGINT:
            return  # refused by the field's own checks
        model = self.object_type.model_class()
        if model is None or not supports_images(model):
            message = _("Images cannot be attached to this object type ({type}).")
            raise ValidationError({"object_type": message.format(type=self.object_type)})
        if not restricted(model, current_actor(), "view").filter(pk=self.object_id).exists():
            raise ValidationError(
                {
                    "object_id": _("Invalid parent object: {type} ID {id}").format(
                        type=object_type_label(self.object_type), id=self.object_id
                    )
                }
            )


class ImageAttachmentsMixin(models.Model):
    """Objects images may be attached to (NetBox's ImageAttachmentsMixin), beside their registration's
    `images=True` (core.registry checks that both say the same): their attachments as `images`, which
    Django deletes with them (change-logged, the files once the deletion commits: core.services), lists
    in a deletion's preview, and GraphQL loads for many objects at once (`image_attachments`)."""

    images = GenericRelation(ImageAttachment, content_type_field="object_type", object_id_field="object_id")

    class Meta:
        abstract = True
