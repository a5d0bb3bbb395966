"""Steps of the SSO tests: configuring an organization's SSO through its settings page as its
owner, and signing in through an identity provider the way a browser does -- Django's test client
for Wirebook, `requests` for the provider, following the redirects and auto-posted forms between."""

import secrets
from urllib.parse import urlsplit

import requests
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.test import Client

from tenants.models import AuditEvent, Membership, SSOConfiguration
from tenants.sso.domains import domain_txt_record, sso_domain_verify
from tests.conftest import PASSWORD
from tests.dns_server import loopback_dns
from tests.identity_providers import OIDCProvider, Person, SAMLIdP, auto_post_form

User = get_user_model()
SECRET = "s3cret-of-the-client-0123456789"
ALICE = Person(subject="alice-at-idp", email="alice@a.example", name="Alice Example")


def user_with(email, *, verified=True):
    user = User.objects.create_user(email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


def member(org, role, email):
    user = user_with(email)
    Membership.objects.create(user=user, organization=org.organization, role=role)
    return user


def visitor() -> Client:
    """A browser of its own address: the login page's per-address rate limit ("login", which also
    counts "Log in with SSO") is not shared with the other tests of the process."""
    return Client(REMOTE_ADDR=f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}")


def client_of(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def settings_url(org) -> str:
    return f"/o/{org.organization.slug}/settings/sso/"


def verify_domains(org) -> SSOConfiguration:
    """Publish the verification record of each of the organization's email domains on the loopback
    DNS server (the `dns` fixture) and verify them, as its owner pressing "Verify now"."""
    configuration = SSOConfiguration.objects.get(organization=org.organization)
    for row in configuration.email_domains.all():
        loopback_dns().publish(row.domain, domain_txt_record(configuration, row.domain))
        check = sso_domain_verify(organization=org.organization, domain=row.domain, by=org.owner)
        assert check.verified, check.message
    return configuration


def configure_oidc(
    org, idp: OIDCProvider, *, client_id=None, domains="a.example", role="editor", require_sso=False, verify=True
):
    slug = org.organization.slug
    client_id = client_id or f"wirebook-{slug}"
    idp.add_client(client_id, SECRET, f"http://testserver/accounts/oidc/org-{slug}/login/callback/")
    form = {
        "protocol": "oidc",
        "issuer": idp.issuer,
        "client_id": client_id,
        "client_secret": SECRET,
        "email_domains": domains,
        "default_role": role,
    }
    if require_sso:
        form["require_sso"] = "on"
    response = org.client().post(settings_url(org), form)
    assert response.status_code == 302, response.context["form"].errors
    return verify_domains(org) if verify else SSOConfiguration.objects.get(organization=org.organization)


def configure_saml(org, idp: SAMLIdP, *, domains="a.example", role="viewer", verify=True):
    response = org.client().post(
        settings_url(org),
        {
            "protocol": "saml",
            "metadata_xml": idp.metadata_xml(),
            "email_domains": domains,
            "default_role": role,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    # Give the identity provider our SP metadata, as an admin would.
    metadata = Client(HTTP_HOST="testserver").get(f"/accounts/saml/{org.organization.slug}/metadata/")
    assert metadata.status_code == 200
    idp.configure(metadata.content.decode())
    return verify_domains(org) if verify else SSOConfiguration.objects.get(organization=org.organization)


def path_of(url: str) -> str:
    parts = urlsplit(url)
    assert parts.netloc == "testserver", url
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def oidc_sign_in(client: Client, query: str):
    """Log in with SSO -> the provider's authorize endpoint -> back to our callback."""
    start = client.post("/login/sso/", {"organization": query})
    assert start.status_code == 302, start.content.decode()[:2000]
    at_idp = requests.get(start["Location"], allow_redirects=False, timeout=10)
    assert at_idp.status_code == 302, at_idp.text
    return client.get(path_of(at_idp.headers["Location"]))


def saml_sign_in(client: Client, query: str):
    """Log in with SSO -> the IdP's SSO service (HTTP-Redirect) -> its form POSTed to our ACS."""
    client.defaults["HTTP_HOST"] = "testserver"  # as browsers send it (python3-saml reads it)
    start = client.post("/login/sso/", {"organization": query})
    assert start.status_code == 302, start.content.decode()[:2000]
    at_idp = requests.get(start["Location"], allow_redirects=False, timeout=10)
    assert at_idp.status_code == 200, at_idp.text
    action, fields = auto_post_form(at_idp.text)
    acs = client.post(path_of(action), fields)
    assert acs.status_code == 302
    return client.get(acs["Location"])


def logged_in_user(client: Client):
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def events(org, action):
    return list(AuditEvent.objects.filter(organization=org.organization, action=action))


def refused_sign_in(sign_in, query: str = "org-a"):
    """Sign in (`oidc_sign_in` or `saml_sign_in`) expecting a refusal: nobody is logged in and
    no account is made. Returns the last response."""
    users_before = User.objects.count()
    client = visitor()
    response = sign_in(client, query)
    assert logged_in_user(client) is None
    assert User.objects.count() == users_before
    return response
