"""Issue #9, item 1: any new user could take over any verified account through SSO -- sign up,
create an organization, claim the victim's email domain and point SSO at an identity provider
they run, which then asserted the victim's address.

Closed by two rules (docs/sso.md): an email domain counts only once the organization has proved
it owns it with a DNS TXT record (tenants.sso.domains; a real DNS server on loopback answers
here), and an SSO login never signs in to an existing account that is not already a member of
the organization -- members link their identity themselves, after entering their password.
"""

import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from tenants.members import membership_leave, membership_remove
from tenants.models import AuditAction, Membership, MembershipRole, SSOEmailDomain
from tenants.services import organization_create
from tenants.sso.domains import domain_txt_record, sso_domain_verify
from tests.conftest import PASSWORD, OrgUser
from tests.identity_providers import Person
from tests.saas_platform.sso_flows import (
    ALICE,
    configure_oidc,
    configure_saml,
    events,
    logged_in_user,
    member,
    oidc_sign_in,
    path_of,
    refused_sign_in,
    saml_sign_in,
    settings_url,
    user_with,
    visitor,
)

SIGN_INS = {"oidc": (configure_oidc, oidc_sign_in), "saml": (configure_saml, saml_sign_in)}


@pytest.fixture(params=["oidc", "saml"])
def protocol(request, oidc, saml):
    """(configure, sign_in, identity provider) of each protocol."""
    configure, sign_in = SIGN_INS[request.param]
    return configure, sign_in, oidc if request.param == "oidc" else saml


def attacker_organization() -> OrgUser:
    """What anyone can do: sign up and create an organization."""
    attacker = user_with("mallory@attacker.example")
    return OrgUser(organization_create(name="Evil Corp", slug="evil", owner=attacker), attacker)


def test_the_reported_attack_logs_nobody_in_and_links_nothing(org_b, oidc, dns):
    # given the victim, owner of organization B, with a verified address at example.com
    victim = org_b.owner
    EmailAddress.objects.create(user=victim, email=victim.email, verified=True, primary=True)
    # and an attacker's organization claiming example.com, with SSO at the attacker's provider
    evil = attacker_organization()
    configuration = configure_oidc(evil, oidc, domains="example.com", verify=False)
    # whose verification fails: the attacker cannot publish the record in example.com's DNS
    check = sso_domain_verify(organization=evil.organization, domain="example.com", by=evil.owner)
    assert not check.verified
    assert not configuration.email_domains.get().verified_at

    # when the attacker's provider asserts the victim's address
    oidc.login_as(Person(subject="mallory-as-victim", email=victim.email, name="Not the victim"))
    response = refused_sign_in(oidc_sign_in, "evil")

    # then nobody is logged in (refused_sign_in checks), no identity is linked, the victim joined nothing
    assert response.status_code == 403
    assert "verified email domains" in response.content.decode()
    assert not SocialAccount.objects.filter(user=victim).exists()
    assert list(Membership.objects.filter(user=victim).values_list("organization__slug", flat=True)) == ["org-b"]
    assert not events(evil, AuditAction.MEMBERSHIP_JOINED_BY_SSO)
    # and the victim's address does not lead to the attacker's provider either
    routed = visitor().post("/login/sso/", {"organization": victim.email})
    assert routed.status_code == 400
    assert "No single sign-on is set up" in routed.content.decode()
    # and whoever the attacker's provider signed in cannot open the victim's organization
    assert response.wsgi_request.user.is_anonymous
    assert visitor().get("/o/org-b/settings/members/").status_code == 302


def test_an_unverified_domain_routes_no_logins_and_matches_no_accounts(org_a, oidc, dns):
    # given SSO whose domain a.example is claimed but not verified, and a member at a.example
    configure_oidc(org_a, oidc, domains="a.example", verify=False)
    alice = member(org_a, MembershipRole.EDITOR, ALICE.email)

    # then the address finds no organization
    assert visitor().post("/login/sso/", {"organization": ALICE.email}).status_code == 400
    # and signing in through the provider does not sign in to her account by its address
    response = refused_sign_in(oidc_sign_in, "org-a")
    assert response.status_code == 403
    assert "already exists" in response.content.decode()
    assert not SocialAccount.objects.filter(user=alice).exists()


def test_a_domain_verified_by_another_organization_is_refused(org_a, org_b, oidc, dns):
    # given B claimed a.example first, then A verified it
    configure_oidc(org_b, oidc, domains="a.example", verify=False)
    configure_oidc(org_a, oidc, domains="a.example")
    b_configuration = org_b.organization.sso
    dns.publish("a.example", domain_txt_record(b_configuration, "a.example"))

    # when B publishes its own record and verifies
    check = sso_domain_verify(organization=org_b.organization, domain="a.example", by=org_b.owner)

    # then B is refused, without a word about A
    assert not check.verified
    assert check.message == "This domain is already verified by another organization."
    page = org_b.client().get(settings_url(org_b)).content.decode()
    assert org_a.organization.name not in page
    assert not b_configuration.email_domains.get().verified_at
    assert not events(org_b, AuditAction.SSO_DOMAIN_VERIFIED)
    # and the database holds one verified claim per domain, whatever the code does
    with pytest.raises(IntegrityError), transaction.atomic():
        SSOEmailDomain.objects.filter(configuration=b_configuration).update(verified_at=timezone.now())
    # and A's address routes to A
    assert visitor().post("/login/sso/", {"organization": ALICE.email})["Location"].startswith(oidc.issuer)


