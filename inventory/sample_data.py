"""A small, realistic network for the demo organization (written through the services, so it
is validated, searchable and change-logged like anything a user creates)."""

from core.context import SYSTEM, acting_as
from core.models import Tag
from core.services import object_create
from inventory.models import Region, Site, Tenant, TenantGroup


def sample_data_load() -> bool:
    """Create the sample objects in the current organization unless it already has sites."""
    if Site.objects.exists():
        return False
    with acting_as(SYSTEM):
        production = object_create(model=Tag, data={"name": "Production", "slug": "production", "color": "4caf50"})
        europe = object_create(model=Region, data={"name": "Europe", "slug": "europe"})
        netherlands = object_create(model=Region, data={"name": "Netherlands", "slug": "nl", "parent": europe})
        germany = object_create(model=Region, data={"name": "Germany", "slug": "de", "parent": europe})
        customers = object_create(model=TenantGroup, data={"name": "Customers", "slug": "customers"})
        acme = object_create(model=Tenant, data={"name": "Acme Corp", "slug": "acme", "group": customers})
        sites = [
            ("AMS1", "ams1", netherlands, "Amsterdam Science Park", "active"),
            ("AMS2", "ams2", netherlands, "Amsterdam Westpoort", "planned"),
            ("FRA1", "fra1", germany, "Frankfurt Hanauer Landstraße", "active"),
        ]
        for name, slug, region, address, status in sites:
            object_create(
                model=Site,
                data={
                    "name": name,
                    "slug": slug,
                    "region": region,
                    "tenant": acme,
                    "status": status,
                    "physical_address": address,
                    "time_zone": "Europe/Amsterdam" if region is netherlands else "Europe/Berlin",
                },
                tags=[production] if status == "active" else [],
            )
    return True
