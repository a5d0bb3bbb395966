from addressing.models.asns import ASN, ASNRange
from addressing.models.fhrp import FHRPGroup, FHRPGroupAssignment
from addressing.models.ip import RIR, Aggregate, IPAddress, IPRange, Prefix, Role
from addressing.models.services import Service, ServiceTemplate
from addressing.models.vlans import VLAN, VLANGroup, VLANTranslationPolicy, VLANTranslationRule
from addressing.models.vpn import (
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
from addressing.models.vrfs import VRF, RouteTarget

__all__ = [
    "ASN",
    "L2VPN",
    "RIR",
    "VLAN",
    "VRF",
    "ASNRange",
    "Aggregate",
    "FHRPGroup",
    "FHRPGroupAssignment",
    "IKEPolicy",
    "IKEProposal",
    "IPAddress",
    "IPRange",
    "IPSecPolicy",
    "IPSecProfile",
    "IPSecProposal",
    "L2VPNTermination",
    "Prefix",
    "Role",
    "RouteTarget",
    "Service",
    "ServiceTemplate",
    "Tunnel",
    "TunnelGroup",
    "TunnelTermination",
    "VLANGroup",
    "VLANTranslationPolicy",
    "VLANTranslationRule",
]
