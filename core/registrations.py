from core.models import ObjectChange, Tag
from core.registry import registry

registry.register(
    Tag,
    api="extras/tags",
    brief_fields=("id", "url", "display_url", "display", "name", "slug", "color", "description"),
    search_fields=("name", "slug", "description"),
)


def _object_type(attribute: str):
    def render(change, links):
        content_type = getattr(change, attribute)
        return None if content_type is None else f"{content_type.app_label}.{content_type.model}"

    return render


def _user(change, links):
    if change.user_id is None:
        return None
    return {"id": change.user_id, "display": change.user_name, "username": change.user_name}


registry.register(
    ObjectChange,
    api="core/object-changes",
    brief_fields=("id", "url", "display", "time"),
    fields=(
        "id", "url", "display_url", "display", "time", "user", "user_name", "request_id", "action",
        "changed_object_type", "changed_object_id", "object_repr", "message", "prechange_data",
        "postchange_data",
    ),
    renderers={
        "user": _user,
        "changed_object_type": _object_type("changed_object_type"),
    },
    read_only=True,
    search_fields=("object_repr", "user_name"),
)  # fmt: skip
