import hashlib
import hmac
import re
import threading
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tenants import authcache, tokens
from tenants.context import current_schema_name, public_context, tenant_context
from tenants.models import Membership, MembershipRole, Token
from tenants.tokens import (
    TokenAuthenticationFailed,
    TokenForAnotherOrganization,
    TokenNotProvided,
    authenticate_token,
    token_can_write,
    token_create,
    token_revoke,
)

V2_PLAINTEXT = re.compile(r"^nbt_(?P<key>[A-Za-z0-9]{12})\.(?P<secret>[A-Za-z0-9]{40})\Z")
V1_PLAINTEXT = re.compile(r"^[0-9a-f]{40}\Z")
IP = "203.0.113.9"


def pynetbox_header(token: str) -> str:
    """The `Authorization` value pynetbox 7.8+ sends: `Bearer` for v2 tokens, `Token` otherwise."""
    return f"Bearer {token}" if token.startswith("nbt_") else f"Token {token}"


def auth(header, organization, client_ip=IP):
    return authenticate_token(header, organization=organization, client_ip=client_ip)


def failure(header, organization, client_ip=IP) -> str:
    with pytest.raises(TokenAuthenticationFailed) as error:
        auth(header, organization, client_ip)
    return error.value.detail


def stored_row(token) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT row_to_json(t)::text FROM public.tenants_token t WHERE id = %s", [token.pk])
        return cursor.fetchone()[0]


@pytest.fixture
def v2(org_a):
    return token_create(organization=org_a.organization, user=org_a.owner, description="CI")


@pytest.fixture
def v1(org_a):
    return token_create(organization=org_a.organization, user=org_a.owner, version=1)


# -- creating ------------------------------------------------------------------------------------


def test_a_v2_token_is_shown_once_and_stored_as_a_digest_only(org_a, v2):
    token, plaintext = v2

    match = V2_PLAINTEXT.match(plaintext)
    assert match, plaintext
    assert token.version == 2 and token.key == match["key"]
    expected = hmac.new(django_settings.API_TOKEN_PEPPER.encode(), match["secret"].encode(), hashlib.sha256)
    assert token.digest == expected.hexdigest()
    row = stored_row(token)
    assert match["secret"] not in row and plaintext not in row
    assert (token.organization, token.user, token.description) == (org_a.organization, org_a.owner, "CI")
    assert token.enabled and token.write_enabled and token.allowed_ips == [] and token.last_used is None


def test_a_v1_token_is_40_hex_and_stored_as_a_digest_only(v1):
    token, plaintext = v1

    assert V1_PLAINTEXT.match(plaintext), plaintext
    assert token.version == 1 and token.key is None
    assert plaintext not in stored_row(token)
    assert plaintext not in token.digest


def test_every_token_is_different(org_a):
    made = [token_create(organization=org_a.organization, user=org_a.owner, version=v) for v in (1, 1, 2, 2)]

    assert len({plaintext for _, plaintext in made}) == 4
    assert len({token.digest for token, _ in made}) == 4


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"expires": timedelta(seconds=-1)}, "expires", "must be in the future"),
        ({"allowed_ips": ["192.0.2.0/33"]}, "allowed_ips", "'192.0.2.0/33' is not a network in CIDR notation"),
        ({"allowed_ips": ["not-an-ip"]}, "allowed_ips", "'not-an-ip' is not a network"),
        ({"allowed_ips": ["192.0.2.7/24"]}, "allowed_ips", "host bits set; did you mean 192.0.2.0/24?"),
        ({"allowed_ips": "192.0.2.0/24"}, "allowed_ips", "Enter a list of networks"),
    ],
)
def test_bad_values_are_refused_clearly(org_a, kwargs, field, message):
    if "expires" in kwargs:
        kwargs["expires"] = timezone.now() + kwargs["expires"]
    count = Token.objects.count()

    with pytest.raises(ValidationError) as error:
        token_create(organization=org_a.organization, user=org_a.owner, **kwargs)

    assert message in " ".join(error.value.message_dict[field])
    assert Token.objects.count() == count


def test_a_naive_expiry_is_refused(org_a):
    with pytest.raises(ValidationError) as error:
        token_create(organization=org_a.organization, user=org_a.owner, expires=timezone.now().replace(tzinfo=None))

    assert "time zone" in " ".join(error.value.message_dict["expires"])


