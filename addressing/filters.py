"""NetBox's IPAM filters that the generic ones (core.filters) cannot derive.

IP space is filtered by PostgreSQL's network operators, which the GiST indexes serve:
`within=10.0.0.0/8` (<<), `within_include=` (<<=), `contains=10.0.0.1` (>>=), `parent=` (the addresses
or ranges inside a prefix), `prefix=` and `address=` (an address with a mask is matched exactly, without
one by host), `mask_length=` (`__gte`, `__lte`), `family=4`. As in NetBox, a value that is no address
or prefix matches nothing (an empty list, not an error). `q=` searches IP space as NetBox does: a
prefix's text or what contains it, an address by its beginning, plus descriptions (and DNS names).
"""

from collections.abc import Callable

import netaddr
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from addressing.choices import ServiceProtocol
from addressing.fields import parse_network
from addressing.models import (
    ASN,
    L2VPN,
    VLAN,
    VRF,
    Aggregate,
    FHRPGroup,
    IKEPolicy,
    IKEProposal,
    IPAddress,
    IPRange,
    IPSecPolicy,
    IPSecProfile,
    IPSecProposal,
    L2VPNTermination,
    Prefix,
    RouteTarget,
    Service,
    ServiceTemplate,
    Tunnel,
    TunnelGroup,
    TunnelTermination,
    VLANGroup,
    VLANTranslationPolicy,
    VLANTranslationRule,
)
from core.filters import Filter, FilterError, flag_filter, number_filter, path_filters
from core.registry import registry
from inventory.filters.contacts import contacts_filters
from inventory.models import (
    Device,
    Interface,
    Location,
    Rack,
    Region,
    Site,
    SiteGroup,
    Tenant,
    TenantGroup,
    VirtualMachine,
    VMInterface,
)
from inventory.models.contacts import contact_models

Condition = Callable[[list[netaddr.IPNetwork]], Q]
NOTHING = Q(pk__in=[])


def _networks(values: list[str]) -> list[netaddr.IPNetwork] | None:
    """The values as networks; None when one of them is none."""
    parsed = [network for network in map(parse_network, values) if network is not None]
    return parsed if len(parsed) == len(values) else None


def network_filter(condition: Condition, *, skip_invalid: bool = False) -> Filter:
    """Rows matching `condition(networks)` for the values given (any of them); a value that is no network
    matches nothing (`skip_invalid`: is left out, as NetBox's `prefix=`)."""

    def apply(queryset, values):
        values = [value for value in values if value.strip()]
        if not values:
            return queryset
        if skip_invalid:
            networks = [network for network in map(parse_network, values) if network is not None]
        else:
            networks = _networks(values) or []
        return queryset.filter(condition(networks)) if networks else queryset.none()

    return Filter(apply)


def _any(build: Callable[[netaddr.IPNetwork], Q]) -> Condition:
    def condition(networks: list[netaddr.IPNetwork]) -> Q:
        q = Q()
        for network in networks:
            q |= build(network)
        return q

    return condition


def number_filters(name: str, path: str) -> dict[str, Filter]:
    """`name=` (any of), `name__n=`, `name__gt=`, `__gte`, `__lt`, `__lte` on a number at `path`."""
    filters = {
        name: number_filter(name, lambda numbers: Q(**{f"{path}__in": numbers})),
        f"{name}__n": number_filter(f"{name}__n", lambda numbers: ~Q(**{f"{path}__in": numbers})),
    }
    for lookup in ("gt", "gte", "lt", "lte"):
        filters[f"{name}__{lookup}"] = number_filter(f"{name}__{lookup}", _last(f"{path}__{lookup}"))
    return filters


def _last(lookup: str) -> Callable[[list[int]], Q]:
    """The rows whose `lookup` holds for the last value given (`depth__gte=2`)."""
    return lambda numbers: Q(**{lookup: numbers[-1]})


def ip_space_filters(field: str) -> dict[str, Filter]:
    """`family=`, `mask_length=` (`__n`, `__gte`, `__lte`...) of an address or prefix field."""
    filters = {"family": number_filter("family", lambda numbers: Q(**{f"{field}__family__in": numbers}))}
    filters.update(number_filters("mask_length", f"{field}__mask_length"))
    return filters


