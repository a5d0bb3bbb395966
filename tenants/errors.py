"""What a caller sees of a server error: that it happened, and nothing of its internals.

No exception class, traceback, Python or Django version reaches the response (NetBox's API 500
names the exception and the Python version; ours does not). The error itself is logged (and so
reported to Sentry) where it is caught; the response's X-Request-ID, where there is one, ties the
two together. `server_error` is Django's handler500 for both URL configurations: JSON on the APIs,
the 500 page elsewhere.
"""

from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

from tenants.inputs import is_api_path

SERVER_ERROR = "An unexpected error occurred while processing the request."


def server_error_response() -> HttpResponse:
    return JsonResponse({"detail": SERVER_ERROR}, status=500)


def server_error(request) -> HttpResponse:
    if is_api_path(request.path):
        return server_error_response()
    return HttpResponse(render_to_string("500.html"), status=500)
