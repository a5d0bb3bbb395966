"""Quotas on what costs a PostgreSQL schema: organizations per account
(WIREBOOK_MAX_ORGANIZATIONS_PER_USER, enforced by tenants.services.organization_create for every
path) and accounts per client address and day (WIREBOOK_MAX_SIGNUPS_PER_ADDRESS_PER_DAY, counted
by saas_platform.adapters when the signup form creates one)."""

import json
import secrets
import threading

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connections
from django.test import Client, override_settings

from tenants.members import membership_leave
from tenants.models import Membership, MembershipRole, Organization
from tenants.services import OrganizationQuotaExceeded, organization_create, organization_drop

PASSWORD = "a long and unusual passphrase 42"
API = "/api/platform/organizations/"


@pytest.fixture
def limit_two(settings):
    settings.WIREBOOK_MAX_ORGANIZATIONS_PER_USER = 2


def founder(email: str = "founder@example.com"):
    return get_user_model().objects.create_user(email, password=PASSWORD)


def session(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def create_through_api(client: Client, slug: str):
    return client.post(API, json.dumps({"name": slug.title(), "slug": slug}), content_type="application/json")


# --- organizations per account -------------------------------------------------------------


def test_the_default_limit_is_ten(settings):
    assert settings.WIREBOOK_MAX_ORGANIZATIONS_PER_USER == 10


def test_the_ui_refuses_an_organization_past_the_limit_with_a_form_error(db, limit_two):
    # given a founder who created two organizations through the UI
    user = founder()
    client = session(user)
    for slug in ("first", "second"):
        assert client.post("/organizations/new/", {"name": slug.title(), "slug": slug}).status_code == 302

    # when they try a third
    response = client.post("/organizations/new/", {"name": "Third", "slug": "third"})

    # then the form says why, and nothing was made
    assert response.status_code == 403
    assert b"You have created 2 organizations, the most one account may have." in response.content
    assert b'name="slug"' in response.content
    assert not Organization.objects.filter(slug="third").exists()
    assert Membership.objects.filter(user=user).count() == 2


def test_the_platform_api_refuses_an_organization_past_the_limit(db, limit_two):
    user = founder()
    client = session(user)
    assert create_through_api(client, "first").status_code == 201
    assert create_through_api(client, "second").status_code == 201

    response = create_through_api(client, "third")

    assert response.status_code == 403
    assert response.json() == {
        "detail": "You have created 2 organizations, the most one account may have. "
        "Delete one you no longer need, or ask the operators of this Wirebook for more."
    }
    assert not Organization.objects.filter(slug="third").exists()


def test_the_service_refuses_every_caller(db, limit_two):
    user = founder()
    organization_create(name="One", slug="one", owner=user)
    organization_create(name="Two", slug="two", owner=user)

    with pytest.raises(OrganizationQuotaExceeded):
        organization_create(name="Three", slug="three", owner=user)
    assert not Organization.objects.filter(slug="three").exists()


def test_leaving_an_organization_one_created_does_not_free_a_slot(db, limit_two):
    # given a founder who created two organizations and handed one to a colleague
    user, colleague = founder(), founder("colleague@example.com")
    organization_create(name="One", slug="one", owner=user)
    handed_over = organization_create(name="Two", slug="two", owner=user)
    Membership.objects.create(organization=handed_over, user=colleague, role=MembershipRole.OWNER)
    membership_leave(membership=Membership.objects.get(organization=handed_over, user=user))

    # then the schema they created still counts against them
    assert create_through_api(session(user), "three").status_code == 403


def test_a_deleted_organization_frees_its_slot(db, limit_two):
    user = founder()
    client = session(user)
    organization_create(name="One", slug="one", owner=user)
    doomed = organization_create(name="Two", slug="two", owner=user)
    assert create_through_api(client, "three").status_code == 403

    organization_drop(doomed)

    assert create_through_api(client, "three").status_code == 201


def test_organizations_of_others_do_not_count(org_a, org_b, limit_two):
    # given the owners of A and B, who each created one organization (the session's)
    user = founder()
    organization_create(name="One", slug="one", owner=user)

    # then each has room for exactly one more of their own
    assert create_through_api(session(user), "two").status_code == 201
    assert create_through_api(org_a.client(), "a-two").status_code == 201
    assert create_through_api(org_b.client(), "b-two").status_code == 201
    assert create_through_api(org_a.client(), "a-three").status_code == 403


def test_anonymous_callers_create_nothing(db):
    assert create_through_api(Client(), "anonymous").status_code == 403  # as NetBox: no credentials
    assert Client().post("/organizations/new/", {"name": "Anon", "slug": "anonymous"}).status_code == 302
    assert not Organization.objects.filter(slug="anonymous").exists()


def test_operators_are_not_limited(db, limit_two, capsys):
    user = founder()
    organization_create(name="One", slug="one", owner=user)
    organization_create(name="Two", slug="two", owner=user)

    call_command("create_organization", "three", owner=user.email)

    assert Membership.objects.filter(user=user, organization__slug="three", role=MembershipRole.OWNER).exists()


def test_zero_means_no_limit(db, settings):
    settings.WIREBOOK_MAX_ORGANIZATIONS_PER_USER = 0
    user = founder()
    for slug in ("one", "two", "three"):
        organization_create(name=slug.title(), slug=slug, owner=user)
    assert Membership.objects.filter(user=user).count() == 3


def test_two_creates_racing_for_the_last_slot_cannot_both_win(committed, settings):
    settings.WIREBOOK_MAX_ORGANIZATIONS_PER_USER = 1
    owner = committed.user()
    barrier = threading.Barrier(2)
    results: list = []

    def create(slug):
        try:
            barrier.wait()
            results.append(organization_create(name=slug, slug=slug, owner=owner))
        except Exception as exc:
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create, args=(slug,)) for slug in ("left-slot", "right-slot")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    winners = [r for r in results if isinstance(r, Organization)]
    for winner in winners:
        committed.track(winner)
    assert len(winners) == 1, results
    assert [type(r) for r in results if not isinstance(r, Organization)] == [OrganizationQuotaExceeded]


