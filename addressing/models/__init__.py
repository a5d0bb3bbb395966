from addressing.models.asns import ASN, ASNRange
from addressing.models.fhrp import FHRPGroup, FHRPGroupAssignment
from addressing.models.ip import RIR, Aggregate, IPAddress, IPRange, Prefix, Role
from addressing.models.services import Service, ServiceTemplate
from addressing.models.vlans import VLAN, VLANGroup, VLANTranslationPolicy, VLANTranslationRule
from addressing.models.vrfs import VRF, RouteTarget

__all__ = [
    "ASN",
    "RIR",
    "VLAN",
    "VRF",
    "ASNRange",
    "Aggregate",
    "FHRPGroup",
    "FHRPGroupAssignment",
    "IPAddress",
    "IPRange",
    "Prefix",
    "Role",
    "RouteTarget",
    "Service",
    "ServiceTemplate",
    "VLANGroup",
    "VLANTranslationPolicy",
    "VLANTranslationRule",
]
