"""NetBox's device components (dcim/console-ports, interfaces, front-ports, module-bays, inventory-items…).

A cabled component shows its cable, its link peers (the objects on the cable's other end) and, for path
endpoints, where its traced path leads (inventory.api.connections); `_occupied` is true with a cable or
`mark_connected`. An interface's VLANs and VRF are IPAM's, shown in their brief forms, as are its wireless
LANs, its wireless link and its L2VPN termination (VPN's).
"""

from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.core.exceptions import ValidationError
from django.db.models import Prefetch

from core.fields import (
    BOOLEAN_VALUE,
    BRIEF_OBJECT,
    INTEGER_VALUE,
    TEXT_VALUE,
    Rendered,
    json_object,
    list_of,
    listed,
    listed_prefetch,
    nullable,
    renders,
)
from core.registry import Api, Search, object_type_renderer, registry
from core.representation import render
from core.services import Services
from core.writes import WriteExtra, object_type_converter
from inventory.api.briefs import l2vpn_termination, linked_count, nested
from inventory.api.connections import CABLED, CONNECTED, INTERFACE_CABLED, PATHS, TRACE
from inventory.models import (
    ConsolePort,
    ConsoleServerPort,
    DeviceBay,
    FrontPort,
    Interface,
    InventoryItem,
    ModuleBay,
    PowerOutlet,
    PowerPort,
    RearPort,
)
from inventory.models.components import INVENTORY_COMPONENTS
from inventory.models.interfaces import hardware_address
from inventory.services.cables import cabled_delete
from inventory.services.interfaces import interfaces_create, interfaces_update
from inventory.services.ports import ports_create, ports_update

TRAILER = ("owner", "tags", "custom_fields", "created", "last_updated")
BRIEF = ("id", "url", "display", "device", "name", "description", "cable", "_occupied")
# How a component shows the module it came with, and how a bay shows the module installed in it.
MODULE = ("id", "url", "display", "device", "module_bay")
NAMES = Search(fields=("name", "label", "description"))

NO_TEXT = Rendered(lambda obj, links: None, nullable(TEXT_VALUE))
OCCUPIED = Rendered(lambda component, links: component.occupied, BOOLEAN_VALUE)
# A cabled component's cable end and link peers ...
UNCABLED = {**CABLED, "_occupied": OCCUPIED}
# ... and where its path leads (console, power and interfaces).
UNCONNECTED = CONNECTED
PATH_FIELDS = (
    "mark_connected", "cable", "cable_end", "link_peers", "link_peers_type", "connected_endpoints",
    "connected_endpoints_type", "connected_endpoints_reachable",
)  # fmt: skip
# Deleting a cabled component lets its cable terminations go and re-traces the paths it was on.
CABLED_SERVICES = Services(delete=cabled_delete)
COMPONENT_RENDERERS = {"module": nested("module", MODULE), **UNCABLED}


def _component(model, path: str, *fields: str, renderers=None, brief=BRIEF, services=None, **options) -> None:
    registry.register(
        model,
        api=Api(
            f"dcim/{path}",
            brief_fields=brief,
            fields=("id", "url", "display_url", "display", "device", *fields, *TRAILER, "_occupied"),
            renderers={**COMPONENT_RENDERERS, **(renderers or {})},
            **options,
        ),
        search=NAMES,
        **({"services": services} if services is not None else {}),
    )


_component(
    ConsolePort, "console-ports", "module", "name", "label", "type", "speed", "description", *PATH_FIELDS,
    renderers=UNCONNECTED, routes=(TRACE,), services=CABLED_SERVICES,
)  # fmt: skip
_component(
    ConsoleServerPort, "console-server-ports", "module", "name", "label", "type", "speed", "description", *PATH_FIELDS,
    renderers=UNCONNECTED, routes=(TRACE,), services=CABLED_SERVICES,
)  # fmt: skip
_component(
    PowerPort, "power-ports", "module", "name", "label", "type", "maximum_draw", "allocated_draw", "description",
    *PATH_FIELDS, renderers=UNCONNECTED, routes=(TRACE,), services=CABLED_SERVICES,
)  # fmt: skip
_component(
    PowerOutlet, "power-outlets", "module", "name", "label", "type", "status", "color", "power_port", "feed_leg",
    "description", *PATH_FIELDS, renderers=UNCONNECTED, routes=(TRACE,), services=CABLED_SERVICES,
)  # fmt: skip

# -- interfaces ----------------------------------------------------------------------------------------------------

NESTED_INTERFACE = ("id", "url", "display_url", "display", "device", "name", "cable", "_occupied")
NESTED_DEVICE = ("id", "url", "display_url", "display", "name")


def _nested_interface(interface, links) -> dict:
    memo = links.__dict__.setdefault("_nested_interfaces", {})
    if interface.pk not in memo:
        shown = render(interface, links, only=set(NESTED_INTERFACE))
        shown["device"] = render(interface.device, links, only=set(NESTED_DEVICE))
        memo[interface.pk] = shown
    return memo[interface.pk]


