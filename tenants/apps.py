from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Organizations"

    def ready(self):
        from tenants import authcache, content_types

        authcache.connect()
        content_types.install()