def test_the_tokens_differ_per_organization(org_a, org_b, oidc, dns):
    configure_oidc(org_a, oidc, domains="shared.example", verify=False)
    configure_oidc(org_b, oidc, domains="shared.example", verify=False)
    a, b = org_a.organization.sso, org_b.organization.sso

    # A's published record proves nothing for B
    dns.publish("shared.example", domain_txt_record(a, "shared.example"))
    assert not sso_domain_verify(organization=org_b.organization, domain="shared.example", by=org_b.owner).verified
    assert domain_txt_record(a, "shared.example") != domain_txt_record(b, "shared.example")
    # and a record is stable for its organization and domain
    assert domain_txt_record(a, "shared.example") == domain_txt_record(a, "SHARED.example")


def test_an_existing_account_that_is_not_a_member_is_not_logged_in(org_a, protocol):
    # given the organization verified a.example, and Alice already has an account there
    configure, sign_in, idp = protocol
    configure(org_a, idp, domains="a.example")
    alice = user_with(ALICE.email)

    # when its provider asserts her address
    response = refused_sign_in(sign_in, "org-a")

    # then she is told what to do, and nothing is linked or joined
    assert response.status_code == 403
    page = response.content.decode()
    assert "An account with this email address already exists" in page
    assert "Log in with your password" in page
    assert not SocialAccount.objects.filter(user=alice).exists()
    assert not Membership.objects.filter(user=alice).exists()


def test_an_existing_member_is_logged_in(org_a, protocol):
    configure, sign_in, idp = protocol
    configure(org_a, idp, domains="a.example")
    alice = member(org_a, MembershipRole.EDITOR, ALICE.email)

    client = visitor()
    response = sign_in(client, "org-a")

    assert response["Location"] == "/o/org-a/"
    assert logged_in_user(client) == alice
    assert SocialAccount.objects.get(user=alice).provider.startswith("org-org-a")  # linked by the match
    assert Membership.objects.get(user=alice).role == MembershipRole.EDITOR  # the role is kept
    assert not events(org_a, AuditAction.MEMBERSHIP_JOINED_BY_SSO)


def test_a_new_address_outside_the_verified_domains_gets_no_account(org_a, oidc, dns):
    # given A's domain is claimed but not verified: an account made for this address would be the
    # provider's to sign in to, waiting for the address's owner to confirm it (pre-hijacking)
    configure_oidc(org_a, oidc, domains="a.example", verify=False)

    response = refused_sign_in(oidc_sign_in, "org-a")

    assert response.status_code == 403
    assert not EmailAddress.objects.filter(email__iexact=ALICE.email).exists()
    assert not SocialAccount.objects.exists()


def test_a_new_address_gets_a_new_account(org_a, protocol):
    configure, sign_in, idp = protocol
    configure(org_a, idp, domains="a.example", role="viewer")

    client = visitor()
    sign_in(client, "org-a")

    alice = logged_in_user(client)
    assert alice is not None and alice.email == ALICE.email
    assert alice != org_a.owner
    assert Membership.objects.get(user=alice, organization=org_a.organization).role == MembershipRole.VIEWER
    assert EmailAddress.objects.get(user=alice).verified


def test_a_members_account_is_not_matched_outside_the_organizations_verified_domains(org_a, oidc):
    # given an MSP engineer with a personal address, a member of A (an organization among many)
    configure_oidc(org_a, oidc, domains="a.example")
    engineer = member(org_a, MembershipRole.VIEWER, "engineer@personal.example")

    # when A's provider asserts the engineer's address
    oidc.login_as(Person(subject="asserted-by-a", email=engineer.email))
    response = refused_sign_in(oidc_sign_in, "org-a")

    # then A's administrators do not get the engineer's account (and its other organizations)
    assert response.status_code == 403
    assert not SocialAccount.objects.filter(user=engineer).exists()


def test_an_identity_linked_by_a_former_member_no_longer_signs_in(org_a, oidc):
    configure_oidc(org_a, oidc, domains="a.example")
    alice = member(org_a, MembershipRole.EDITOR, ALICE.email)
    oidc_sign_in(visitor(), "org-a")
    assert SocialAccount.objects.filter(user=alice, provider="org-org-a").exists()
    Membership.objects.filter(user=alice, organization=org_a.organization).delete()

    response = refused_sign_in(oidc_sign_in, "org-a")

    assert response.status_code == 403
    assert "not a member of Organization A" in response.content.decode()
    assert not Membership.objects.filter(user=alice).exists()


