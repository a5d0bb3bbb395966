"""NetBox's site hierarchy: regions, site groups, sites and locations."""

from core.registry import Api, Search, registry
from inventory.api.briefs import GROUP_BRIEF, NAMED_BRIEF, NAMES, SITE_GROUPING_BRIEF
from inventory.models import Location, Region, Site, SiteGroup

registry.register(
    Region, api=Api("dcim/regions", brief_fields=SITE_GROUPING_BRIEF, counts={"site_count": "sites"}), search=NAMES
)
registry.register(
    SiteGroup,
    api=Api("dcim/site-groups", brief_fields=SITE_GROUPING_BRIEF, counts={"site_count": "sites"}),
    search=NAMES,
)
registry.register(
    Site,
    api=Api("dcim/sites", brief_fields=NAMED_BRIEF, counts={"device_count": "devices", "rack_count": "racks"}),
    search=Search(
        fields=("name", "slug", "facility", "description", "physical_address", "shipping_address", "comments")
    ),
)
registry.register(
    Location,
    api=Api(
        "dcim/locations",
        brief_fields=(*GROUP_BRIEF, "rack_count"),
        counts={"device_count": "devices", "rack_count": "racks"},
    ),
    search=Search(fields=("name", "slug", "facility", "description")),
)
