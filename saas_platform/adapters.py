"""Wirebook's hooks into django-allauth (settings.ACCOUNT_ADAPTER)."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import SignupForm
from allauth.core import ratelimit
from allauth.core.exceptions import ImmediateHttpResponse
from django.http import HttpRequest

from saas_platform.members_views import invitation_pending_url

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

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """After a login without `next`: back to the invitation that brought a new person here
        (they signed up through it and confirmed their address), else the default."""
        return invitation_pending_url(request) or super().get_login_redirect_url(request)
