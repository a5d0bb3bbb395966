"""A small, realistic network for the demo organization, written as the system through the same
use case as anything a user creates (core.usecases), so it is validated, searchable and change-logged."""

from core.context import SYSTEM
from core.models import Tag
from core.registry import registry
from core.usecases import Item, write_objects
from inventory.models import (
    DeviceRole,
    DeviceType,
    Manufacturer,
    Platform,
    Rack,
    RackRole,
    RackType,
    Region,
    Site,
    Tenant,
    TenantGroup,
)


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
    ams1, _ams2, fra1 = _create(
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
    _catalogue_and_racks(ams1, fra1, acme)
    return True


def _catalogue_and_racks(ams1: Site, fra1: Site, acme: Tenant) -> None:
    """A few manufacturers, platforms, roles and types, and racks in the active sites."""
    juniper, arista, apc = _create(
        Manufacturer,
        {"name": "Juniper Networks", "slug": "juniper"},
        {"name": "Arista", "slug": "arista"},
        {"name": "APC", "slug": "apc"},
    )
    junos, _eos = _create(
        Platform,
        {"name": "Junos", "slug": "junos", "manufacturer": juniper.pk},
        {"name": "EOS", "slug": "eos", "manufacturer": arista.pk},
    )
    _create(
        DeviceRole,
        {"name": "Core switch", "slug": "core-switch", "color": "f44336", "vm_role": False},
        {"name": "Access switch", "slug": "access-switch", "color": "2196f3", "vm_role": False},
        {"name": "Server", "slug": "server", "color": "9e9e9e"},
    )
    _create(
        DeviceType,
        {"manufacturer": juniper.pk, "model": "EX4300-48T", "slug": "ex4300-48t", "default_platform": junos.pk},
        {"manufacturer": arista.pk, "model": "DCS-7050SX3-48YC8", "slug": "dcs-7050sx3"},
    )
    [network] = _create(RackRole, {"name": "Network", "slug": "network", "color": "4caf50"})
    [cabinet] = _create(
        RackType, {"manufacturer": apc.pk, "model": "AR3100", "slug": "ar3100", "form_factor": "4-post-cabinet"}
    )
    _create(
        Rack,
        *(
            {"name": name, "site": site.pk, "rack_type": cabinet.pk, "role": network.pk, "tenant": acme.pk}
            for site, name in ((ams1, "R101"), (ams1, "R102"), (fra1, "R201"))
        ),
    )
