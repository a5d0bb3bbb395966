"""URLs inside an organization (`/o/<slug>/…` or the organization's own host).

The routing middleware has already selected the organization's schema and checked membership.
"""

from django.urls import path

from core.api.urls import build_api
from core.graphql import graphql_view
from frontend import views
from saas_platform import audit_views, members_views, sso_views

api = build_api()

urlpatterns = [
    path("", views.organization_home, name="organization-home"),
    path("api/", api.urls),
    path("graphql/", graphql_view()),
    path("settings/members/", members_views.members, name="members"),
    path("settings/audit/", audit_views.audit_log, name="audit-log"),
    path("settings/sso/", sso_views.sso_settings, name="sso-settings"),
    path("settings/sso/disable/", sso_views.sso_settings_disable, name="sso-settings-disable"),
    path("settings/members/invite/", members_views.member_invite, name="members-invite"),
    path("settings/members/leave/", members_views.member_leave, name="members-leave"),
    path("settings/members/<int:pk>/role/", members_views.member_role_change, name="members-role"),
    path("settings/members/<int:pk>/remove/", members_views.member_remove, name="members-remove"),
    path(
        "settings/members/invitations/<int:pk>/revoke/",
        members_views.invitation_revoke_view,
        name="members-invitation-revoke",
    ),
]
