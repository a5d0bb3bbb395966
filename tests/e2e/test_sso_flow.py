"""Single sign-on in a real browser: an owner sets up OpenID Connect on the organization's
settings page, a newcomer signs in through the identity provider's login page and joins the
organization, and a member with a password is sent to single sign-on instead. Then SAML, whose
identity provider answers with a form the browser posts back to Wirebook.

The identity providers (tests/identity_providers.py: Authlib, pysaml2) run in threads of this
process as `localhost`, another site than Wirebook's 127.0.0.1, as identity providers are for
browsers: cookies that are only sent within a site (SameSite) would be missed here.
"""

import re
import secrets

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.test import override_settings
from playwright.sync_api import Page, expect

from tenants.models import AuditAction, AuditEvent, Membership, MembershipRole
from tenants.sso import SAMLSettings, sso_configure
from tenants.sso.domains import domain_txt_record, sso_domain_verify
from tests.dns_server import loopback_dns
from tests.e2e.harness import PASSWORD, field
from tests.identity_providers import OIDCProvider, Person, SAMLIdP

CLIENT_ID = "wirebook-e2e"
CLIENT_SECRET = "e2e-client-secret-0123456789"


@pytest.fixture(scope="module")
def identity_provider():
    provider = OIDCProvider(host="localhost").start()
    yield provider
    provider.stop()


def sign_in_at_identity_provider(page: Page, identity_provider: OIDCProvider, person: Person, shot, step: str) -> None:
    """On the identity provider's login page (where Wirebook sent the browser), sign in as `person`."""
    expect(page).to_have_url(re.compile(rf"^{re.escape(identity_provider.base_url)}/authorize\?"))
    expect(page.get_by_role("heading", level=1, name="Sign in to the test identity provider")).to_be_visible()
    field(page, "Email").fill(person.email)
    shot(page, step)
    page.get_by_role("button", name="Sign in").click()


def test_owner_sets_up_oidc_a_newcomer_joins_through_it_and_passwords_are_refused(
    page, new_page, accounts, wirebook, identity_provider, shot
):
    domain = f"globex-{secrets.token_hex(3)}.example"
    owner = accounts.user()
    organization = accounts.organization(owner=owner, name="Globex Networks")
    slug = organization.slug
    newcomer = Person(subject=f"idp-{secrets.token_hex(4)}", email=accounts.email("newcomer", domain), name="Nia New")
    colleague = accounts.user(accounts.email("colleague", domain))
    accounts.membership(organization=organization, user=colleague, role=MembershipRole.VIEWER)
    identity_provider.enroll(newcomer)
    identity_provider.enroll(Person(subject=f"idp-{secrets.token_hex(4)}", email=colleague.email))

    # given the owner on the organization's single sign-on settings page
    page.goto("/login/")
    field(page, "Email").fill(owner.email)
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(re.compile(r"/login/"))
    page.goto(f"/o/{slug}/settings/sso/")
    expect(page.get_by_role("heading", level=1, name="Single sign-on for Globex Networks")).to_be_visible()
    expect(page.get_by_text("Single sign-on is off")).to_be_visible()
    redirect_uri = page.get_by_role("row", name=re.compile(r"Redirect URI")).get_by_role("cell").inner_text()
    assert redirect_uri == wirebook.url(f"/accounts/oidc/org-{slug}/login/callback/")
    shot(page, "sso-settings-empty")

    # when they register Wirebook at the identity provider with the redirect URI shown, and save
    # its issuer and client there, their email domain, editors for newcomers and SSO required
    identity_provider.add_client(CLIENT_ID, CLIENT_SECRET, redirect_uri)
    page.get_by_label("OpenID Connect").check()
    field(page, "Issuer URL").fill(identity_provider.issuer)
    field(page, "Client id").fill(CLIENT_ID)
    field(page, "Client secret").fill(CLIENT_SECRET)
    field(page, "Email domains").fill(domain)
    field(page, "Role of new members").select_option(label="Editor")
    page.get_by_label(re.compile(r"^Require single sign-on")).check()
    shot(page, "sso-settings-filled")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Single sign-on settings saved.")).to_be_visible()
    expect(page.get_by_text("Single sign-on is on (OpenID Connect), and required")).to_be_visible()
    shot(page, "sso-settings-saved")

    # and prove they own the domain: publish the TXT record shown in its DNS, then "Verify now"
    domain_row = page.get_by_role("row", name=re.compile(re.escape(domain)))
    expect(domain_row.get_by_text("Not verified")).to_be_visible()
    record = domain_row.locator("code.sso-txt-record").inner_text()
    assert record.startswith("wirebook-verification=")
    loopback_dns().publish(domain, record)
    domain_row.get_by_role("button", name=f"Verify {domain} now").click()
    expect(page.get_by_text(f"{domain} is verified.")).to_be_visible()
    expect(
        page.get_by_role("row", name=re.compile(re.escape(domain))).get_by_text("Verified", exact=True)
    ).to_be_visible()
    shot(page, "sso-domain-verified")

    # then a newcomer in that domain logs in with SSO by email address, at the identity provider
    newcomer_page = new_page()
    newcomer_page.goto("/login/")
    newcomer_page.get_by_role("link", name="Log in with SSO").click()
    expect(newcomer_page.get_by_role("heading", level=1, name="Log in with single sign-on")).to_be_visible()
    field(newcomer_page, "Organization or email address").fill(newcomer.email)
    shot(newcomer_page, "newcomer-sso-login")
    newcomer_page.get_by_role("button", name="Continue to your identity provider").click()
    sign_in_at_identity_provider(newcomer_page, identity_provider, newcomer, shot, "newcomer-at-identity-provider")

    # and lands in the organization as an editor
    expect(newcomer_page).to_have_url(wirebook.url(f"/o/{slug}/"))
    expect(newcomer_page.get_by_role("heading", level=1, name="Globex Networks", exact=True)).to_be_visible()
    expect(newcomer_page.get_by_text("You are editor of this organization.")).to_be_visible()
    shot(newcomer_page, "newcomer-in-organization")
    membership = Membership.objects.select_related("user").get(organization=organization, user__email=newcomer.email)
    assert membership.role == MembershipRole.EDITOR
    assert not membership.user.has_usable_password()
    assert SocialAccount.objects.filter(user=membership.user, provider=f"org-{slug}", uid=newcomer.subject).exists()
    assert AuditEvent.objects.filter(
        organization=organization, action=AuditAction.MEMBERSHIP_JOINED_BY_SSO, target=newcomer.email
    ).exists()

    # and a member who has a password is sent from the password login to single sign-on
    colleague_page = new_page()
    colleague_page.goto("/login/")
    field(colleague_page, "Email").fill(colleague.email)
    field(colleague_page, "Password").fill(PASSWORD)
    colleague_page.get_by_role("button", name="Log in").click()
    expect(colleague_page).to_have_url(wirebook.url(f"/login/sso/?organization={slug}"))
    expect(colleague_page.get_by_text("Globex Networks requires single sign-on")).to_be_visible()
    expect(field(colleague_page, "Organization or email address")).to_have_value(slug)
    shot(colleague_page, "password-login-refused")
    colleague_page.goto(f"/o/{slug}/")  # not logged in by the refused password
    expect(colleague_page).to_have_url(re.compile(r"/login/"))

    # where they sign in as themselves, keeping their role
    colleague_page.goto(f"/login/sso/?organization={slug}")
    colleague_page.get_by_role("button", name="Continue to your identity provider").click()
    colleague_identity = identity_provider.people[colleague.email.lower()]
    sign_in_at_identity_provider(colleague_page, identity_provider, colleague_identity, shot, "colleague-at-idp")
    expect(colleague_page).to_have_url(wirebook.url(f"/o/{slug}/"))
    shot(colleague_page, "colleague-in-organization")
    assert Membership.objects.get(organization=organization, user=colleague).role == MembershipRole.VIEWER
    assert SocialAccount.objects.filter(user=colleague, provider=f"org-{slug}").exists()


