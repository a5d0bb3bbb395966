from django.apps import AppConfig


class SaasPlatformConfig(AppConfig):
    name = "saas_platform"
    verbose_name = "Wirebook platform"

    def ready(self):
        # Create the Celery app with Django, so `shared_task`s bind to it (and `devstack`, in this
        # package, starts without importing Celery).
        from saas_platform import celery  # noqa: F401
