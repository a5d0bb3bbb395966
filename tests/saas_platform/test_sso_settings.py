"""The organization's single sign-on settings page /o/<slug>/settings/sso/: who may see and
change it, validation, secrets, the audit log, and the "Log in with SSO" page."""

import json
import secrets

import pytest
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.test import Client, override_settings

from tenants.models import AuditAction, MembershipRole, SSOConfiguration
from tests.saas_platform.sso_flows import (
    SECRET,
    client_of,
    configure_oidc,
    configure_saml,
    events,
    member,
    oidc_sign_in,
    settings_url,
    user_with,
)

# --- The settings page ---------------------------------------------------------------------------


def test_saving_writes_an_audit_event_and_never_shows_the_secret_back(org_a, oidc):
    configure_oidc(org_a, oidc, require_sso=True)

    page = org_a.client().get(settings_url(org_a)).content.decode()

    assert SECRET not in page
    assert SECRET[-4:] not in page  # not even a hint of it: only that one is set
    assert '<span id="secret-hint">Set</span>' in page
    assert "http://testserver/accounts/oidc/org-org-a/login/callback/" in page
    [event] = events(org_a, AuditAction.SSO_CONFIGURED)
    assert event.actor == org_a.owner
    assert event.data["client_secret"] == "changed"
    assert SECRET not in json.dumps(event.data)
    # Saving again without a secret keeps it.
    client = org_a.client()
    response = client.post(
        settings_url(org_a),
        {"protocol": "oidc", "issuer": oidc.issuer, "client_id": "wirebook-org-a", "default_role": "viewer"},
    )
    assert response.status_code == 302
    assert client.get(settings_url(org_a)).content.decode().count("Single sign-on settings saved.") == 1
    assert SSOConfiguration.objects.get(organization=org_a.organization).client_secret.reveal() == SECRET
    assert SocialApp.objects.get(provider_id="org-org-a").secret == ""  # allauth's column stays empty
    assert events(org_a, AuditAction.SSO_CONFIGURED)[0].data["client_secret"] == "unchanged"


def test_the_saml_page_shows_what_to_give_the_idp_and_what_was_read_from_its_metadata(org_a, saml):
    configure_saml(org_a, saml)

    page = org_a.client().get(settings_url(org_a)).content.decode()

    assert "http://testserver/accounts/saml/org-a/acs/" in page
    assert "http://testserver/accounts/saml/org-a/metadata/" in page
    assert saml.entity_id in page
    assert f"{saml.base_url}/sso" in page


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"protocol": "saml", "metadata_xml": "<not-metadata/>"}, "metadata_xml", "no IdP"),
        ({"protocol": "saml", "metadata_xml": "this is not xml"}, "metadata_xml", "not SAML metadata"),
        ({"protocol": "oidc", "issuer": "ftp://idp.example", "client_id": "x", "client_secret": "y"}, "issuer", ""),
        ({"protocol": "oidc", "issuer": "https://idp.example", "client_id": "x"}, "client_secret", ""),
        ({"protocol": "oidc", "issuer": "https://idp.example", "client_id": "x", "client_secret": "y",
          "email_domains": "not a domain"}, "email_domains", "not an email domain"),
        ({"protocol": "oidc", "issuer": "https://idp.example", "client_id": "x", "client_secret": "y",
          "default_role": "owner"}, "default_role", ""),
    ],
)  # fmt: skip
def test_bad_settings_are_form_errors_and_write_nothing(org_a, form, field, message):
    response = org_a.client().post(settings_url(org_a), {"default_role": "viewer", **form})

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert message in " ".join(response.context["form"].errors[field])
    assert not SSOConfiguration.objects.exists()
    assert not SocialApp.objects.exists()
    assert not events(org_a, AuditAction.SSO_CONFIGURED)


def test_an_email_domain_verified_by_one_organization_cannot_be_claimed_by_another(org_a, org_b, oidc):
    configure_oidc(org_a, oidc, domains="a.example")
    oidc.add_client("b", SECRET, "http://testserver/accounts/oidc/org-org-b/login/callback/")

    response = org_b.client().post(
        settings_url(org_b),
        {"protocol": "oidc", "issuer": oidc.issuer, "client_id": "b", "client_secret": SECRET,
         "email_domains": "A.example", "default_role": "viewer"},
    )  # fmt: skip

    assert response.status_code == 400
    errors = str(response.context["form"].errors["email_domains"])
    assert "already verified by another organization" in errors
    assert org_a.organization.name not in errors and org_a.organization.slug not in errors
    assert not SSOConfiguration.objects.filter(organization=org_b.organization).exists()


def test_turning_sso_off_unlinks_identities_and_is_audited(org_a, oidc):
    configure_oidc(org_a, oidc)
    oidc_sign_in(Client(), "org-a")

    response = org_a.client().post(f"{settings_url(org_a)}disable/")

    assert response.status_code == 302
    assert not SSOConfiguration.objects.exists()
    assert not SocialApp.objects.exists()
    assert not SocialAccount.objects.exists()
    assert len(events(org_a, AuditAction.SSO_DISABLED)) == 1
    assert Client().post("/login/sso/", {"organization": "org-a"}).status_code == 400