@pytest.fixture(scope="module")
def saml_identity_provider(tmp_path_factory):
    provider = SAMLIdP(tmp_path_factory.mktemp("saml-idp"), host="localhost").start()
    yield provider
    provider.stop()


def test_a_newcomer_signs_in_through_saml_whose_answer_is_posted_across_sites(
    page, accounts, wirebook, saml_identity_provider, shot
):
    domain = f"initech-{secrets.token_hex(3)}.example"
    owner = accounts.user()
    organization = accounts.organization(owner=owner, name="Initech")
    sso_configure(
        organization=organization,
        by=owner,
        protocol="saml",
        email_domains=[domain],
        default_role=MembershipRole.VIEWER,
        require_sso=False,
        saml=SAMLSettings(metadata_xml=saml_identity_provider.metadata_xml()),
    )
    # the domain verified as on the settings page, through the server's resolver: the loopback DNS
    loopback_dns().publish(domain, domain_txt_record(organization.sso, domain))
    with override_settings(SSO_DNS_NAMESERVERS=[("127.0.0.1", loopback_dns().port)]):
        assert sso_domain_verify(organization=organization, domain=domain, by=owner).verified
    saml_identity_provider.configure(
        requests.get(wirebook.url(f"/accounts/saml/{organization.slug}/metadata/"), timeout=10).text
    )
    newcomer = Person(subject=f"idp-{secrets.token_hex(4)}", email=accounts.email("newcomer", domain))
    saml_identity_provider.login_as(newcomer)

    page.goto("/login/sso/")
    field(page, "Organization or email address").fill(newcomer.email)
    page.get_by_role("button", name="Continue to your identity provider").click()

    expect(page).to_have_url(wirebook.url(f"/o/{organization.slug}/"))
    expect(page.get_by_text("You are viewer of this organization.")).to_be_visible()
    shot(page, "newcomer-in-organization")
    assert not saml_identity_provider.errors
    membership = Membership.objects.get(organization=organization, user__email=newcomer.email)
    assert membership.role == MembershipRole.VIEWER
