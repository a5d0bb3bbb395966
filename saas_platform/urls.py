"""URLs of the public site (no organization selected)."""

from allauth.account import views as account_views
from django.urls import include, path

from saas_platform import api, views
from saas_platform.billing.views import stripe_webhook
from saas_platform.members_views import invitation_accept_view

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    # The canonical login and logout paths (platform paths on every host, see tenants.middleware).
    # Listed after allauth's own: of two patterns with one name, reverse() returns the last, so
    # every link to account_login / account_logout points here.
    path("login/", account_views.login, name="account_login"),
    path("logout/", account_views.logout, name="account_logout"),
    path("organizations/new/", views.organization_new, name="organization_new"),
    path("switch/", views.organization_switch, name="organization_switch"),
    path("invitations/<str:token>/", invitation_accept_view, name="invitation_accept"),
    path("api/platform/", api.api.urls),
    path("billing/stripe/webhook/", stripe_webhook, name="stripe-webhook"),
]
