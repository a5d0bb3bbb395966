from core.registry import registry
from inventory.models import Location, Region, Site, SiteGroup, Tenant, TenantGroup

GROUP_BRIEF = ("id", "url", "display", "name", "slug", "description", "_depth")
NAMED_BRIEF = ("id", "url", "display", "name", "slug", "description")

registry.register(
    Region, api="dcim/regions", brief_fields=GROUP_BRIEF, counts={"site_count": "sites"},
    search_fields=("name", "slug", "description"),
)  # fmt: skip
registry.register(
    SiteGroup, api="dcim/site-groups", brief_fields=GROUP_BRIEF, counts={"site_count": "sites"},
    search_fields=("name", "slug", "description"),
)  # fmt: skip
registry.register(
    Site, api="dcim/sites", brief_fields=NAMED_BRIEF,
    counts={"location_count": "locations"},
    search_fields=("name", "slug", "facility", "description", "physical_address", "shipping_address", "comments"),
)  # fmt: skip
registry.register(
    Location, api="dcim/locations", brief_fields=GROUP_BRIEF,
    search_fields=("name", "slug", "facility", "description"),
)  # fmt: skip
registry.register(
    TenantGroup, api="tenancy/tenant-groups", brief_fields=GROUP_BRIEF, counts={"tenant_count": "tenants"},
    search_fields=("name", "slug", "description"),
)  # fmt: skip
registry.register(
    Tenant, api="tenancy/tenants", brief_fields=NAMED_BRIEF, counts={"site_count": "sites"},
    search_fields=("name", "slug", "description", "comments"),
)  # fmt: skip
