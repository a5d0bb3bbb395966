"""NetBox's VPN menu: tunnels, L2VPNs, IKE and IPSec, their headings in NetBox's order, and the list columns."""

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
from core.registry import Menu, Ui, registry
from inventory.ui.tabs import contact_tabs

TUNNELS = Menu("VPN", "Tunnels")
L2VPNS = Menu("VPN", "L2VPNs")
IKE = Menu("VPN", "IKE")
IPSEC = Menu("VPN", "IPSec")

registry.extend(
    Tunnel,
    ui=Ui(
        menu=TUNNELS,
        table_columns=("name", "status", "group", "encapsulation", "tenant", "terminations_count", "description"),
        tabs=contact_tabs(Tunnel),
    ),
)
registry.extend(
    TunnelGroup,
    ui=Ui(menu=TUNNELS, table_columns=("name", "tunnel_count", "description"), tabs=contact_tabs(TunnelGroup)),
)
registry.extend(TunnelTermination, ui=Ui(menu=TUNNELS, table_columns=("tunnel", "role", "termination", "outside_ip")))
registry.extend(
    L2VPN,
    ui=Ui(
        menu=L2VPNS,
        table_columns=("name", "identifier", "type", "status", "tenant", "description"),
        tabs=contact_tabs(L2VPN),
    ),
)
registry.extend(
    L2VPNTermination, ui=Ui(menu=L2VPNS, table_columns=("l2vpn", "assigned_object_type", "assigned_object"))
)
registry.extend(
    IKEProposal,
    ui=Ui(
        menu=IKE,
        table_columns=("name", "authentication_method", "encryption_algorithm", "authentication_algorithm", "group"),
    ),
)
registry.extend(IKEPolicy, ui=Ui(menu=IKE, table_columns=("name", "version", "mode", "proposals", "description")))
registry.extend(
    IPSecProposal,
    ui=Ui(
        menu=IPSEC,
        table_columns=(
            "name", "encryption_algorithm", "authentication_algorithm", "sa_lifetime_seconds", "sa_lifetime_data",
        ),
    ),
)  # fmt: skip
registry.extend(IPSecPolicy, ui=Ui(menu=IPSEC, table_columns=("name", "proposals", "pfs_group", "description")))
registry.extend(
    IPSecProfile, ui=Ui(menu=IPSEC, table_columns=("name", "mode", "ike_policy", "ipsec_policy", "description"))
)
