from django.apps import AppConfig


class AddressingConfig(AppConfig):
    name = "addressing"
    verbose_name = "IPAM"

    def ready(self):
        from core.registry import register_layers

        register_layers("addressing")
