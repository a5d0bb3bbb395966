"""The core app's own models (NetBox's extras, core and users objects): identity, REST, access, search."""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from core.authorship import journal_entries_create, saved_filters_create
from core.choicesets import choice_sets_create, choice_sets_delete, choice_sets_update
from core.context import ROLE_ACTIONS
from core.customfields import supports_custom_fields, supports_journaling
from core.fields import (
    BRIEF_OBJECT,
    INTEGER_VALUE,
    TEXT_VALUE,
    Rendered,
    ValueType,
    json_object,
    list_of,
    nullable,
    renders,
)
from core.filters import no_groups_filters
from core.images import (
    image_attachments_create,
    image_attachments_update,
    image_response,
    image_upload,
    image_url,
    supports_images,
)
from core.members import MEMBER, member_brief, member_ids, members
from core.models import (
    CustomField,
    CustomFieldChoiceSet,
    CustomFieldType,
    ImageAttachment,
    JournalEntry,
    ObjectChange,
    ObjectPermission,
    Owner,
    OwnerGroup,
    SavedFilter,
    Tag,
)
from core.querysets import visibility
from core.registry import (
    Access,
    Api,
    Route,
    Search,
    object_type_labels,
    object_type_renderer,
    registry,
)
from core.representation import render
from core.services import Services
from core.writes import WriteExtra, object_type_converter

registry.register(
    Tag,
    api=Api(
        "extras/tags",
        brief_fields=("id", "url", "display", "name", "slug", "color", "description"),
        fields=(
            "id", "url", "display_url", "display", "name", "slug", "color", "description", "weight", "object_types",
            "tagged_items", "created", "last_updated",
        ),
        # How many objects carry the tag.
        counts={"tagged_items": "tagged_items"},
        # NetBox's "app.model" labels both ways (Ansible sends them).
        renderers={"object_types": object_type_labels("object_types")},
        write_converters={"object_types": object_type_converter(lambda model: model in registry, many=True)},
    ),
    search=Search(fields=("name", "slug", "description")),
)  # fmt: skip


def _change_visibility(actor) -> Q | None:
    """Changes of an object a member may not see (a type's `visible_to`) are hidden from them too:
    their snapshots would show the object."""
    from django.contrib.contenttypes.models import ContentType

    hidden = None
    for spec in registry:
        rule = visibility(actor, spec.model) if spec.access.visible_to is not _change_visibility else None
        if rule is None:
            continue
        visible_ids = spec.model._base_manager.filter(rule).values("pk")
        changes = Q(changed_object_type=ContentType.objects.get_for_model(spec.model)) & ~Q(
            changed_object_id__in=visible_ids
        )
        hidden = changes if hidden is None else hidden | changes
    return None if hidden is None else ~hidden


def _brief_of(attribute: str) -> Rendered:
    """A generic foreign key's object (a journal entry's, an image's), brief; null when it is gone."""

    @renders(nullable(BRIEF_OBJECT))
    def brief(obj, links):
        target = getattr(obj, attribute)
        if target is None or registry.find(type(target)) is None:
            return None
        return render(target, links, brief=True)

    return brief


@renders(nullable(MEMBER))
def _user(change, links):
    """NetBox's nested user, by the name the change was recorded with (the member may have left since)."""
    if change.user_id is None:
        return None
    url = f"{links.api}users/users/{change.user_id}/"
    return {"id": change.user_id, "url": url, "display": change.user_name, "username": change.user_name}


# NetBox's representation of a change, which is its brief form too.
OBJECT_CHANGE_FIELDS = (
    "id", "url", "display_url", "display", "time", "user", "user_name", "request_id", "action",
    "changed_object_type", "changed_object_id", "changed_object", "object_repr", "message", "prechange_data",
    "postchange_data",
)  # fmt: skip

registry.register(
    ObjectChange,
    api=Api(
        "core/object-changes",
        brief_fields=OBJECT_CHANGE_FIELDS,
        fields=OBJECT_CHANGE_FIELDS,
        renderers={
            "user": _user,
            "changed_object_type": object_type_renderer("changed_object_type"),
            "changed_object": _brief_of("changed_object"),
        },
    ),
    access=Access(read_only=True, visible_to=_change_visibility),
    search=Search(fields=("object_repr", "user_name")),
)  # fmt: skip


