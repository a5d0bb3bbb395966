"""NetBox's tenancy filters: `tenant_group_id=` / `tenant_group=` (the group and those below it) on every
object assigned to a tenant."""

from core.filters import path_filters
from core.registry import registry
from inventory.models import Tenant, TenantGroup

for spec in list(registry):
    tenant = next((f for f in spec.model._meta.concrete_fields if f.name == "tenant"), None)
    if tenant is not None and tenant.related_model is Tenant:
        registry.extend(spec.model, filters=path_filters("tenant_group", "tenant__group", TenantGroup))
