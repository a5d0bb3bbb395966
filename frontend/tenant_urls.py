"""URLs inside an organization (`/o/<slug>/…` or the organization's own host).

The routing middleware has already selected the organization's schema and checked membership.
"""

from django.urls import path

from core.api.urls import build_api
from core.graphql import graphql_view
from frontend import danger_views, views
from frontend.urls import ui_patterns
from saas_platform import audit_views, members_views, organization_views, sso_views
from saas_platform.billing import views as billing_views
from tenants.middleware import DELETION_CANCEL_PATH

api = build_api()

urlpatterns = [
    path("", views.organization_home, name="organization-home"),
    path("api/", api.urls),
    path("graphql/", graphql_view()),
    path("settings/", organization_views.settings_general, name="settings-general"),
    path("settings/tokens/", organization_views.settings_tokens, name="settings-tokens"),
    path("settings/tokens/<int:pk>/revoke/", organization_views.settings_token_revoke, name="settings-token-revoke"),
    path("settings/danger/", danger_views.danger, name="settings-danger"),
    path("settings/danger/export/", danger_views.export_start, name="settings-export"),
    path(
        "settings/danger/exports/<uuid:job_id>/download/",
        danger_views.export_download,
        name="settings-export-download",
    ),
    path("settings/danger/delete/", danger_views.deletion_schedule, name="settings-delete"),
    path(DELETION_CANCEL_PATH.lstrip("/"), danger_views.deletion_cancel, name="settings-delete-cancel"),
    path("settings/members/", members_views.members, name="members"),
    path("settings/audit/", audit_views.audit_log, name="audit-log"),
    path("settings/billing/", billing_views.billing_settings, name="billing"),
    path("settings/billing/checkout/", billing_views.billing_checkout, name="billing-checkout"),
    path("settings/billing/portal/", billing_views.billing_portal, name="billing-portal"),
    path("settings/sso/", sso_views.sso_settings, name="sso-settings"),
    path("settings/sso/disable/", sso_views.sso_settings_disable, name="sso-settings-disable"),
    path("settings/sso/verify-domain/", sso_views.sso_settings_domain_verify, name="sso-settings-domain-verify"),
    path("settings/members/invite/", members_views.member_invite, name="members-invite"),
    path("settings/members/leave/", members_views.member_leave, name="members-leave"),
    path("settings/members/<int:pk>/role/", members_views.member_role_change, name="members-role"),
    path("settings/members/<int:pk>/remove/", members_views.member_remove, name="members-remove"),
    path(
        "settings/members/invitations/<int:pk>/revoke/",
        members_views.invitation_revoke_view,
        name="members-invitation-revoke",
    ),
    *ui_patterns(),
]

handler500 = "tenants.errors.server_error"
