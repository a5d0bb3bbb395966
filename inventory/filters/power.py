"""Power panels' and feeds' filters the generic ones cannot derive: where a panel stands (region, site group
through its site) and, for a feed, where its panel stands; whether a feed is occupied, cabled or connected."""

from django.db.models import Q

from core.filters import flag_filter, path_filters
from core.registry import registry
from inventory.models import Location, PowerFeed, PowerPanel, Region, Site, SiteGroup

registry.extend(
    PowerPanel,
    filters={
        **path_filters("region", "site__region", Region),
        **path_filters("site_group", "site__group", SiteGroup),
    },
)
registry.extend(
    PowerFeed,
    filters={
        **path_filters("region", "power_panel__site__region", Region),
        **path_filters("site_group", "power_panel__site__group", SiteGroup),
        **path_filters("site", "power_panel__site", Site),
        **path_filters("location", "power_panel__location", Location),
        "occupied": flag_filter("occupied", Q(mark_connected=True) | Q(cable__isnull=False)),
        "cabled": flag_filter("cabled", Q(cable__isnull=False)),
        "connected": flag_filter("connected", Q(cable_paths__is_complete=True)),
    },
)
