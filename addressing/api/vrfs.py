"""NetBox's VRFs and route targets."""

from addressing.api.common import TRAILER
from addressing.models import VRF, RouteTarget
from core.registry import Api, Search, registry

registry.register(
    VRF,
    api=Api(
        "ipam/vrfs",
        brief_fields=("id", "url", "display", "name", "rd", "description"),
        fields=(
            "id", "url", "display_url", "display", "name", "rd", "tenant", "enforce_unique", "description", "owner",
            "comments", "import_targets", "export_targets", "tags", "custom_fields", "created", "last_updated",
            "ipaddress_count", "prefix_count",
        ),
        counts={"ipaddress_count": "ip_addresses", "prefix_count": "prefixes"},
        brief_counts=("prefix_count",),
    ),
    search=Search(fields=("name", "rd", "description", "comments")),
)  # fmt: skip
registry.register(
    RouteTarget,
    api=Api(
        "ipam/route-targets",
        brief_fields=("id", "url", "display", "name", "description"),
        fields=("id", "url", "display_url", "display", "name", "tenant", "description", *TRAILER),
    ),
    search=Search(fields=("name", "description", "comments")),
)