@pytest.mark.parametrize("role", [MembershipRole.EDITOR, MembershipRole.VIEWER])
def test_members_who_are_not_admins_can_neither_see_nor_change_sso(org_a, oidc, role):
    configure_oidc(org_a, oidc)
    client = client_of(member(org_a, role, f"{role}@a.example"))

    assert client.get(settings_url(org_a)).status_code == 403
    changed = client.post(
        settings_url(org_a),
        {"protocol": "oidc", "issuer": "https://evil.example", "client_id": "evil", "client_secret": "evil",
         "default_role": "viewer"},
    )  # fmt: skip
    assert changed.status_code == 403
    assert client.post(f"{settings_url(org_a)}disable/").status_code == 403
    app = SocialApp.objects.get(provider_id="org-org-a")
    assert app.client_id == "wirebook-org-a" and app.settings["server_url"] == oidc.issuer
    assert len(events(org_a, AuditAction.SSO_CONFIGURED)) == 1


def test_the_members_page_links_managers_to_the_sso_settings(org_a):
    assert 'href="/o/org-a/settings/sso/"' in org_a.client().get("/o/org-a/settings/members/").content.decode()
    viewer = client_of(member(org_a, MembershipRole.VIEWER, "viewer@a.example"))
    assert "/settings/sso/" not in viewer.get("/o/org-a/settings/members/").content.decode()


def test_admins_can_configure_sso(org_a, oidc):
    admin = member(org_a, MembershipRole.ADMIN, "admin@a.example")
    oidc.add_client("by-admin", SECRET, "http://testserver/accounts/oidc/org-org-a/login/callback/")

    response = client_of(admin).post(
        settings_url(org_a),
        {"protocol": "oidc", "issuer": oidc.issuer, "client_id": "by-admin", "client_secret": SECRET,
         "default_role": "viewer"},
    )  # fmt: skip

    assert response.status_code == 302
    assert events(org_a, AuditAction.SSO_CONFIGURED)[0].actor == admin


def test_outsiders_do_not_see_the_settings_page(org_a, org_b, oidc):
    configure_oidc(org_a, oidc)

    anonymous = Client().get(settings_url(org_a))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")
    other_org = org_b.client()
    assert other_org.get(settings_url(org_a)).status_code == 404
    assert other_org.post(f"{settings_url(org_a)}disable/").status_code == 404
    assert SSOConfiguration.objects.filter(organization=org_a.organization).exists()


def test_allauths_pages_list_no_organizations_identity_providers(org_a, oidc):
    configure_oidc(org_a, oidc)
    someone = client_of(user_with("someone@elsewhere.example"))

    response = someone.get("/accounts/3rdparty/")

    assert response.status_code == 200
    page = response.content.decode()
    assert org_a.organization.name not in page
    assert "org-org-a" not in page


def test_the_sso_login_page_is_linked_from_the_login_page_and_explains_unknown_organizations(db):
    assert 'href="/login/sso/"' in Client().get("/login/").content.decode()

    response = Client().post("/login/sso/", {"organization": "no-such-org"})

    assert response.status_code == 400
    assert "No single sign-on is set up" in response.content.decode()


@override_settings(ACCOUNT_RATE_LIMITS={"login": "2/m/ip"})
def test_the_sso_login_page_is_rate_limited_per_address(db):
    client = Client(REMOTE_ADDR=f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}")
    for _ in range(2):
        assert client.post("/login/sso/", {"organization": "no-such-org"}).status_code == 400

    assert client.post("/login/sso/", {"organization": "no-such-org"}).status_code == 429


@pytest.mark.parametrize(
    "issuer",
    ["https://10.0.0.1/realms/corp", "https://169.254.169.254/latest", "https://localhost", "https://[::1]:8443"],
)
def test_an_issuer_on_a_non_public_address_is_a_form_error(org_a, settings, issuer):
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = False
    response = org_a.client().post(
        settings_url(org_a),
        {"protocol": "oidc", "issuer": issuer, "client_id": "x", "client_secret": "y", "default_role": "viewer"},
    )

    assert response.status_code == 400
    assert "must be reachable on the internet" in " ".join(response.context["form"].errors["issuer"])
    assert not SSOConfiguration.objects.exists()
    assert not SocialApp.objects.exists()


def test_an_identity_provider_on_a_non_public_address_is_never_called(org_a, oidc, settings):
    # given: SSO set up while private networks were allowed (as in development)
    configure_oidc(org_a, oidc)
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = False
    calls_before = len(oidc.requests)

    # when someone starts a login through it
    response = Client().post("/login/sso/", {"organization": "org-a"})

    # then Wirebook does not call it
    assert response.status_code == 400
    assert "could not be reached" in response.content.decode()
    assert len(oidc.requests) == calls_before
