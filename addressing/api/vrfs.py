"""NetBox's VRFs and route targets."""

from django.db.models import Prefetch

from addressing.api.common import TRAILER
from addressing.models import VRF, RouteTarget
from core.fields import Rendered, ValueType, list_of
from core.registry import Api, Search, registry
from core.representation import render

# A route target in full (tenant, owner, tags and custom fields), as NetBox nests a VRF's targets.
_TARGET = ValueType({"$ref": "#/components/schemas/RouteTarget"}, "JSON")


def _targets(relation: str) -> Rendered:
    """A VRF's import or export targets, each in full as NetBox shows them, loaded for a whole list."""
    rows = RouteTarget._base_manager.select_related("tenant", "owner").prefetch_related("tagged_items__tag")
    return Rendered(
        lambda vrf, links: [render(target, links) for target in getattr(vrf, relation).all()],
        list_of(_TARGET),
        prefetch=(Prefetch(relation, queryset=rows),),
    )


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
        renderers={"import_targets": _targets("import_targets"), "export_targets": _targets("export_targets")},
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
