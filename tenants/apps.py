from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Organizations"

    def ready(self):
        from tenants import authcache, content_types

        authcache.connect()
        content_types.install()
        _no_schema_drop_on_every_delete()


def _no_schema_drop_on_every_delete() -> None:
    """django-tenants listens to the deletion of every object of every model, to drop an
    organization's schema with its row (`auto_drop_schema`, which Organization turns off: schemas
    are dropped by tenants.services). A listener on every model makes Django read each row before
    deleting it and send a signal per row, so every cascade (tags, search entries) would cost a
    SELECT and a Python call per row; it is removed."""
    from django.db.models.signals import post_delete
    from django_tenants.signals import tenant_delete_callback

    from tenants.models import Organization

    if Organization.auto_drop_schema:  # pragma: no cover - a guard for whoever turns it on
        raise RuntimeError("Organization.auto_drop_schema needs django-tenants' post_delete receiver")
    post_delete.disconnect(tenant_delete_callback)