# -- custom fields, journal, saved filters (NetBox's extras) ------------------------------------


def _choice_pairs(value, actor):
    if value is None:
        return None
    if not isinstance(value, list):
        raise ValidationError(f'Expected a list of items but got type "{type(value).__name__}".')
    pairs = []
    for item in value:
        if not isinstance(item, list):
            raise ValidationError(f'Expected a list of items but got type "{type(item).__name__}".')
        if len(item) < 2:
            raise ValidationError(_("Ensure this field has at least 2 elements."))
        if len(item) > 2:
            raise ValidationError(_("Ensure this field has no more than 2 elements."))
        if not all(isinstance(part, str | int | float) and not isinstance(part, bool) for part in item):
            raise ValidationError(_("Choice values and labels must be strings."))
        pairs.append([str(part) for part in item])
    return pairs


@renders(TEXT_VALUE)
def _data_type(field, links):
    if field.type in (CustomFieldType.INTEGER, CustomFieldType.DECIMAL, CustomFieldType.BOOLEAN):
        return field.type
    if field.type in (CustomFieldType.JSON, CustomFieldType.OBJECT):
        return "object"
    if field.type in (CustomFieldType.MULTISELECT, CustomFieldType.MULTIOBJECT):
        return "array"
    return "string"


def _saved_filter_visibility(actor) -> Q | None:
    """NetBox shows a member their own saved filters and the shared ones; we add admins and
    owners, who see (and so can clean up) every filter of the organization."""
    if "settings" in ROLE_ACTIONS.get(actor.role, frozenset()):
        return None
    if actor.user_id is None:  # a token bound to no member owns no filters
        return Q(shared=True)
    return Q(shared=True) | Q(user_id=actor.user_id)


def _choices(request, actor, choice_set) -> list[dict]:
    """NetBox's `choices` route: the set's choices as {id: value, display: label}, in the set's order;
    `q` keeps those whose value or label contains it (any case). Selection widgets page through it."""
    q = request.GET.get("q", "").lower()
    return [
        {"id": value, "display": label}
        for value, label in choice_set.choices
        if not q or q in value.lower() or q in label.lower()
    ]


CHOICES = Route(
    "choices",
    _choices,
    paginated=True,
    summary="The choices of the set, each as {id: value, display: label}; `q` filters them.",
    response={"type": "object", "properties": {"id": {"type": "string"}, "display": {"type": "string"}}},
)

