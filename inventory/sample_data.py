"""A small, realistic network for the demo organization, written as the system through the same
use case as anything a user creates (core.usecases), so it is validated, searchable and change-logged."""

from core.context import SYSTEM
from core.models import Tag
from core.registry import registry
from core.usecases import Item, write_objects
from inventory.models import Region, Site, Tenant, TenantGroup


def _create(model, *payloads: dict) -> list:
    return write_objects(registry.get(model), SYSTEM, [Item(payload=payload) for payload in payloads])


def sample_data_load() -> bool:
    """Create the sample objects in the current organization unless it already has sites."""
    if Site.objects.exists():
        return False
    [production] = _create(Tag, {"name": "Production", "slug": "production", "color": "4caf50"})
    [europe] = _create(Region, {"name": "Europe", "slug": "europe"})
    netherlands, germany = _create(
        Region,
        {"name": "Netherlands", "slug": "nl", "parent": europe.pk},
        {"name": "Germany", "slug": "de", "parent": europe.pk},
    )
    [customers] = _create(TenantGroup, {"name": "Customers", "slug": "customers"})
    [acme] = _create(Tenant, {"name": "Acme Corp", "slug": "acme", "group": customers.pk})
    sites = [
        ("AMS1", "ams1", netherlands, "Amsterdam Science Park", "active"),
        ("AMS2", "ams2", netherlands, "Amsterdam Westpoort", "planned"),
        ("FRA1", "fra1", germany, "Frankfurt Hanauer Landstraße", "active"),
    ]
    _create(
        Site,
        *(
            {
                "name": name,
                "slug": slug,
                "region": region.pk,
                "tenant": acme.pk,
                "status": status,
                "physical_address": address,
                "time_zone": "Europe/Amsterdam" if region is netherlands else "Europe/Berlin",
                "tags": [production.pk] if status == "active" else [],
            }
            for name, slug, region, address, status in sites
        ),
    )
    return True