def test_only_members_get_tokens(org_a, org_b):
    with pytest.raises(ValidationError) as error:
        token_create(organization=org_a.organization, user=org_b.owner)

    assert error.value.message_dict["user"] == ["The user is not a member of this organization."]
    assert not Token.objects.filter(user=org_b.owner).exists()


def test_allowed_ips_are_normalised(org_a):
    token, _ = token_create(
        organization=org_a.organization,
        user=org_a.owner,
        allowed_ips=[" 192.0.2.7", "2001:DB8::/32", "192.0.2.7/32", "10.0.0.0/8"],
    )

    token.refresh_from_db()
    assert token.allowed_ips == ["192.0.2.7/32", "2001:db8::/32", "10.0.0.0/8"]


def test_tokens_can_be_created_and_used_from_inside_an_organization(org_a):
    with tenant_context(org_a.organization):
        token, plaintext = token_create(organization=org_a.organization, user=org_a.owner)
        result = auth(pynetbox_header(plaintext), org_a.organization)
        assert current_schema_name() == org_a.organization.schema_name

    assert result.token == token and result.user == org_a.owner


# -- authenticating --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    ["Bearer {}", "Token {}", "bearer {}", "TOKEN {}", "  Bearer \t{}  "],
    ids=["bearer", "token", "lowercase", "uppercase", "whitespace"],
)
@pytest.mark.parametrize("version", [1, 2])
def test_both_keywords_work_for_both_versions_as_in_netbox(org_a, header, version):
    token, plaintext = token_create(organization=org_a.organization, user=org_a.owner, version=version)

    result = auth(header.format(plaintext), org_a.organization)

    assert result == tokens.TokenAuth(user=org_a.owner, token=token)


@pytest.mark.parametrize("version", [1, 2])
def test_what_pynetbox_sends_is_accepted(org_a, version):
    token, plaintext = token_create(organization=org_a.organization, user=org_a.owner, version=version)

    assert pynetbox_header(plaintext).startswith("Bearer nbt_" if version == 2 else "Token ")
    assert auth(pynetbox_header(plaintext), org_a.organization).token == token


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        (None, "Authentication credentials were not provided."),
        ("", "Authentication credentials were not provided."),
        ("Basic dXNlcjpwYXNz", "Authentication credentials were not provided."),
        ("Token", 'Invalid authorization header: Must be in the form "Bearer <key>.<token>" or "Token <token>"'),
        ("Token a b", 'Invalid authorization header: Must be in the form "Bearer <key>.<token>" or "Token <token>"'),
        ("Token caf\u00e9", "Invalid authorization header: Token contains invalid characters"),
        (
            "Bearer nbt_abcdefabcdef",
            "Invalid authorization header: Could not parse key from v2 token. "
            "Did you mean to use 'Token' instead of 'Bearer'?",
        ),
        ("Token " + "0" * 40, "Invalid v1 token"),
        ("Bearer " + "0" * 40, "Invalid v1 token"),
        ("Bearer nbt_XXXXXX.XXXXXXXXXX", "Invalid v2 token"),
        ("Bearer nbt_.", "Invalid v2 token"),
    ],
)
def test_bad_headers_get_netboxs_exact_messages(org_a, v1, v2, header, detail):
    assert failure(header, org_a.organization) == detail


def test_a_missing_token_can_be_told_from_a_bad_one(org_a):
    with pytest.raises(TokenNotProvided):
        auth("Basic dXNlcjpwYXNz", org_a.organization)
    with pytest.raises(TokenAuthenticationFailed) as error:
        auth("Token nope", org_a.organization)
    assert not isinstance(error.value, TokenNotProvided)


def test_a_known_key_with_the_wrong_secret_is_an_invalid_token(org_a, v2):
    token, plaintext = v2

    assert failure(f"Bearer nbt_{token.key}.{'x' * 40}", org_a.organization) == "Invalid v2 token"
    assert failure(f"Bearer {plaintext}x", org_a.organization) == "Invalid v2 token"


def test_a_v2_secret_alone_is_not_a_v1_token(org_a, v2):
    _, plaintext = v2
    secret = V2_PLAINTEXT.match(plaintext)["secret"]

    assert failure(f"Token {secret}", org_a.organization) == "Invalid v1 token"


