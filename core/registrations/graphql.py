"""The core app's GraphQL fields the derived types lack: an image attachment's files as URLs of the API
that serves them (as REST shows `image`), never their storage names."""

from core.graphql.types import ImageFileType, rendered_field
from core.images import image_url
from core.models import ImageAttachment
from core.registry import GraphQL, registry


def _image(attachment: ImageAttachment, links) -> dict:
    return {
        "name": attachment.filename,
        "size": attachment.image_size,
        "url": image_url(attachment, links),
        "width": attachment.image_width,
        "height": attachment.image_height,
    }


def _thumbnail(attachment: ImageAttachment, links) -> str:
    return image_url(attachment, links, "thumbnail")


registry.extend(
    ImageAttachment,
    graphql=GraphQL(
        fields={
            # Made while the type is derived, so that they keep the model's order of fields.
            "image": lambda types, name: rendered_field(ImageFileType, _image),
            "thumbnail": lambda types, name: rendered_field("String!", _thumbnail),
        }
    ),
)
