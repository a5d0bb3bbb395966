"""URLs inside an organization (`/o/<slug>/…` or the organization's own host).

The routing middleware has already selected the organization's schema and checked membership.
"""

from django.urls import include, path

from core.api.urls import build_api
from core.graphql import graphql_view
from frontend import views
from frontend.settings import urls as settings_urls
from frontend.urls import ui_patterns
from tenants.errors import server_error

api = build_api()

urlpatterns = [
    path("", views.organization_home, name="organization-home"),
    path("api/", api.urls),
    path("graphql/", graphql_view()),
    path(settings_urls.PREFIX.lstrip("/"), include(settings_urls)),
    *ui_patterns(),
]

handler500 = server_error
