"""What an API request costs before its view runs, and that the cached lookups behind it (issue #11)
never outlive a change: a revoked token, a removed member, a new role, a deactivated user, a new
password or a new SSO requirement take effect with the very next request."""

import json
import uuid

import pytest
from allauth.socialaccount.models import SocialApp
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client

from core import filters
from tenants import authcache
from tenants.context import connection, public_context
from tenants.members import membership_remove, membership_role_change
from tenants.models import Membership, MembershipRole, SSOConfiguration
from tenants.services import organization_deletion_schedule
from tenants.tokens import token_create, token_revoke

# Transaction control and schema selection: the whole per-request overhead of a token request, and
# of a session's (its session, user, membership and the organization's SSO rule come from the cache).
OVERHEAD = ["begin", "set_config", "commit"]


def statements_outside_the_view(client: Client, path: str, monkeypatch) -> list[str]:
    """The kinds of statements a request sends that are not the list view's own queries."""
    log: list[str] = []
    original = filters.filter_queryset

    def marked(*args, **kwargs):  # the list view's first step that leads to its own queries
        log.append("view")
        return original(*args, **kwargs)

    monkeypatch.setattr(filters, "filter_queryset", marked)
    with connection.observe_statements(lambda kind, sql: log.append(kind)):
        response = client.get(path)
    assert response.status_code == 200, response.content
    view = log.index("view")
    return log[:view] + [kind for kind in log[view + 1 :] if kind != "query"]


def sites(slug: str) -> str:
    return f"/o/{slug}/api/dcim/sites/"


@pytest.fixture
def organization(committed):
    """Requests commit for real here (outside the test's transaction), as in production. A slug of
    its own per test: a dropped organization's slug stays uncached for a while (a tombstone)."""
    owner = committed.user()
    return committed.organization(f"overhead-{uuid.uuid4().hex[:8]}", owner=owner), owner


def test_a_token_request_costs_three_statements_besides_its_view(organization, monkeypatch):
    org, owner = organization
    _, token = token_create(organization=org, user=owner)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    client.get(sites(org.slug))  # the first request of a token fills the caches

    assert statements_outside_the_view(client, sites(org.slug), monkeypatch) == OVERHEAD


def logged_in(user) -> Client:
    """A session of `user`, as it is once the login is older than the tombstone its last_login
    update left in the cache (tenants.authcache.TOMBSTONE_TTL)."""
    client = Client()
    client.force_login(user)
    with public_context():
        cache.delete(authcache.user_key(user.pk))
    return client


@pytest.mark.parametrize("role", [MembershipRole.OWNER, MembershipRole.EDITOR])  # owners skip the SSO rule
def test_a_session_request_costs_three_statements_besides_its_view(organization, monkeypatch, committed, role):
    org, owner = organization
    user = owner if role == MembershipRole.OWNER else committed.user()
    if role != MembershipRole.OWNER:
        Membership.objects.create(user=user, organization=org, role=role)
    client = logged_in(user)
    client.get(sites(org.slug))  # the first request of a session fills the caches

    assert statements_outside_the_view(client, sites(org.slug), monkeypatch) == OVERHEAD


def cache_round_trips(monkeypatch) -> list:
    """The commands of each round trip to Redis (a pipeline is one) while the block runs."""
    import redis.client

    trips: list = []
    command, pipeline = redis.client.Redis.execute_command, redis.client.Pipeline.execute

    def one(self, *args, **options):
        trips.append([args[0]])
        return command(self, *args, **options)

    def many(self, *args, **options):
        trips.append([queued[0][0] for queued in self.command_stack])
        return pipeline(self, *args, **options)

    monkeypatch.setattr(redis.client.Redis, "execute_command", one)
    monkeypatch.setattr(redis.client.Pipeline, "execute", many)
    return trips


def test_a_token_request_reads_the_cache_in_one_round_trip(organization, monkeypatch):
    # given a token that has been used (its process knows which last-used mark it asks for)
    org, owner = organization
    _, token = token_create(organization=org, user=owner)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    client.get(sites(org.slug))

    # when it lists sites (custom field definitions included)
    trips = cache_round_trips(monkeypatch)
    assert client.get(sites(org.slug)).status_code == 200

    # then its organization, token, configuration generations and last-used mark came in one round trip
    assert trips == [["MGET", "SET"]]


def test_a_refused_request_leaves_no_last_used_mark(org_a):
    # given a token used before, whose last-used mark has expired
    token, plaintext = token_create(organization=org_a.organization, user=org_a.owner)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert client.get(sites("org-a")).status_code == 200
    with public_context():
        cache.delete(authcache.token_used_key(token.pk))

    # when a request with it is refused
    token.enabled = False
    token.save()
    assert client.get(sites("org-a")).json() == {"detail": "Token disabled"}

    # then the mark read ahead with it is gone: the next admitted use records last_used
    with public_context():
        assert cache.get(authcache.token_used_key(token.pk)) is None


def test_no_health_check_per_request(organization, monkeypatch):
    org, owner = organization
    _, token = token_create(organization=org, user=owner)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    client.get(sites(org.slug))

    assert "health" not in statements_outside_the_view(client, sites(org.slug), monkeypatch)


# -- the cached lookups follow every change -----------------------------------------------------


def member(org, role):
    user = get_user_model().objects.create_user(f"{role}-overhead@example.com")
    membership = Membership.objects.create(user=user, organization=org.organization, role=role)
    _, token = token_create(organization=org.organization, user=user)
    return membership, Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def session_member(org, role):
    user = get_user_model().objects.create_user(f"{role}-session@example.com", password="a long enough password")
    membership = Membership.objects.create(user=user, organization=org.organization, role=role)
    return membership, logged_in(user)


