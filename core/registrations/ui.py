"""The core app's models in the UI: NetBox's menus and headings, list columns, form fields."""

from django.utils.translation import gettext as _

from core.changes import present_changes, readable_diffs
from core.images import image_file_field, image_url
from core.members import member_field
from core.models import (
    CustomField,
    CustomFieldChoiceSet,
    ImageAttachment,
    JournalEntry,
    ObjectChange,
    ObjectPermission,
    Owner,
    OwnerGroup,
    SavedFilter,
    Tag,
)
from core.registry import Menu, Panel, Ui, registry
from core.representation import Links

CUSTOMIZATION = Menu("Customization", "Customization")
LOGGING = Menu("Operations", "Logging")


def _member_field(bulk: bool):
    """The members an object permission grants to (an owner holds), picked by email (users live in the
    public schema)."""
    return member_field(multiple=True, label=_("Users"), required=False)


registry.extend(CustomField, ui=Ui(menu=CUSTOMIZATION))
registry.extend(CustomFieldChoiceSet, ui=Ui(menu=CUSTOMIZATION))
registry.extend(SavedFilter, ui=Ui(menu=CUSTOMIZATION))
registry.extend(Tag, ui=Ui(menu=CUSTOMIZATION))
registry.extend(JournalEntry, ui=Ui(menu=LOGGING))


registry.extend(
    ImageAttachment,
    ui=Ui(
        menu=CUSTOMIZATION,
        table_columns=("name", "object_type", "parent", "image_width", "image_height", "image_size", "created"),
        form_fields={"image": image_file_field},
        panels=(
            Panel(
                "frontend/generic/_image_panel.html",
                context=lambda request, spec, actor, attachment: {"url": image_url(attachment, Links(request))},
                column="right",
            ),
        ),
    ),
)
registry.extend(
    ObjectChange,
    ui=Ui(
        menu=LOGGING,
        table_columns=("time", "user_name", "action", "changed_object_type", "object_repr", "request_id"),
        changelog=False,
        panels=(
            Panel(
                "frontend/generic/_diff_panel.html",
                context=lambda request, spec, actor, change: {
                    "rows": readable_diffs([change], actor, Links(request))[0]
                },
                column="left",
            ),
        ),
        present=present_changes,
    ),
)
registry.extend(
    ObjectPermission,
    ui=Ui(menu=Menu("Admin", "Authentication"), form_fields={"user_ids": _member_field}),
)
OWNERSHIP = Menu("Admin", "Ownership")
registry.extend(OwnerGroup, ui=Ui(menu=OWNERSHIP))
registry.extend(Owner, ui=Ui(menu=OWNERSHIP, form_fields={"user_ids": _member_field}))