@pytest.mark.parametrize("how", ["removed", "left"])
def test_a_member_who_leaves_loses_the_identities_linked_at_the_organizations_provider(org_a, oidc, how):
    configure_oidc(org_a, oidc, domains="a.example")
    alice = member(org_a, MembershipRole.EDITOR, ALICE.email)
    oidc_sign_in(visitor(), "org-a")
    SocialAccount.objects.create(user=alice, provider="org-org-b", uid="alice-at-b")
    membership = Membership.objects.get(user=alice, organization=org_a.organization)

    if how == "removed":
        membership_remove(membership=membership, by=org_a.owner)
    else:
        membership_leave(membership=membership)

    assert list(SocialAccount.objects.filter(user=alice).values_list("provider", flat=True)) == ["org-org-b"]


# --- Linking an identity (allauth's connect flow) ----------------------------------------------


def reauthenticated(client: Client) -> None:
    response = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]


def connect(client: Client, slug: str = "org-a", meanwhile=None):
    """Press "Link my identity", sign in at the provider (`meanwhile` runs before it answers),
    and come back."""
    start = client.post("/login/sso/connect/", {"organization": slug})
    assert start.status_code == 302, start.content.decode()[:2000]
    if meanwhile is not None:
        meanwhile()
    at_idp = requests.get(start["Location"], allow_redirects=False, timeout=10)
    assert at_idp.status_code == 302, at_idp.text
    return client.get(path_of(at_idp.headers["Location"]))


def password_login(email: str) -> Client:
    client = visitor()
    response = client.post("/login/", {"login": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_a_member_links_their_identity_then_signs_in_with_it(org_a, oidc):
    # given a member whose address is outside the organization's domains
    configure_oidc(org_a, oidc, domains="a.example")
    engineer = member(org_a, MembershipRole.VIEWER, "engineer@personal.example")
    oidc.login_as(Person(subject="engineer-at-a", email="engineer.at.a@a.example"))
    client = password_login(engineer.email)

    # when they enter their password again and link their identity at A's provider
    page = client.get("/login/sso/").content.decode()
    assert "Link my identity at Organization A" in page
    reauthenticated(client)
    response = connect(client)

    # then the identity is theirs
    assert response.status_code == 302 and response["Location"] == "/login/sso/"
    assert SocialAccount.objects.get(provider="org-org-a").user == engineer
    assert "Linked" in client.get("/login/sso/").content.decode()
    # and signing in through A's provider logs them in
    fresh = visitor()
    oidc_sign_in(fresh, "org-a")
    assert logged_in_user(fresh) == engineer


def test_linking_needs_the_password_again(org_a, oidc):
    configure_oidc(org_a, oidc, domains="a.example")
    engineer = member(org_a, MembershipRole.VIEWER, "engineer@personal.example")
    client = password_login(engineer.email)

    response = client.post("/login/sso/connect/", {"organization": "org-a"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert not SocialAccount.objects.exists()


def test_only_members_link_an_identity(org_a, org_b, oidc):
    # given an outsider of A (B's owner), logged in with a fresh password
    configure_oidc(org_a, oidc, domains="a.example")
    outsider = org_b.owner
    EmailAddress.objects.create(user=outsider, email=outsider.email, verified=True, primary=True)
    client = password_login(outsider.email)
    reauthenticated(client)

    # then A is not offered, and asking for it starts nothing
    assert "Organization A" not in client.get("/login/sso/").content.decode()
    response = client.post("/login/sso/connect/", {"organization": "org-a"})
    assert response.status_code == 302 and response["Location"] == "/login/sso/"
    assert not SocialAccount.objects.exists()
    # and anonymous callers are sent to log in
    anonymous = visitor().post("/login/sso/connect/", {"organization": "org-a"})
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")


def test_a_connect_callback_for_a_non_member_links_nothing(org_a, org_b, oidc):
    # given a member of A starts linking, and is removed from A before the provider answers
    configure_oidc(org_a, oidc, domains="a.example")
    engineer = member(org_a, MembershipRole.VIEWER, "engineer@personal.example")
    client = password_login(engineer.email)
    reauthenticated(client)
    response = connect(client, meanwhile=lambda: Membership.objects.filter(user=engineer).delete())

    assert response.status_code == 403
    assert not SocialAccount.objects.exists()


def test_starting_to_link_is_rate_limited_like_logins(org_a, oidc, settings):
    configure_oidc(org_a, oidc, domains="a.example")
    engineer = member(org_a, MembershipRole.VIEWER, "engineer@personal.example")
    client = password_login(engineer.email)
    reauthenticated(client)
    settings.ACCOUNT_RATE_LIMITS = {"login": "1/m/ip"}

    assert client.post("/login/sso/connect/", {"organization": "org-a"}).status_code == 302
    assert client.post("/login/sso/connect/", {"organization": "org-a"}).status_code == 429