def _exact_networks(field: str) -> dict[str, Filter]:
    """NetBox's `prefix=`: the prefixes given (values that are none left out)."""
    return {
        field: network_filter(lambda networks: Q(**{f"{field}__in": [str(n) for n in networks]}), skip_invalid=True),
        f"{field}__n": network_filter(
            lambda networks: ~Q(**{f"{field}__in": [str(n) for n in networks]}), skip_invalid=True
        ),
    }


def address_filters(field: str) -> dict[str, Filter]:
    """NetBox's `address=`: "10.0.0.1/24" is that address with that mask, "10.0.0.1" that host in any mask."""

    def apply(negate: bool):
        def run(queryset, values):
            values = [value.strip() for value in values if value.strip()]
            if not values:
                return queryset
            q = Q()
            for value in values:
                network = parse_network(value)
                if network is None:
                    continue
                if "/" in value:
                    q |= Q(**{field: str(network)})
                else:
                    q |= Q(**{f"{field}__host": str(network.ip)})
            if not q:
                return queryset if negate else queryset.none()
            return queryset.exclude(q) if negate else queryset.filter(q)

        return Filter(run)

    return {field: apply(False), f"{field}__n": apply(True)}


def _parent_filter(*fields: str) -> Filter:
    """`parent=10.0.0.0/24`: the objects whose `fields` all lie inside one of the prefixes given."""

    def build(network: netaddr.IPNetwork) -> Q:
        q = Q()
        for field in fields:
            q &= Q(**{f"{field}__net_contained_or_equal": str(network.cidr)})
        return q

    return network_filter(_any(build))


# -- VRFs --------------------------------------------------------------------------------------------


def _vrf_lookup(label: str, value: str, by: str) -> VRF:
    """The VRF a `present_in_vrf` filter names (by id or route distinguisher); a 400 when there is none."""
    lookup: dict = {}
    if by == "pk":
        if not value.isdigit():
            raise FilterError({label: [f"“{value}” is not a valid value."]})
        lookup = {"pk": int(value)}
    else:
        lookup = {"rd": value}
    vrf = VRF._base_manager.filter(**lookup).first()
    if vrf is None:
        raise FilterError({label: [f"Select a valid choice. {value} is not one of the available choices."]})
    return vrf


def present_in_vrf_filters() -> dict[str, Filter]:
    """NetBox's `present_in_vrf_id=` / `present_in_vrf=<rd>`: in the VRF, or in a VRF exporting a route
    target it imports."""

    def make(label: str, by: str) -> Filter:
        def apply(queryset, values):
            vrf = _vrf_lookup(label, values[-1], by)
            targets = vrf.import_targets.values("pk")
            exporting = VRF._base_manager.filter(export_targets__in=targets).values("pk")
            return queryset.filter(Q(vrf_id=vrf.pk) | Q(vrf__in=exporting))

        return Filter(apply)

    return {"present_in_vrf_id": make("present_in_vrf_id", "pk"), "present_in_vrf": make("present_in_vrf", "rd")}


# -- scopes ----------------------------------------------------------------------------------------


def _ids(label: str, values: list[str], model, attribute: str) -> list:
    """The objects `values` name (ids, or slugs), checked to exist (NetBox answers 400 otherwise)."""
    if attribute == "pk":
        wanted: list = []
        for value in values:
            if not value.isdigit():
                raise FilterError({label: [f"“{value}” is not a valid value."]})
            wanted.append(int(value))
    else:
        wanted = list(values)
    found = set(model._base_manager.filter(**{f"{attribute}__in": wanted}).values_list(attribute, flat=True))
    for value in wanted:
        if value not in found:
            raise FilterError({label: [f"Select a valid choice. {value} is not one of the available choices."]})
    return wanted


def _scoped(model, pks) -> Q:
    return Q(scope_type=ContentType.objects.get_for_model(model), scope_id__in=pks)


def _region_scope(regions) -> Q:
    sites = Site._base_manager.filter(region__in=regions).values("pk")
    locations = Location._base_manager.filter(site__region__in=regions).values("pk")
    return _scoped(Region, regions.values("pk")) | _scoped(Site, sites) | _scoped(Location, locations)


def _site_group_scope(groups) -> Q:
    sites = Site._base_manager.filter(group__in=groups).values("pk")
    locations = Location._base_manager.filter(site__group__in=groups).values("pk")
    return _scoped(SiteGroup, groups.values("pk")) | _scoped(Site, sites) | _scoped(Location, locations)


