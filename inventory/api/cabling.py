"""NetBox's cables (dcim/cables) with their A and B terminations, and the components cables end on,
declared through the registry (`Cabling`): other apps declare theirs the same way."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.fields import (
    BRIEF_OBJECT,
    INTEGER_VALUE,
    TEXT_VALUE,
    Rendered,
    json_object,
    list_of,
    nullable,
    renders,
)
from core.registry import Access, Api, Cabling, Search, object_type_label, plain_choice, registry
from core.representation import render
from core.services import Services
from core.writes import WriteExtra, object_type_for
from inventory.cabling import (
    EndpointPrefetch,
    cabling_of,
    front_port_through,
    rear_port_through,
    terminations_prefetch,
)
from inventory.component_types import UNCABLED_INTERFACE_TYPES
from inventory.models import (
    Cable,
    CableTermination,
    ConsolePort,
    ConsoleServerPort,
    FrontPort,
    Interface,
    PowerOutlet,
    PowerPort,
    RearPort,
)
from inventory.services.cables import cables_create, cables_delete, cables_update

# -- which components cables end on --------------------------------------------------------------------------------

# Where a device's component stands, for the cable list's filters.
ON_DEVICE = (("device", "device"), ("site", "device__site"), ("rack", "device__rack"), ("location", "device__location"))
PASS_THROUGH_PEERS = ("consoleport", "consoleserverport", "interface", "frontport", "rearport", "circuittermination")


def _interface_refused(interface) -> str | None:
    if interface.type in UNCABLED_INTERFACE_TYPES:
        return _("Cables cannot be terminated to {type_display} interfaces").format(
            type_display=interface.get_type_display()
        )
    return None


registry.extend(
    ConsolePort,
    cabling=Cabling(
        "consoleport", "device", places=ON_DEVICE, compatible=("consoleserverport", "frontport", "rearport")
    ),
)
registry.extend(
    ConsoleServerPort,
    cabling=Cabling(
        "consoleserverport", "device", places=ON_DEVICE, compatible=("consoleport", "frontport", "rearport")
    ),
)
registry.extend(
    PowerPort, cabling=Cabling("powerport", "device", places=ON_DEVICE, compatible=("poweroutlet", "powerfeed"))
)
registry.extend(PowerOutlet, cabling=Cabling("poweroutlet", "device", places=ON_DEVICE, compatible=("powerport",)))
registry.extend(
    Interface,
    cabling=Cabling(
        "interface",
        "device",
        places=ON_DEVICE,
        compatible=("interface", "circuittermination", "frontport", "rearport"),
        refuse=_interface_refused,
    ),
)
registry.extend(
    FrontPort,
    cabling=Cabling("frontport", "device", places=ON_DEVICE, compatible=PASS_THROUGH_PEERS, through=front_port_through),
)
registry.extend(
    RearPort,
    cabling=Cabling("rearport", "device", places=ON_DEVICE, compatible=PASS_THROUGH_PEERS, through=rear_port_through),
)

# -- cables --------------------------------------------------------------------------------------------------------

GENERIC_OBJECT = json_object({"object_type": TEXT_VALUE, "object_id": INTEGER_VALUE, "object": BRIEF_OBJECT})


def _terminations(end: str) -> Rendered:
    @renders(list_of(GENERIC_OBJECT), prefetch=(terminations_prefetch("terminations"),))
    def terminations(cable, links):
        return [
            {
                "object_type": object_type_label(ContentType.objects.get_for_id(termination.termination_type_id)),
                "object_id": termination.termination_id,
                "object": None
                if termination.termination is None
                else render(termination.termination, links, brief=True),
            }
            for termination in cable.terminations.all()
            if termination.cable_end == end
        ]

    return terminations


def _termination_list(value, actor) -> list[tuple[ContentType, int]]:
    """NetBox's [{"object_type": "dcim.interface", "object_id": 1}, ...]."""
    if not isinstance(value, list):
        raise ValidationError(f'Expected a list of items but got type "{type(value).__name__}".')
    converted = []
    for item in value:
        if not isinstance(item, dict) or "object_type" not in item or "object_id" not in item:
            raise ValidationError(_("Each termination needs an object_type and an object_id."))
        content_type = object_type_for(item["object_type"])
        model = content_type.model_class() if content_type is not None else None
        if model is None or cabling_of(model) is None:
            raise ValidationError(_("Invalid content type: {content_type}").format(content_type=item["object_type"]))
        object_id = item["object_id"]
        if not isinstance(object_id, int) or isinstance(object_id, bool):
            raise ValidationError(_("A valid integer is required."))
        converted.append((content_type, object_id))
    return converted


NULL_OBJECT = Rendered(lambda obj, links: None, nullable(BRIEF_OBJECT))
TERMINATIONS_WRITE = list_of(json_object({"object_type": TEXT_VALUE, "object_id": INTEGER_VALUE}))

registry.register(
    Cable,
    api=Api(
        "dcim/cables",
        brief_fields=("id", "url", "display", "label", "description"),
        fields=(
            "id", "url", "display_url", "display", "type", "a_terminations", "b_terminations", "status", "profile",
            "tenant", "bundle", "label", "color", "length", "length_unit", "description", "owner", "comments", "tags",
            "custom_fields", "created", "last_updated",
        ),
        renderers={
            "type": plain_choice("type", null=True),
            "a_terminations": _terminations("A"),
            "b_terminations": _terminations("B"),
            "profile": NULL_OBJECT,
            "bundle": NULL_OBJECT,
        },
        write_extras={
            "a_terminations": WriteExtra(_termination_list, TERMINATIONS_WRITE, "The A end's objects"),
            "b_terminations": WriteExtra(_termination_list, TERMINATIONS_WRITE, "The B end's objects"),
        },
    ),
    search=Search(fields=("label", "description", "comments")),
    services=Services(create=cables_create, update=cables_update, delete=cables_delete),
)  # fmt: skip

# -- cable terminations ----------------------------------------------------------------------------------------------


def _termination_objects():
    endpoints: Any = EndpointPrefetch  # (typed loosely: django-stubs' plugin fails on prefetches it cannot follow)
    return endpoints("termination")


@renders(nullable(BRIEF_OBJECT), prefetch=(_termination_objects(),))
def _termination(row, links):
    return None if row.termination is None else render(row.termination, links, brief=True)


UNSET = Rendered(lambda row, links: None, nullable(TEXT_VALUE))

registry.register(
    CableTermination,
    api=Api(
        "dcim/cable-terminations",
        brief_fields=(
            "id", "url", "display", "cable", "cable_end", "termination_type", "termination_id", "connector",
            "positions",
        ),
        fields=(
            "id", "url", "display", "cable", "cable_end", "termination_type", "termination_id", "termination",
            "connector", "positions", "created", "last_updated",
        ),
        renderers={
            "cable": Rendered(lambda row, links: row.cable_id, INTEGER_VALUE),
            "cable_end": Rendered(lambda row, links: row.cable_end, TEXT_VALUE),
            "termination_type": Rendered(
                lambda row, links: object_type_label(ContentType.objects.get_for_id(row.termination_type_id)),
                TEXT_VALUE,
            ),
            "termination": _termination,
            # NetBox 4.7's cable connectors and positions (cable profiles), and timestamps a termination
            # does not keep here: unset.
            "connector": Rendered(lambda row, links: None, nullable(INTEGER_VALUE)),
            "positions": Rendered(lambda row, links: None, nullable(list_of(INTEGER_VALUE))),
            "created": UNSET,
            "last_updated": UNSET,
        },
    ),
    access=Access(read_only=True),
    search=Search(fields=()),
)  # fmt: skip
