"""Wirebook's account adapter for django-allauth (settings.ACCOUNT_ADAPTER): the signup cap per
client address, the way back to a pending invitation, emailed links on the public site, and
single sign-on's rules at login (`tenants.sso.allauth`; its social account adapter is there too)."""

from typing import Any
from urllib.parse import quote

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import SignupForm
from allauth.core import ratelimit
from allauth.core.exceptions import ImmediateHttpResponse
from django.http import HttpRequest
from django.urls import reverse

from saas_platform.views import invitation_pending_url
from tenants.public_urls import public_link, public_site, public_url
from tenants.sso.allauth import password_login_redirect, sso_login_finish

# The ACCOUNT_RATE_LIMITS entry capping the accounts the signup form creates per client address
# and day (settings.WIREBOOK_MAX_SIGNUPS_PER_ADDRESS_PER_DAY).
SIGNUPS_PER_ADDRESS = "signup_per_address"


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user, form, commit=True):
        """An account the signup form is about to create counts against its client address's
        daily cap (the address as allauth's rate limits see it: behind TRUSTED_PROXY_COUNT
        proxies, IPv6 per /64). Past the cap the signup gets the 429 page and nothing is saved.
        Attempts that create no account (invalid forms, known addresses) do not count; single
        sign-on signups neither: the organization's identity provider vouches for those."""
        if isinstance(form, SignupForm) and not ratelimit.consume(request, action=SIGNUPS_PER_ADDRESS):
            raise ImmediateHttpResponse(ratelimit.respond_429(request))
        return super().save_user(request, user, form, commit)

    def pre_login(self, request, user, **kwargs: Any):
        """A password login of a member whose organization requires single sign-on goes to its
        identity provider instead (owners excepted)."""
        if "sociallogin" not in (kwargs.get("signal_kwargs") or {}):
            redirect = password_login_redirect(request, user)
            if redirect is not None:
                return redirect
        return super().pre_login(request, user, **kwargs)

    def post_login(self, request, user, **kwargs: Any):
        """A single sign-on login joins (new accounts) and lands in its organization."""
        sociallogin = (kwargs.get("signal_kwargs") or {}).get("sociallogin")
        if sociallogin is not None:
            kwargs["redirect_url"] = sso_login_finish(request, user, sociallogin)
        return super().post_login(request, user, **kwargs)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """After a login without `next`: back to the invitation that brought a new person here
        (they signed up through it and confirmed their address), else the default."""
        return invitation_pending_url(request) or super().get_login_redirect_url(request)

    # Emailed links and names come from WIREBOOK_PUBLIC_URL, never from the request's Host
    # (tenants.public_urls): allauth would build them with request.build_absolute_uri().

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return public_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key: str) -> str:
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return public_url(path.replace("UID-KEY", quote(key)))

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Every allauth email: the site is Wirebook on the public URL, and every link allauth
        put in the context (sign-up, password reset, confirmation...) points at the public site."""
        context = {key: public_link(value) if isinstance(value, str) else value for key, value in context.items()}
        context["current_site"] = public_site()
        super().send_mail(template_prefix, email, context)
