"""NetBox's Wireless menu: wireless LANs and their groups, and wireless links, with their list columns; links
import and export their interfaces by device and name (inventory.ui.wireless_import)."""

from core.registry import Importer, Menu, Ui, registry
from inventory.models import WirelessLAN, WirelessLANGroup, WirelessLink
from inventory.ui.wireless_import import EXPORT_PREFETCH, KEYS, export_wireless_link_ends, import_wireless_links

WIRELESS = Menu("Wireless", "Wireless")
LINKS = Menu("Wireless", "Links")

registry.extend(
    WirelessLAN,
    ui=Ui(menu=WIRELESS, table_columns=("ssid", "group", "status", "vlan", "scope", "tenant", "auth_type")),
)
registry.extend(WirelessLANGroup, ui=Ui(menu=WIRELESS, table_columns=("name", "wirelesslan_count", "description")))
registry.extend(
    WirelessLink,
    ui=Ui(
        menu=LINKS,
        table_columns=("id", "ssid", "status", "interface_a", "interface_b", "distance", "tenant"),
        importer=Importer(import_wireless_links, keys=KEYS, export=export_wireless_link_ends, prefetch=EXPORT_PREFETCH),
    ),
)
