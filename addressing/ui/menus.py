"""NetBox's IPAM menu, its headings in NetBox's order, the list columns, and the IP space tabs and panels
(addressing.ui.space)."""

from django.contrib.contenttypes.models import ContentType

from addressing.models import (
    ASN,
    RIR,
    VLAN,
    VRF,
    Aggregate,
    ASNRange,
    FHRPGroup,
    FHRPGroupAssignment,
    IPAddress,
    IPRange,
    Prefix,
    Role,
    RouteTarget,
    Service,
    ServiceTemplate,
    VLANGroup,
    VLANTranslationPolicy,
    VLANTranslationRule,
)
from addressing.ui.space import (
    AGGREGATE_TABS,
    AGGREGATE_UTILIZATION,
    ASSIGNMENT,
    PREFIX_TABS,
    PREFIX_UTILIZATION,
    RANGE_TABS,
    RANGE_UTILIZATION,
    VLAN_GROUP_TABS,
)
from core.registry import Menu, Ui, registry
from frontend.tabs import related_objects_panel
from inventory.models import Site

IP_ADDRESSES = Menu("IPAM", "IP Addresses")
PREFIXES = Menu("IPAM", "Prefixes")
ASNS = Menu("IPAM", "ASNs")
AGGREGATES = Menu("IPAM", "Aggregates")
VRFS = Menu("IPAM", "VRFs")
VLANS = Menu("IPAM", "VLANs")
OTHER = Menu("IPAM", "Other")

registry.extend(
    IPAddress,
    ui=Ui(
        menu=IP_ADDRESSES,
        sections=(
            ("IP address", ("address", "status", "role", "vrf", "dns_name", "description")),
            ("Tenancy", ("tenant",)),
            ("Assignment", ("assigned_object_type", "assigned_object_id")),
            ("NAT IP", ("nat_inside",)),
        ),
        table_columns=("address", "vrf", "status", "role", "tenant", "assigned_object", "dns_name", "description"),
        panels=(ASSIGNMENT,),
        breadcrumbs=("vrf",),
    ),
)
registry.extend(
    IPRange,
    ui=Ui(
        menu=IP_ADDRESSES,
        sections=(
            (
                "IP range",
                (
                    "vrf",
                    "start_address",
                    "end_address",
                    "role",
                    "status",
                    "mark_populated",
                    "mark_utilized",
                    "description",
                ),
            ),
            ("Tenancy", ("tenant",)),
        ),
        table_columns=("display", "vrf", "status", "role", "tenant", "size", "mark_utilized", "description"),
        tabs=RANGE_TABS,
        panels=(RANGE_UTILIZATION,),
        breadcrumbs=("vrf",),
    ),
)
registry.extend(
    Prefix,
    ui=Ui(
        menu=PREFIXES,
        sections=(
            ("Prefix", ("prefix", "status", "vrf", "role", "is_pool", "mark_utilized", "description")),
            ("Scope", ("scope_type", "scope_id")),
            ("VLAN assignment", ("vlan",)),
            ("Tenancy", ("tenant",)),
        ),
        table_columns=("prefix", "status", "children", "vrf", "tenant", "scope", "vlan", "role", "description"),
        tabs=PREFIX_TABS,
        panels=(PREFIX_UTILIZATION,),
        breadcrumbs=("vrf",),
    ),
)
registry.extend(Role, ui=Ui(menu=PREFIXES))
registry.extend(ASNRange, ui=Ui(menu=ASNS, table_columns=("name", "rir", "start", "end", "tenant", "asn_count")))
registry.extend(ASN, ui=Ui(menu=ASNS, table_columns=("asn", "rir", "role", "tenant", "site_count", "description")))
registry.extend(
    Aggregate,
    ui=Ui(
        menu=AGGREGATES,
        table_columns=("prefix", "rir", "tenant", "date_added", "description"),
        tabs=AGGREGATE_TABS,
        panels=(AGGREGATE_UTILIZATION,),
    ),
)
registry.extend(RIR, ui=Ui(menu=AGGREGATES))
registry.extend(VRF, ui=Ui(menu=VRFS, table_columns=("name", "rd", "tenant", "enforce_unique", "description")))
registry.extend(RouteTarget, ui=Ui(menu=VRFS))
registry.extend(
    VLAN,
    ui=Ui(
        menu=VLANS,
        table_columns=("vid", "name", "site", "group", "status", "tenant", "role", "description"),
        sections=(
            ("VLAN", ("vid", "name", "status", "role", "description")),
            ("Q-in-Q (802.1ad)", ("qinq_role", "qinq_svlan")),
            ("Assignment", ("group", "site")),
            ("Tenancy", ("tenant",)),
        ),
    ),
)
registry.extend(
    VLANGroup,
    ui=Ui(
        menu=VLANS,
        table_columns=("name", "scope_type", "scope", "vid_ranges", "vlan_count", "utilization"),
        tabs=VLAN_GROUP_TABS,
    ),
)
# a site's prefixes (scoped to it or to one of its locations, as `site_id=` filters them) and VLANs, on the
# site's page (inventory does not know IPAM)
registry.augment(
    Site,
    panels=(
        related_objects_panel(
            Prefix,
            lambda spec, site: {"scope_type": ContentType.objects.get_for_model(Site), "scope_id": site.pk},
            filters=lambda spec, site: {"site_id": site.pk},
        ),
        related_objects_panel(VLAN, lambda spec, site: {"site": site.pk}),
    ),
)
registry.extend(VLANTranslationPolicy, ui=Ui(menu=VLANS))
registry.extend(VLANTranslationRule, ui=Ui(menu=VLANS))
registry.extend(
    FHRPGroup, ui=Ui(menu=OTHER, table_columns=("group_id", "protocol", "name", "auth_type", "description"))
)
registry.extend(FHRPGroupAssignment, ui=Ui(menu=OTHER))
registry.extend(ServiceTemplate, ui=Ui(menu=OTHER, table_columns=("name", "port_mappings", "description")))
registry.extend(Service, ui=Ui(menu=OTHER, table_columns=("name", "parent", "port_mappings", "description")))
