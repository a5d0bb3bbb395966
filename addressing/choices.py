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
