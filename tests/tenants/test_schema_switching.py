"""The schema chosen for a request or task must never outlive it on a reused connection."""

import pytest
from django.db import connection, transaction
from django.test import override_settings

from automation.models import Job
from tenants.context import current_organization, public_context, schema_context, tenant_context


def session_search_path():
    """What the server connection would give the next user of it, outside any transaction."""
    assert connection.connection.info.transaction_status == 0  # idle: no transaction of ours is open
    return connection.connection.execute("SHOW search_path").fetchone()[0]


def job_names(organization):
    with tenant_context(organization):
        return set(Job.objects.values_list("name", flat=True))


@override_settings(WIREBOOK_TENANT_URLCONF="tests.tenants.urls_for_tests")
def test_one_reused_connection_serves_two_organizations_and_a_failed_request(committed):
    # given two organizations and a connection kept open between requests (CONN_MAX_AGE)
    alice, bob = committed.user(), committed.user()
    org_a = committed.organization("switch-a", owner=alice)
    org_b = committed.organization("switch-b", owner=bob)
    client_a, client_b = _client(alice), _client(bob)
    connection.settings_dict["CONN_MAX_AGE"] = 600
    try:
        # when A writes, B writes and fails half-way, then A writes again
        first = client_a.get("/o/switch-a/test/write/?name=a-1")
        failed = client_b.get("/o/switch-b/test/write-then-fail/?name=b-half")
        between = session_search_path()
        third = client_a.get("/o/switch-a/test/write/?name=a-2")
        after = session_search_path()
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = 0

    # then every request ran on the same server connection...
    assert first.status_code == 200 and third.status_code == 200
    assert first.json()["pid"] == third.json()["pid"] == connection.connection.info.backend_pid
    # ...inside its own organization, and nothing of it stayed on the connection
    assert first.json()["search_path"] == '"org_switch_a","public"'
    assert failed.status_code == 500
    assert between == after == "public"
    assert job_names(org_a) == {"a-1", "a-2"}
    assert job_names(org_b) == set()  # the failed request's write was rolled back


def _client(user):
    from django.test import Client

    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def test_context_is_restored_when_the_block_raises(org_a):
    with pytest.raises(ZeroDivisionError), tenant_context(org_a.organization):
        assert current_organization() == org_a.organization
        1 / 0  # noqa: B018

    assert connection.schema_name == "public"
    assert current_organization() is None


def test_nested_contexts_switch_inside_one_transaction(org_a, org_b):
    with tenant_context(org_a.organization):
        Job.objects.create(name="in-a", function="x.y")
        with tenant_context(org_b.organization):
            assert not Job.objects.filter(name="in-a").exists()
            with public_context():
                assert connection.schema_name == "public"
        assert Job.objects.filter(name="in-a").exists()


def test_autocommit_statements_in_an_organization_leave_nothing_behind(committed):
    organization = committed.organization("autocommit")

    with tenant_context(organization):
        Job.objects.create(name="auto", function="x.y")
        assert Job.objects.count() == 1
        assert session_search_path() == "public"

    assert session_search_path() == "public"


def test_savepoint_rollback_does_not_lose_the_schema(org_a):
    with tenant_context(org_a.organization):
        Job.objects.create(name="before", function="x.y")
        try:
            with transaction.atomic():
                Job.objects.create(name="inside", function="x.y")
                raise ValueError
        except ValueError:
            pass
        # The savepoint rollback discarded the transaction-local path; it is set again.
        assert list(Job.objects.values_list("name", flat=True)) == ["before"]


def test_invalid_schema_names_are_refused(db):
    for name in ("pg_catalog", 'x"; drop', "UPPER", ""):
        with pytest.raises(ValueError), schema_context(name):
            pass
    assert connection.schema_name == "public"


def test_jit_compilation_is_off_at_connect_and_in_organization_transactions(org_a):
    """PostgreSQL's JIT compiled a 1,000-device list's expressions on every request, costing more than the
    query: off for the connection, and (behind PgBouncer, which drops startup options) in every transaction
    that selects an organization's schema."""
    assert connection.cursor().connection.execute("SHOW jit").fetchone()[0] == "off"
    with tenant_context(org_a.organization), transaction.atomic():
        Job.objects.exists()  # the schema is applied with the first statement
        assert connection.connection.execute("SHOW jit").fetchone()[0] == "off"


def test_joins_are_planned_in_the_order_written_in_organization_transactions(org_a):
    """Searching the join orders of a device page's 20 joined tables took longer than running the query:
    an organization's transactions keep the order Django writes (the listed table first)."""
    with tenant_context(org_a.organization), transaction.atomic():
        Job.objects.exists()  # the schema, and the setting with it, is applied with the first statement
        assert connection.connection.execute("SHOW join_collapse_limit").fetchone()[0] == "1"
