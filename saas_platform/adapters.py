"""Wirebook's hooks into django-allauth (settings.ACCOUNT_ADAPTER)."""

from typing import Any
from urllib.parse import quote

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.urls import reverse

from saas_platform.members_views import invitation_pending_url
from tenants.public_urls import public_link, public_site, public_url


class AccountAdapter(DefaultAccountAdapter):
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
