"""URLs inside an organization (`/o/<slug>/…` or the organization's own host).

The routing middleware has already selected the organization's schema and checked membership.
"""

from django.urls import path

from core.api.urls import build_api
from core.graphql import graphql_view
from frontend import views
from saas_platform import audit_views, members_views
from saas_platform.billing import views as billing_views

api = build_api()

urlpatterns = [
    path("", views.organization_home, name="organization-home"),
    path("api/", api.urls),
    path("graphql/", graphql_view()),
    path("settings/members/", members_views.members, name="members"),
    path("settings/audit/", audit_views.audit_log, name="audit-log"),
    path("settings/billing/", billing_views.billing_settings, name="billing"),
    path("settings/billing/checkout/", billing_views.billing_checkout, name="billing-checkout"),
    path("settings/billing/portal/", billing_views.billing_portal, name="billing-portal"),
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
