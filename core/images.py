"""Image attachments (core.models.ImageAttachment) and their files: which objects take images (a
registration's `images=True`), the upload a write carries, its services, and the files themselves --
checked, stored under the organization's prefix in Django's default storage (local files, or S3 when
AWS_STORAGE_BUCKET_NAME is set: tenants.files), with a thumbnail beside each. Files follow their rows'
transaction both ways: deleted only once the transaction that let them go commits, and deleted again
when the transaction (or savepoint) that wrote them rolls back.

Checks before anything is stored: at most IMAGE_ATTACHMENT_MAX_BYTES, a format Pillow recognises from
the content (never the name or the declared type) among IMAGE_FORMATS, and at most
IMAGE_ATTACHMENT_MAX_PIXELS pixels (Pillow's decompression-bomb guard, raised to an error). Each
refusal is an `ImageRefused` with a sentence for the 400 response.
"""

import io
import uuid
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.http import FileResponse, JsonResponse
from django.http.response import HttpResponseBase
from PIL import Image, UnidentifiedImageError

from core.models import ImageAttachment
from core.registry import registry
from core.services import ObjectWrite, WritesInvalid, objects_create, objects_update
from tenants.context import current_organization
from tenants.files import files_delete_on_commit, files_delete_on_rollback, organization_files_prefix

# Pillow's format name -> the file extension it is stored under.
IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}
THUMBNAIL_SIZE = (200, 200)
# The stored extension -> the type the file is served as.
CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}


class ImageRefused(ValueError):
    """Not an image Wirebook keeps; the message says why."""


@dataclass(frozen=True)
class StoredImage:
    name: str  # the storage name of the image
    thumbnail: str  # and of its thumbnail
    width: int
    height: int


def supports_images(model: type[models.Model]) -> bool:
    """Whether images may be attached to the model's objects: its registration says `images=True`."""
    spec = registry.find(model)
    return spec is not None and spec.images


def _too_large(size: int) -> None:
    limit = settings.IMAGE_ATTACHMENT_MAX_BYTES
    if size > limit:
        raise ImageRefused(f"The image is larger than {limit // (1024 * 1024)} MiB.")