def test_a_v1_token_must_match_exactly(org_a, v1):
    _, plaintext = v1

    assert failure(f"Token {plaintext.upper()}", org_a.organization) == "Invalid v1 token"
    assert failure(f"Token {plaintext[:-1]}", org_a.organization) == "Invalid v1 token"


@pytest.mark.parametrize("version", [1, 2])
def test_a_disabled_token_is_refused(org_a, version):
    token, plaintext = token_create(organization=org_a.organization, user=org_a.owner, version=version)
    token.enabled = False
    token.save()  # as an admin would: through the model, which invalidates the cached token

    assert failure(pynetbox_header(plaintext), org_a.organization) == "Token disabled"


@pytest.mark.parametrize("version", [1, 2])
def test_an_expired_token_is_refused(org_a, version):
    token, plaintext = token_create(
        organization=org_a.organization, user=org_a.owner, version=version, expires=timezone.now() + timedelta(hours=1)
    )
    assert auth(pynetbox_header(plaintext), org_a.organization).token == token

    token.expires = timezone.now() - timedelta(seconds=1)
    token.save()

    assert failure(pynetbox_header(plaintext), org_a.organization) == "Token expired"


@pytest.mark.parametrize("version", [1, 2])
def test_a_revoked_token_is_refused(org_a, version):
    token, plaintext = token_create(organization=org_a.organization, user=org_a.owner, version=version)

    token_revoke(token=token)

    assert not Token.objects.filter(pk=token.pk).exists()
    assert failure(pynetbox_header(plaintext), org_a.organization) == f"Invalid v{version} token"


@pytest.mark.parametrize("version", [1, 2])
def test_a_token_dies_with_its_users_membership(org_a, version):
    _, plaintext = token_create(organization=org_a.organization, user=org_a.owner, version=version)

    Membership.objects.filter(user=org_a.owner, organization=org_a.organization).delete()

    assert failure(pynetbox_header(plaintext), org_a.organization) == f"Invalid v{version} token"


def test_a_membership_in_another_organization_does_not_count(org_a, org_b):
    Membership.objects.create(user=org_b.owner, organization=org_a.organization, role=MembershipRole.EDITOR)
    _, plaintext = token_create(organization=org_a.organization, user=org_b.owner)
    Membership.objects.filter(user=org_b.owner, organization=org_a.organization).delete()

    assert Membership.objects.filter(user=org_b.owner, organization=org_b.organization).exists()
    assert failure(pynetbox_header(plaintext), org_a.organization) == "Invalid v2 token"


def test_an_inactive_users_token_is_refused(org_a, v2):
    _, plaintext = v2
    owner = type(org_a.owner).objects.get(pk=org_a.owner.pk)  # not the session's shared instance
    owner.is_active = False
    owner.save()

    assert failure(pynetbox_header(plaintext), org_a.organization) == "User inactive"


def test_a_token_without_a_user_authenticates_as_nobody(org_a):
    token, plaintext = token_create(organization=org_a.organization, user=None)

    assert auth(pynetbox_header(plaintext), org_a.organization) == tokens.TokenAuth(user=None, token=token)


def test_tokens_depend_on_the_pepper(org_a, v2, settings):
    _, plaintext = v2

    settings.API_TOKEN_PEPPER = "another pepper, as after a rotation" * 2

    assert failure(pynetbox_header(plaintext), org_a.organization) == "Invalid v2 token"


# -- source networks -----------------------------------------------------------------------------


@pytest.fixture
def restricted(org_a):
    return token_create(
        organization=org_a.organization, user=org_a.owner, allowed_ips=["192.0.2.0/24", "2001:db8:1::/48"]
    )


@pytest.mark.parametrize(
    "client_ip", ["192.0.2.1", "192.0.2.255", "2001:db8:1::1", "2001:DB8:1:ffff::9", "::ffff:192.0.2.7"]
)
def test_allowed_networks_admit(org_a, restricted, client_ip):
    token, plaintext = restricted

    assert auth(pynetbox_header(plaintext), org_a.organization, client_ip).token == token


