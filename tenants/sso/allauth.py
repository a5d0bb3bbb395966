"""allauth's hooks binding each organization's identity provider to that organization: the
social account adapter (settings.SOCIALACCOUNT_ADAPTER), the login steps the account adapter
(`saas_platform.adapters.AccountAdapter`) calls, and the verifying OIDC callback.

allauth does OpenID Connect and SAML; the rules of who may sign in as whom and what an SSO
login grants are in `tenants.sso`. Here they are applied at allauth's hooks:

- password logins of members of organizations that require SSO are refused (owners excepted);
- an SSO login works only through an app that belongs to an organization and signs in to an
  existing account only if it is a member of that organization; a new account it creates becomes a
  member of that organization (and of no other) before landing in it;
- an existing account that is not linked and cannot be matched is refused with a page saying
  what to do (log in with the password; accept an invitation or link the identity); new accounts
  are made only for addresses in the organization's verified domains;
- connecting an identity to the account logged in (allauth's `process=connect`, after entering
  the password again) works only for members of the identity provider's organization;
- which email addresses count as verified and which existing accounts an SSO login may match is
  decided per organization, by its verified email domains;
- the ID token's signature, issuer and audience are always checked (`oidc_callback`);
- allauth calls the identity provider (discovery, keys, token, userinfo) through the SSRF-safe
  client of `tenants.outbound` only.
"""

import logging

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.base import AuthProcess
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from tenants.billing import BillingRefused
from tenants.outbound import outbound_session
from tenants.secrets import SecretUnreadable
from tenants.sso import (
    existing_account_refusal,
    outside_domains_refusal,
    password_login_refused,
    sso_app,
    sso_configuration_for_app,
    sso_configurations_for_apps,
    sso_domain_verified,
    sso_existing_account,
    sso_existing_user,
    sso_is_member,
    sso_login_complete,
    sso_session_mark,
)

logger = logging.getLogger(__name__)
UNREADABLE_SSO = (
    "Single sign-on of this organization cannot be used right now: the server cannot read its stored "
    "client secret. Wirebook's operators have been told; log in with your password meanwhile if you can."
)
# Set in `pre_social_login`: whether the login is about to create an account (not an existing one).
NEW_ACCOUNT_STATE = "wirebook_new_account"


def organization_url(organization) -> str:
    return f"/o/{organization.slug}/"


def sso_refused(request, message: str, status: int = 403):
    return render(request, "frontend/sso/refused.html", {"message": message}, status=status)


def sso_secret_unreadable(request, error: SecretUnreadable) -> HttpResponse:
    """The answer when the identity provider's client secret cannot be decrypted (the server's
    WIREBOOK_ENCRYPTION_KEY lost the key it was encrypted with): the operators are told in the log
    what to do, the person trying to sign in that it is the server's fault."""
    logger.error("single sign-on refused: %s", error)
    return sso_refused(request, UNREADABLE_SSO, status=503)


def password_login_redirect(request, user) -> HttpResponse | None:
    """allauth's `pre_login` of a password login: a member (not an owner) of an organization that
    requires SSO is sent to "Log in with SSO" for it instead of being logged in."""
    organization = password_login_refused(user)
    if organization is None:
        return None
    messages.error(request, f"{organization.name} requires single sign-on: log in through its identity provider.")
    return HttpResponseRedirect(f"{reverse('sso_login')}?{urlencode({'organization': organization.slug})}")