def _site_scope(sites) -> Q:
    locations = Location._base_manager.filter(site__in=sites).values("pk")
    return _scoped(Site, sites.values("pk")) | _scoped(Location, locations)


def _location_scope(locations) -> Q:
    return _scoped(Location, locations.values("pk"))


def scope_filters() -> dict[str, Filter]:
    """NetBox's `region_id=` / `region=`, `site_group_id=`, `site_id=`, `location_id=` (and their slugs) on a
    scoped object: scoped to that object or to anything within it (a region's sites and their locations,
    regions and locations below)."""
    scopes = (
        ("region", Region, True, _region_scope),
        ("site_group", SiteGroup, True, _site_group_scope),
        ("site", Site, False, _site_scope),
        ("location", Location, True, _location_scope),
    )
    filters: dict[str, Filter] = {}
    for name, model, tree, scope in scopes:
        for label, attribute in ((f"{name}_id", "pk"), (name, "slug")):

            def apply(queryset, values, label=label, attribute=attribute, model=model, tree=tree, scope=scope):
                wanted = _ids(label, values, model, attribute)
                chosen = model._base_manager.filter(**{f"{attribute}__in": wanted})
                if tree:
                    chosen = model._tree_manager.filter(pk__in=chosen.values("pk")).get_descendants(include_self=True)
                return queryset.filter(scope(chosen))

            filters[label] = Filter(apply)
    return filters


def _exact_scope(model) -> Filter:
    """NetBox's VLAN group `site=<id>` (and region, rack...): scoped to exactly that object."""

    def apply(queryset, values):
        return queryset.filter(_scoped(model, [int(value) for value in values if value.isdigit()]))

    return Filter(apply)


def _prefixes_containing(queryset: QuerySet, values: list[str]) -> QuerySet:
    """NetBox's `contains=`: the prefixes holding a prefix ("10.1.0.0/16", itself included) or an address
    ("10.1.2.3", strictly); one value that is neither matches nothing."""
    value = values[-1].strip()
    if not value:
        return queryset
    network = parse_network(value)
    if network is None:
        return queryset.none()
    if "/" in value:
        return queryset.filter(prefix__net_contains_or_equals=str(network.cidr))
    return queryset.filter(prefix__net_contains=str(network.ip))


# -- free text ---------------------------------------------------------------------------------------


def _prefix_search(queryset: QuerySet, values: list[str]) -> QuerySet:
    """NetBox's `q` over prefixes: the description, the prefix's text, or the prefixes containing it."""
    text = values[-1].strip()
    if not text:
        return queryset
    q = Q(description__icontains=text) | Q(prefix__icontains=text)
    network = parse_network(text)
    if network is not None:
        q |= Q(prefix__net_contains_or_equals=str(network.cidr))
    return queryset.filter(q)


def _range_search(queryset: QuerySet, values: list[str]) -> QuerySet:
    text = values[-1].strip()
    if not text:
        return queryset
    q = Q(description__icontains=text) | Q(start_address__icontains=text) | Q(end_address__icontains=text)
    network = parse_network(text)
    if network is not None:
        q |= Q(start_address=str(network)) | Q(end_address=str(network))
    return queryset.filter(q)


def _address_search(queryset: QuerySet, values: list[str]) -> QuerySet:
    """NetBox's `q` over addresses: by the beginning of the address, or the DNS name or description."""
    text = values[-1].strip()
    if not text:
        return queryset
    return queryset.filter(Q(dns_name__icontains=text) | Q(description__icontains=text) | Q(address__istartswith=text))


def _text_search(*fields: str, number: str | None = None):
    def search(queryset, values):
        text = values[-1].strip()
        if not text:
            return queryset
        q = Q()
        for field in fields:
            q |= Q(**{f"{field}__icontains": text})
        if number is not None and text.isdigit():
            q |= Q(**{number: int(text)})
        return queryset.filter(q)

    return search


def _containing_vid(vid: int) -> Q:
    """VLAN groups whose ranges hold `vid`."""
    table = connection.ops.quote_name(VLANGroup._meta.db_table)
    # The table name is ours; the VLAN ID a parameter.
    query = f"SELECT id FROM {table} WHERE %s::integer <@ ANY(vid_ranges) OR cardinality(vid_ranges) = 0"  # noqa: S608
    return Q(pk__in=RawSQL(query, [vid]))  # noqa: S611


