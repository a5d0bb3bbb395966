"""NetBox's ASN ranges (with `available-asns`) and ASNs."""

from addressing.allocation import range_available_asns
from addressing.api.common import TRAILER
from addressing.models import ASN, ASNRange
from core.fields import INTEGER_VALUE, Rendered, listed
from core.registry import Api, Route, Search, registry

AVAILABLE_ASN = {"type": "object", "properties": {"asn": {"type": "integer"}, "description": {"type": "string"}}}
ASN_REQUEST = {
    "type": "object",
    "description": "The ASN's other fields, as for asns (a description, a tenant, tags...).",
    "additionalProperties": {},
}
AVAILABLE_ASNS = Route(
    "available-asns",
    range_available_asns,
    methods=("GET", "POST"),
    summary=(
        "GET: the range's free AS numbers (`limit`, 50 by default). POST: create the next free ASN for each object "
        "given (409 when there are not enough)."
    ),
    response={"type": "array", "items": AVAILABLE_ASN},
    request={"oneOf": [ASN_REQUEST, {"type": "array", "items": ASN_REQUEST}]},
    responses={
        "POST": {
            "oneOf": [
                {"$ref": "#/components/schemas/ASN"},
                {"type": "array", "items": {"$ref": "#/components/schemas/ASN"}},
            ]
        }
    },
    verbs={"GET": "list"},
)

registry.register(
    ASNRange,
    api=Api(
        "ipam/asn-ranges",
        brief_fields=("id", "url", "display", "name", "description"),
        fields=(
            "id", "url", "display_url", "display", "name", "slug", "rir", "start", "end", "tenant", "description",
            *TRAILER, "asn_count",
        ),
        renderers={"asn_count": Rendered(lambda asn_range, links: asn_range.asn_count, INTEGER_VALUE)},
        routes=(AVAILABLE_ASNS,),
    ),
    search=Search(fields=("name", "slug", "description", "comments")),
)  # fmt: skip
registry.register(
    ASN,
    api=Api(
        "ipam/asns",
        brief_fields=("id", "url", "display", "asn", "description"),
        fields=(
            "id", "url", "display_url", "display", "asn", "rir", "role", "tenant", "description", *TRAILER,
            "site_count", "provider_count", "sites",
        ),
        renderers={"site_count": Rendered(lambda asn, links: len(listed(asn, "sites")), INTEGER_VALUE)},
        # Circuits' providers are not in Wirebook yet.
        zero_counts=("provider_count",),
    ),
    search=Search(fields=("asn", "description", "comments")),
)  # fmt: skip