def sso_login_finish(request, user, sociallogin) -> str:
    """allauth's `post_login` of an SSO login: `user` joins the organization if the login has just
    created the account (`sso_login_complete`), the session counts as signed in through its
    identity provider, and the login lands in the organization (the URL returned)."""
    configuration = sso_configuration_for_app(sociallogin.provider.app)
    if configuration is None:  # pre_social_login let no such login through
        raise ImmediateHttpResponse(sso_refused(request, "Single sign-on is not configured here."))
    try:
        sso_login_complete(
            configuration=configuration, user=user, new_account=bool(sociallogin.state.get(NEW_ACCOUNT_STATE))
        )
    except BillingRefused as refusal:  # the plan's member limit, or a read-only organization
        raise ImmediateHttpResponse(sso_refused(request, " ".join(refusal.messages))) from None
    except PermissionDenied as refusal:  # pre_social_login let no such login through
        raise ImmediateHttpResponse(sso_refused(request, str(refusal))) from None
    sso_session_mark(request.session, configuration.organization_id)
    return organization_url(configuration.organization)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def pre_social_login(self, request, sociallogin) -> None:
        """Runs after allauth looked the login up: `sociallogin.is_existing` when the identity is
        linked to an account or `authenticate_by_email` matched one."""
        configuration = sso_configuration_for_app(sociallogin.provider.app)
        if configuration is None:
            raise ImmediateHttpResponse(sso_refused(request, "Single sign-on is not configured here."))
        organization = configuration.organization
        process = sociallogin.state.get("process")
        if process == AuthProcess.CONNECT:
            # allauth's connect flow asks for the password again (SOCIALACCOUNT_REAUTHENTICATION_REQUIRED).
            if not sso_is_member(configuration, request.user):
                raise ImmediateHttpResponse(
                    sso_refused(
                        request,
                        f"Only members of {organization.name} link an identity at its identity provider "
                        "to their account.",
                    )
                )
            return
        if process != AuthProcess.LOGIN:
            raise ImmediateHttpResponse(sso_refused(request, "Single sign-on logs you in or links your identity."))
        if not any(address.email for address in sociallogin.email_addresses):
            raise ImmediateHttpResponse(
                sso_refused(
                    request,
                    "Your identity provider did not send your email address. "
                    "Ask your administrator to release it to Wirebook.",
                )
            )
        # Only the organization's own verified domains count as verified, whatever the provider says.
        for address in sociallogin.email_addresses:
            address.verified = sso_domain_verified(configuration, address.email)
        if sociallogin.is_existing:
            if not sso_is_member(configuration, sociallogin.user):  # linked once, no longer a member
                raise ImmediateHttpResponse(
                    sso_refused(
                        request,
                        f"Your account is not a member of {organization.name}. "
                        "Log in with your password and ask its administrators for an invitation.",
                    )
                )
            sociallogin.state[NEW_ACCOUNT_STATE] = False
            return
        emails = [address.email for address in sociallogin.email_addresses if address.email]
        existing = sso_existing_account(emails)
        in_domains = all(address.verified for address in sociallogin.email_addresses if address.email)
        if existing is not None and (in_domains or sso_is_member(configuration, existing)):
            # Said plainly only where the organization knows anyway: its own domains, its members.
            raise ImmediateHttpResponse(sso_refused(request, existing_account_refusal(organization)))
        if not in_domains:
            # New accounts only for addresses in the organization's verified domains: an account
            # made for anyone else's address would be the IdP's to sign in to, waiting for the
            # address's owner to confirm it. New and existing addresses get the same answer.
            raise ImmediateHttpResponse(sso_refused(request, outside_domains_refusal(organization)))
        sociallogin.state[NEW_ACCOUNT_STATE] = True

    def list_apps(self, request, provider=None, client_id=None):
        """allauth's apps, each organization's carrying its client secret, decrypted in memory
        (`sso_app`): the table's `secret` column stays empty."""
        apps = super().list_apps(request, provider=provider, client_id=client_id)
        configurations = sso_configurations_for_apps(apps)
        try:
            return [sso_app(configurations[app.pk], app) if app.pk in configurations else app for app in apps]
        except SecretUnreadable as error:
            raise ImmediateHttpResponse(sso_secret_unreadable(request, error)) from None

    def get_requests_session(self):
        # An organization's admin chooses the issuer: only public addresses, plain http only in development.
        return outbound_session(
            allow_http=settings.SSO_ALLOW_INSECURE_HTTP, timeout=settings.SOCIALACCOUNT_REQUESTS_TIMEOUT
        )

    def list_providers(self, request):
        # allauth's pages would list every organization's identity provider to anyone; members
        # start SSO from /login/sso/ instead.
        return []

    def is_email_verified(self, provider, email) -> bool:
        configuration = sso_configuration_for_app(provider.app)
        return configuration is not None and sso_domain_verified(configuration, email)

    def authenticate_by_email(self, sociallogin):
        configuration = sso_configuration_for_app(sociallogin.provider.app)
        if configuration is None or sociallogin.state.get("process") != AuthProcess.LOGIN:
            return None  # connecting links the identity to the account logged in, nothing else
        for address in sociallogin.email_addresses:
            user = sso_existing_user(configuration, address.email)
            if user is not None:
                return user, address.email
        return None

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        name = data.get("name") or " ".join(filter(None, [data.get("first_name"), data.get("last_name")]))
        user.display_name = (name or "")[:150]
        return user


class VerifyingOpenIDConnectAdapter(OpenIDConnectOAuth2Adapter):
    """allauth skips the ID token's signature check when the token came straight from the token
    endpoint (which OIDC Core 3.1.3.7 allows over TLS); PyJWT then checks neither issuer nor
    audience. We always check all three against the provider's published keys."""

    def _decode_id_token(self, app: SocialApp, id_token: str) -> dict:
        return jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,
        )


def oidc_callback(request, provider_id: str):
    """allauth's OIDC callback view with the verifying adapter (same URL, listed first)."""
    try:
        view = OAuth2CallbackView.adapter_view(VerifyingOpenIDConnectAdapter(request, provider_id))
        return view(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None