def _with_protocols(model, protocols: list[str]) -> Q:
    """Services (or templates) with a port mapping of one of `protocols`."""
    table = connection.ops.quote_name(model._meta.db_table)
    # The table name is ours; the protocols are parameters.
    query = (
        f"SELECT id FROM {table} WHERE EXISTS "  # noqa: S608
        "(SELECT 1 FROM unnest(port_mappings) AS mapping WHERE split_part(mapping, '/', 1) = ANY(%s))"
    )
    return Q(pk__in=RawSQL(query, [protocols]))  # noqa: S611


# -- registration ------------------------------------------------------------------------------------

for _spec in list(registry):
    if _spec.model.__module__.startswith("addressing."):
        _tenant = next((f for f in _spec.model._meta.concrete_fields if f.name == "tenant"), None)
        if _tenant is not None and _tenant.related_model is Tenant:
            registry.extend(_spec.model, filters=path_filters("tenant_group", "tenant__group", TenantGroup))

registry.extend(
    VRF,
    filters={
        **path_filters("import_target", "import_targets", RouteTarget, attribute="name", many=True),
        **path_filters("export_target", "export_targets", RouteTarget, attribute="name", many=True),
    },
)
registry.extend(
    RouteTarget,
    filters={
        **path_filters("importing_vrf", "importing_vrfs", VRF, attribute="rd", many=True),
        **path_filters("exporting_vrf", "exporting_vrfs", VRF, attribute="rd", many=True),
    },
)
registry.extend(
    Aggregate,
    filters={
        **_exact_networks("prefix"),
        **ip_space_filters("prefix"),
        "q": Filter(_prefix_search),
    },
)
registry.extend(
    Prefix,
    filters={
        **_exact_networks("prefix"),
        **ip_space_filters("prefix"),
        **path_filters("vrf", "vrf", VRF, attribute="rd"),
        **present_in_vrf_filters(),
        **scope_filters(),
        **number_filters("depth", "_depth"),
        **number_filters("children", "_children"),
        **path_filters("vlan_group", "vlan__group", VLANGroup),
        "vlan_vid": number_filter("vlan_vid", lambda vids: Q(vlan__vid__in=vids)),
        "within": network_filter(_any(lambda n: Q(prefix__net_contained=str(n.cidr)))),
        "within_include": network_filter(_any(lambda n: Q(prefix__net_contained_or_equal=str(n.cidr)))),
        "contains": Filter(_prefixes_containing),
        "q": Filter(_prefix_search),
    },
)
registry.extend(
    IPRange,
    filters={
        **address_filters("start_address"),
        **address_filters("end_address"),
        **ip_space_filters("start_address"),
        **path_filters("vrf", "vrf", VRF, attribute="rd"),
        "parent": _parent_filter("start_address", "end_address"),
        "contains": network_filter(
            _any(
                lambda n: Q(
                    start_address__host__lte=str(n.network),
                    end_address__host__gte=str(netaddr.IPAddress(n.last, n.version)),
                    start_address__family=n.version,
                )
            )
        ),
        "q": Filter(_range_search),
    },
)


def _on_devices(key: str, parse):
    """Addresses on an interface of the devices named (`key`: `pk`, `name`), or, for a device that is the
    master of a virtual chassis, of its members (but their management-only interfaces): NetBox's
    vc_interfaces()."""

    def apply(queryset, values):
        wanted = [parse(value) for value in values]
        devices = Device._base_manager.filter(**{f"{key}__in": wanted}).values("pk")
        interfaces = Interface._base_manager.filter(
            Q(device__in=devices) | Q(device__virtual_chassis__master__in=devices, mgmt_only=False)
        )
        return queryset.filter(
            assigned_object_type=ContentType.objects.get_for_model(Interface),
            assigned_object_id__in=interfaces.values("pk"),
        )

    return apply


