from django.apps import AppConfig


class AutomationConfig(AppConfig):
    name = "automation"
    verbose_name = "Automation"

    def ready(self):
        from core.registry import register_layers

        register_layers("automation")