# --- signups per client address and day ----------------------------------------------------

DAILY_TWO = {"signup": "20/m/ip", "signup_per_address": "2/d/ip"}


def address() -> str:
    """A documentation address no other test uses (the counts live in the cache, not the database)."""
    return f"198.51.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"


def sign_up(client: Client, email: str, password: str = PASSWORD, **headers):
    return client.post("/accounts/signup/", {"email": email, "password1": password, "password2": password}, **headers)


def test_the_default_cap_is_ten_signups_per_address_and_day(settings):
    assert settings.WIREBOOK_MAX_SIGNUPS_PER_ADDRESS_PER_DAY == 10
    assert settings.ACCOUNT_RATE_LIMITS["signup_per_address"] == "10/d/ip"


@override_settings(ACCOUNT_RATE_LIMITS=DAILY_TWO)
def test_an_address_gets_the_429_page_past_its_daily_signups(db):
    # given two accounts signed up from one address (and a mistyped attempt, which does not count)
    client = Client(REMOTE_ADDR=address())
    assert sign_up(client, "typo@example.com", password="short").status_code == 200
    assert sign_up(client, "one@example.com").status_code == 302
    assert sign_up(client, "two@example.com").status_code == 302

    # when a third signs up from there
    response = sign_up(client, "three@example.com")

    # then they get the 429 page, styled like the rest, and no account
    assert response.status_code == 429
    assert b"Too many attempts" in response.content
    assert b"bootstrap.min.css" in response.content
    assert not get_user_model().objects.filter(email="three@example.com").exists()
    # while another address still signs up
    assert sign_up(Client(REMOTE_ADDR=address()), "elsewhere@example.com").status_code == 302


@override_settings(ACCOUNT_RATE_LIMITS=DAILY_TWO, ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_the_address_it_saw_counts_not_what_the_client_claims(db):
    # given a proxy that appends the address it saw to X-Forwarded-For
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    client_address = address()

    # when one client signs up three times, claiming another address each time
    results = [
        sign_up(proxy, f"claim-{n}@example.com", HTTP_X_FORWARDED_FOR=f"{address()}, {client_address}").status_code
        for n in range(3)
    ]

    # then the third is refused: the trusted entry is the proxy's, and it is the same client
    assert results == [302, 302, 429]
    # and clients behind the same proxy are told apart
    assert sign_up(proxy, "neighbour@example.com", HTTP_X_FORWARDED_FOR=address()).status_code == 302
