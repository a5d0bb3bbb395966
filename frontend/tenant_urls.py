"""URLs inside an organization (`/o/<slug>/…` or the organization's own host).

The routing middleware has already selected the organization's schema and checked membership.
"""

from django.urls import include, path

from core.api.urls import build_api
from core.graphql import graphql_view
from frontend import api_pages, palette, views
from frontend.settings import urls as settings_urls
from frontend.urls import ui_patterns
from tenants.errors import server_error

api = build_api()

urlpatterns = [
    path("", views.organization_home, name="organization-home"),
    path("dashboard/", views.dashboard_change, name="dashboard-change"),
    path("dashboard/widgets/<str:widget_id>/", views.dashboard_widget, name="dashboard-widget"),
    path("palette/", palette.palette_search, name="palette"),
    # NetBox's path of its Swagger UI; before the API's own paths.
    path("api/schema/swagger-ui/", api_pages.swagger_ui, name="api-docs"),
    path("api/", api.urls),
    path("graphql/", api_pages.with_graphiql(graphql_view()), name="graphql"),
    path(settings_urls.PREFIX.lstrip("/"), include(settings_urls)),
    *ui_patterns(),
]

handler500 = server_error
