"""Single sign-on pages of the public site: "Log in with SSO" `/login/sso/` and its "Link my
identity" button `/login/sso/connect/` (routed by saas_platform/urls.py). The organization's
settings page is `frontend.settings.sso`.
"""

from allauth.account.decorators import reauthentication_required
from allauth.core import ratelimit
from allauth.socialaccount.models import SocialAccount
from allauth.socialaccount.providers.base import AuthProcess
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tenants.context import public_context
from tenants.models import SSOConfiguration
from tenants.outbound import OutboundError
from tenants.secrets import SecretUnreadable
from tenants.sso import sso_app, sso_find
from tenants.sso.allauth import organization_url, sso_secret_unreadable

NOT_FOUND = "No single sign-on is set up for that organization or email address."
UNREACHABLE = "The identity provider could not be reached. Try again later or ask your administrator."


class SSOLoginForm(forms.Form):
    organization = forms.CharField(
        label="Organization or email address",
        max_length=254,
        help_text="Your organization's short name (as in /o/<name>/) or your work email address.",
    )


def _linkable(user) -> list[dict]:
    """The SSO configurations of the organizations `user` is a member of, and whether the user's
    account is linked to each one's identity provider."""
    with public_context():
        configurations = list(
            SSOConfiguration.objects.filter(organization__memberships__user=user)
            .select_related("organization", "app")
            .order_by("organization__name")
        )
        linked = set(SocialAccount.objects.filter(user=user).values_list("provider", flat=True))
    return [
        {"configuration": configuration, "linked": configuration.app.provider_id in linked}
        for configuration in configurations
    ]


def _login_page(request, form: SSOLoginForm, status: int = 200) -> HttpResponse:
    linkable = _linkable(request.user) if request.user.is_authenticated else []
    return render(request, "frontend/sso/login.html", {"form": form, "linkable": linkable}, status=status)


@never_cache
def sso_login(request) -> HttpResponse:
    """Find the identity provider by organization or email address and send the browser there
    (the page's Content-Security-Policy lets its form lead there: saas_platform.security)."""
    if request.method != "POST":
        form = SSOLoginForm(initial={"organization": request.GET.get("organization", "")})
        return _login_page(request, form)
    # Each attempt may make Wirebook call an identity provider: limited like logins (per IP).
    throttled = ratelimit.consume_or_429(request, action="login")
    if throttled is not None:
        return throttled
    form = SSOLoginForm(request.POST)
    if form.is_valid():
        configuration = sso_find(form.cleaned_data["organization"])
        if configuration is None:
            form.add_error("organization", NOT_FOUND)
        else:
            try:
                provider = sso_app(configuration).get_provider(request)
            except SecretUnreadable as error:
                return sso_secret_unreadable(request, error)
            try:
                return provider.redirect(
                    request, AuthProcess.LOGIN, next_url=organization_url(configuration.organization)
                )
            except (OutboundError, KeyError, ValueError):  # down, or no usable discovery document
                form.add_error(None, UNREACHABLE)
    return _login_page(request, form, status=400)


@require_POST
@login_required(redirect_field_name=None)  # after logging in, the button is on /login/sso/ again
@reauthentication_required(app="allauth.socialaccount")
def sso_connect(request) -> HttpResponse:
    """Link the logged-in member's identity at their organization's identity provider to their
    account (allauth's connect flow), after they entered their password again; afterwards SSO
    logins through that provider sign in to this account."""
    # Each attempt may make Wirebook call an identity provider: limited like "Log in with SSO".
    throttled = ratelimit.consume_or_429(request, action="login")
    if throttled is not None:
        return throttled
    slug = request.POST.get("organization", "")
    configuration = next(
        (item["configuration"] for item in _linkable(request.user) if item["configuration"].organization.slug == slug),
        None,
    )
    if configuration is None:
        messages.error(request, "You are not a member of an organization of that name that uses single sign-on.")
        return redirect("sso_login")
    try:
        provider = sso_app(configuration).get_provider(request)
    except SecretUnreadable as error:
        return sso_secret_unreadable(request, error)
    try:
        return provider.redirect(request, AuthProcess.CONNECT, next_url="/login/sso/")
    except (OutboundError, KeyError, ValueError):
        messages.error(request, UNREACHABLE)
        return redirect("sso_login")
