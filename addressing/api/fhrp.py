"""NetBox's FHRP groups and their assignments to interfaces."""

from addressing.api.common import TRAILER, linked_object
from addressing.models import FHRPGroup, FHRPGroupAssignment
from core.fields import BRIEF_OBJECT, Rendered, list_of
from core.registry import Api, Search, object_type_renderer, plain_choice, registry
from core.representation import render
from core.writes import object_type_converter

registry.register(
    FHRPGroup,
    api=Api(
        "ipam/fhrp-groups",
        brief_fields=("id", "url", "display", "protocol", "group_id", "description"),
        fields=(
            "id", "name", "url", "display_url", "display", "protocol", "group_id", "auth_type", "auth_key",
            "description", *TRAILER, "ip_addresses",
        ),
        renderers={
            "protocol": plain_choice("protocol"),
            "ip_addresses": Rendered(
                lambda group, links: [render(address, links, brief=True) for address in group.ip_addresses.all()],
                list_of(BRIEF_OBJECT),
            )
        },
    ),
    search=Search(fields=("name", "description", "comments")),
)  # fmt: skip


def assignment_display(assignment: FHRPGroupAssignment) -> str:
    """NetBox's "<interface>: <group> (<priority>)"; the group and priority alone where the interface was not
    loaded with the row (a brief list, which loads no interfaces)."""
    if "interface" in assignment._state.fields_cache:
        return str(assignment)
    return f"{assignment.group} ({assignment.priority})"


registry.register(
    FHRPGroupAssignment,
    api=Api(
        "ipam/fhrp-group-assignments",
        brief_fields=("id", "url", "display", "group", "interface_type", "interface_id", "priority"),
        fields=(
            "id", "url", "display", "group", "interface_type", "interface_id", "interface", "priority", "created",
            "last_updated",
        ),
        renderers={"interface_type": object_type_renderer("interface_type"), "interface": linked_object("interface")},
        # As NetBox, any type of object (its interfaces are DCIM's and virtualization's).
        write_converters={"interface_type": object_type_converter(lambda model: model in registry, null=False)},
    ),
    search=Search(fields=()),
    display=assignment_display,
)  # fmt: skip
