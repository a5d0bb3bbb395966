"""The garbage collector of a web process, set once the application is loaded.

Rendering a 1,000-object page allocates a few hundred thousand containers; with Python's default
thresholds (700, 10, 10) that runs the young collections hundreds of times per request and the full
one, which walks every object the process holds (Django, the models, the API schemas: ~130,000 of
them), every few requests -- measured at 10-15% of a large list's CPU time. The objects made while
loading live as long as the process: they are moved out of the collector's sight (`gc.freeze`), and
the young generation is collected every `YOUNG_THRESHOLD` allocations. Reference cycles are still
collected; what a request leaves behind is simply collected in larger batches.
"""

import gc

YOUNG_THRESHOLD = 50_000


def tune_after_loading() -> None:
    from django.conf import settings
    from django.urls import get_resolver

    for urlconf in (settings.ROOT_URLCONF, settings.WIREBOOK_TENANT_URLCONF):
        get_resolver(urlconf).url_patterns  # noqa: B018 (imports the views and API schemas now, not in a request)
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, 20, 100)
