"""NetBox's site hierarchy: regions, site groups, sites and locations."""

from django.db import models

from core.fields import (
    INTEGER_VALUE,
    TEXT_VALUE,
    Rendered,
    ValueType,
    list_of,
    listed,
    listed_prefetch,
    nullable,
    renders,
)
from core.registry import Api, Search, registry
from core.representation import count_subquery, render
from core.services import Services
from core.writes import WriteExtra, references
from inventory.api.briefs import NAMED_BRIEF, NAMES, SITE_GROUPING_BRIEF
from inventory.models import Location, Region, Site, SiteGroup
from inventory.services.sites import locations_update, sites_create, sites_update

# A site's ASNs are the other side of IPAM's ASN.sites (inventory does not import IPAM): nested briefly, written
# by id or attributes, as NetBox's `asns`.
_BRIEF_ASN = ValueType({"$ref": "#/components/schemas/BriefASN"}, "JSON")


@renders(list_of(_BRIEF_ASN), prefetch=(listed_prefetch("asns"),))
def _asns(site, links) -> list:
    return [render(asn, links, brief=True) for asn in listed(site, "asns")]


def _asns_write(value, actor) -> list:
    return references(Site.asns.rel.related_model, value, actor)


registry.register(
    Region, api=Api("dcim/regions", brief_fields=SITE_GROUPING_BRIEF, counts={"site_count": "sites"}), search=NAMES
)
registry.register(
    SiteGroup,
    api=Api("dcim/site-groups", brief_fields=SITE_GROUPING_BRIEF, counts={"site_count": "sites"}),
    search=NAMES,
)
registry.register(
    Site,
    images=True,
    api=Api(
        "dcim/sites",
        brief_fields=NAMED_BRIEF,
        # NetBox's order; IPAM and circuits add their counts (addressing.api.vlans, circuits.api.circuits).
        fields=(
            "id", "url", "display_url", "display", "name", "slug", "status", "region", "group", "tenant", "facility",
            "time_zone", "description", "physical_address", "shipping_address", "latitude", "longitude", "owner",
            "comments", "asns", "tags", "custom_fields", "created", "last_updated", "circuit_count", "device_count",
            "prefix_count", "rack_count", "virtualmachine_count", "vlan_count",
        ),
        renderers={
            # No time zone is null, as NetBox shows it (stored as "").
            "time_zone": Rendered(lambda site, links: site.time_zone or None, nullable(TEXT_VALUE)),
            "asns": _asns,
        },
        counts={"device_count": "devices", "rack_count": "racks", "virtualmachine_count": "virtual_machines"},
        write_extras={"asns": WriteExtra(_asns_write, list_of(INTEGER_VALUE), "The site's ASNs")},
    ),
    search=Search(
        fields=("name", "slug", "facility", "description", "physical_address", "shipping_address", "comments")
    ),
    services=Services(create=sites_create, update=sites_update),
    logged_relations=("asns",),
)  # fmt: skip
registry.register(
    Location,
    images=True,
    api=Api(
        "dcim/locations",
        brief_fields=("id", "url", "display", "name", "slug", "description", "rack_count", "_depth"),
        # NetBox's order (its site before its parent); IPAM adds the prefix_count (addressing.api.vlans).
        fields=(
            "id", "url", "display_url", "display", "name", "slug", "site", "parent", "status", "tenant", "facility",
            "description", "tags", "custom_fields", "created", "last_updated", "rack_count", "device_count",
            "prefix_count", "owner", "comments", "_depth",
        ),
        counts={"rack_count": "racks", "device_count": "devices"},
    ),
    search=Search(fields=("name", "slug", "facility", "description")),
    services=Services(update=locations_update),
)  # fmt: skip


def at_site_count(model: type[models.Model], outer: str, *, scope: str, count=None):
    """How many `model` objects are at the site (the outer row, or its `outer` relation): their generic
    `scope` (`<scope>_type`, `<scope>_id`) is the site or one of its locations, as NetBox counts a
    site's prefixes and circuits. Content types by name, not id: the expression is built once per
    process, and ids are each organization's own."""
    site = models.OuterRef(f"{outer}__pk" if outer else "pk")
    locations = Location._base_manager.filter(site_id=models.OuterRef(site)).values("pk")
    at_site = models.Q(**{f"{scope}_type__app_label": "inventory", f"{scope}_type__model": "site", f"{scope}_id": site})
    at_location = models.Q(
        **{
            f"{scope}_type__app_label": "inventory",
            f"{scope}_type__model": "location",
            f"{scope}_id__in": models.Subquery(locations),
        }
    )
    return count_subquery(model._base_manager.filter(at_site | at_location), count)