def _device_id(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise FilterError({"device_id": [f"“{value}” is not a valid value."]}) from None


def _assigned_to(labels: tuple[str, ...]) -> Q:
    types = [ContentType.objects.get_for_model(spec.model) for spec in registry if spec.type_label in labels]
    return Q(assigned_object_type__in=types, assigned_object_id__isnull=False) if types else NOTHING


registry.extend(
    IPAddress,
    filters={
        **address_filters("address"),
        **ip_space_filters("address"),
        **path_filters("vrf", "vrf", VRF, attribute="rd"),
        **present_in_vrf_filters(),
        "parent": _parent_filter("address"),
        "assigned": flag_filter("assigned", Q(assigned_object_id__isnull=False)),
        "device": Filter(_on_devices("name", str)),
        "device_id": Filter(_on_devices("pk", _device_id)),
        **path_filters("interface", "interface", Interface, attribute="name"),
        **path_filters("vminterface", "vminterface", VMInterface, attribute="name"),
        **path_filters("virtual_machine", "vminterface__virtual_machine", VirtualMachine, attribute="name"),
        "assigned_to_interface": Filter(
            lambda queryset, values: flag_filter(
                "assigned_to_interface", _assigned_to(("dcim.interface", "virtualization.vminterface"))
            ).apply(queryset, values)
        ),
        "fhrpgroup_id": number_filter(
            "fhrpgroup_id",
            lambda ids: Q(
                assigned_object_type=ContentType.objects.get_for_model(FHRPGroup), assigned_object_id__in=ids
            ),
        ),
        **path_filters("service", "services", Service, many=True),
        "q": Filter(_address_search),
    },
)
registry.extend(
    VLANGroup,
    filters={
        **{
            name: _exact_scope(model)
            for name, model in (
                ("region", Region),
                ("site_group", SiteGroup),
                ("site", Site),
                ("location", Location),
                ("rack", Rack),
            )
        },
        "contains_vid": number_filter("contains_vid", lambda vids: _containing_vid(vids[-1])),
        "q": Filter(_text_search("name", "slug", "description")),
    },
)


registry.extend(
    VLAN,
    filters={
        **path_filters("region", "site__region", Region),
        **path_filters("site_group", "site__group", SiteGroup),
        "qinq_svlan_vid": number_filter("qinq_svlan_vid", lambda vids: Q(qinq_svlan__vid__in=vids)),
        "q": Filter(_text_search("name", "description", number="vid")),
    },
)
# NetBox's sites by their ASNs (`asn=65000`, `asn_id=`).
registry.extend(Site, filters=path_filters("asn", "asns", ASN, attribute="asn", many=True))
registry.extend(
    ASN,
    filters={
        **path_filters("site", "sites", Site, many=True),
        **path_filters("site_group", "sites__group", SiteGroup, many=True),
        "q": Filter(_text_search("description", number="asn")),
    },
)
registry.extend(
    FHRPGroup,
    filters={
        "related_ip": number_filter(
            "related_ip",
            lambda ids: Q(
                pk__in=IPAddress._base_manager.filter(
                    assigned_object_type=ContentType.objects.get_for_model(FHRPGroup),
                    address__host__in=[
                        str(address.address.ip) for address in IPAddress._base_manager.filter(pk__in=ids)
                    ],
                ).values("assigned_object_id")
            ),
        ),
        "q": Filter(_text_search("name", "description", number="group_id")),
    },
)


def _port_filters(model) -> dict[str, Filter]:
    """NetBox 4.7's `port=` (`__n`) and `protocol=` (`__n`) over port mappings ("tcp/80")."""

    def with_ports(ports: list[int]) -> Q:
        return Q(port_mappings__overlap=[f"{protocol}/{port}" for port in ports for protocol in ServiceProtocol.values])

    def protocol(negate: bool) -> Filter:
        label = "protocol__n" if negate else "protocol"

        def apply(queryset, values):
            wanted = [value.lower() for value in values]
            unknown = [value for value in wanted if value not in ServiceProtocol.values]
            if unknown:
                raise FilterError(
                    {label: [f"Select a valid choice. {unknown[0]} is not one of the available choices."]}
                )
            q = _with_protocols(model, wanted)
            return queryset.exclude(q) if negate else queryset.filter(q)

        return Filter(apply)

    return {
        "port": number_filter("port", with_ports),
        "port__n": number_filter("port__n", lambda ports: ~with_ports(ports)),
        "protocol": protocol(False),
        "protocol__n": protocol(True),
    }


for _model in (Service, ServiceTemplate):
    registry.extend(_model, filters={**_port_filters(_model), "q": Filter(_text_search("name", "description"))})

registry.extend(
    Service,
    filters={
        **path_filters("ip_address", "ipaddresses", IPAddress, attribute="address", many=True),
        "fhrpgroup_id": number_filter(
            "fhrpgroup_id",
            lambda ids: Q(parent_object_type=ContentType.objects.get_for_model(FHRPGroup), parent_object_id__in=ids),
        ),
    },
)
registry.extend(
    VLANTranslationRule,
    filters={
        **path_filters("policy", "policy", VLANTranslationPolicy, attribute="name"),
        "q": Filter(_text_search("policy__name", "description", number="local_vid")),
    },
)
registry.extend(VLANTranslationPolicy, filters={"q": Filter(_text_search("name", "description"))})


# -- VPN ---------------------------------------------------------------------------------------------------------


registry.extend(
    Tunnel,
    filters={
        **path_filters("group", "group", TunnelGroup),
        **path_filters("ipsec_profile", "ipsec_profile", IPSecProfile, attribute="name"),
    },
)
registry.extend(
    TunnelTermination,
    filters={
        **path_filters("tunnel", "tunnel", Tunnel, attribute="name"),
        **path_filters("interface", "interface", Interface, attribute="name"),
        **path_filters("vminterface", "vminterface", VMInterface, attribute="name"),
        "outside_ip_id": number_filter("outside_ip_id", lambda ids: Q(outside_ip_id__in=ids)),
    },
)
registry.extend(IKEPolicy, filters=path_filters("ike_proposal", "proposals", IKEProposal, attribute="name", many=True))
registry.extend(IKEProposal, filters=path_filters("ike_policy", "ike_policies", IKEPolicy, attribute="name", many=True))
registry.extend(
    IPSecPolicy, filters=path_filters("ipsec_proposal", "proposals", IPSecProposal, attribute="name", many=True)
)
registry.extend(
    IPSecProposal, filters=path_filters("ipsec_policy", "ipsec_policies", IPSecPolicy, attribute="name", many=True)
)
# contact=, contact_role=, contact_group= (inventory's filters run before VPN's models are registered)
for _contacts_model in contact_models("addressing"):
    registry.extend(_contacts_model, filters=contacts_filters(_contacts_model))
registry.extend(
    IPSecProfile,
    filters={
        **path_filters("ike_policy", "ike_policy", IKEPolicy, attribute="name"),
        **path_filters("ipsec_policy", "ipsec_policy", IPSecPolicy, attribute="name"),
    },
)
registry.extend(
    L2VPN,
    filters={
        **path_filters("import_target", "import_targets", RouteTarget, attribute="name", many=True),
        **path_filters("export_target", "export_targets", RouteTarget, attribute="name", many=True),
    },
)
registry.extend(
    L2VPNTermination,
    filters={
        **path_filters("l2vpn", "l2vpn", L2VPN),
        **path_filters("interface", "interface", Interface, attribute="name"),
        **path_filters("vminterface", "vminterface", VMInterface, attribute="name"),
        **path_filters("vlan", "vlan", VLAN, attribute="name"),
        "vlan_vid": number_filter("vlan_vid", lambda vids: Q(vlan__vid__in=vids)),
        **path_filters("device", "interface__device", Device, attribute="name"),
        **path_filters("virtual_machine", "vminterface__virtual_machine", VirtualMachine, attribute="name"),
        "site_id": number_filter(
            "site_id",
            lambda ids: Q(interface__device__site_id__in=ids) | Q(vminterface__virtual_machine__site_id__in=ids),
        ),
        "site": Filter(
            lambda queryset, values: queryset.filter(
                Q(interface__device__site__slug__in=values) | Q(vminterface__virtual_machine__site__slug__in=values)
            )
        ),
        "region_id": number_filter(
            "region_id",
            lambda ids: (
                Q(interface__device__site__region_id__in=ids) | Q(vminterface__virtual_machine__site__region_id__in=ids)
            ),
        ),
        "region": Filter(
            lambda queryset, values: queryset.filter(
                Q(interface__device__site__region__slug__in=values)
                | Q(vminterface__virtual_machine__site__region__slug__in=values)
            )
        ),
    },
)
