"""NetBox's contacts: groups, roles, contacts and their assignments to objects."""

from core.fields import BRIEF_OBJECT, nullable, renders
from core.registry import Api, Search, object_type_renderer, registry
from core.representation import render
from core.writes import object_type_converter
from inventory.api.briefs import NAMED_BRIEF, NAMES
from inventory.models import Contact, ContactAssignment, ContactGroup, ContactRole


@renders(nullable(BRIEF_OBJECT))
def _assigned_object(assignment, links):
    target = assignment.assigned_object
    if target is None:
        return None
    if type(target) in registry:
        return render(target, links, brief=True)
    return {"id": target.pk, "display": str(target)}


registry.register(
    ContactGroup,
    api=Api(
        "tenancy/contact-groups",
        brief_fields=("id", "url", "display", "name", "slug", "description", "contact_count", "_depth"),
        counts={"contact_count": "contacts"},
    ),
    search=NAMES,
)
registry.register(ContactRole, api=Api("tenancy/contact-roles", brief_fields=NAMED_BRIEF), search=NAMES)
registry.register(
    Contact,
    api=Api(
        "tenancy/contacts",
        brief_fields=("id", "url", "display", "name", "description"),
        fields=(
            "id", "url", "display_url", "display", "groups", "name", "title", "phone", "email", "address", "link",
            "description", "owner", "comments", "tags", "custom_fields", "created", "last_updated",
        ),
    ),
    search=Search(fields=("name", "title", "phone", "email", "address", "link", "description", "comments")),
)  # fmt: skip
registry.register(
    ContactAssignment,
    api=Api(
        "tenancy/contact-assignments",
        brief_fields=("id", "url", "display", "contact", "role", "priority"),
        fields=(
            "id", "url", "display", "object_type", "object_id", "object", "contact", "role", "priority",
            "tags", "custom_fields", "created", "last_updated",
        ),
        write_fields=("object_type", "object_id", "contact", "role", "priority"),
        renderers={"object_type": object_type_renderer("object_type"), "object": _assigned_object},
        # Any registered type converts; the model's clean() says which ones take contacts.
        write_converters={"object_type": object_type_converter(lambda model: model in registry, null=False)},
    ),
    search=Search(fields=("contact__name", "role__name")),
)  # fmt: skip
