"""Wirebook's hooks into django-allauth (settings.ACCOUNT_ADAPTER)."""

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from saas_platform.members_views import invitation_pending_url


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """After a login without `next`: back to the invitation that brought a new person here
        (they signed up through it and confirmed their address), else the default."""
        return invitation_pending_url(request) or super().get_login_redirect_url(request)
