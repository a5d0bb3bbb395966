"""The organization's settings pages, under `/o/<slug>/settings/` (included by frontend/tenant_urls.py)."""

from django.urls import path

from frontend.settings import audit, billing, danger, general, members, netbox_import, plugins, sso, tokens
from tenants.middleware import DELETION_CANCEL_PATH

PREFIX = "/settings/"

urlpatterns = [
    path("", general.settings_general, name="settings-general"),
    path("tokens/", tokens.settings_tokens, name="settings-tokens"),
    path("tokens/<int:pk>/revoke/", tokens.settings_token_revoke, name="settings-token-revoke"),
    path("members/", members.members, name="members"),
    path("members/invite/", members.member_invite, name="members-invite"),
    path("members/leave/", members.member_leave, name="members-leave"),
    path("members/<int:pk>/role/", members.member_role_change, name="members-role"),
    path("members/<int:pk>/remove/", members.member_remove, name="members-remove"),
    path("members/invitations/<int:pk>/revoke/", members.invitation_revoke_view, name="members-invitation-revoke"),
    path("audit/", audit.audit_log, name="audit-log"),
    path("plugins/", plugins.settings_plugins, name="settings-plugins"),
    path("import-netbox/", netbox_import.settings_netbox_import, name="settings-netbox-import"),
    path("billing/", billing.billing_settings, name="billing"),
    path("billing/checkout/", billing.billing_checkout, name="billing-checkout"),
    path("billing/portal/", billing.billing_portal, name="billing-portal"),
    path("sso/", sso.sso_settings, name="sso-settings"),
    path("sso/disable/", sso.sso_settings_disable, name="sso-settings-disable"),
    path("sso/verify-domain/", sso.sso_settings_domain_verify, name="sso-settings-domain-verify"),
    path("danger/", danger.danger, name="settings-danger"),
    path("danger/export/", danger.export_start, name="settings-export"),
    path("danger/exports/<uuid:job_id>/download/", danger.export_download, name="settings-export-download"),
    path("danger/restore/", danger.restore_start, name="settings-restore"),
    path("danger/delete/", danger.deletion_schedule, name="settings-delete"),
    # The one page owners of an organization pending deletion still reach (tenants.middleware).
    path(DELETION_CANCEL_PATH.removeprefix(PREFIX), danger.deletion_cancel, name="settings-delete-cancel"),
]