def _interface(name: str) -> Rendered:
    """An interface's parent, bridge or LAG, as NetBox's NestedInterface."""

    @renders(nullable(BRIEF_OBJECT), select=(f"{name}__device", f"{name}__cable"))
    def related(interface, links):
        other = getattr(interface, name)
        return None if other is None else _nested_interface(other, links)

    return related


def _bridged():
    return listed_prefetch(
        "bridge_interfaces", Interface._base_manager.select_related("device", "cable").order_by("pk")
    )


@renders(list_of(BRIEF_OBJECT), prefetch=(_bridged(),))
def _bridge_interfaces(interface, links):
    return [_nested_interface(other, links) for other in listed(interface, "bridge_interfaces")]


@renders(list_of(BRIEF_OBJECT), prefetch=(listed_prefetch("mac_addresses"),))
def _mac_addresses(interface, links):
    addresses = sorted(listed(interface, "mac_addresses"), key=lambda mac: mac.pk)
    return [render(mac, links, brief=True) for mac in addresses]


def _mac_address(value, actor) -> str | None:
    """The `mac_address` shortcut: sets (creating it if need be) the interface's primary MAC address."""
    if value is not None and not isinstance(value, str):
        raise ValidationError("Not a valid string.")
    try:
        return hardware_address(value, 6, "MAC address")
    except ValidationError:
        raise ValidationError("Enter a valid MAC address (e.g. 00:11:22:33:44:55).") from None


registry.register(
    Interface,
    api=Api(
        "dcim/interfaces",
        brief_fields=BRIEF,
        fields=(
            "id", "url", "display_url", "display", "device", "vdcs", "module", "name", "label", "type", "channels",
            "channel_id", "enabled", "parent", "bridge", "bridge_interfaces", "lag", "mtu", "mac_address",
            "primary_mac_address", "mac_addresses", "speed", "duplex", "wwn", "mgmt_only", "description", "mode",
            "rf_role", "rf_channel", "poe_mode", "poe_type", "rf_channel_frequency", "rf_channel_width", "tx_power",
            "untagged_vlan", "tagged_vlans", "qinq_svlan", "vlan_translation_policy", "mark_connected", "cable",
            "cable_end", "wireless_link", "link_peers", "link_peers_type", "wireless_lans", "vrf",
            "l2vpn_termination", "connected_endpoints", "connected_endpoints_type", "connected_endpoints_reachable",
            *TRAILER, "count_ipaddresses", "count_fhrp_groups", "_occupied",
        ),
        renderers={
            **COMPONENT_RENDERERS,
            **INTERFACE_CABLED,
            **UNCONNECTED,
            "parent": _interface("parent"),
            "bridge": _interface("bridge"),
            "lag": _interface("lag"),
            "bridge_interfaces": _bridge_interfaces,
            "mac_address": Rendered(
                lambda interface, links: interface.mac_address, nullable(TEXT_VALUE), select=("primary_mac_address",)
            ),
            "mac_addresses": _mac_addresses,
            "count_ipaddresses": linked_count(Interface, "ip_addresses"),
            "count_fhrp_groups": linked_count(Interface, "fhrp_group_assignments"),
            "wireless_link": nested(
                "wireless_link", ("id", "url", "display_url", "display", "ssid"), select=("wireless_link",)
            ),
            "l2vpn_termination": l2vpn_termination(Interface),
        },
        routes=(TRACE,),
        write_extras={"mac_address": WriteExtra(_mac_address, nullable(TEXT_VALUE), "The primary MAC address")},
    ),
    search=NAMES,
    services=Services(create=interfaces_create, update=interfaces_update, delete=cabled_delete),
)  # fmt: skip

# -- pass-through ports ----------------------------------------------------------------------------------------------

MAPPING = json_object({"position": INTEGER_VALUE, "rear_port": INTEGER_VALUE, "rear_port_position": INTEGER_VALUE})
REVERSE_MAPPING = json_object(
    {"position": INTEGER_VALUE, "front_port": INTEGER_VALUE, "front_port_position": INTEGER_VALUE}
)


@renders(list_of(MAPPING), prefetch=("mappings",))
def rear_ports_rendered(port, links):
    return [
        {"position": mapping.front_port_position, "rear_port": mapping.rear_port_id,
         "rear_port_position": mapping.rear_port_position}
        for mapping in sorted(port.mappings.all(), key=lambda mapping: mapping.front_port_position)
    ]  # fmt: skip


@renders(list_of(REVERSE_MAPPING), prefetch=("mappings",))
def front_ports_rendered(port, links):
    return [
        {"position": mapping.rear_port_position, "front_port": mapping.front_port_id,
         "front_port_position": mapping.front_port_position}
        for mapping in sorted(port.mappings.all(), key=lambda mapping: mapping.rear_port_position)
    ]  # fmt: skip


