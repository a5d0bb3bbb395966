from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self):
        from core import orm
        from core.registry import register_layers

        orm.install()

        register_layers("core.registrations")
        from core import plugins

        plugins.install()
        from core.services import object_usage
        from tenants.billing import object_counter_register

        object_counter_register(object_usage)
