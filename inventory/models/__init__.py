from inventory.models.sites import Location, Region, Site, SiteGroup
from inventory.models.tenancy import Tenant, TenantGroup

__all__ = ["Location", "Region", "Site", "SiteGroup", "Tenant", "TenantGroup"]
