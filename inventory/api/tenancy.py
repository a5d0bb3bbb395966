"""NetBox's tenancy: tenant groups and tenants."""

from core.registry import Api, Search, registry
from inventory.api.briefs import NAMED_BRIEF, NAMES
from inventory.models import Tenant, TenantGroup

registry.register(
    TenantGroup,
    api=Api(
        "tenancy/tenant-groups",
        brief_fields=("id", "url", "display", "name", "slug", "description", "tenant_count", "_depth"),
        counts={"tenant_count": "tenants"},
    ),
    search=NAMES,
)
registry.register(
    Tenant,
    api=Api(
        "tenancy/tenants",
        brief_fields=NAMED_BRIEF,
        counts={
            "circuit_count": "circuits",
            "cluster_count": "clusters",
            "device_count": "devices",
            "rack_count": "racks",
            "site_count": "sites",
            "virtualmachine_count": "virtual_machines",
        },
    ),
    search=Search(fields=("name", "slug", "description", "comments")),
)
