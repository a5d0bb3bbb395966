"""NetBox's CachedScopeMixin: an object scoped to a region, site group, site or location (`scope_type` +
`scope_id`, as in NetBox 4.2+), keeping the places its scope lies in so that filters by place read one
column. `clean()` refreshes them from the scope on every write. Clusters and wireless LANs are scoped so."""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from inventory.models.sites import Location, Region, Site, SiteGroup

# NetBox's CLUSTER_SCOPE_TYPES / WIRELESSLAN_SCOPE_TYPES: what such an object may be scoped to.
LOCATION_SCOPE_TYPES = ("dcim.region", "dcim.sitegroup", "dcim.site", "dcim.location")


def _cached(model, related_name: str, verbose_name) -> models.ForeignKey:
    return models.ForeignKey(
        model,
        on_delete=models.CASCADE,
        related_name=related_name,
        blank=True,
        null=True,
        editable=False,
        verbose_name=verbose_name,
    )


class CachedScopeMixin(models.Model):
    """The scope, and the places it lies in. A model using it indexes (scope_type, scope_id) in its Meta."""

    scope_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        related_name="+",
        blank=True,
        null=True,
        db_index=False,  # the (type, id) index serves it
        verbose_name=_("scope type"),
    )
    scope_id = models.PositiveBigIntegerField(_("scope ID"), blank=True, null=True)
    # NetBox's `scope`; the API shows it from the cached places (inventory.api.scopes), so that no generic
    # prefetch loads it again.
    scope_object = GenericForeignKey("scope_type", "scope_id")
    # The places the scope lies in (NetBox's CachedScopeMixin), kept by clean().
    _region = _cached(Region, "+", _("region"))
    _site_group = _cached(SiteGroup, "+", _("site group"))
    _site = _cached(Site, "+", _("site"))
    _location = _cached(Location, "+", _("location"))

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        self._clean_scope()
        self._cache_scope()

    def _clean_scope(self) -> None:
        if self.scope_type_id is not None and self.scope_id is None:
            raise ValidationError({"scope": _("Please select a {scope_type}.").format(scope_type=self.scope_type)})
        if self.scope_id is not None and self.scope_type_id is None:
            raise ValidationError({"scope_type": _("Cannot set scope_id without scope_type.")})
        if self.scope_type_id is not None and self.scope_object is None:
            raise ValidationError(
                {"scope_id": _("Related object not found using the provided numeric ID: {id}").format(id=self.scope_id)}
            )

    def _cache_scope(self) -> None:
        """NetBox's cache_related_objects: the region, site group, site and location the scope lies in."""
        self._region = self._site_group = self._site = self._location = None
        scope = self.scope_object if self.scope_type_id is not None else None
        if isinstance(scope, Region):
            self._region = scope
        elif isinstance(scope, SiteGroup):
            self._site_group = scope
        elif isinstance(scope, Site):
            self._region, self._site_group, self._site = scope.region, scope.group, scope
        elif isinstance(scope, Location):
            site = scope.site
            self._region, self._site_group, self._site, self._location = site.region, site.group, site, scope