registry.register(
    CustomFieldChoiceSet,
    api=Api(
        "extras/custom-field-choice-sets",
        brief_fields=("id", "url", "display", "name", "description", "choices_count"),
        fields=(
            "id", "url", "display_url", "display", "name", "description", "base_choices", "extra_choices",
            "choice_colors", "order_alphabetically", "choices_count", "owner", "created", "last_updated",
        ),
        renderers={
            "base_choices": Rendered(lambda choice_set, links: None, nullable(TEXT_VALUE)),
            "extra_choices": Rendered(
                lambda choice_set, links: [list(pair) for pair in choice_set.extra_choices or []],
                list_of(list_of(TEXT_VALUE)),
            ),
            "choices_count": Rendered(lambda choice_set, links: len(choice_set.extra_choices or []), INTEGER_VALUE),
        },
        write_converters={"extra_choices": _choice_pairs},
        routes=(CHOICES,),
    ),
    access=Access(admin_only=True),
    search=Search(fields=("name", "description")),
    services=Services(create=choice_sets_create, update=choice_sets_update, delete=choice_sets_delete),
)  # fmt: skip
registry.register(
    CustomField,
    api=Api(
        "extras/custom-fields",
        brief_fields=("id", "url", "display", "name", "description"),
        fields=(
            "id", "url", "display_url", "display", "object_types", "type", "related_object_type", "data_type",
            "name", "label", "group_name", "description", "required", "unique", "search_weight", "filter_logic",
            "ui_visible", "ui_editable", "is_cloneable", "nulls_first", "default", "related_object_filter", "weight",
            "validation_minimum", "validation_maximum", "validation_regex", "validation_schema", "choice_set",
            "status", "owner", "comments", "created", "last_updated",
        ),
        renderers={
            "object_types": object_type_labels("object_types"),
            "related_object_type": object_type_renderer("related_object_type", null=True),
            "data_type": _data_type,
        },
        write_converters={
            "object_types": object_type_converter(supports_custom_fields, many=True),
            "related_object_type": object_type_converter(lambda model: model in registry),
        },
    ),
    access=Access(admin_only=True),
    search=Search(fields=("name", "label", "group_name", "description")),
)  # fmt: skip
registry.register(
    JournalEntry,
    api=Api(
        "extras/journal-entries",
        brief_fields=("id", "url", "display", "created"),
        fields=(
            "id", "url", "display_url", "display", "assigned_object_type", "assigned_object_id", "assigned_object",
            "created", "created_by", "kind", "comments", "tags", "custom_fields", "last_updated",
        ),
        # The author is the caller, never taken from the request body.
        write_fields=("assigned_object_type", "assigned_object_id", "kind", "comments"),
        renderers={
            "assigned_object_type": object_type_renderer("assigned_object_type"),
            "assigned_object": _brief_of("assigned"),
            "created_by": Rendered(lambda entry, links: entry.created_by_id, nullable(INTEGER_VALUE)),
        },
        write_converters={"assigned_object_type": object_type_converter(supports_journaling, null=False)},
    ),
    search=Search(fields=("comments",)),
    services=Services(create=journal_entries_create),
)  # fmt: skip


def _image_file(which: str):
    def serve(request, actor, attachment):
        name = attachment.image if which == "image" else attachment.thumbnail
        filename = attachment.filename if which == "image" else f"thumbnail-{attachment.filename.rsplit('.', 1)[0]}.png"
        return image_response(name, filename=filename)

    return serve


IMAGE_FILE = {"type": "string", "format": "binary"}
registry.register(
    ImageAttachment,
    api=Api(
        "extras/image-attachments",
        brief_fields=("id", "url", "display", "name", "image", "description"),
        fields=(
            "id", "url", "display", "object_type", "object_id", "parent", "name", "image", "description",
            "image_height", "image_width", "image_size", "created", "last_updated",
        ),
        write_fields=("object_type", "object_id", "name", "description"),
        renderers={
            "object_type": object_type_renderer("object_type"),
            "parent": _brief_of("parent"),
            # Served to members of the organization only (the route below), never from a public URL.
            "image": Rendered(image_url, TEXT_VALUE),
        },
        write_converters={"object_type": object_type_converter(supports_images, null=False)},
        write_extras={
            "image": WriteExtra(
                image_upload,
                ValueType(IMAGE_FILE, "String"),
                "The image: PNG, JPEG, GIF or WebP, sent as a multipart/form-data upload.",
            )
        },
        routes=(
            Route("image", _image_file("image"), summary="The image file.", response=IMAGE_FILE),
            Route("thumbnail", _image_file("thumbnail"), summary="The image, at most 200x200.", response=IMAGE_FILE),
        ),
    ),
    search=Search(fields=("name", "description")),
    services=Services(create=image_attachments_create, update=image_attachments_update),
)  # fmt: skip
registry.register(
    SavedFilter,
    api=Api(
        "extras/saved-filters",
        brief_fields=("id", "url", "display", "name", "slug", "description"),
        fields=(
            "id", "url", "display_url", "display", "object_types", "name", "slug", "description", "user", "weight",
            "enabled", "shared", "parameters", "owner", "created", "last_updated",
        ),
        write_fields=(
            "object_types", "name", "slug", "description", "weight", "enabled", "shared", "parameters", "owner",
        ),
        renderers={
            "object_types": object_type_labels("object_types"),
            "user": Rendered(lambda saved_filter, links: saved_filter.user_id, nullable(INTEGER_VALUE)),
        },
        write_converters={"object_types": object_type_converter(lambda model: model in registry, many=True)},
    ),
    access=Access(visible_to=_saved_filter_visibility),
    search=Search(fields=("name", "slug", "description")),
    services=Services(create=saved_filters_create),
)  # fmt: skip


