from django.apps import AppConfig


class SaasPlatformConfig(AppConfig):
    name = "saas_platform"
    verbose_name = "Wirebook platform"
