"""NetBox's wireless filters the generic ones cannot derive: a wireless LAN's group (and the groups below
it), its place through the cached scope (`region_id=`, `site=`...), and the interfaces serving it."""

from core.filters import path_filters
from core.registry import registry
from inventory.models import Interface, Location, Region, Site, SiteGroup, WirelessLAN, WirelessLANGroup

registry.extend(
    WirelessLAN,
    filters={
        **path_filters("group", "group", WirelessLANGroup),
        **path_filters("region", "_region", Region),
        **path_filters("site_group", "_site_group", SiteGroup),
        **path_filters("site", "_site", Site),
        **path_filters("location", "_location", Location),
        **path_filters("interface", "interfaces", Interface, attribute="name", many=True),
    },
)