@pytest.mark.parametrize("client_ip", ["192.0.3.1", "198.51.100.7", "2001:db8:2::1", "::1", "::ffff:192.0.3.1"])
def test_other_networks_are_refused(org_a, restricted, client_ip):
    _, plaintext = restricted

    detail = failure(pynetbox_header(plaintext), org_a.organization, client_ip)

    assert detail == f"Source IP {client_ip} is not permitted to authenticate using this token."


@pytest.mark.parametrize("client_ip", ["", "unknown", "192.0.2.1, 10.0.0.1"])
def test_an_unknown_client_ip_is_refused_when_networks_are_set(org_a, restricted, v2, client_ip):
    _, plaintext = restricted

    assert failure(pynetbox_header(plaintext), org_a.organization, client_ip) == (
        "Client IP address could not be determined for validation. Check that the HTTP server is correctly "
        "configured to pass the required header(s)."
    )
    assert auth(pynetbox_header(v2[1]), org_a.organization, client_ip).token == v2[0]  # no networks: any


# -- organizations ---------------------------------------------------------------------------------


@pytest.mark.parametrize("routed", ["a", "unknown"])
@pytest.mark.parametrize("version", [1, 2])
def test_another_organizations_token_is_not_found_whether_or_not_the_organization_exists(org_a, org_b, routed, version):
    # given a valid token of B
    _, plaintext = token_create(organization=org_b.organization, user=org_b.owner, version=version)
    organization = org_a.organization if routed == "a" else None

    # when it is used on A, or on an organization that does not exist
    with pytest.raises(TokenForAnotherOrganization):
        auth(pynetbox_header(plaintext), organization)

    # then the outcome is the same; and invalid tokens fail the same way on both
    assert not issubclass(TokenForAnotherOrganization, TokenAuthenticationFailed)
    assert failure(pynetbox_header(plaintext + "0"), organization) == f"Invalid v{version} token"
    assert auth(pynetbox_header(plaintext), org_b.organization).user == org_b.owner


@pytest.mark.parametrize("routed", ["a", "unknown"])
def test_another_organizations_disabled_or_expired_token_is_not_found_either(org_a, org_b, routed):
    token, plaintext = token_create(organization=org_b.organization, user=org_b.owner)
    token.enabled, token.expires = False, timezone.now() - timedelta(days=1)
    token.save()

    with pytest.raises(TokenForAnotherOrganization):
        auth(pynetbox_header(plaintext), org_a.organization if routed == "a" else None)


# -- last used -----------------------------------------------------------------------------------


def test_last_used_is_written_at_most_once_a_minute(org_a, v2, django_assert_num_queries):
    token, plaintext = v2

    # the first use writes it: one SELECT, one UPDATE whose WHERE decides
    with CaptureQueriesContext(connection) as queries:
        first = auth(pynetbox_header(plaintext), org_a.organization).token.last_used
    updates = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
    assert len(queries) == 2 and len(updates) == 1
    assert "last_used IS NULL OR last_used <=" in updates[0]
    token.refresh_from_db()
    assert token.last_used == first is not None

    # a use within the minute writes nothing (and reads the token from the cache)
    with django_assert_num_queries(0):
        auth(pynetbox_header(plaintext), org_a.organization)
    token.refresh_from_db()
    assert token.last_used == first

    # a use after it does
    Token.objects.filter(pk=token.pk).update(last_used=first - timedelta(seconds=61))
    with public_context():
        cache.delete(authcache.token_used_key(token.pk))  # the minute has passed
    later = auth(pynetbox_header(plaintext), org_a.organization).token.last_used
    token.refresh_from_db()
    assert token.last_used == later > first


def test_a_stale_read_never_overwrites_a_fresher_last_used(org_a, v2):
    # given a request that read last_used before another request wrote it
    token, _ = v2
    fresh = timezone.now()
    Token.objects.filter(pk=token.pk).update(last_used=fresh)
    token.last_used = fresh - timedelta(minutes=5)

    # when it records its use
    tokens._touch_last_used(token, fresh + timedelta(seconds=30))

    # then the UPDATE's WHERE finds the row fresh and leaves it alone
    token.refresh_from_db()
    assert token.last_used == fresh


