"""NetBox's application services and service templates (4.7's `port_mappings`, with the older
single-protocol `protocol` and `ports` shown beside them)."""

from collections.abc import Callable

from addressing.api.common import TRAILER, linked_object, object_types_of
from addressing.choices import ServiceProtocol
from addressing.models import Service, ServiceTemplate
from addressing.services import legacy_ports, legacy_ports_protocol, service_ports_create, service_ports_update
from core.fields import INTEGER_VALUE, TEXT_VALUE, Rendered, json_object, list_of, nullable
from core.registry import Api, Search, object_type_renderer, registry
from core.services import Services
from core.writes import WriteExtra

# What a service runs on (NetBox's SERVICE_ASSIGNMENT_MODELS): those registered.
SERVICE_PARENT_TYPES = ("dcim.device", "ipam.fhrpgroup", "virtualization.virtualmachine")
PROTOCOL_LABELS = dict(ServiceProtocol.choices)


def _protocol(service, links):
    protocol = service.protocol
    return None if protocol is None else {"value": protocol, "label": str(PROTOCOL_LABELS.get(protocol, protocol))}


LEGACY: dict[str, Callable] = {
    "protocol": Rendered(_protocol, nullable(json_object({"value": TEXT_VALUE, "label": TEXT_VALUE}))),
    "ports": Rendered(lambda service, links: service.ports, nullable(list_of(INTEGER_VALUE))),
}
# ... also written, as NetBox 4.7 accepts them: they set the port mappings they stand for.
LEGACY_WRITES = {
    "protocol": WriteExtra(
        legacy_ports_protocol,
        TEXT_VALUE,
        "Sets port_mappings with `ports` (older form)",
        choices=tuple((value, str(label)) for value, label in ServiceProtocol.choices),
    ),
    "ports": WriteExtra(legacy_ports, list_of(INTEGER_VALUE), "Sets port_mappings with `protocol` (older form)"),
}
LEGACY_SERVICES = Services(create=service_ports_create, update=service_ports_update)

registry.register(
    ServiceTemplate,
    api=Api(
        "ipam/service-templates",
        brief_fields=("id", "url", "display", "name", "port_mappings", "description"),
        fields=(
            "id", "url", "display_url", "display", "name", "port_mappings", "protocol", "ports", "description",
            *TRAILER,
        ),
        renderers=LEGACY,
        write_extras=LEGACY_WRITES,
    ),
    services=LEGACY_SERVICES,
    search=Search(fields=("name", "description", "comments")),
)  # fmt: skip
registry.register(
    Service,
    api=Api(
        "ipam/services",
        brief_fields=("id", "url", "display", "name", "port_mappings", "description"),
        fields=(
            "id", "url", "display_url", "display", "parent_object_type", "parent_object_id", "parent", "name",
            "port_mappings", "protocol", "ports", "ipaddresses", "description", *TRAILER,
        ),
        renderers={
            **LEGACY,
            "parent_object_type": object_type_renderer("parent_object_type"),
            "parent": linked_object("parent"),
        },
        write_converters={"parent_object_type": object_types_of(SERVICE_PARENT_TYPES, null=False)},
        write_extras=LEGACY_WRITES,
    ),
    services=LEGACY_SERVICES,
    search=Search(fields=("name", "description", "comments")),
)  # fmt: skip
