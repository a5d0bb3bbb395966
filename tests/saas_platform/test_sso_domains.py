"""Verifying SSO email domains by DNS TXT record (tenants.sso.domains): the settings page's
"Verify now", the periodic re-check (Celery beat) and its grace for lookups that get no answer.
Lookups go over UDP to a DNS server on loopback (tests/dns_server.py)."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from django.utils import timezone

from saas_platform.settings import dns_nameservers
from tenants.models import AuditAction, MembershipRole, SSOEmailDomain
from tenants.sso.domains import domain_txt_record, sso_domains_recheck
from tenants.tasks import sso_domains_recheck as sso_domains_recheck_task
from tests.saas_platform.sso_flows import (
    ALICE,
    client_of,
    configure_oidc,
    events,
    member,
    settings_url,
    visitor,
)
from tests.saas_platform.test_beat import housekeeping_schedule


def verify_now(org, domain: str, client: Client | None = None):
    return (client or org.client()).post(f"{settings_url(org)}verify-domain/", {"domain": domain})


def row(org, domain: str = "a.example") -> SSOEmailDomain:
    return SSOEmailDomain.objects.get(configuration__organization=org.organization, domain=domain)


def checked_long_ago(org, domain: str = "a.example") -> None:
    SSOEmailDomain.objects.filter(pk=row(org, domain).pk).update(
        last_checked_at=timezone.now() - timedelta(hours=django_settings.SSO_DOMAIN_RECHECK_HOURS + 1)
    )


def routes(email: str) -> bool:
    return visitor().post("/login/sso/", {"organization": email}).status_code == 302


# --- Verify now ----------------------------------------------------------------------------------


def test_the_settings_page_shows_the_record_to_publish_and_verify_now_verifies(org_a, oidc, dns):
    # given a claimed domain
    configuration = configure_oidc(org_a, oidc, domains="a.example", verify=False)
    record = domain_txt_record(configuration, "a.example")
    page = org_a.client().get(settings_url(org_a)).content.decode()
    assert record in page and record.startswith("wirebook-verification=")
    assert "Not verified" in page
    assert not routes(ALICE.email)

    # when "Verify now" finds nothing, then it says so
    client = org_a.client()
    response = verify_now(org_a, "a.example", client)
    assert response.status_code == 302
    assert (
        "a.example is not verified: The domain does not exist in the DNS."
        in client.get(settings_url(org_a)).content.decode()
    )
    assert row(org_a).verified_at is None and row(org_a).last_checked_at is not None

    # when the record is published (among others), then it verifies
    dns.publish("a.example", "v=spf1 -all")
    dns.publish("a.example", record)
    verify_now(org_a, "a.example", client)
    assert row(org_a).verified_at is not None
    assert "Verified" in client.get(settings_url(org_a)).content.decode()
    [event] = events(org_a, AuditAction.SSO_DOMAIN_VERIFIED)
    assert event.target == "a.example" and event.actor == org_a.owner
    assert routes(ALICE.email)
    assert ("a.example", "TXT") in dns.queries


def test_a_record_with_another_token_does_not_verify(org_a, oidc, dns):
    configure_oidc(org_a, oidc, domains="a.example", verify=False)
    dns.publish("a.example", "wirebook-verification=guessed")

    verify_now(org_a, "a.example")

    assert row(org_a).verified_at is None
    assert "do not include the verification record" in row(org_a).check_result


def test_verify_now_during_an_outage_keeps_a_verified_domain(org_a, oidc, dns):
    configure_oidc(org_a, oidc, domains="a.example")
    dns.mode = "timeout"

    for _ in range(django_settings.SSO_DOMAIN_MAX_FAILED_CHECKS + 1):
        verify_now(org_a, "a.example")

    assert row(org_a).verified_at is not None
    assert row(org_a).check_result == "The DNS lookup timed out."


def test_saving_the_settings_again_keeps_the_verification(org_a, oidc, dns):
    configure_oidc(org_a, oidc, domains="a.example")
    verified_at = row(org_a).verified_at

    configure_oidc(org_a, oidc, domains="a.example\nnew.example", role="viewer", verify=False)

    assert row(org_a).verified_at == verified_at
    assert row(org_a, "new.example").verified_at is None


def test_removing_a_domain_drops_its_verification(org_a, oidc, dns):
    configure_oidc(org_a, oidc, domains="a.example")
    assert routes(ALICE.email)

    configure_oidc(org_a, oidc, domains="other.example", verify=False)

    assert not routes(ALICE.email)
    assert not SSOEmailDomain.objects.filter(domain="a.example").exists()


@override_settings(ACCOUNT_RATE_LIMITS={"sso_domain_verify": "2/m/user"})
def test_verify_now_is_rate_limited(org_a, oidc, dns):
    configure_oidc(org_a, oidc, domains="a.example", verify=False)
    client = org_a.client()
    for _ in range(2):
        assert verify_now(org_a, "a.example", client).status_code == 302

    assert verify_now(org_a, "a.example", client).status_code == 429


def test_outsiders_and_non_managers_cannot_verify(org_a, org_b, oidc, dns):
    configuration = configure_oidc(org_a, oidc, domains="a.example", verify=False)
    dns.publish("a.example", domain_txt_record(configuration, "a.example"))
    viewer = client_of(member(org_a, MembershipRole.VIEWER, "viewer@a.example"))

    assert verify_now(org_a, "a.example", visitor()).status_code == 302  # to the login page
    assert verify_now(org_a, "a.example", org_b.client()).status_code == 404
    assert verify_now(org_a, "a.example", viewer).status_code == 403
    # B cannot verify A's claim through its own page either
    configure_oidc(org_b, oidc, domains="b.example", verify=False)
    client = org_b.client()
    verify_now(org_b, "a.example", client)
    assert "not one of your email domains" in client.get(settings_url(org_b)).content.decode()

    assert row(org_a).verified_at is None and row(org_a).last_checked_at is None
    assert not dns.queries
    assert not events(org_a, AuditAction.SSO_DOMAIN_VERIFIED)


# --- The periodic re-check -----------------------------------------------------------------------


def test_a_record_that_disappears_unverifies_the_domain(org_a, oidc, dns):
    # given a verified domain whose last check is older than the interval
    configure_oidc(org_a, oidc, domains="a.example")
    checked_long_ago(org_a)

    # when its record is gone and the beat task runs
    dns.unpublish("a.example")
    assert sso_domains_recheck_task.apply().get() == 1

    # then the domain is unverified, with an audit event, and routes no logins
    assert row(org_a).verified_at is None
    [event] = events(org_a, AuditAction.SSO_DOMAIN_VERIFICATION_LOST)
    assert event.target == "a.example" and event.actor is None
    assert "does not exist" in event.data["reason"]
    assert not routes(ALICE.email)


def test_a_record_still_there_keeps_the_domain_verified(org_a, oidc, dns):
    configure_oidc(org_a, oidc, domains="a.example")
    verified_at = row(org_a).verified_at
    checked_long_ago(org_a)

    [check] = sso_domains_recheck()

    assert check.verified
    assert row(org_a).verified_at == verified_at
    assert row(org_a).last_checked_at > verified_at
    assert not events(org_a, AuditAction.SSO_DOMAIN_VERIFICATION_LOST)


@pytest.mark.parametrize("mode", ["timeout", "servfail"])
def test_a_lookup_without_an_answer_unverifies_only_after_several_in_a_row(org_a, oidc, dns, settings, mode):
    settings.SSO_DOMAIN_MAX_FAILED_CHECKS = 2
    configure_oidc(org_a, oidc, domains="a.example")

    # a first failure keeps the domain
    dns.mode = mode
    checked_long_ago(org_a)
    [check] = sso_domains_recheck()
    assert check.verified and row(org_a).failed_checks == 1
    assert routes(ALICE.email)

    # an answer in between starts counting again
    dns.mode = None
    checked_long_ago(org_a)
    sso_domains_recheck()
    assert row(org_a).failed_checks == 0

    # two failures in a row unverify it
    dns.mode = mode
    for _ in range(2):
        checked_long_ago(org_a)
        sso_domains_recheck()
    assert row(org_a).verified_at is None
    [event] = events(org_a, AuditAction.SSO_DOMAIN_VERIFICATION_LOST)
    assert "2 lookups in a row failed" in event.data["reason"]


def test_the_recheck_is_bounded_and_skips_domains_checked_recently(org_a, org_b, oidc, dns):
    configure_oidc(org_a, oidc, domains="a.example\na2.example\na3.example")
    configure_oidc(org_b, oidc, domains="b.example")
    for domain in ("a.example", "a2.example", "a3.example"):
        checked_long_ago(org_a, domain)
    dns.queries.clear()

    first = sso_domains_recheck(limit=2)
    second = sso_domains_recheck(limit=2)
    third = sso_domains_recheck(limit=2)

    assert len(first) == 2 and len(second) == 1 and third == []
    assert sorted(check.domain for check in first + second) == ["a.example", "a2.example", "a3.example"]
    assert ("b.example", "TXT") not in dns.queries  # verified a moment ago: not due


def test_unverified_domains_are_not_rechecked(org_a, oidc, dns):
    configure_oidc(org_a, oidc, domains="a.example", verify=False)
    SSOEmailDomain.objects.update(last_checked_at=timezone.now() - timedelta(days=30))

    assert sso_domains_recheck() == []
    assert not dns.queries


def test_the_recheck_runs_on_celery_beat():
    entry = housekeeping_schedule()[sso_domains_recheck_task.name]

    assert entry["task"] == sso_domains_recheck_task.name
    assert entry["schedule"] <= 60 * 60


# --- Settings ------------------------------------------------------------------------------------


def test_dns_nameservers_are_parsed_and_checked(monkeypatch):
    monkeypatch.setenv("SSO_DNS_NAMESERVERS", "192.0.2.53, 192.0.2.54:5353,[2001:db8::53]:53,2001:db8::1")
    assert dns_nameservers("SSO_DNS_NAMESERVERS") == [
        ("192.0.2.53", 53),
        ("192.0.2.54", 5353),
        ("2001:db8::53", 53),
        ("2001:db8::1", 53),
    ]
    monkeypatch.setenv("SSO_DNS_NAMESERVERS", "dns.example")
    with pytest.raises(ImproperlyConfigured, match="must list IP addresses"):
        dns_nameservers("SSO_DNS_NAMESERVERS")
