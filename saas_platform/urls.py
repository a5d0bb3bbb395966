"""URLs of the public site (no organization selected)."""

from allauth.account import views as account_views
from django.urls import include, path

from saas_platform import api, views
from tenants.billing.webhooks import stripe_webhook
from tenants.errors import server_error
from tenants.sso import allauth as sso_allauth
from tenants.sso import views as sso_views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    # allauth's OIDC callback, with the ID token always verified (tenants.sso.allauth); before allauth's own.
    path("accounts/oidc/<str:provider_id>/login/callback/", sso_allauth.oidc_callback),
    path("accounts/", include("allauth.urls")),
    # The canonical login and logout paths (platform paths on every host, see tenants.middleware).
    # Listed after allauth's own: of two patterns with one name, reverse() returns the last, so
    # every link to account_login / account_logout points here.
    path("login/", account_views.login, name="account_login"),
    path("login/sso/", sso_views.sso_login, name="sso_login"),
    path("login/sso/connect/", sso_views.sso_connect, name="sso_connect"),
    path("logout/", account_views.logout, name="account_logout"),
    path("organizations/new/", views.organization_new, name="organization_new"),
    path("switch/", views.organization_switch, name="organization_switch"),
    path("invitations/<str:token>/", views.invitation_accept_view, name="invitation_accept"),
    path("api/platform/", api.api.urls),
    path("billing/stripe/webhook/", stripe_webhook, name="stripe-webhook"),
]

# JSON on the APIs, the plain 500 page elsewhere; never the exception or versions (tenants.errors).
handler500 = server_error
