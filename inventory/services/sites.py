"""Writes of sites and locations: a site moved to another region or site group, or a location moved to another
site, takes the cached places of what is scoped to it along (clusters and wireless LANs: `_region`,
`_site_group`, `_site`, inventory.models.scopes), as NetBox's sync_cached_scope_fields does: one UPDATE per
scoped model, whatever the number of objects, and, as in NetBox, no change-log entry for a cache."""

from collections.abc import Sequence

from django.db.models import OuterRef, Subquery

from core.registry import registry
from core.services import ObjectWrite, instances_of, objects_update
from inventory.models import Location, Site
from inventory.models.scopes import CachedScopeMixin


def _scoped_models() -> list[type[CachedScopeMixin]]:
    return [spec.model for spec in registry if issubclass(spec.model, CachedScopeMixin)]


def _place(model, cached: str, path: str = "") -> Subquery:
    """The cached place's `path` value (its site's region...), read in the UPDATE itself."""
    return Subquery(model._base_manager.filter(pk=OuterRef(cached)).values(path or "pk")[:1])


def sites_update(writes: Sequence[ObjectWrite]) -> list[Site]:
    sites = instances_of(Site, objects_update(writes))
    for model in _scoped_models():
        model._base_manager.filter(_site__in=sites).update(
            _region=_place(Site, "_site", "region"), _site_group=_place(Site, "_site", "group")
        )
    return sites


def locations_update(writes: Sequence[ObjectWrite]) -> list[Location]:
    locations = instances_of(Location, objects_update(writes))
    for model in _scoped_models():
        model._base_manager.filter(_location__in=locations).update(
            _site=_place(Location, "_location", "site"),
            _region=_place(Location, "_location", "site__region"),
            _site_group=_place(Location, "_location", "site__group"),
        )
    return locations