def create_site(client: Client, slug: str, name: str):
    return client.post(sites(slug), json.dumps({"name": name, "slug": name}), content_type="application/json")


def test_a_revoked_token_loses_access_with_the_next_request(org_a):
    token, plaintext = token_create(organization=org_a.organization, user=org_a.owner)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert client.get(sites("org-a")).status_code == 200

    token_revoke(token=token)

    response = client.get(sites("org-a"))
    assert (response.status_code, response.json()) == (403, {"detail": "Invalid v2 token"})


def test_a_disabled_token_loses_access_with_the_next_request(org_a):
    token, plaintext = token_create(organization=org_a.organization, user=org_a.owner)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert client.get(sites("org-a")).status_code == 200

    token.enabled = False
    token.save()

    assert client.get(sites("org-a")).json() == {"detail": "Token disabled"}


def test_a_removed_member_loses_access_with_the_next_request(org_a):
    membership, client = member(org_a, MembershipRole.EDITOR)
    assert client.get(sites("org-a")).status_code == 200

    membership_remove(membership=membership, by=org_a.owner)

    response = client.get(sites("org-a"))
    assert (response.status_code, response.json()) == (403, {"detail": "Invalid v2 token"})


def test_a_new_role_applies_with_the_next_request(org_a):
    membership, client = member(org_a, MembershipRole.VIEWER)
    assert create_site(client, "org-a", "refused").status_code == 403

    membership_role_change(membership=membership, role=MembershipRole.EDITOR, by=org_a.owner)
    assert create_site(client, "org-a", "allowed").status_code == 201

    membership_role_change(membership=membership, role=MembershipRole.VIEWER, by=org_a.owner)
    assert create_site(client, "org-a", "refused-again").status_code == 403


def test_a_deactivated_user_loses_access_with_the_next_request(org_a):
    membership, client = member(org_a, MembershipRole.EDITOR)
    assert client.get(sites("org-a")).status_code == 200

    membership.user.is_active = False
    membership.user.save()

    assert client.get(sites("org-a")).json() == {"detail": "User inactive"}


def test_a_removed_member_loses_their_session_access_with_the_next_request(org_a):
    membership, client = session_member(org_a, MembershipRole.EDITOR)
    assert client.get(sites("org-a")).status_code == 200

    membership_remove(membership=membership, by=org_a.owner)

    assert client.get(sites("org-a")).status_code == 404


def test_a_new_role_applies_to_a_session_with_the_next_request(org_a):
    membership, client = session_member(org_a, MembershipRole.VIEWER)
    client.get(sites("org-a"))
    assert client.post(sites("org-a"), {"name": "refused", "slug": "refused"}, "application/json").status_code == 403

    membership_role_change(membership=membership, role=MembershipRole.EDITOR, by=org_a.owner)

    created = client.post(sites("org-a"), {"name": "allowed", "slug": "allowed"}, "application/json")
    assert created.status_code == 201


def test_a_deactivated_user_loses_their_session_with_the_next_request(org_a):
    membership, client = session_member(org_a, MembershipRole.EDITOR)
    assert client.get(sites("org-a")).status_code == 200

    membership.user.is_active = False
    membership.user.save()

    assert client.get(sites("org-a")).json() == {"detail": "Authentication credentials were not provided."}


def test_a_new_password_ends_the_other_sessions_with_their_next_request(org_a):
    membership, client = session_member(org_a, MembershipRole.EDITOR)
    assert client.get(sites("org-a")).status_code == 200

    membership.user.set_password("another long password")
    membership.user.save()

    assert client.get(sites("org-a")).json() == {"detail": "Authentication credentials were not provided."}


def test_a_new_sso_requirement_applies_to_sessions_with_the_next_request(org_a):
    _, client = session_member(org_a, MembershipRole.EDITOR)
    app = SocialApp.objects.create(provider="openid_connect", provider_id="org-org-a", name="A", client_id="a")
    configuration = SSOConfiguration.objects.create(organization=org_a.organization, protocol="oidc", app=app)
    assert client.get(sites("org-a")).status_code == 200

    configuration.require_sso = True
    configuration.save()

    assert client.get(sites("org-a")).json() == {"detail": "This organization requires single sign-on."}


def test_an_organization_pending_deletion_closes_with_the_next_request(org_a):
    _, plaintext = token_create(organization=org_a.organization, user=org_a.owner)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert client.get(sites("org-a")).status_code == 200

    organization_deletion_schedule(organization=org_a.organization, by=org_a.owner, confirmation="org-a")

    response = client.get(sites("org-a"))
    assert (response.status_code, response.json()) == (403, {"detail": "This organization is scheduled for deletion."})


@pytest.mark.parametrize("caller", ["token of B", "member of B", "anonymous"])
def test_cached_lookups_never_open_another_organization(org_a, org_b, caller):
    _, token_b = token_create(organization=org_b.organization, user=org_b.owner)
    clients = {
        "token of B": Client(HTTP_AUTHORIZATION=f"Bearer {token_b}"),
        "member of B": org_b.client(),
        "anonymous": Client(),
    }
    client = clients[caller]
    owner_a = Client(HTTP_AUTHORIZATION=f"Bearer {token_create(organization=org_a.organization, user=org_a.owner)[1]}")
    assert owner_a.get(sites("org-a")).status_code == 200  # org A's entries are cached
    assert client.get(sites("org-b")).status_code in (200, 403)  # and B's, for B's callers

    response = client.get(sites("org-a"))
    created = create_site(client, "org-a", "intruder")

    assert response.status_code in (403, 404) and created.status_code in (403, 404)
    assert "results" not in response.json()
    assert owner_a.get(f"{sites('org-a')}?slug=intruder").json()["count"] == 0
