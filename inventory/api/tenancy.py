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
        # NetBox's order; the reverse relations of other apps' models (IPAM's, circuits') are named, not imported.
        counts={
            "circuit_count": "circuits",
            "device_count": "devices",
            "ipaddress_count": "ip_addresses",
            "prefix_count": "prefixes",
            "rack_count": "racks",
            "site_count": "sites",
            "virtualmachine_count": "virtual_machines",
            "vlan_count": "vlans",
            "vrf_count": "vrfs",
            "cluster_count": "clusters",
        },
    ),
    search=Search(fields=("name", "slug", "description", "comments")),
)
