import os

from django.core.asgi import get_asgi_application

from saas_platform.gc_tuning import tune_after_loading

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saas_platform.settings")
application = get_asgi_application()
tune_after_loading()
