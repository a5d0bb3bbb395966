"""A connection is let go once it served too many organizations or its server process grew too big."""

import logging

import pytest
from django.db import connection, transaction
from django.test import Client, override_settings

from automation.models import Job
from core.tasks import changelog_prune
from tenants.context import schema_context, tenant_context
from tenants.db import base
from tenants.tasks import SCHEMA_HEADER


@pytest.fixture
def limits():
    """Set CONN_MAX_SCHEMAS / CONN_MAX_MEMORY_MB of the default connection for one test."""
    saved = {key: connection.settings_dict.get(key) for key in ("CONN_MAX_SCHEMAS", "CONN_MAX_MEMORY_MB")}

    def set_limits(*, schemas=0, megabytes=0):
        connection.settings_dict["CONN_MAX_SCHEMAS"] = schemas
        connection.settings_dict["CONN_MAX_MEMORY_MB"] = megabytes
        connection.close()  # a fresh server process, counting from nothing

    yield set_limits
    connection.settings_dict.update(saved)
    connection.close()


def backend_pid():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def touch(organization):
    with tenant_context(organization):
        Job.objects.exists()


def test_a_connection_is_closed_when_it_leaves_its_last_allowed_schema(committed, limits):
    # given a limit of two organization schemas per connection
    first, second, third = (committed.organization(f"recycle-{n}") for n in ("a", "b", "c"))
    limits(schemas=2)
    pid = backend_pid()

    # when it serves one, then a second
    touch(first)
    touch(first)
    still_open = connection.connection is not None
    touch(second)

    # then it is closed on leaving the second, and the next query gets a fresh server process
    assert still_open
    assert connection.connection is None
    touch(third)
    assert backend_pid() != pid
    assert connection.schemas_served == {third.schema_name}


def test_nothing_is_closed_inside_a_transaction(committed, limits):
    first, second = committed.organization("in-tx-a"), committed.organization("in-tx-b")
    limits(schemas=1)

    with transaction.atomic():
        touch(first)
        touch(second)
        assert connection.connection is not None  # the transaction goes on
    touch(first)
    assert connection.connection is None  # left after it


@override_settings(WIREBOOK_TENANT_URLCONF="tests.tenants.urls_for_tests")
def test_web_requests_recycle_the_connection_by_the_organizations_they_served(committed, limits):
    # given connections kept between requests, and at most two organizations each
    alice, bob = committed.user(), committed.user()
    committed.organization("web-a", owner=alice)
    committed.organization("web-b", owner=bob)
    clients = {}
    for user in (alice, bob):
        clients[user] = Client(raise_request_exception=False)
        clients[user].force_login(user)
    limits(schemas=2)
    connection.settings_dict["CONN_MAX_AGE"] = 600
    try:
        # when A, B and A again are served
        first = clients[alice].get("/o/web-a/test/write/?name=1").json()["pid"]
        second = clients[bob].get("/o/web-b/test/write/?name=2").json()["pid"]
        third = clients[alice].get("/o/web-a/test/write/?name=3").json()["pid"]
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = 0

    # then the connection that served A and B was closed after B's request
    assert first == second
    assert third != second


def test_celery_tasks_recycle_the_connection_by_the_organizations_they_served(committed, limits):
    first, second = committed.organization("task-a"), committed.organization("task-b")
    limits(schemas=2)
    pid = backend_pid()

    changelog_prune.apply(headers={SCHEMA_HEADER: first.schema_name}).get()
    kept = connection.connection is not None and backend_pid() == pid
    changelog_prune.apply(headers={SCHEMA_HEADER: second.schema_name}).get()

    assert kept
    assert connection.connection is None


def test_a_connection_is_closed_when_its_server_process_holds_too_much_memory(tenants, committed, limits, monkeypatch):
    # given memory read every two schemas
    monkeypatch.setattr(base, "MEMORY_CHECK_EVERY_SCHEMAS", 2)
    org_a, org_b = tenants["a"].organization, tenants["b"].organization
    measured = []

    def note(kind, sql):
        if kind == "memory":
            measured.append(sql)

    # when the limit is far above what it holds
    limits(megabytes=100_000)
    with connection.observe_statements(note):
        touch(org_a)
        no_measure_yet = list(measured)
        touch(org_b)

    # then it was measured once, and kept
    assert no_measure_yet == []
    assert len(measured) == 1
    assert connection.connection is not None
    assert 0.5 < connection.server_memory_mb() < 100_000

    # when the limit is below what any server process holds
    limits(megabytes=1)
    touch(org_a)
    touch(org_b)

    # then it was closed
    assert connection.connection is None


def test_without_the_right_to_read_memory_only_the_schema_limit_applies(
    tenants, committed, limits, caplog, monkeypatch
):
    monkeypatch.setattr(base.DatabaseWrapper, "_memory_warned", False)
    limits(megabytes=1)
    raw = connection.cursor().connection
    raw.execute(
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'wirebook_test_no_stats') "
        "THEN CREATE ROLE wirebook_test_no_stats; END IF; END $$"
    )
    raw.execute("SET ROLE wirebook_test_no_stats")
    try:
        with caplog.at_level(logging.WARNING, logger="tenants.db.base"):
            assert connection.server_memory_mb() is None
            assert connection.server_memory_mb() is None  # asked once, then no more
    finally:
        raw.execute("RESET ROLE")

    assert [record.getMessage() for record in caplog.records if "pg_read_all_stats" in record.getMessage()] != []
    assert len(caplog.records) == 1
    assert connection.close_if_overgrown() is False
    # a new connection asks again (the role may have been granted it meanwhile), without warning again
    connection.close()
    connection.ensure_connection()
    assert connection.server_memory_mb() > 0
    assert len(caplog.records) == 1


def test_public_and_internal_schemas_count_as_served_only_when_not_public(org_a):
    with schema_context("public"):
        Job.objects.none()
    with tenant_context(org_a.organization):
        list(Job.objects.all()[:1])

    assert "public" not in connection.schemas_served
    assert org_a.organization.schema_name in connection.schemas_served
