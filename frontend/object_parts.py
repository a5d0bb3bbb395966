"""What an object's pages show besides its attributes: the counts on its tabs, its map."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType

from core.customfields import supports_journaling
from core.models import ImageAttachment, JournalEntry, ObjectChange
from core.querysets import count_each
from core.registry import ObjectSpec


def feature_counts(spec: ObjectSpec, actor, instance) -> dict[str, int]:
    """How many images, journal entries and changes of the object the member may view, for those the
    object's pages have ("images", "journal", "changelog"): one statement."""
    content_type = ContentType.objects.get_for_model(spec.model)
    querysets = {}
    if spec.images:
        querysets["images"] = ImageAttachment.objects.restrict(actor, "view").filter(
            object_type=content_type, object_id=instance.pk
        )
    if supports_journaling(spec.model):
        querysets["journal"] = JournalEntry.objects.restrict(actor, "view").filter(
            assigned_object_type=content_type, assigned_object_id=instance.pk
        )
    if spec.ui.changelog:
        querysets["changelog"] = ObjectChange.objects.restrict(actor, "view").filter(
            changed_object_type=content_type, changed_object_id=instance.pk
        )
    return dict(zip(querysets, count_each(list(querysets.values())), strict=True))


def coordinates(data: dict) -> dict | None:
    """The object's GPS position (a site's, a device's) from its representation, with its `geo:` link (RFC
    5870), for its map panel; None without one."""
    latitude, longitude = data.get("latitude"), data.get("longitude")
    if latitude is None or longitude is None:
        return None
    return {"latitude": latitude, "longitude": longitude, "geo": f"geo:{latitude},{longitude}"}


def map_tiles() -> dict | None:
    """The deployment's tile server for drawn maps (`WIREBOOK_MAP_TILES_URL`), None: no map is drawn."""
    if not settings.WIREBOOK_MAP_TILES_URL:
        return None
    return {"url": settings.WIREBOOK_MAP_TILES_URL, "attribution": settings.WIREBOOK_MAP_ATTRIBUTION}
