"""NetBox's circuit filters that the generic ones (core.filters) cannot derive: where terminations are
(`site_id=`, `region=`, `location_id=`, `provider_network_id=`, ...), which circuits and providers have
terminations there, and the paths through a circuit (`provider_id=` on a termination)."""

from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from addressing.models import ASN
from circuits.models import (
    Circuit,
    CircuitGroupAssignment,
    CircuitTermination,
    Provider,
    ProviderNetwork,
    VirtualCircuit,
    VirtualCircuitTermination,
)
from core.filters import Filter, FilterError, path_filters
from core.registry import registry
from inventory.filters.contacts import contacts_filters
from inventory.models import Device, Location, Region, Site, SiteGroup
from inventory.models.contacts import contact_models


def _at(model, pks) -> Q:
    return Q(termination_type=ContentType.objects.get_for_model(model), termination_id__in=pks)


def _in_regions(regions) -> Q:
    sites = Site._base_manager.filter(region__in=regions).values("pk")
    locations = Location._base_manager.filter(site__region__in=regions).values("pk")
    return _at(Region, regions.values("pk")) | _at(Site, sites) | _at(Location, locations)


def _in_site_groups(groups) -> Q:
    sites = Site._base_manager.filter(group__in=groups).values("pk")
    locations = Location._base_manager.filter(site__group__in=groups).values("pk")
    return _at(SiteGroup, groups.values("pk")) | _at(Site, sites) | _at(Location, locations)


def _at_sites(sites) -> Q:
    return _at(Site, sites.values("pk")) | _at(Location, Location._base_manager.filter(site__in=sites).values("pk"))


def _at_locations(locations) -> Q:
    return _at(Location, locations.values("pk"))


def _chosen(label: str, values: list[str], model, attribute: str, tree: bool):
    """The objects `values` name (ids or slugs), a 400 for one that does not exist (as NetBox)."""
    if attribute == "pk":
        for value in values:
            if not value.isdigit():
                raise FilterError({label: [f"“{value}” is not a valid value."]})
        wanted: list = [int(value) for value in values]
    else:
        wanted = list(values)
    found = set(model._base_manager.filter(**{f"{attribute}__in": wanted}).values_list(attribute, flat=True))
    for value in wanted:
        if value not in found:
            raise FilterError({label: [f"Select a valid choice. {value} is not one of the available choices."]})
    chosen = model._base_manager.filter(**{f"{attribute}__in": wanted})
    if tree:
        chosen = model._tree_manager.filter(pk__in=chosen.values("pk")).get_descendants(include_self=True)
    return chosen


PLACES = (
    ("region", Region, True, _in_regions),
    ("site_group", SiteGroup, True, _in_site_groups),
    ("site", Site, False, _at_sites),
    ("location", Location, True, _at_locations),
)


def place_filters(through: Callable[[Q], Q], names: tuple[str, ...] = ("region", "site_group", "site", "location")):
    """`region_id=` / `region=`, `site_group_id=`, `site_id=`, `location_id=` (and their slugs): rows whose
    terminations are at that place or anything within it (a region's sites and their locations). `through`
    turns a condition on terminations into one on the rows filtered."""
    filters: dict[str, Filter] = {}
    for name, model, tree, where in PLACES:
        if name not in names:
            continue
        for label, attribute in ((f"{name}_id", "pk"), (name, "slug")):

            def apply(queryset, values, label=label, attribute=attribute, model=model, tree=tree, where=where):
                return queryset.filter(through(where(_chosen(label, values, model, attribute, tree))))

            filters[label] = Filter(apply)
    return filters


def _provider_network(through: Callable[[Q], Q]) -> Filter:
    def apply(queryset, values):
        networks = _chosen("provider_network_id", values, ProviderNetwork, "pk", False)
        return queryset.filter(through(_at(ProviderNetwork, networks.values("pk"))))

    return Filter(apply)


def _circuits_terminating(condition: Q) -> Q:
    return Q(pk__in=CircuitTermination._base_manager.filter(condition).values("circuit_id"))


def _providers_terminating(condition: Q) -> Q:
    return Q(pk__in=CircuitTermination._base_manager.filter(condition).values("circuit__provider_id"))


def _terminations(condition: Q) -> Q:
    return condition


def _side(side: str) -> Filter:
    def apply(queryset, values):
        ids = [int(value) for value in values if value.isdigit()]
        terminations = CircuitTermination._base_manager.filter(pk__in=ids, term_side=side).values("circuit_id")
        return queryset.filter(pk__in=terminations)

    return Filter(apply)


registry.extend(
    Provider,
    filters={**place_filters(_providers_terminating), **path_filters("asn", "asns", ASN, attribute="asn", many=True)},
)
registry.extend(
    Circuit,
    filters={
        **place_filters(_circuits_terminating),
        "provider_network_id": _provider_network(_circuits_terminating),
        "termination_a_id": _side("A"),
        "termination_z_id": _side("Z"),
    },
)
registry.extend(
    CircuitTermination,
    filters={
        **place_filters(_terminations),
        "provider_network_id": _provider_network(_terminations),
        **path_filters("provider", "circuit__provider", Provider),
    },
)
registry.extend(
    CircuitGroupAssignment,
    filters={
        **path_filters("circuit", "circuit", Circuit, attribute="cid"),
        **path_filters("virtual_circuit", "virtual_circuit", VirtualCircuit, attribute="cid"),
    },
)
registry.extend(VirtualCircuit, filters=path_filters("provider", "provider_network__provider", Provider))
registry.extend(
    VirtualCircuitTermination,
    filters={
        **path_filters("provider", "virtual_circuit__provider_network__provider", Provider),
        **path_filters("provider_network", "virtual_circuit__provider_network", ProviderNetwork, attribute="pk"),
        **path_filters("device", "interface__device", Device, attribute="name"),
    },
)

# contact=, contact_role=, contact_group= (inventory's filters run before circuits' models are registered)
for _contacts_model in contact_models("circuits"):
    registry.extend(_contacts_model, filters=contacts_filters(_contacts_model))
