"""NetBox's wireless (wireless/*): wireless LAN groups (a tree), wireless LANs scoped to a place like a
cluster (`scope_type` "dcim.site", `scope_id`, the scope brief), and wireless links between two wireless
interfaces."""

from core.registry import Api, Search, object_type_renderer, registry
from core.services import Services
from inventory.api.virtualization import SCOPE_TYPE, cached_scope
from inventory.models import WirelessLAN, WirelessLANGroup, WirelessLink
from inventory.services.wireless import wireless_links_create, wireless_links_delete, wireless_links_update

TRAILER = ("owner", "comments", "tags", "custom_fields", "created", "last_updated")

registry.register(
    WirelessLANGroup,
    api=Api(
        "wireless/wireless-lan-groups",
        brief_fields=("id", "url", "display", "name", "slug", "description", "wirelesslan_count", "_depth"),
        fields=(
            "id", "url", "display_url", "display", "name", "slug", "parent", "description", "tags", "custom_fields",
            "created", "last_updated", "wirelesslan_count", "owner", "comments", "_depth",
        ),
        counts={"wirelesslan_count": "wireless_lans"},
    ),
    search=Search(fields=("name", "slug", "description", "comments")),
)  # fmt: skip
registry.register(
    WirelessLAN,
    api=Api(
        "wireless/wireless-lans",
        brief_fields=("id", "url", "display", "ssid", "description"),
        fields=(
            "id", "url", "display_url", "display", "ssid", "description", "group", "status", "vlan", "scope_type",
            "scope_id", "scope", "tenant", "auth_type", "auth_cipher", "auth_psk", *TRAILER,
        ),
        renderers={"scope_type": object_type_renderer("scope_type", null=True), "scope": cached_scope},
        write_converters={"scope_type": SCOPE_TYPE},
    ),
    search=Search(fields=("ssid", "description", "comments")),
)  # fmt: skip
registry.register(
    WirelessLink,
    api=Api(
        "wireless/wireless-links",
        brief_fields=("id", "url", "display", "ssid", "description"),
        fields=(
            "id", "url", "display_url", "display", "interface_a", "interface_b", "ssid", "status", "tenant",
            "auth_type", "auth_cipher", "auth_psk", "distance", "distance_unit", "description", *TRAILER,
        ),
    ),
    search=Search(fields=("ssid", "description", "comments")),
    services=Services(create=wireless_links_create, update=wireless_links_update, delete=wireless_links_delete),
)  # fmt: skip
