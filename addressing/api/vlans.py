"""NetBox's VLAN groups (with `available-vlans`), VLANs and VLAN translation policies and rules."""

from django.db.models import F, OuterRef, Subquery

from addressing.allocation import group_available_vlans
from addressing.api.common import NAMED_BRIEF, TRAILER, linked_object, object_types_of
from addressing.models import VLAN, Prefix, VLANGroup, VLANTranslationPolicy, VLANTranslationRule
from addressing.models.scopes import VLAN_GROUP_SCOPE_TYPES
from core.fields import BRIEF_OBJECT, INTEGER_VALUE, TEXT_VALUE, Rendered, json_object, list_of
from core.registry import Api, Counted, Route, Search, object_type_renderer, registry
from core.representation import render, tree_count
from inventory.api.briefs import l2vpn_termination
from inventory.api.sites import at_site_count
from inventory.models import Location, Region, Site, SiteGroup

AVAILABLE_VLAN = {
    "type": "object",
    "properties": {
        "vid": {"type": "integer"},
        "group": {"allOf": [{"$ref": "#/components/schemas/BriefVLANGroup"}], "nullable": True},
    },
}
VLAN_REQUEST = {
    "type": "object",
    "description": "The VLAN's other fields, as for vlans (its name, a status, tags...).",
    "required": ["name"],
    "properties": {"name": {"type": "string"}},
    "additionalProperties": {},
}
AVAILABLE_VLANS = Route(
    "available-vlans",
    group_available_vlans,
    methods=("GET", "POST"),
    summary=(
        "GET: the group's free VLAN IDs (`limit`, 50 by default). POST: create a VLAN with the next free ID for each "
        "object given (409 when there are not enough)."
    ),
    response={"type": "array", "items": AVAILABLE_VLAN},
    request={"oneOf": [VLAN_REQUEST, {"type": "array", "items": VLAN_REQUEST}]},
    responses={
        "POST": {
            "oneOf": [
                {"$ref": "#/components/schemas/VLAN"},
                {"type": "array", "items": {"$ref": "#/components/schemas/VLAN"}},
            ]
        }
    },
    verbs={"GET": "list"},
)


def _utilization(group, links) -> str:
    """Used VLAN IDs as a percentage of the group's, as NetBox rounds it (a decimal's text)."""
    total = group.total_vlan_ids
    used = group.vlans_held if hasattr(group, "vlans_held") else group.vlans.count()
    return f"{round(used * 100 / total, 2):.2f}" if total else "0.00"


RULE_BRIEF = ("id", "url", "display", "policy", "local_vid", "remote_vid", "description")
RULE = json_object(
    {"id": TEXT_VALUE, "url": TEXT_VALUE, "display": TEXT_VALUE, "local_vid": TEXT_VALUE, "remote_vid": TEXT_VALUE}
)

registry.register(
    VLANGroup,
    api=Api(
        "ipam/vlan-groups",
        brief_fields=NAMED_BRIEF,
        fields=(
            "id", "url", "display_url", "display", "name", "slug", "scope_type", "scope_id", "scope", "vid_ranges",
            "total_vlan_ids", "tenant", "description", *TRAILER, "vlan_count", "utilization",
        ),
        renderers={
            "scope_type": object_type_renderer("scope_type", null=True),
            "scope": linked_object("scope"),
            "utilization": Rendered(_utilization, TEXT_VALUE),
        },
        counts={"vlan_count": "vlans"},
        brief_counts=("vlan_count",),
        write_converters={"scope_type": object_types_of(VLAN_GROUP_SCOPE_TYPES)},
        routes=(AVAILABLE_VLANS,),
    ),
    search=Search(fields=("name", "slug", "description", "comments")),
)  # fmt: skip
registry.register(
    VLAN,
    api=Api(
        "ipam/vlans",
        brief_fields=("id", "url", "display", "vid", "name", "description"),
        fields=(
            "id", "url", "display_url", "display", "site", "group", "vid", "name", "tenant", "status", "role",
            "description", "qinq_role", "qinq_svlan", "owner", "comments", "l2vpn_termination", "tags",
            "custom_fields", "created", "last_updated", "prefix_count",
        ),
        renderers={"l2vpn_termination": l2vpn_termination(VLAN)},
        counts={"prefix_count": "prefixes"},
    ),
    search=Search(fields=("name", "vid", "description", "comments")),
)  # fmt: skip
registry.register(
    VLANTranslationPolicy,
    api=Api(
        "ipam/vlan-translation-policies",
        brief_fields=("id", "url", "display", "name", "description"),
        fields=("id", "url", "display_url", "display", "name", "description", "rules", *TRAILER),
        renderers={
            "rules": Rendered(
                lambda policy, links: [render(rule, links, brief=True) for rule in policy.rules.all()],
                list_of(BRIEF_OBJECT),
            )
        },
    ),
    search=Search(fields=("name", "description", "comments")),
)
registry.register(
    VLANTranslationRule,
    api=Api(
        "ipam/vlan-translation-rules",
        brief_fields=RULE_BRIEF,
        fields=(
            "id", "url", "display_url", "display", "policy", "local_vid", "remote_vid", "description", "tags",
            "custom_fields", "created", "last_updated",
        ),
        # NetBox shows the rule's policy by its id alone.
        renderers={"policy": Rendered(lambda rule, links: rule.policy_id, INTEGER_VALUE)},
    ),
    search=Search(fields=("policy__name", "description")),
)  # fmt: skip


# -- a site's prefixes and VLANs (NetBox's `prefix_count` and `vlan_count` on sites) -----------------------


def _site_prefixes(outer: str):
    """Prefixes scoped to the site or to one of its locations, as NetBox counts them."""
    return at_site_count(Prefix, outer, scope="scope")


registry.augment(Site, counts={"prefix_count": Counted(Prefix, _site_prefixes), "vlan_count": "vlans"})


# -- the prefixes of regions, site groups and locations (NetBox's `prefix_count`) ------------------------------


def _scoped(model: str):
    """Prefixes scoped to a `model` ("site"), by content type name (ids are each organization's own)."""
    return Prefix._base_manager.filter(scope_type__app_label="inventory", scope_type__model=model).order_by()


def _placed(grouping: str) -> list:
    """Each prefix scoped to a `grouping` ("region", "group"), or to a site or location in one: that node."""
    node = "region" if grouping == "region" else "sitegroup"
    sites = Site._base_manager.filter(pk=OuterRef("scope_id")).values(f"{grouping}_id")
    locations = Location._base_manager.filter(pk=OuterRef("scope_id")).values(f"site__{grouping}_id")
    return [
        _scoped(node).values(node=F("scope_id")),
        _scoped("site").values(node=Subquery(sites)),
        _scoped("location").values(node=Subquery(locations)),
    ]


def _prefixes_below(model, placed: list) -> Counted:
    """Prefixes scoped at the tree node or below it, counted for the whole tree in one subquery."""
    first, *others = placed
    return Counted(Prefix, lambda outer: tree_count(model, first.union(*others, all=True), outer))


registry.augment(Region, counts={"prefix_count": _prefixes_below(Region, _placed("region"))})
registry.augment(SiteGroup, counts={"prefix_count": _prefixes_below(SiteGroup, _placed("group"))})
registry.augment(
    Location, counts={"prefix_count": _prefixes_below(Location, [_scoped("location").values(node=F("scope_id"))])}
)
