"""Writes of sites and locations: a site moved to another region or site group, or a location moved to another
site, takes the cached places of what is scoped to it along (clusters and wireless LANs: `_region`,
`_site_group`, `_site`, inventory.models.scopes), as NetBox's sync_cached_scope_fields does: one UPDATE per
scoped model, whatever the number of objects, and, as in NetBox, no change-log entry for a cache.

A location moved to another site (with its parent, or alone) takes everything in it along, as NetBox's
location signal does: its child locations and theirs, and the racks, devices and power panels in any of them,
each moved with its own change-log entry (one UPDATE per kind of object).

A site's write may name its ASNs (`asns`, NetBox's field; the relation is IPAM's ASN.sites): they are set once
the site is written, before its change-log snapshot, which shows them as NetBox's does (`logged_relations`)."""

from collections.abc import Sequence

from django.db import transaction
from django.db.models import OuterRef, Q, Subquery

from core.registry import registry
from core.services import ObjectWrite, instances_of, objects_changing, objects_create, objects_update
from inventory.models import Device, Location, PowerPanel, Rack, Site
from inventory.models.scopes import CachedScopeMixin

# What stands in a location and records its site beside it.
IN_LOCATIONS: tuple[type[Rack] | type[Device] | type[PowerPanel], ...] = (Rack, Device, PowerPanel)


def _scoped_models() -> list[type[CachedScopeMixin]]:
    return [spec.model for spec in registry if issubclass(spec.model, CachedScopeMixin)]


def _place(model, cached: str, path: str = "") -> Subquery:
    """The cached place's `path` value (its site's region...), read in the UPDATE itself."""
    return Subquery(model._base_manager.filter(pk=OuterRef(cached)).values(path or "pk")[:1])


def _set_asns(writes: Sequence[ObjectWrite]) -> None:
    """The ASNs of the sites whose writes name them (`asns`, the other side of IPAM's ASN.sites)."""
    for write in writes:
        if "asns" in write.extra:
            instances_of(Site, [write.target])[0].asns.set(write.extra["asns"])


def sites_create(writes: Sequence[ObjectWrite]) -> list[Site]:
    return instances_of(Site, objects_create(writes, after_write=_set_asns))


def sites_update(writes: Sequence[ObjectWrite]) -> list[Site]:
    sites = instances_of(Site, objects_update(writes, after_write=_set_asns))
    for model in _scoped_models():
        model._base_manager.filter(_site__in=sites).update(
            _region=_place(Site, "_site", "region"), _site_group=_place(Site, "_site", "group")
        )
    return sites


def _subtree(location: Location) -> Q:
    return Q(tree_id=location.tree_id, lft__gte=location.lft, rght__lte=location.rght)


def _move_contents(location_ids: Sequence[int]) -> list[int]:
    """Everything in the locations (and below them) to their site; the ids of all those locations."""
    moved: list[int] = []
    # Read again: saving a location under a new parent moved its tree (lft, rght, tree_id).
    for location in Location._base_manager.filter(pk__in=location_ids).order_by("level", "pk"):
        inside = _subtree(location)
        with objects_changing(Location, inside & ~Q(pk=location.pk) & ~Q(site_id=location.site_id)) as children:
            for child in children:
                child.site_id = location.site_id
        ids = list(Location._base_manager.filter(inside).values_list("pk", flat=True))
        for model in IN_LOCATIONS:
            where = Q(location_id__in=ids) & ~Q(site_id=location.site_id)
            with objects_changing(model, where) as standing:
                for obj in standing:
                    obj.site_id = location.site_id
        moved += ids
    return moved


def locations_update(writes: Sequence[ObjectWrite]) -> list[Location]:
    sites_before = {loc.pk: loc.site_id for loc in instances_of(Location, [write.target for write in writes])}
    with transaction.atomic():
        locations = instances_of(Location, objects_update(writes))
        moved = _move_contents([loc.pk for loc in locations if loc.site_id != sites_before.get(loc.pk)])
        _recache_scopes(moved)
    return locations


def _recache_scopes(location_ids: Sequence[int]) -> None:
    for model in _scoped_models():
        model._base_manager.filter(_location__in=location_ids).update(
            _site=_place(Location, "_location", "site"),
            _region=_place(Location, "_location", "site__region"),
            _site_group=_place(Location, "_location", "site__group"),
        )