# -- object permissions (NetBox's users/permissions) --------------------------------------------


# NetBox's user groups (of a permission, of an owner): Wirebook has none, so always empty.
# NetBox's nested user of a permission, in its order.
PERMISSION_USER = ("id", "url", "display_url", "display", "username")
NO_GROUPS = Rendered(lambda obj, links: [], list_of(json_object()))


@renders(list_of(MEMBER))
def _member_users(obj, links):
    """The members an object permission grants to, or an owner holds: those still in the organization."""
    known = members(links)
    return [member_brief(user_id, links) for user_id in sorted(obj.user_ids) if user_id in known]


@renders(list_of(json_object({"id": INTEGER_VALUE} | {name: TEXT_VALUE for name in PERMISSION_USER[1:]})))
def _permission_users(obj, links):
    """The members an object permission grants to, as NetBox's users with their page: a member's row on the
    organization's members page (permissions are shown to admins, who see that page)."""
    users = []
    for brief in _member_users(obj, links):
        brief["display_url"] = f"{links.ui}settings/members/#member-{brief['id']}"
        users.append({name: brief[name] for name in PERMISSION_USER})
    return users


def _actions(value, actor):
    if not isinstance(value, list) or not value or not all(isinstance(item, str) and item for item in value):
        raise ValidationError(_("Expected a non-empty list of actions."))
    return sorted(set(value))


registry.register(
    ObjectPermission,
    api=Api(
        "users/permissions",
        brief_fields=("id", "url", "display", "name", "description", "enabled", "object_types", "actions"),
        fields=(
            "id", "url", "display_url", "display", "name", "description", "enabled", "object_types", "actions",
            "constraints", "groups", "users",
        ),
        renderers={
            "object_types": object_type_labels("object_types"),
            "users": _permission_users,
            "groups": NO_GROUPS,  # NetBox's groups; none here
        },
        write_fields=("name", "description", "enabled", "object_types", "actions", "constraints", "user_ids"),
        write_converters={
            "object_types": object_type_converter(lambda model: model in registry, many=True),
            "user_ids": member_ids,
            "actions": _actions,
        },
        write_aliases={"users": "user_ids"},
    ),
    access=Access(admin_only=True),
    search=Search(fields=("name", "description")),
    filters=no_groups_filters(),
)  # fmt: skip


# -- owners (NetBox's users/owners and users/owner-groups) -------------------------------------------


def _no_user_groups(value, actor) -> list:
    """NetBox's `user_groups` of an owner: Wirebook has no user groups, so only an empty list is valid."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValidationError(f'Expected a list of items but got type "{type(value).__name__}".')
    if value:
        raise ValidationError(_("Related object not found using the provided numeric ID: {id}").format(id=value[0]))
    return []


registry.register(
    OwnerGroup,
    api=Api(
        "users/owner-groups",
        brief_fields=("id", "url", "display", "name", "description"),
        fields=("id", "url", "display_url", "display", "name", "description", "member_count"),
        counts={"member_count": "members"},
    ),
    search=Search(fields=("name", "description")),
)
registry.register(
    Owner,
    api=Api(
        "users/owners",
        brief_fields=("id", "url", "display", "name", "description"),
        fields=("id", "url", "display_url", "display", "name", "group", "description", "user_groups", "users"),
        renderers={"users": _member_users, "user_groups": NO_GROUPS},
        write_fields=("name", "group", "description", "user_ids"),
        write_converters={"user_ids": member_ids},
        write_aliases={"users": "user_ids"},
        write_extras={
            "user_groups": WriteExtra(_no_user_groups, list_of(INTEGER_VALUE), "User groups (none in Wirebook)")
        },
    ),
    search=Search(fields=("name", "description")),
)
