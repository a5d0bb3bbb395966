from django.apps import AppConfig


class AutomationConfig(AppConfig):
    name = "automation"
    verbose_name = "Automation"

    def ready(self):
        from core.registry import register_layers

        register_layers("automation")

        from automation.events import object_events_consume
        from automation.notifications import subscribers_notify
        from core.events import event_consumer_register

        event_consumer_register(object_events_consume)
        event_consumer_register(subscribers_notify)

        from automation.scripting.plugins import plugins_enabled_scripts_sync
        from tenants.plugins import plugins_enabled_hook

        plugins_enabled_hook(plugins_enabled_scripts_sync)
