"""Single sign-on over real HTTP, as a browser does it: Wirebook served by gunicorn (the compat
tests' live server, on the test database), the identity providers in threads of this process,
one `requests` session carrying the cookies and following every redirect between them. Here CSRF
protection, cookies and Host headers are the real ones, which Django's test client fakes.
"""

from urllib.parse import urlsplit

import pytest
import requests
from django.contrib.auth import get_user_model

from tenants.models import Membership, MembershipRole
from tenants.sso import OIDCSettings, SAMLSettings, sso_configure
from tests.compat.conftest import live_server_process  # noqa: F401 -- the gunicorn fixture
from tests.conftest import OrgUser
from tests.identity_providers import Person, auto_post_form
from tests.saas_platform.sso_flows import verify_domains

SLUG = "sso-live"
PERSON = Person(subject="live-person", email="live.person@live.example", name="Live Person")
User = get_user_model()


@pytest.fixture
def live_organization(committed, django_db_blocker):
    """`sso-live`, committed (the server process must see it); the people SSO made are removed."""
    with django_db_blocker.unblock():
        owner = committed.user("owner@live.example")
        organization = committed.organization(SLUG, owner=owner)
    yield organization, owner
    with django_db_blocker.unblock():
        User.objects.filter(email=PERSON.email).delete()


def sso_start(session: requests.Session, server) -> requests.Response:
    """The "Log in with SSO" form, submitted with the CSRF token a browser would send."""
    page = session.get(f"{server.base_url}/login/sso/", timeout=10)
    assert page.status_code == 200
    return session.post(
        f"{server.base_url}/login/sso/",
        data={"organization": PERSON.email, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        headers={"Referer": f"{server.base_url}/login/sso/"},
        timeout=20,
    )


def joined_as(django_db_blocker, role: str) -> None:
    with django_db_blocker.unblock():
        person = User.objects.get(email=PERSON.email)
        membership = Membership.objects.get(user=person, organization__slug=SLUG)
    assert membership.role == role


def test_oidc_over_http(live_server_process, live_organization, oidc, django_db_blocker):  # noqa: F811
    organization, owner = live_organization
    oidc.add_client(
        "live", "live-secret-0123456789", f"{live_server_process.base_url}/accounts/oidc/org-{SLUG}/login/callback/"
    )
    with django_db_blocker.unblock():
        sso_configure(
            organization=organization,
            by=owner,
            protocol="oidc",
            email_domains=["live.example"],
            default_role=MembershipRole.EDITOR,
            require_sso=False,
            oidc=OIDCSettings(issuer=oidc.issuer, client_id="live", client_secret="live-secret-0123456789"),
        )
        verify_domains(OrgUser(organization, owner))
    oidc.login_as(PERSON)
    session = requests.Session()

    # Without the CSRF token the form is refused.
    assert (
        requests.post(f"{live_server_process.base_url}/login/sso/", data={"organization": SLUG}, timeout=10).status_code
        == 403
    )
    landed = sso_start(session, live_server_process)

    assert landed.status_code == 200, landed.text[:2000]
    assert urlsplit(landed.url).path == f"/o/{SLUG}/"
    assert [urlsplit(step.url).netloc for step in landed.history][1] == urlsplit(oidc.base_url).netloc
    joined_as(django_db_blocker, MembershipRole.EDITOR)


def test_saml_over_http(live_server_process, live_organization, saml, django_db_blocker):  # noqa: F811
    organization, owner = live_organization
    with django_db_blocker.unblock():
        sso_configure(
            organization=organization,
            by=owner,
            protocol="saml",
            email_domains=["live.example"],
            default_role=MembershipRole.VIEWER,
            require_sso=False,
            saml=SAMLSettings(metadata_xml=saml.metadata_xml()),
        )
        verify_domains(OrgUser(organization, owner))
    metadata = requests.get(f"{live_server_process.base_url}/accounts/saml/{SLUG}/metadata/", timeout=10)
    assert metadata.status_code == 200
    saml.configure(metadata.text)
    saml.login_as(PERSON)
    session = requests.Session()

    at_idp = sso_start(session, live_server_process)
    assert at_idp.status_code == 200 and urlsplit(at_idp.url).netloc == urlsplit(saml.base_url).netloc
    action, fields = auto_post_form(at_idp.text)
    landed = session.post(action, data=fields, timeout=20)  # what the IdP's page makes the browser do

    assert landed.status_code == 200, landed.text[:2000]
    assert urlsplit(landed.url).path == f"/o/{SLUG}/"
    joined_as(django_db_blocker, MembershipRole.VIEWER)
