"""NetBox's VPN (vpn/*): tunnel groups, tunnels and their terminations, IKE and IPsec proposals, policies
and profiles, L2VPNs and their terminations.

A termination names its interface (or VLAN) as NetBox does: `termination_type` "dcim.interface" with
`termination_id`, the object itself in its brief form.
"""

from addressing.api.common import NAMED_BRIEF, TRAILER, linked_object, object_types_of
from addressing.models import (
    L2VPN,
    IKEPolicy,
    IKEProposal,
    IPSecPolicy,
    IPSecProfile,
    IPSecProposal,
    L2VPNTermination,
    Tunnel,
    TunnelGroup,
    TunnelTermination,
)
from addressing.models.vpn import L2VPN_ASSIGNMENT_TYPES, TUNNEL_TERMINATION_TYPES
from core.registry import Api, Search, object_type_renderer, registry

NAMED = ("id", "url", "display", "name", "description")
SEARCH = Search(fields=("name", "description", "comments"))

registry.register(
    TunnelGroup,
    api=Api(
        "vpn/tunnel-groups",
        brief_fields=NAMED_BRIEF,
        fields=("id", "url", "display_url", "display", "name", "slug", "description", *TRAILER, "tunnel_count"),
        counts={"tunnel_count": "tunnels"},
        brief_counts=("tunnel_count",),
    ),
    search=Search(fields=("name", "slug", "description", "comments")),
)
registry.register(
    Tunnel,
    api=Api(
        "vpn/tunnels",
        brief_fields=NAMED,
        fields=(
            "id", "url", "display_url", "display", "name", "status", "group", "encapsulation", "ipsec_profile",
            "tenant", "tunnel_id", "description", *TRAILER, "terminations_count",
        ),
        counts={"terminations_count": "terminations"},
    ),
    search=SEARCH,
)  # fmt: skip
registry.register(
    TunnelTermination,
    api=Api(
        "vpn/tunnel-terminations",
        brief_fields=("id", "url", "display"),
        fields=(
            "id", "url", "display_url", "display", "tunnel", "role", "termination_type", "termination_id",
            "termination", "outside_ip", "tags", "custom_fields", "created", "last_updated",
        ),
        renderers={
            "termination_type": object_type_renderer("termination_type"),
            "termination": linked_object("termination"),
        },
        write_converters={"termination_type": object_types_of(TUNNEL_TERMINATION_TYPES, null=False)},
        display_uses=("tunnel",),
    ),
    search=Search(fields=()),
)  # fmt: skip
registry.register(
    IKEProposal,
    api=Api(
        "vpn/ike-proposals",
        brief_fields=NAMED,
        fields=(
            "id", "url", "display_url", "display", "name", "description", "authentication_method",
            "encryption_algorithm", "authentication_algorithm", "group", "sa_lifetime", *TRAILER,
        ),
    ),
    search=SEARCH,
)  # fmt: skip
registry.register(
    IKEPolicy,
    api=Api(
        "vpn/ike-policies",
        brief_fields=NAMED,
        fields=(
            "id", "url", "display_url", "display", "name", "description", "version", "mode", "proposals",
            "preshared_key", *TRAILER,
        ),
    ),
    search=SEARCH,
)  # fmt: skip
registry.register(
    IPSecProposal,
    api=Api(
        "vpn/ipsec-proposals",
        brief_fields=NAMED,
        fields=(
            "id", "url", "display_url", "display", "name", "description", "encryption_algorithm",
            "authentication_algorithm", "sa_lifetime_seconds", "sa_lifetime_data", *TRAILER,
        ),
    ),
    search=SEARCH,
)  # fmt: skip
registry.register(
    IPSecPolicy,
    api=Api(
        "vpn/ipsec-policies",
        brief_fields=NAMED,
        fields=("id", "url", "display_url", "display", "name", "description", "proposals", "pfs_group", *TRAILER),
    ),
    search=SEARCH,
)
registry.register(
    IPSecProfile,
    api=Api(
        "vpn/ipsec-profiles",
        brief_fields=NAMED,
        fields=(
            "id", "url", "display_url", "display", "name", "description", "mode", "ike_policy", "ipsec_policy",
            *TRAILER,
        ),
    ),
    search=SEARCH,
)  # fmt: skip
registry.register(
    L2VPN,
    api=Api(
        "vpn/l2vpns",
        brief_fields=("id", "url", "display", "identifier", "name", "slug", "type", "description"),
        fields=(
            "id", "url", "display_url", "display", "identifier", "name", "slug", "type", "status", "import_targets",
            "export_targets", "description", "owner", "comments", "tenant", "tags", "custom_fields", "created",
            "last_updated",
        ),
    ),
    search=Search(fields=("name", "slug", "description", "comments")),
)  # fmt: skip
registry.register(
    L2VPNTermination,
    api=Api(
        "vpn/l2vpn-terminations",
        brief_fields=("id", "url", "display", "l2vpn"),
        fields=(
            "id", "url", "display_url", "display", "l2vpn", "assigned_object_type", "assigned_object_id",
            "assigned_object", "tags", "custom_fields", "created", "last_updated",
        ),
        renderers={
            "assigned_object_type": object_type_renderer("assigned_object_type"),
            "assigned_object": linked_object("assigned_object"),
        },
        write_converters={"assigned_object_type": object_types_of(L2VPN_ASSIGNMENT_TYPES, null=False)},
        display_uses=("l2vpn",),
    ),
    search=Search(fields=()),
)  # fmt: skip
