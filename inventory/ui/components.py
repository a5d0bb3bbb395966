"""NetBox's Devices menu, Device Components heading: every component of devices, in NetBox's order."""

from django import forms

from core.registry import Menu, Ui, registry
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
from inventory.ui.power import PORT_DRAW

DEVICE_COMPONENTS = Menu("Devices", "Device Components")


# As in NetBox, components are made several at a time from name patterns (`Gi1/0/[1-48]`) and renamed in bulk.
def _component_ui(**options) -> Ui:
    return Ui(menu=DEVICE_COMPONENTS, name_patterns=("name", "label"), bulk_rename=True, **options)


def port_mappings_field(label: str, example: str):
    """A port's mappings as the API writes them, in JSON (empty: unchanged)."""
    return lambda bulk: forms.JSONField(
        required=False,
        label=label,
        help_text=f"JSON, e.g. {example}; empty leaves them as they are, [] removes them.",
        widget=forms.Textarea(attrs={"class": "form-control font-monospace", "rows": 3}),
    )


def _mac_address(bulk: bool) -> forms.Field:
    return forms.CharField(
        required=False,
        empty_value=None,
        label="MAC address",
        help_text="Sets the primary MAC address (made if the interface has none of this value).",
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


PORT_COLUMNS = ("name", "device", "label", "type", "description")
INTERFACE_COLUMNS = (
    "name", "device", "label", "enabled", "type", "parent", "lag", "mtu", "mode", "mac_address", "description", "cable",
    "connected_endpoints", "count_ipaddresses", "untagged_vlan", "tagged_vlans",
)  # fmt: skip

# NetBox's interface form.
INTERFACE_SECTIONS = (
    ("Interface", ("device", "module", "name", "label", "type", "speed", "duplex", "description")),
    ("Addressing", ("vrf", "mac_address", "primary_mac_address", "wwn")),
    ("Operation", ("vdcs", "mtu", "tx_power", "enabled", "mgmt_only", "mark_connected")),
    ("Related interfaces", ("parent", "bridge", "lag")),
    ("PoE", ("poe_mode", "poe_type")),
    ("802.1Q switching", ("mode", "untagged_vlan", "tagged_vlans", "qinq_svlan", "vlan_translation_policy")),
    (
        "Wireless",
        ("rf_role", "rf_channel", "rf_channel_frequency", "rf_channel_width", "wireless_lans"),
    ),
    ("Channels", ("channels", "channel_id")),
)

registry.extend(
    Interface,
    ui=_component_ui(
        # NetBox's interface table: what it is, its LAG and parent, what it connects to, its addresses and VLANs.
        table_columns=INTERFACE_COLUMNS,
        form_fields={"mac_address": _mac_address},
        sections=INTERFACE_SECTIONS,
    ),
)
registry.extend(
    FrontPort,
    ui=_component_ui(
        table_columns=(*PORT_COLUMNS, "positions", "rear_ports"),
        form_fields={
            "rear_ports": port_mappings_field(
                "Rear ports", '[{"position": 1, "rear_port": 7, "rear_port_position": 1}]'
            )
        },
    ),
)
registry.extend(
    RearPort,
    ui=_component_ui(
        table_columns=(*PORT_COLUMNS, "positions", "front_ports"),
        form_fields={
            "front_ports": port_mappings_field(
                "Front ports", '[{"position": 1, "front_port": 7, "front_port_position": 1}]'
            )
        },
    ),
)
registry.extend(ConsolePort, ui=_component_ui(table_columns=(*PORT_COLUMNS, "speed")))
registry.extend(ConsoleServerPort, ui=_component_ui(table_columns=(*PORT_COLUMNS, "speed")))
registry.extend(
    PowerPort,
    ui=_component_ui(table_columns=(*PORT_COLUMNS, "maximum_draw", "allocated_draw"), panels=(PORT_DRAW,)),
)
registry.extend(PowerOutlet, ui=_component_ui(table_columns=(*PORT_COLUMNS, "status", "power_port", "feed_leg")))
registry.extend(
    ModuleBay,
    ui=_component_ui(table_columns=("name", "device", "label", "position", "installed_module")),
)
registry.extend(DeviceBay, ui=_component_ui(table_columns=("name", "device", "label", "enabled", "installed_device")))
registry.extend(
    InventoryItem,
    ui=_component_ui(
        table_columns=("name", "device", "label", "status", "role", "manufacturer", "part_id", "component"),
    ),
)
