import os

from django.core.wsgi import get_wsgi_application

from saas_platform.gc_tuning import tune_after_loading

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saas_platform.settings")
application = get_wsgi_application()
tune_after_loading()
