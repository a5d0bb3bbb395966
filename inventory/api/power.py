"""NetBox's power panels (dcim/power-panels) and power feeds (dcim/power-feeds).

A power feed is a cable endpoint, declared through the registry's `Cabling` as the components are: it
is cabled to power ports, shows NetBox's connection fields and answers the `trace` route.
"""

from core.registry import Api, Cabling, Search, registry
from core.services import Services
from inventory.api.components import OCCUPIED
from inventory.api.connections import CABLED, CONNECTED, TRACE
from inventory.models import PowerFeed, PowerPanel
from inventory.services.cables import cabled_delete

TRAILER = ("owner", "comments", "tags", "custom_fields")


registry.register(
    PowerPanel,
    images=True,
    api=Api(
        "dcim/power-panels",
        brief_fields=("id", "url", "display", "name", "description"),
        fields=(
            "id", "url", "display_url", "display", "site", "location", "name", "description", *TRAILER,
            "powerfeed_count", "created", "last_updated",
        ),
        counts={"powerfeed_count": "powerfeeds"},
        brief_counts=("powerfeed_count",),
    ),
    search=Search(fields=("name", "description", "comments")),
)  # fmt: skip
registry.register(
    PowerFeed,
    api=Api(
        "dcim/power-feeds",
        brief_fields=("id", "url", "display", "name", "cable", "description", "_occupied"),
        fields=(
            "id", "url", "display_url", "display", "power_panel", "rack", "name", "status", "type", "supply", "phase",
            "voltage", "amperage", "max_utilization", "mark_connected", "cable", "cable_end", "link_peers",
            "link_peers_type", "connected_endpoints", "connected_endpoints_type", "connected_endpoints_reachable",
            "description", "tenant", *TRAILER, "created", "last_updated", "_occupied",
        ),
        renderers={**CABLED, **CONNECTED, "_occupied": OCCUPIED},
        routes=(TRACE,),
    ),
    search=Search(fields=("name", "description", "comments")),
    services=Services(delete=cabled_delete),
)  # fmt: skip
registry.extend(
    PowerFeed,
    cabling=Cabling(
        "powerfeed",
        "power_panel",
        compatible=("powerport",),
        places=(("site", "power_panel__site"), ("rack", "rack"), ("location", "rack__location")),
    ),
)
