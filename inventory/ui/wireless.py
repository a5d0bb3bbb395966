"""NetBox's Wireless menu: wireless LANs and their groups, and wireless links, with their list columns."""

from core.registry import Menu, Ui, registry
from inventory.models import WirelessLAN, WirelessLANGroup, WirelessLink

WIRELESS = Menu("Wireless", "Wireless")
LINKS = Menu("Wireless", "Links")

registry.extend(
    WirelessLAN,
    ui=Ui(menu=WIRELESS, table_columns=("ssid", "group", "status", "vlan", "scope", "tenant", "auth_type")),
)
registry.extend(WirelessLANGroup, ui=Ui(menu=WIRELESS, table_columns=("name", "wirelesslan_count", "description")))
registry.extend(
    WirelessLink,
    ui=Ui(menu=LINKS, table_columns=("id", "ssid", "status", "interface_a", "interface_b", "distance", "tenant")),
)
