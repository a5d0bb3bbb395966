from django.db import models
from django.utils.translation import gettext_lazy as _


class IPFamily(models.IntegerChoices):
    IPV4 = 4, "IPv4"
    IPV6 = 6, "IPv6"


class PrefixStatus(models.TextChoices):
    CONTAINER = "container", _("Container")
    ACTIVE = "active", _("Active")
    RESERVED = "reserved", _("Reserved")
    DEPRECATED = "deprecated", _("Deprecated")


class IPRangeStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RESERVED = "reserved", _("Reserved")
    DEPRECATED = "deprecated", _("Deprecated")


class IPAddressStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RESERVED = "reserved", _("Reserved")
    DEPRECATED = "deprecated", _("Deprecated")
    DHCP = "dhcp", _("DHCP")
    SLAAC = "slaac", _("SLAAC")


class IPAddressRole(models.TextChoices):
    LOOPBACK = "loopback", _("Loopback")
    SECONDARY = "secondary", _("Secondary")
    ANYCAST = "anycast", _("Anycast")
    VIP = "vip", "VIP"
    VRRP = "vrrp", "VRRP"
    HSRP = "hsrp", "HSRP"
    GLBP = "glbp", "GLBP"
    CARP = "carp", "CARP"


# Roles whose addresses may repeat where addresses are otherwise unique (shared, virtual addresses).
NONUNIQUE_ROLES = frozenset(
    {IPAddressRole.ANYCAST, IPAddressRole.VIP, IPAddressRole.VRRP, IPAddressRole.HSRP, IPAddressRole.GLBP,
     IPAddressRole.CARP}
)  # fmt: skip


class FHRPGroupProtocol(models.TextChoices):
    VRRP2 = "vrrp2", "VRRPv2"
    VRRP3 = "vrrp3", "VRRPv3"
    CARP = "carp", "CARP"
    CLUSTERXL = "clusterxl", "ClusterXL"
    HSRP = "hsrp", "HSRP"
    GLBP = "glbp", "GLBP"
    OTHER = "other", _("Other")


class FHRPGroupAuthType(models.TextChoices):
    PLAINTEXT = "plaintext", _("Plaintext")
    MD5 = "md5", "MD5"


# The role an FHRP group's virtual addresses take.
FHRP_PROTOCOL_ROLES = {
    FHRPGroupProtocol.VRRP2: IPAddressRole.VRRP,
    FHRPGroupProtocol.VRRP3: IPAddressRole.VRRP,
    FHRPGroupProtocol.HSRP: IPAddressRole.HSRP,
    FHRPGroupProtocol.GLBP: IPAddressRole.GLBP,
    FHRPGroupProtocol.CARP: IPAddressRole.CARP,
    FHRPGroupProtocol.OTHER: IPAddressRole.VIP,
}


class VLANStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RESERVED = "reserved", _("Reserved")
    DEPRECATED = "deprecated", _("Deprecated")


class VLANQinQRole(models.TextChoices):
    SERVICE = "svlan", _("Service")
    CUSTOMER = "cvlan", _("Customer")


class ServiceProtocol(models.TextChoices):
    TCP = "tcp", "TCP"
    UDP = "udp", "UDP"
    SCTP = "sctp", "SCTP"


# -- VPN ---------------------------------------------------------------------------------------------------------


class TunnelStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    DISABLED = "disabled", _("Disabled")


class TunnelEncapsulation(models.TextChoices):
    IPSEC_TRANSPORT = "ipsec-transport", _("IPsec - Transport")
    IPSEC_TUNNEL = "ipsec-tunnel", _("IPsec - Tunnel")
    IP_IP = "ip-ip", _("IP-in-IP")
    GRE = "gre", _("GRE")
    WIREGUARD = "wireguard", _("WireGuard")
    OPENVPN = "openvpn", _("OpenVPN")
    L2TP = "l2tp", _("L2TP")
    PPTP = "pptp", _("PPTP")


class TunnelTerminationRole(models.TextChoices):
    PEER = "peer", _("Peer")
    HUB = "hub", _("Hub")
    SPOKE = "spoke", _("Spoke")


class IKEVersion(models.IntegerChoices):
    VERSION_1 = 1, "IKEv1"
    VERSION_2 = 2, "IKEv2"


class IKEMode(models.TextChoices):
    AGGRESSIVE = "aggressive", _("Aggressive")
    MAIN = "main", _("Main")


class AuthenticationMethod(models.TextChoices):
    PRESHARED_KEYS = "preshared-keys", _("Pre-shared keys")
    CERTIFICATES = "certificates", _("Certificates")
    RSA_SIGNATURES = "rsa-signatures", _("RSA signatures")
    DSA_SIGNATURES = "dsa-signatures", _("DSA signatures")


class IPSecMode(models.TextChoices):
    ESP = "esp", "ESP"
    AH = "ah", "AH"


class EncryptionAlgorithm(models.TextChoices):
    AES128_CBC = "aes-128-cbc", _("128-bit AES (CBC)")
    AES128_GCM = "aes-128-gcm", _("128-bit AES (GCM)")
    AES192_CBC = "aes-192-cbc", _("192-bit AES (CBC)")
    AES192_GCM = "aes-192-gcm", _("192-bit AES (GCM)")
    AES256_CBC = "aes-256-cbc", _("256-bit AES (CBC)")
    AES256_GCM = "aes-256-gcm", _("256-bit AES (GCM)")
    DES3_CBC = "3des-cbc", "3DES"
    DES_CBC = "des-cbc", "DES"


class AuthenticationAlgorithm(models.TextChoices):
    HMAC_SHA1 = "hmac-sha1", _("SHA-1 HMAC")
    HMAC_SHA256 = "hmac-sha256", _("SHA-256 HMAC")
    HMAC_SHA384 = "hmac-sha384", _("SHA-384 HMAC")
    HMAC_SHA512 = "hmac-sha512", _("SHA-512 HMAC")
    HMAC_MD5 = "hmac-md5", _("MD5 HMAC")


# Diffie-Hellman groups, as NetBox numbers them.
DH_GROUPS = [(number, f"Group {number}") for number in (1, 2, 5, *range(14, 35))]


class L2VPNType(models.TextChoices):
    VPWS = "vpws", "VPWS"
    VPLS = "vpls", "VPLS"
    VXLAN = "vxlan", "VXLAN"
    VXLAN_EVPN = "vxlan-evpn", "VXLAN-EVPN"
    MPLS_EVPN = "mpls-evpn", "MPLS EVPN"
    PBB_EVPN = "pbb-evpn", "PBB EVPN"
    EVPN_VPWS = "evpn-vpws", "EVPN VPWS"
    EPL = "epl", "EPL"
    EVPL = "evpl", "EVPL"
    EP_LAN = "ep-lan", _("Ethernet Private LAN")
    EVP_LAN = "evp-lan", _("Ethernet Virtual Private LAN")
    EP_TREE = "ep-tree", _("Ethernet Private Tree")
    EVP_TREE = "evp-tree", _("Ethernet Virtual Private Tree")
    SPB = "spb", "SPB"


# Point-to-point L2VPNs: two terminations at most.
L2VPN_POINT_TO_POINT = (L2VPNType.VPWS, L2VPNType.EPL, L2VPNType.EP_LAN, L2VPNType.EP_TREE)


class L2VPNStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PLANNED = "planned", _("Planned")
    DECOMMISSIONING = "decommissioning", _("Decommissioning")