def mappings_converter(side: str, other: str):
    """A port's mappings as NetBox writes them: [{"position": 1, "<other>": <id>, "<other>_position": 1}]."""

    def convert(value, actor) -> list[dict]:
        if not isinstance(value, list):
            raise ValidationError(f'Expected a list of items but got type "{type(value).__name__}".')
        mappings = []
        for item in value:
            if not isinstance(item, dict) or other not in item:
                raise ValidationError(f"Each mapping needs a position and a {other.replace('_', ' ')}.")
            numbers = {"position": item.get("position"), other: item[other], "far": item.get(f"{other}_position", 1)}
            if not all(isinstance(number, int) and not isinstance(number, bool) for number in numbers.values()):
                raise ValidationError("A valid integer is required.")
            mappings.append({f"{side}_position": numbers["position"], f"{other}_id": numbers[other],
                             f"{other}_position": numbers["far"]})  # fmt: skip
        return mappings

    return convert


_component(
    FrontPort, "front-ports", "module", "name", "label", "type", "color", "positions", "rear_ports", "description",
    "mark_connected", "cable", "cable_end", "link_peers", "link_peers_type",
    renderers={"rear_ports": rear_ports_rendered}, routes=(PATHS,),
    services=Services(create=ports_create, update=ports_update, delete=cabled_delete),
    write_extras={
        "rear_ports": WriteExtra(
            mappings_converter("front_port", "rear_port"), list_of(MAPPING), "Rear port positions"
        ),
    },
)  # fmt: skip
_component(
    RearPort, "rear-ports", "module", "name", "label", "type", "color", "positions", "front_ports", "description",
    "mark_connected", "cable", "cable_end", "link_peers", "link_peers_type",
    renderers={"front_ports": front_ports_rendered}, routes=(PATHS,),
    services=Services(create=ports_create, update=ports_update, delete=cabled_delete),
    write_extras={
        "front_ports": WriteExtra(
            mappings_converter("rear_port", "front_port"), list_of(REVERSE_MAPPING), "Front port positions"
        ),
    },
)  # fmt: skip

# -- bays and inventory items ----------------------------------------------------------------------------------------


def _module_bay_types_prefetch():
    return Prefetch("installed_module__module_type__module_bay_types")


registry.register(
    ModuleBay,
    api=Api(
        "dcim/module-bays",
        brief_fields=("id", "url", "display", "name", "enabled", "description", "installed_module", "_occupied"),
        fields=(
            "id", "url", "display_url", "display", "device", "module", "name", "label", "position", "enabled",
            "description", "module_bay_types", "installed_module", *TRAILER, "_occupied", "is_module_compatible",
        ),
        renderers={
            "module": nested("module", ("id", "url", "display")),
            "installed_module": nested(
                "installed_module",
                ("id", "url", "display", "serial", "description"),
                select=("installed_module__module_type", "installed_module__module_bay"),
            ),
            "_occupied": Rendered(
                lambda bay, links: bay.occupied, BOOLEAN_VALUE, select=("installed_module",)
            ),
            "is_module_compatible": Rendered(
                lambda bay, links: bay.is_module_compatible,
                BOOLEAN_VALUE,
                select=("installed_module__module_type",),
                prefetch=("module_bay_types", _module_bay_types_prefetch()),
            ),
        },
    ),
    search=NAMES,
)  # fmt: skip
registry.register(
    DeviceBay,
    api=Api(
        "dcim/device-bays",
        brief_fields=("id", "url", "display", "device", "name", "enabled", "description", "_occupied"),
        fields=(
            "id", "url", "display_url", "display", "device", "name", "label", "enabled", "description",
            "installed_device", *TRAILER, "_occupied",
        ),
        renderers={"_occupied": OCCUPIED},
    ),
    search=NAMES,
)  # fmt: skip

# The components an inventory item may stand for, written as NetBox's "dcim.interface".
_component_type = object_type_converter(lambda model: model._meta.label_lower in INVENTORY_COMPONENTS)


def _components_prefetch():
    """The components items stand for, with their devices: one query per kind of component."""
    models = (ConsolePort, ConsoleServerPort, FrontPort, Interface, PowerOutlet, PowerPort, RearPort)
    return GenericPrefetch("component_object", [model._base_manager.select_related("device") for model in models])


@renders(nullable(BRIEF_OBJECT), prefetch=(_components_prefetch(),))
def _inventory_component(item, links):
    component = item.component_object
    return None if component is None else render(component, links, brief=True)


registry.register(
    InventoryItem,
    api=Api(
        "dcim/inventory-items",
        brief_fields=("id", "url", "display", "device", "name", "description", "_depth"),
        fields=(
            "id", "url", "display_url", "display", "device", "parent", "name", "label", "status", "role",
            "manufacturer", "part_id", "serial", "asset_tag", "discovered", "description", "component_type",
            "component_id", "component", *TRAILER, "_depth",
        ),
        renderers={
            # NetBox shows the parent by its id alone
            "parent": Rendered(lambda item, links: item.parent_id, nullable(INTEGER_VALUE)),
            "component_type": object_type_renderer("component_type", null=True),
            "component": _inventory_component,
        },
        write_converters={"component_type": _component_type},
    ),
    search=Search(fields=("name", "label", "part_id", "serial", "asset_tag", "description")),
)  # fmt: skip