def image_check(content: bytes) -> tuple[str, int, int]:
    """The image's format (Pillow's name) and size, or ImageRefused."""
    _too_large(len(content))
    if not content:
        raise ImageRefused("The file is empty.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                found, width, height = image.format, image.width, image.height
                if width * height > settings.IMAGE_ATTACHMENT_MAX_PIXELS:
                    raise Image.DecompressionBombError(f"{width}x{height}")
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRefused(
            f"The image has more than {settings.IMAGE_ATTACHMENT_MAX_PIXELS:,} pixels (a decompression bomb?)."
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ImageRefused("The file is not an image (PNG, JPEG, GIF or WebP).") from None
    if found not in IMAGE_FORMATS:
        raise ImageRefused(f"{found} images are not accepted: PNG, JPEG, GIF or WebP.")
    return found, width, height


@dataclass(frozen=True)
class ImageUpload:
    """An uploaded image that passed `image_check`: what a write's `image` carries to the services."""

    content: bytes
    format: str
    width: int
    height: int


def image_upload(value, actor=None) -> ImageUpload:
    """A write's `image` (core.registry.Api.write_extras): an uploaded file (a multipart body) holding an
    accepted image; ValidationError with the reason otherwise."""
    if not isinstance(value, UploadedFile):
        raise ValidationError("The submitted data was not a file. Check the encoding type on the form.")
    try:
        _too_large(value.size or 0)  # before reading it
        value.seek(0)  # read again when a refused batch is written again (core.usecases)
        content = value.read()
        found, width, height = image_check(content)
    except ImageRefused as refused:
        raise ValidationError(str(refused)) from None
    return ImageUpload(content=content, format=found, width=width, height=height)


def image_place(organization_pk: int, upload: ImageUpload) -> StoredImage:
    """Where an image and its thumbnail go under the organization's prefix (random names: one organization
    cannot guess another's, and names never collide); nothing is written yet."""
    stem = f"{organization_files_prefix(organization_pk)}image-attachments/{uuid.uuid4().hex}"
    return StoredImage(
        name=f"{stem}.{IMAGE_FORMATS[upload.format]}",
        thumbnail=f"{stem}-thumbnail.png",
        width=upload.width,
        height=upload.height,
    )


def image_save(stored: StoredImage, upload: ImageUpload, *, storage: Storage | None = None) -> None:
    """Write the image and its thumbnail where `image_place` put them: both, or neither when a write fails."""
    storage = storage or default_storage
    written: list[str] = []
    try:
        for name, content in ((stored.name, upload.content), (stored.thumbnail, _thumbnail(upload.content))):
            saved = storage.save(name, ContentFile(content))
            if saved != name:  # a random name taken: never expected, and the row would point elsewhere
                storage.delete(saved)
                raise OSError(f"{name} exists in the storage already")
            written.append(name)
    except Exception:
        for name in written:
            storage.delete(name)
        raise


def image_store(organization_pk: int, content: bytes, *, storage: Storage | None = None) -> StoredImage:
    """Check the image, then store it and its thumbnail under the organization's prefix."""
    found, width, height = image_check(content)
    upload = ImageUpload(content=content, format=found, width=width, height=height)
    stored = image_place(organization_pk, upload)
    image_save(stored, upload, storage=storage)
    return stored


def _thumbnail(content: bytes) -> bytes:
    with Image.open(io.BytesIO(content)) as image:
        image.thumbnail(THUMBNAIL_SIZE)
        small = image.convert("RGBA")
    out = io.BytesIO()
    small.save(out, format="PNG")
    return out.getvalue()


# -- the services of image attachments ----------------------------------------------------------------


def _placed(writes: Sequence[ObjectWrite], *, required: bool) -> list[tuple[StoredImage, ImageUpload] | None]:
    """Each write's new image, placed (its row's columns set); WritesInvalid for a create without one."""
    organization = current_organization()
    missing = {
        position: ValidationError({"image": ["No file was submitted."]})
        for position, write in enumerate(writes)
        if required and "image" not in write.extra
    }
    if missing:
        raise WritesInvalid(missing)
    placed: list[tuple[StoredImage, ImageUpload] | None] = []
    for write in writes:
        upload = write.extra.get("image")
        if upload is None:
            placed.append(None)
            continue
        assert organization is not None, "image attachments are written inside an organization"
        stored = image_place(organization.pk, upload)
        write.data.update(
            image=stored.name,
            thumbnail=stored.thumbnail,
            image_width=stored.width,
            image_height=stored.height,
            image_size=len(upload.content),
        )
        placed.append((stored, upload))
    return placed


def _save_all(placed: list[tuple[StoredImage, ImageUpload] | None]) -> None:
    """Write the placed files once their rows are written: they go again if the transaction writing the rows
    rolls back (a write of a later file failing, a later item, check or error refusing the write)."""
    for item in placed:
        if item is not None:
            stored, upload = item
            image_save(stored, upload)
            files_delete_on_rollback([stored.name, stored.thumbnail])  # only the files written, never another's


def image_attachments_create(writes: Sequence[ObjectWrite]) -> list[models.Model]:
    """New attachments: validated and written (change-logged) first, then their files are stored."""
    with transaction.atomic():
        placed = _placed(writes, required=True)
        created = objects_create(writes)
        _save_all(placed)
    return created


def image_attachments_update(writes: Sequence[ObjectWrite]) -> list[models.Model]:
    """A new image replaces the old one, whose files go once the change commits (the new one's if it
    rolls back)."""
    with transaction.atomic():
        previous = [_replaced_files(write) for write in writes]
        placed = _placed(writes, required=False)
        changed = objects_update(writes)
        _save_all(placed)
        files_delete_on_commit([name for names in previous for name in names])
    return changed


def _replaced_files(write: ObjectWrite) -> list[str]:
    attachment = write.target
    assert isinstance(attachment, ImageAttachment), "the services of image attachments"
    return attachment.stored_files() if "image" in write.extra else []


def image_file_field(bulk: bool) -> forms.FileField:
    """The UI's field for an image attachment's file (Ui.form_fields): checked by `image_upload` like any
    write's, not by Django's ImageField, whose decoding knows none of these limits."""
    return forms.FileField(
        label="Image",
        required=False,
        help_text="PNG, JPEG, GIF or WebP.",
        widget=forms.FileInput(attrs={"class": "form-control", "accept": ",".join(CONTENT_TYPES.values())}),
    )


# -- serving the files ---------------------------------------------------------------------------------


def image_url(attachment: ImageAttachment, links, which: str = "image") -> str:
    """Where the API serves an attachment's image (`which`: "image") or thumbnail ("thumbnail") to members of
    its organization (`links`: core.representation.Links of the request): REST's `image`, GraphQL's `url`."""
    return f"{links.api_url(registry.get(ImageAttachment), attachment.pk)}{which}/"


def image_response(name: str, *, filename: str) -> HttpResponseBase:
    """A stored image as a response to a member of its organization (the caller looked the row up among
    what they may view): never a public URL. 404 when the file is missing from the storage."""
    extension = PurePosixPath(name).suffix.lstrip(".").lower()
    if not name or not default_storage.exists(name):
        return JsonResponse({"detail": "The image file is missing."}, status=404)
    # `filename` without `as_attachment`: shown inline, saved under its own name.
    response = FileResponse(
        default_storage.open(name, "rb"),
        content_type=CONTENT_TYPES.get(extension, "application/octet-stream"),
        filename=filename,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
