"""Single sign-on per organization, end to end: a real OpenID Connect provider (Authlib) and a
real SAML identity provider (pysaml2), both served over HTTP from a thread of this process, with
keys made at test time (tests/identity_providers.py). Wirebook is driven with
Django's test client; allauth's back-channel calls (discovery, token, keys, userinfo) really go to
the providers.
"""

import json
import logging
import re

import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialApp
from cryptography.fernet import Fernet
from django.test import Client

from tenants.models import AuditAction, Membership, MembershipRole
from tenants.services import organization_create, organization_drop
from tests.conftest import PASSWORD, OrgUser
from tests.identity_providers import Person, key_pair
from tests.saas_platform.sso_flows import (
    ALICE,
    client_of,
    configure_oidc,
    configure_saml,
    events,
    logged_in_user,
    member,
    oidc_sign_in,
    path_of,
    refused_sign_in,
    saml_sign_in,
    user_with,
)


def refusal_message(response) -> str:
    return re.search(r'<div class="alert alert-danger">(.*?)</div>', response.content.decode(), re.S).group(1)


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


def test_an_existing_account_outside_the_organizations_domains_is_not_taken_over(org_a, oidc):
    configure_oidc(org_a, oidc, domains="a.example")
    outsider = user_with("someone@elsewhere.example")
    oidc.login_as(Person(subject="claims-to-be-someone", email="someone@elsewhere.example"))

    response = refused_sign_in(oidc_sign_in)

    assert response.status_code == 403
    assert "signs in new people only with an email address in one of the organization" in response.content.decode()
    assert not SocialAccount.objects.filter(user=outsider).exists()
    assert not Membership.objects.filter(user=outsider, organization=org_a.organization).exists()
    # and a new address there gets the same page: the provider learns nothing about who has an account
    oidc.login_as(Person(subject="someone-new", email="nobody-yet@elsewhere.example"))
    unknown = refused_sign_in(oidc_sign_in)
    assert unknown.status_code == response.status_code
    assert refusal_message(unknown) == refusal_message(response)


def test_an_unreachable_provider_is_an_error_on_the_sso_page(org_a, oidc):
    configure_oidc(org_a, oidc)
    app = SocialApp.objects.get(provider_id="org-org-a")
    app.settings = {**app.settings, "server_url": f"{oidc.issuer}/nothing-here"}
    app.save()

    response = Client().post("/login/sso/", {"organization": "org-a"})

    assert response.status_code == 400
    assert "could not be reached" in response.content.decode()


def test_a_client_secret_the_server_cannot_decrypt_is_a_clear_error_not_a_500(org_a, oidc, settings, caplog):
    # given SSO configured, then the encryption key it was stored with dropped from WIREBOOK_ENCRYPTION_KEY
    configure_oidc(org_a, oidc)
    client = Client()
    start = client.post("/login/sso/", {"organization": "org-a"})
    at_idp = requests.get(start["Location"], allow_redirects=False, timeout=10)
    settings.WIREBOOK_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    # when someone starts a login, or comes back from the identity provider
    with caplog.at_level(logging.ERROR, logger="tenants.sso.allauth"):
        refused_start = Client().post("/login/sso/", {"organization": "org-a"})
        refused_callback = client.get(path_of(at_idp.headers["Location"]))

    # then both are told it is the server's fault, nobody is logged in, and the operators read what to do
    for response in (refused_start, refused_callback):
        assert response.status_code == 503
        assert "cannot read its stored client secret" in refusal_message(response)
    assert logged_in_user(client) is None
    assert "WIREBOOK_ENCRYPTION_KEY" in caplog.text and "rotate_secrets" in caplog.text


def test_a_login_without_an_email_address_is_refused(org_a, oidc):
    configure_oidc(org_a, oidc)
    oidc.login_as(Person(subject="no-address", email=""))

    response = refused_sign_in(oidc_sign_in)

    assert response.status_code == 403
    assert "did not send your email address" in response.content.decode()


def test_an_id_token_signed_with_another_key_logs_nobody_in(org_a, oidc):
    configure_oidc(org_a, oidc)
    oidc.sign_with_unpublished_key()

    response = refused_sign_in(oidc_sign_in)

    assert response.status_code == 401
    assert "Single sign-on failed" in response.content.decode()
    assert not events(org_a, AuditAction.MEMBERSHIP_JOINED_BY_SSO)


def test_an_id_token_for_another_audience_logs_nobody_in(org_a, oidc):
    configure_oidc(org_a, oidc)
    oidc.audience = "some-other-client"

    response = refused_sign_in(oidc_sign_in)

    assert response.status_code == 401


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


def test_a_deleted_organizations_identities_do_not_carry_over_to_a_new_one_of_the_same_slug(org_a, oidc):
    owner = user_with("owner@gone.example")
    gone = OrgUser(organization_create(name="Gone", slug="gone", owner=owner), owner)
    configure_oidc(gone, oidc, domains="gone.example")
    oidc.login_as(Person(subject=ALICE.subject, email="alice@gone.example"))
    client = Client()
    oidc_sign_in(client, "gone")
    alice = logged_in_user(client)
    assert alice is not None

    organization_drop(gone.organization)

    assert not SocialApp.objects.filter(provider_id="org-gone").exists()
    assert not SocialAccount.objects.filter(provider="org-gone").exists()
    # the same slug again, and the provider's same subject with another address: not Alice
    again = OrgUser(organization_create(name="Gone again", slug="gone", owner=owner), owner)
    configure_oidc(again, oidc, client_id="gone-again", domains="gone.example")
    oidc.login_as(Person(subject=ALICE.subject, email="newcomer@gone.example"))
    other = Client()
    oidc_sign_in(other, "gone")
    assert logged_in_user(other) not in (None, alice)


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

    response = refused_sign_in(saml_sign_in)

    assert response.status_code == 401
    assert "Single sign-on failed" in response.content.decode()


def test_a_saml_assertion_for_another_service_provider_logs_nobody_in(org_a, saml):
    configure_saml(org_a, saml)
    saml.audience = "https://another-service.example/saml/metadata/"

    response = refused_sign_in(saml_sign_in)

    assert response.status_code == 401


# --- Require SSO ---------------------------------------------------------------------------------


def test_require_sso_refuses_password_login_to_members_but_not_to_owners(org_a, oidc):
    configure_oidc(org_a, oidc, require_sso=True)
    editor = member(org_a, MembershipRole.EDITOR, "editor@a.example")
    EmailAddress.objects.update_or_create(
        user=org_a.owner, email=org_a.owner.email, defaults={"verified": True, "primary": True}
    )

    refused = Client()
    response = refused.post("/login/", {"login": editor.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/login/sso/?organization=org-a"
    assert logged_in_user(refused) is None
    assert refused.get(response["Location"]).content.decode().count("Organization A requires single sign-on") == 1
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
    # given Alice is a member of A and an editor of B, which requires SSO and to whose provider she
    # linked her identity; she signs in through A's provider
    configure_oidc(org_a, oidc, domains="a.example")
    configure_oidc(org_b, oidc, domains="b.example", require_sso=True)
    alice = member(org_a, MembershipRole.VIEWER, ALICE.email)
    Membership.objects.create(user=alice, organization=org_b.organization, role=MembershipRole.EDITOR)
    SocialAccount.objects.create(user=alice, provider="org-org-b", uid=ALICE.subject)
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