def test_concurrent_uses_do_not_wait_for_each_other(committed):
    # given a token whose last_used is being written by a request that has not finished
    owner = committed.user()
    organization = committed.organization("token-race", owner=owner)
    _, plaintext = token_create(organization=organization, user=owner)
    header = pynetbox_header(plaintext)
    holding, release = threading.Event(), threading.Event()
    errors = []

    def slow_request():
        try:
            with transaction.atomic():
                auth(header, organization)
                holding.set()
                release.wait(10)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
            holding.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=slow_request)
    thread.start()
    try:
        assert holding.wait(10)

        # when another request uses the token meanwhile, then it is not held up by the row lock
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            result = auth(header, organization)
    finally:
        release.set()
        thread.join()

    assert errors == []
    assert result.user == owner
    assert Token.objects.get(pk=result.token.pk).last_used is not None


# -- write access --------------------------------------------------------------------------------


def test_read_only_tokens_may_only_read(org_a):
    _, ro_plaintext = token_create(organization=org_a.organization, user=org_a.owner, write_enabled=False)
    _, rw_plaintext = token_create(organization=org_a.organization, user=org_a.owner)
    ro = auth(pynetbox_header(ro_plaintext), org_a.organization)
    rw = auth(pynetbox_header(rw_plaintext), org_a.organization)

    for method in ("GET", "HEAD", "OPTIONS", "get"):
        assert token_can_write(ro, method) and token_can_write(rw, method)
    for method in ("POST", "PUT", "PATCH", "DELETE", "post"):
        assert not token_can_write(ro, method)
        assert token_can_write(rw, method)
    assert tokens.WRITE_NOT_PERMITTED == "This token does not permit write operations."


# -- the create_token command --------------------------------------------------------------------


def test_create_token_prints_the_token_once(org_a, capsys):
    call_command("create_token", "org-a", "--user", "OWNER-A@example.com", "--description", "deploy")

    out, err = capsys.readouterr()
    plaintext = out.strip()
    assert V2_PLAINTEXT.match(plaintext) and out == plaintext + "\n"
    assert "cannot be shown again" in err and plaintext not in err
    token = auth(pynetbox_header(plaintext), org_a.organization).token
    assert (token.description, token.write_enabled, token.expires, token.allowed_ips) == ("deploy", True, None, [])


def test_create_token_options(org_a, capsys):
    call_command(
        "create_token",
        "org-a",
        "--user=owner-a@example.com",
        "--v1",
        "--read-only",
        "--expires=2999-01-31",
        "--allowed-ip=192.0.2.0/24",
        "--allowed-ip=2001:db8::1",
    )

    plaintext = capsys.readouterr().out.strip()
    assert V1_PLAINTEXT.match(plaintext)
    token = auth(f"Token {plaintext}", org_a.organization, "192.0.2.1").token
    assert not token.write_enabled
    assert token.expires.isoformat() == "2999-01-31T00:00:00+00:00"
    assert token.allowed_ips == ["192.0.2.0/24", "2001:db8::1/128"]


def test_create_token_reads_an_expiry_with_a_time_zone(org_a, capsys):
    call_command("create_token", "org-a", "--user=owner-a@example.com", "--expires=2999-01-31T18:00:00+01:00")

    token = auth(pynetbox_header(capsys.readouterr().out.strip()), org_a.organization).token
    assert token.expires.isoformat() == "2999-01-31T17:00:00+00:00"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["no-such-org", "--user=owner-a@example.com"], "No organization with slug 'no-such-org'"),
        (["org-a", "--user=nobody@example.com"], "No user with email 'nobody@example.com'"),
        (["org-a", "--user=owner-b@example.com"], "user: The user is not a member of this organization."),
        (["org-a", "--user=owner-a@example.com", "--expires=next tuesday"], "is not an ISO 8601 date"),
        (["org-a", "--user=owner-a@example.com", "--expires=2999-02-30"], "is not an ISO 8601 date"),
        (["org-a", "--user=owner-a@example.com", "--expires=2001-01-01"], "expires: The expiry time must be in"),
        (["org-a", "--user=owner-a@example.com", "--allowed-ip=10.0.0.0/33"], "allowed_ips: '10.0.0.0/33' is not"),
    ],
)
def test_create_token_errors(org_a, org_b, capsys, arguments, message):
    count = Token.objects.count()

    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("create_token", *arguments)

    assert Token.objects.count() == count
    assert capsys.readouterr().out == ""
