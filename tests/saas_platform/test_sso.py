"""Single sign-on per organization, end to end: a real OpenID Connect provider (Authlib) and a
real SAML identity provider (pysaml2), both served over HTTP from a thread of this process, with
keys made at test time. Wirebook is driven with Django's test client; allauth's back-channel
calls (discovery, token, keys, userinfo) really go to the providers.
"""

import json
import shutil
from urllib.parse import urlsplit

import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.contrib.auth import get_user_model
from django.test import Client

from tenants.models import AuditAction, AuditEvent, Membership, MembershipRole, SSOConfiguration
from tests.conftest import PASSWORD
from tests.saas_platform.identity_providers import OIDCProvider, Person, SAMLIdP, auto_post_form, key_pair

User = get_user_model()
SECRET = "s3cret-of-the-client-0123456789"
ALICE = Person(subject="alice-at-idp", email="alice@a.example", name="Alice Example")


@pytest.fixture(scope="module")
def oidc_idp():
    provider = OIDCProvider().start()
    yield provider
    provider.stop()


@pytest.fixture
def oidc(oidc_idp, settings):
    """The module's OIDC provider, reset to behave (it speaks plain http on loopback)."""
    settings.SSO_ALLOW_INSECURE_HTTP = True
    oidc_idp.signing_key = oidc_idp.published_key
    oidc_idp.audience = None
    oidc_idp.login_as(ALICE)
    oidc_idp.errors.clear()
    yield oidc_idp
    assert not oidc_idp.errors, oidc_idp.errors


@pytest.fixture(scope="module")
def saml_idp(tmp_path_factory):
    if shutil.which("xmlsec1") is None:
        pytest.fail(
            "the SAML IdP (pysaml2) signs with the xmlsec1 program: run `make install` (Debian package xmlsec1)"
        )
    idp = SAMLIdP(tmp_path_factory.mktemp("saml-idp")).start()
    yield idp
    idp.stop()


@pytest.fixture
def saml(saml_idp):
    saml_idp.signing = saml_idp.published
    saml_idp.audience = None
    saml_idp.login_as(ALICE)
    saml_idp.errors.clear()
    yield saml_idp
    assert not saml_idp.errors, saml_idp.errors


