"""The organization's single sign-on settings: `/o/<slug>/settings/sso/` with its email domains'
"Verify now" (the public "Log in with SSO" pages are `tenants.sso.views`).

Admins and owners only; the routing middleware has already answered non-members as for an
organization that does not exist. The rules live in `tenants.sso`; these views translate its
outcomes. The stored client secret is never sent back to the browser.
"""

from allauth.core import ratelimit
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import get_resolver
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tenants.members import is_manager
from tenants.models import MembershipRole, SSOConfiguration, SSOEmailDomain, SSOProtocol
from tenants.sso import OIDCSettings, SAMLSettings, oidc_provider_id, sso_configure, sso_disable
from tenants.sso.domains import domain_txt_record, sso_domain_verify

SSO_SETTINGS_PATH = "sso-settings"
SSO_ROLES = [(value, label) for value, label in MembershipRole.choices if value != MembershipRole.OWNER]


class SSOSettingsForm(forms.Form):
    protocol = forms.ChoiceField(label="Protocol", choices=SSOProtocol.choices, widget=forms.RadioSelect)
    issuer = forms.CharField(label="Issuer URL", max_length=500, required=False)
    client_id = forms.CharField(label="Client id", max_length=191, required=False)
    client_secret = forms.CharField(
        label="Client secret",
        max_length=191,
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Leave empty to keep the stored secret.",
    )
    metadata_xml = forms.CharField(
        label="Identity provider metadata (XML)",
        max_length=200_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Leave empty to keep the stored identity provider.",
    )
    email_domains = forms.CharField(
        label="Email domains",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line. A domain counts once you have verified it with a DNS TXT record (below): then "
        "people with addresses there are sent to your identity provider.",
    )
    default_role = forms.ChoiceField(label="Role of new members", choices=SSO_ROLES, initial=MembershipRole.VIEWER)
    require_sso = forms.BooleanField(
        label="Require single sign-on (members other than owners cannot log in with a password)", required=False
    )


def _public_url(request, name: str, *args) -> str:
    """An absolute URL of the public site, also from inside an organization's /o/<slug>/ prefix."""
    return f"{request.scheme}://{request.get_host()}/{get_resolver(settings.ROOT_URLCONF).reverse(name, *args)}"


def _initial(configuration: SSOConfiguration | None) -> dict:
    if configuration is None:
        return {"protocol": SSOProtocol.OIDC, "default_role": MembershipRole.VIEWER}
    app = configuration.app
    initial = {
        "protocol": configuration.protocol,
        "default_role": configuration.default_role,
        "require_sso": configuration.require_sso,
        "email_domains": "\n".join(configuration.email_domains.values_list("domain", flat=True)),
    }
    if configuration.protocol == SSOProtocol.OIDC:
        initial.update(issuer=app.settings.get("server_url", ""), client_id=app.client_id)
    return initial


def _settings_page(request, form: SSOSettingsForm, status: int = 200) -> HttpResponse:
    organization = request.organization
    configuration = SSOConfiguration.objects.select_related("app").filter(organization=organization).first()
    idp: dict[str, str] = {}
    secret_set = False
    if configuration is not None:
        if configuration.protocol == SSOProtocol.SAML:
            idp = configuration.app.settings.get("idp") or {}
        else:  # whether one is stored, never any part of it (it is not even decrypted here)
            secret_set = bool(configuration.client_secret)
    domains = []
    if configuration is not None:
        domains = [
            {"row": row, "record": domain_txt_record(configuration, row.domain)}
            for row in configuration.email_domains.all()
        ]
    context = {
        "form": form,
        "configuration": configuration,
        "domains": domains,
        "idp": idp,
        "secret_set": secret_set,
        "oidc_redirect_uri": _public_url(request, "openid_connect_callback", oidc_provider_id(organization)),
        "saml_entity_id": _public_url(request, "saml_metadata", organization.slug),
        "saml_acs_url": _public_url(request, "saml_acs", organization.slug),
        "sso_login_url": f"{_public_url(request, 'sso_login')}?organization={organization.slug}",
    }
    return render(request, "frontend/sso/settings.html", context, status=status)


def _refuse_non_manager(request) -> HttpResponse | None:
    if not is_manager(request.membership):
        return HttpResponse("Only admins and owners configure single sign-on.", status=403, content_type="text/plain")
    return None


@never_cache
def sso_settings(request) -> HttpResponse:
    refusal = _refuse_non_manager(request)
    if refusal is not None:
        return refusal
    if request.method != "POST":
        configuration = SSOConfiguration.objects.select_related("app").filter(organization=request.organization).first()
        return _settings_page(request, SSOSettingsForm(initial=_initial(configuration)))
    form = SSOSettingsForm(request.POST)
    if not form.is_valid():
        return _settings_page(request, form, status=400)
    data = form.cleaned_data
    try:
        sso_configure(
            organization=request.organization,
            by=request.user,
            protocol=data["protocol"],
            email_domains=data["email_domains"].replace(",", "\n").splitlines(),
            default_role=data["default_role"],
            require_sso=data["require_sso"],
            oidc=OIDCSettings(issuer=data["issuer"], client_id=data["client_id"], client_secret=data["client_secret"])
            if data["protocol"] == SSOProtocol.OIDC
            else None,
            saml=SAMLSettings(metadata_xml=data["metadata_xml"]) if data["protocol"] == SSOProtocol.SAML else None,
        )
    except ValidationError as error:
        for field, field_messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, field_messages)
        return _settings_page(request, form, status=400)
    messages.success(request, "Single sign-on settings saved.")
    return redirect(SSO_SETTINGS_PATH)


@require_POST
def sso_settings_disable(request) -> HttpResponse:
    refusal = _refuse_non_manager(request)
    if refusal is not None:
        return refusal
    sso_disable(organization=request.organization, by=request.user)
    messages.success(request, "Single sign-on is off; members log in with their passwords.")
    return redirect(SSO_SETTINGS_PATH)


@require_POST
def sso_settings_domain_verify(request) -> HttpResponse:
    refusal = _refuse_non_manager(request)
    if refusal is not None:
        return refusal
    throttled = ratelimit.consume_or_429(request, action="sso_domain_verify")
    if throttled is not None:
        return throttled
    domain = request.POST.get("domain", "")
    try:
        check = sso_domain_verify(organization=request.organization, domain=domain, by=request.user)
    except SSOEmailDomain.DoesNotExist:
        messages.error(request, "That domain is not one of your email domains.")
        return redirect(SSO_SETTINGS_PATH)
    if check.verified:
        messages.success(request, f"{check.domain} is verified.")
    else:
        messages.error(request, f"{check.domain} is not verified: {check.message}")
    return redirect(SSO_SETTINGS_PATH)
