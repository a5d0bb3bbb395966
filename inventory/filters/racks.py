"""Racks' filters the generic ones cannot derive: where a rack stands (region, site group, through its
site), whose rack type; reservations by where their rack stands, by member, by unit."""

from django.db.models import Func, IntegerField, Q

from core.filters import Filter, number_filter, path_filters
from core.members import member_filters
from core.registry import registry
from inventory.models import Location, Manufacturer, Rack, RackGroup, RackReservation, Region, Site, SiteGroup


def _unit_count(name: str, lookup: str) -> Filter:
    """NetBox's `unit_count_min=` / `unit_count_max=`: by how many units a reservation holds."""
    count = number_filter(name, lambda numbers: Q(**{f"_wb_unit_count__{lookup}": numbers[-1]}))
    cardinality = Func("units", function="CARDINALITY", output_field=IntegerField())
    return Filter(lambda queryset, values: count.apply(queryset.annotate(_wb_unit_count=cardinality), values))


registry.extend(
    Rack,
    filters={
        **path_filters("region", "site__region", Region),
        **path_filters("site_group", "site__group", SiteGroup),
        **path_filters("manufacturer", "rack_type__manufacturer", Manufacturer),
    },
)
registry.extend(
    RackReservation,
    filters={
        **path_filters("site", "rack__site", Site),
        **path_filters("region", "rack__site__region", Region),
        **path_filters("site_group", "rack__site__group", SiteGroup),
        **path_filters("location", "rack__location", Location),
        **path_filters("group", "rack__group", RackGroup),
        **member_filters("user", "user_id"),
        # `unit=5`: reservations holding unit 5 (any of several).
        "unit": number_filter("unit", lambda units: Q(units__overlap=units)),
        "unit_count_min": _unit_count("unit_count_min", "gte"),
        "unit_count_max": _unit_count("unit_count_max", "lte"),
    },
)