def user_with(email, *, verified=True):
    user = User.objects.create_user(email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


def member(org, role, email):
    user = user_with(email)
    Membership.objects.create(user=user, organization=org.organization, role=role)
    return user


def client_of(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def settings_url(org) -> str:
    return f"/o/{org.organization.slug}/settings/sso/"


def configure_oidc(org, idp: OIDCProvider, *, client_id=None, domains="a.example", role="editor", require_sso=False):
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
    return SSOConfiguration.objects.get(organization=org.organization)


def configure_saml(org, idp: SAMLIdP, *, domains="a.example", role="viewer"):
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
    return SSOConfiguration.objects.get(organization=org.organization)


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


# --- OpenID Connect ------------------------------------------------------------------------------


def test_oidc_login_makes_a_new_person_a_member_with_the_default_role(org_a, oidc):
    # given
    configure_oidc(org_a, oidc, role="editor")
    client = Client()

    # when
    response = oidc_sign_in(client, "org-a")

    # then
    assert response.status_code == 302
    assert response["Location"] == "/o/org-a/"
    alice = logged_in_user(client)
    assert alice is not None and alice.email == ALICE.email
    assert alice.display_name == ALICE.name
    assert Membership.objects.get(user=alice, organization=org_a.organization).role == MembershipRole.EDITOR
    assert Membership.objects.filter(user=alice).count() == 1
    assert EmailAddress.objects.get(user=alice).verified
    [joined] = events(org_a, AuditAction.MEMBERSHIP_JOINED_BY_SSO)
    assert joined.target == ALICE.email and joined.data["role"] == "editor"
    assert client.get("/o/org-a/").status_code == 200
    # Signing in again is the same account, and no second membership or event.
    again = Client()
    oidc_sign_in(again, "alice@a.example")
    assert logged_in_user(again) == alice
    assert len(events(org_a, AuditAction.MEMBERSHIP_JOINED_BY_SSO)) == 1


def test_oidc_login_matches_an_existing_account_by_its_verified_address(org_a, oidc):
    configure_oidc(org_a, oidc, role="viewer")
    existing = user_with(ALICE.email)

    client = Client()
    response = oidc_sign_in(client, "a.example")

    assert response["Location"] == "/o/org-a/"
    assert logged_in_user(client) == existing
    assert Membership.objects.get(user=existing, organization=org_a.organization).role == MembershipRole.VIEWER
    assert SocialAccount.objects.get(user=existing).provider == "org-org-a"


def test_an_existing_account_outside_the_organizations_domains_is_not_taken_over(org_a, oidc):
    configure_oidc(org_a, oidc, domains="a.example")
    outsider = user_with("someone@elsewhere.example")
    oidc.login_as(Person(subject="claims-to-be-someone", email="someone@elsewhere.example"))

    client = Client()
    response = oidc_sign_in(client, "org-a")

    # allauth answers as for any taken address: "verify your email", telling nothing
    assert response["Location"] == "/accounts/confirm-email/"
    assert logged_in_user(client) is None
    assert not SocialAccount.objects.filter(user=outsider).exists()
    assert not Membership.objects.filter(user=outsider, organization=org_a.organization).exists()


def test_an_unreachable_provider_is_an_error_on_the_sso_page(org_a, oidc):
    configure_oidc(org_a, oidc)
    app = SocialApp.objects.get(provider_id="org-org-a")
    app.settings = {**app.settings, "server_url": f"{oidc.issuer}/nothing-here"}
    app.save()

    response = Client().post("/login/sso/", {"organization": "org-a"})

    assert response.status_code == 400
    assert "could not be reached" in response.content.decode()


def test_a_login_without_an_email_address_is_refused(org_a, oidc):
    configure_oidc(org_a, oidc)
    oidc.login_as(Person(subject="no-address", email=""))
    users_before = User.objects.count()

    client = Client()
    response = oidc_sign_in(client, "org-a")

    assert response.status_code == 403
    assert "did not send your email address" in response.content.decode()
    assert logged_in_user(client) is None
    assert User.objects.count() == users_before


def test_an_id_token_signed_with_another_key_logs_nobody_in(org_a, oidc):
    configure_oidc(org_a, oidc)
    oidc.sign_with_unpublished_key()
    users_before = User.objects.count()

    client = Client()
    response = oidc_sign_in(client, "org-a")

    assert response.status_code == 401
    assert "Single sign-on failed" in response.content.decode()
    assert logged_in_user(client) is None
    assert User.objects.count() == users_before
    assert not events(org_a, AuditAction.MEMBERSHIP_JOINED_BY_SSO)


def test_an_id_token_for_another_audience_logs_nobody_in(org_a, oidc):
    configure_oidc(org_a, oidc)
    oidc.audience = "some-other-client"
    users_before = User.objects.count()

    client = Client()
    response = oidc_sign_in(client, "org-a")

    assert response.status_code == 401
    assert logged_in_user(client) is None
    assert User.objects.count() == users_before


def test_sso_of_one_organization_grants_nothing_in_another(org_a, org_b, oidc):
    # given both organizations sign in through the same provider, as different clients
    configure_oidc(org_a, oidc, domains="a.example")
    configure_oidc(org_b, oidc, domains="b.example")

    # when Alice signs in through A's
    client = Client()
    oidc_sign_in(client, "org-a")

    # then she is a member of A only, and B is a 404 as for any outsider
    alice = logged_in_user(client)
    assert list(Membership.objects.filter(user=alice).values_list("organization__slug", flat=True)) == ["org-a"]
    assert client.get("/o/org-b/").status_code == 404
    assert client.get("/o/org-b/settings/sso/").status_code == 404
    # and the same subject at B's client is another identity: B's login is its own account
    oidc.login_as(Person(subject=ALICE.subject, email="alice@b.example"))
    other = Client()
    oidc_sign_in(other, "org-b")
    bob_side = logged_in_user(other)
    assert bob_side is not None and bob_side != alice
    assert list(Membership.objects.filter(user=bob_side).values_list("organization__slug", flat=True)) == ["org-b"]


def test_pointing_sso_at_another_provider_unlinks_the_old_identities(org_a, oidc):
    configure_oidc(org_a, oidc)
    oidc_sign_in(Client(), "org-a")
    assert SocialAccount.objects.filter(provider="org-org-a").count() == 1

    configure_oidc(org_a, oidc, client_id="another-client")

    assert not SocialAccount.objects.filter(provider="org-org-a").exists()
    event = events(org_a, AuditAction.SSO_CONFIGURED)[0]
    assert event.data["identity_provider_changed"] is True


def test_switching_protocols_replaces_the_app_and_unlinks_the_old_identities(org_a, oidc, saml):
    configure_oidc(org_a, oidc)
    oidc_sign_in(Client(), "org-a")

    configure_saml(org_a, saml)

    app = SocialApp.objects.get()
    assert (app.provider, app.provider_id, app.client_id) == ("saml", "org-org-a-saml", "org-a")
    assert not SocialAccount.objects.exists()
    client = Client()
    saml_sign_in(client, "org-a")
    assert logged_in_user(client).email == ALICE.email  # the same account, by its verified address


# --- SAML ----------------------------------------------------------------------------------------


def test_saml_login_makes_a_new_person_a_member(org_a, saml):
    configure_saml(org_a, saml, role="viewer")

    client = Client()
    response = saml_sign_in(client, "alice@a.example")

    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == "/o/org-a/"
    alice = logged_in_user(client)
    assert alice is not None and alice.email == ALICE.email
    assert Membership.objects.get(user=alice, organization=org_a.organization).role == MembershipRole.VIEWER
    assert SocialAccount.objects.get(user=alice).provider == "org-org-a-saml"
    assert client.get("/o/org-a/").status_code == 200


def test_a_saml_assertion_signed_with_another_key_logs_nobody_in(org_a, saml):
    configure_saml(org_a, saml)
    saml.signing = key_pair("impostor")
    users_before = User.objects.count()

    client = Client()
    response = saml_sign_in(client, "org-a")

    assert response.status_code == 401
    assert "Single sign-on failed" in response.content.decode()
    assert logged_in_user(client) is None
    assert User.objects.count() == users_before


def test_a_saml_assertion_for_another_service_provider_logs_nobody_in(org_a, saml):
    configure_saml(org_a, saml)
    saml.audience = "https://another-service.example/saml/metadata/"
    users_before = User.objects.count()

    client = Client()
    response = saml_sign_in(client, "org-a")

    assert response.status_code == 401
    assert logged_in_user(client) is None
    assert User.objects.count() == users_before


# --- Require SSO ---------------------------------------------------------------------------------


def test_require_sso_refuses_password_login_to_members_but_not_to_owners(org_a, oidc):
    configure_oidc(org_a, oidc, require_sso=True)
    editor = member(org_a, MembershipRole.EDITOR, "editor@a.example")
    EmailAddress.objects.get_or_create(
        user=org_a.owner, email=org_a.owner.email, defaults={"verified": True, "primary": True}
    )

    refused = Client()
    response = refused.post("/login/", {"login": editor.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/login/sso/?organization=org-a"
    assert logged_in_user(refused) is None
    assert "requires single sign-on" in refused.get(response["Location"]).content.decode()
    provision = refused.post(
        "/o/org-a/api/users/tokens/provision/",
        json.dumps({"username": editor.email, "password": PASSWORD}),
        content_type="application/json",
    )
    assert provision.status_code == 403

    owner = Client()
    response = owner.post("/login/", {"login": org_a.owner.email, "password": PASSWORD})
    assert response.status_code == 302
    assert logged_in_user(owner) == org_a.owner


def test_require_sso_needs_a_sign_in_through_that_organizations_own_provider(org_a, org_b, oidc):
    # given Alice is an editor of B, which requires SSO, and signs in through A's provider
    configure_oidc(org_a, oidc, domains="a.example")
    configure_oidc(org_b, oidc, domains="b.example", require_sso=True)
    alice = user_with(ALICE.email)
    Membership.objects.create(user=alice, organization=org_b.organization, role=MembershipRole.EDITOR)
    client = Client()
    oidc_sign_in(client, "org-a")
    assert logged_in_user(client) == alice

    # then A is open but B sends her to B's provider, pages and API alike
    assert client.get("/o/org-a/").status_code == 200
    refused = client.get("/o/org-b/")
    assert refused.status_code == 302 and refused["Location"] == "/login/sso/?organization=org-b"
    assert client.get("/o/org-b/api/dcim/sites/").status_code == 403

    # when she signs in through B's provider, B opens too
    oidc_sign_in(client, "org-b")
    assert client.get("/o/org-b/").status_code == 200
    assert client.get("/o/org-a/").status_code == 200


def test_sessions_from_before_sso_was_required_must_sign_in_again(org_a, oidc):
    editor = member(org_a, MembershipRole.EDITOR, "editor@a.example")
    session = client_of(editor)
    assert session.get("/o/org-a/").status_code == 200

    configure_oidc(org_a, oidc, require_sso=True)

    assert session.get("/o/org-a/")["Location"] == "/login/sso/?organization=org-a"
    assert org_a.client().get("/o/org-a/").status_code == 200  # the owner's password session


def test_without_require_sso_members_keep_their_passwords(org_a, oidc):
    configure_oidc(org_a, oidc, require_sso=False)
    editor = member(org_a, MembershipRole.EDITOR, "editor@a.example")

    client = Client()
    client.post("/login/", {"login": editor.email, "password": PASSWORD})

    assert logged_in_user(client) == editor


# --- The settings page ---------------------------------------------------------------------------


def test_saving_writes_an_audit_event_and_never_shows_the_secret_back(org_a, oidc):
    configure_oidc(org_a, oidc, require_sso=True)

    page = org_a.client().get(settings_url(org_a)).content.decode()

    assert SECRET not in page
    assert SECRET[-4:] in page
    assert "http://testserver/accounts/oidc/org-org-a/login/callback/" in page
    [event] = events(org_a, AuditAction.SSO_CONFIGURED)
    assert event.actor == org_a.owner
    assert event.data["client_secret"] == "changed"
    assert SECRET not in json.dumps(event.data)
    # Saving again without a secret keeps it.
    response = org_a.client().post(
        settings_url(org_a),
        {"protocol": "oidc", "issuer": oidc.issuer, "client_id": "wirebook-org-a", "default_role": "viewer"},
    )
    assert response.status_code == 302
    assert SocialApp.objects.get(provider_id="org-org-a").secret == SECRET
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


def test_an_email_domain_belongs_to_one_organization(org_a, org_b, oidc):
    configure_oidc(org_a, oidc, domains="a.example")
    oidc.add_client("b", SECRET, "http://testserver/accounts/oidc/org-org-b/login/callback/")

    response = org_b.client().post(
        settings_url(org_b),
        {"protocol": "oidc", "issuer": oidc.issuer, "client_id": "b", "client_secret": SECRET,
         "email_domains": "A.example", "default_role": "viewer"},
    )  # fmt: skip

    assert response.status_code == 400
    assert "already used by another organization" in str(response.context["form"].errors["email_domains"])
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
