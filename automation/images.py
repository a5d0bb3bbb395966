"""Image files of an organization (image attachments' storage): checked, stored under the organization's
prefix in Django's default storage (local files, or S3 when AWS_STORAGE_BUCKET_NAME is set:
tenants.files), with a thumbnail beside each, and deleted only once the transaction that let them go
commits.

Checks before anything is stored: at most IMAGE_ATTACHMENT_MAX_BYTES, a format Pillow recognises from
the content (never the name or the declared type) among IMAGE_FORMATS, and at most
IMAGE_ATTACHMENT_MAX_PIXELS pixels (Pillow's decompression-bomb guard, raised to an error). Each
refusal is an `ImageRefused` with a sentence for the 400 response.
"""

import io
import uuid
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.db import transaction
from PIL import Image, UnidentifiedImageError

from tenants.files import organization_files_prefix

# Pillow's format name -> the file extension it is stored under.
IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}
THUMBNAIL_SIZE = (200, 200)


class ImageRefused(ValueError):
    """Not an image Wirebook keeps; the message says why."""


@dataclass(frozen=True)
class StoredImage:
    name: str  # the storage name of the image
    thumbnail: str  # and of its thumbnail
    width: int
    height: int


def image_check(content: bytes) -> tuple[str, int, int]:
    """The image's format (Pillow's name) and size, or ImageRefused."""
    limit = settings.IMAGE_ATTACHMENT_MAX_BYTES
    if len(content) > limit:
        raise ImageRefused(f"The image is larger than {limit // (1024 * 1024)} MiB.")
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


def image_store(organization_pk: int, content: bytes, *, storage: Storage | None = None) -> StoredImage:
    """Check the image, then store it and its thumbnail under the organization's prefix (random names: one
    organization cannot guess another's, and names never collide)."""
    storage = storage or default_storage
    found, width, height = image_check(content)
    stem = f"{organization_files_prefix(organization_pk)}image-attachments/{uuid.uuid4().hex}"
    name = storage.save(f"{stem}.{IMAGE_FORMATS[found]}", ContentFile(content))
    thumbnail = storage.save(f"{stem}-thumbnail.png", ContentFile(_thumbnail(content)))
    return StoredImage(name=name, thumbnail=thumbnail, width=width, height=height)


def _thumbnail(content: bytes) -> bytes:
    with Image.open(io.BytesIO(content)) as image:
        image.thumbnail(THUMBNAIL_SIZE)
        small = image.convert("RGBA")
    out = io.BytesIO()
    small.save(out, format="PNG")
    return out.getvalue()


def images_delete_on_commit(names: list[str], *, storage: Storage | None = None) -> None:
    """Delete these stored files once the current transaction commits (a rollback keeps them)."""
    storage = storage or default_storage
    kept = [name for name in names if name]

    def delete() -> None:
        for name in kept:
            storage.delete(name)

    if kept:
        transaction.on_commit(delete)
