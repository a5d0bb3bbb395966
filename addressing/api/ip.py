"""NetBox's IP space: RIRs, aggregates, roles, prefixes, IP ranges and IP addresses, with the allocation
routes (addressing.allocation)."""

from django.db.models import Prefetch

from addressing.allocation import prefix_available_ips, prefix_available_prefixes, range_available_ips
from addressing.api.common import FAMILY, NAMED_BRIEF, TRAILER, family, linked_object, object_types_of
from addressing.models import RIR, Aggregate, IPAddress, IPRange, Prefix, Role
from addressing.models.scopes import LOCATION_SCOPE_TYPES
from addressing.services import (
    aggregates_create,
    aggregates_update,
    ip_addresses_create,
    ip_addresses_delete,
    ip_addresses_update,
    ip_ranges_create,
    ip_ranges_update,
    prefixes_create,
    prefixes_delete,
    prefixes_update,
)
from core.fields import (
    INTEGER_VALUE,
    TEXT_VALUE,
    Rendered,
    json_object,
    list_of,
    nullable,
    renders,
)
from core.registry import Api, Route, Search, object_type_renderer, registry
from core.services import Services

# The types an IP address may be assigned to (NetBox's IPADDRESS_ASSIGNMENT_MODELS): those registered.
IP_ASSIGNMENT_TYPES = ("dcim.interface", "ipam.fhrpgroup", "virtualization.vminterface")


def _schema(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


_VRF = {"allOf": [_schema("BriefVRF")], "nullable": True}
AVAILABLE_IP = {
    "type": "object",
    "properties": {"family": {"type": "integer"}, "address": {"type": "string"}, "vrf": _VRF},
}
AVAILABLE_PREFIX = {
    "type": "object",
    "properties": {"family": {"type": "integer"}, "prefix": {"type": "string"}, "vrf": _VRF},
}


def _one_or_many(schema: dict) -> dict:
    return {"oneOf": [schema, {"type": "array", "items": schema}]}


def _created(name: str) -> dict:
    return _one_or_many(_schema(name))


ADDRESS_REQUEST = _one_or_many(
    {
        "type": "object",
        "description": "The address's other fields, as for ip-addresses (a description, a status, tags...).",
        "properties": {"prefix_length": {"type": "integer", "description": "The mask (the parent's by default)."}},
        "additionalProperties": {},
    }
)
PREFIX_REQUEST = _one_or_many(
    {
        "type": "object",
        "description": "The prefix's other fields, as for prefixes (a description, a status, tags...).",
        "required": ["prefix_length"],
        "properties": {"prefix_length": {"type": "integer"}},
        "additionalProperties": {},
    }
)


def _available_ips(handler, parent: str) -> Route:
    return Route(
        "available-ips",
        handler,
        methods=("GET", "POST"),
        summary=(
            f"GET: the {parent}'s free addresses, first first (`limit`, 50 by default). POST: create the next free "
            "address for each object given (409 when there are not enough)."
        ),
        response={"type": "array", "items": AVAILABLE_IP},
        request=ADDRESS_REQUEST,
        responses={"POST": _created("IPAddress")},
        verbs={"GET": "list"},
        own_transaction=True,
    )


AVAILABLE_PREFIXES = Route(
    "available-prefixes",
    prefix_available_prefixes,
    methods=("GET", "POST"),
    summary=(
        "GET: the prefix's free space as CIDR blocks. POST: create, for each object given, the first free prefix "
        "of its `prefix_length` (409 when one does not fit)."
    ),
    response={"type": "array", "items": AVAILABLE_PREFIX},
    request=PREFIX_REQUEST,
    responses={"POST": _created("Prefix")},
    verbs={"GET": "list"},
)

NESTED_ADDRESS = json_object(
    {
        "id": INTEGER_VALUE,
        "url": TEXT_VALUE,
        "display_url": TEXT_VALUE,
        "display": TEXT_VALUE,
        "family": json_object({"value": INTEGER_VALUE, "label": TEXT_VALUE}),
        "address": TEXT_VALUE,
    }
)


def nested_address(address, links) -> dict:
    """NetBox's NestedIPAddress: a NAT partner (never nesting its own partners)."""
    spec = registry.get(IPAddress)
    return {
        "id": address.pk,
        "url": links.api_url(spec, address.pk),
        "display_url": links.ui_url(spec, address.pk),
        "display": str(address),
        "family": family(address.family),
        "address": str(address.address),
    }


NAT_INSIDE = Rendered(
    lambda address, links: None if address.nat_inside_id is None else nested_address(address.nat_inside, links),
    nullable(NESTED_ADDRESS),
)


def _nat_outside_prefetch():
    return Prefetch("nat_outside", queryset=IPAddress._base_manager.order_by("pk"), to_attr="_wb_nat_outside")


@renders(list_of(NESTED_ADDRESS), prefetch=(_nat_outside_prefetch(),))
def NAT_OUTSIDE(address, links):
    """The addresses NATed to this one. Loaded for a page into a plain list (`to_attr`): Django's usual
    prefetch builds a related manager and a filtered queryset for each row (~0.2 ms a row, a fifth of a
    1,000-address page), though most rows have no partner."""
    outside = address.__dict__.get("_wb_nat_outside")
    if outside is None:
        outside = address.nat_outside.all()
    return [nested_address(partner, links) for partner in outside]


registry.register(
    RIR,
    api=Api(
        "ipam/rirs",
        brief_fields=NAMED_BRIEF,
        counts={"aggregate_count": "aggregates"},
        brief_counts=("aggregate_count",),
    ),
    search=Search(fields=("name", "slug", "description", "comments")),
)
registry.register(
    Aggregate,
    api=Api(
        "ipam/aggregates",
        brief_fields=("id", "url", "display", "family", "prefix", "description"),
        fields=(
            "id", "url", "display_url", "display", "family", "prefix", "rir", "tenant", "date_added", "description",
            *TRAILER,
        ),
        renderers={"family": FAMILY},
    ),
    search=Search(fields=("prefix", "description", "comments")),
    services=Services(create=aggregates_create, update=aggregates_update),
)  # fmt: skip
registry.register(
    Role,
    api=Api(
        "ipam/roles",
        brief_fields=NAMED_BRIEF,
        counts={"prefix_count": "prefixes", "vlan_count": "vlans", "asn_count": "asns"},
        brief_counts=("prefix_count", "vlan_count", "asn_count"),
    ),
    search=Search(fields=("name", "slug", "description", "comments")),
)
registry.register(
    Prefix,
    api=Api(
        "ipam/prefixes",
        brief_fields=("id", "url", "display", "family", "prefix", "description", "_depth"),
        fields=(
            "id", "url", "display_url", "display", "family", "prefix", "vrf", "scope_type", "scope_id", "scope",
            "tenant", "vlan", "status", "role", "is_pool", "mark_utilized", "description", *TRAILER, "children",
            "_depth",
        ),
        renderers={
            "family": FAMILY,
            "scope_type": object_type_renderer("scope_type", null=True),
            "scope": linked_object("scope"),
            "children": Rendered(lambda prefix, links: prefix._children, INTEGER_VALUE),
            "_depth": Rendered(lambda prefix, links: prefix._depth, INTEGER_VALUE),
        },
        write_converters={"scope_type": object_types_of(LOCATION_SCOPE_TYPES)},
        routes=(AVAILABLE_PREFIXES, _available_ips(prefix_available_ips, "prefix")),
    ),
    search=Search(fields=("prefix", "description", "comments")),
    services=Services(create=prefixes_create, update=prefixes_update, delete=prefixes_delete),
)  # fmt: skip
registry.register(
    IPRange,
    api=Api(
        "ipam/ip-ranges",
        brief_fields=("id", "url", "display", "family", "start_address", "end_address", "description"),
        fields=(
            "id", "url", "display_url", "display", "family", "start_address", "end_address", "size", "vrf", "tenant",
            "status", "role", "description", *TRAILER, "mark_populated", "mark_utilized",
        ),
        renderers={"family": FAMILY},
        routes=(_available_ips(range_available_ips, "range"),),
    ),
    search=Search(fields=("start_address", "end_address", "description", "comments")),
    services=Services(create=ip_ranges_create, update=ip_ranges_update),
)  # fmt: skip
registry.register(
    IPAddress,
    api=Api(
        "ipam/ip-addresses",
        brief_fields=("id", "url", "display", "family", "address", "description"),
        fields=(
            "id", "url", "display_url", "display", "family", "address", "vrf", "tenant", "status", "role",
            "assigned_object_type", "assigned_object_id", "assigned_object", "nat_inside", "nat_outside", "dns_name",
            "description", *TRAILER,
        ),
        renderers={
            "family": FAMILY,
            "assigned_object_type": object_type_renderer("assigned_object_type", null=True),
            "assigned_object": linked_object("assigned_object"),
            "nat_inside": NAT_INSIDE,
            "nat_outside": NAT_OUTSIDE,
        },
        write_converters={"assigned_object_type": object_types_of(IP_ASSIGNMENT_TYPES)},
    ),
    search=Search(fields=("address", "dns_name", "description", "comments")),
    services=Services(create=ip_addresses_create, update=ip_addresses_update, delete=ip_addresses_delete),
)  # fmt: skip
