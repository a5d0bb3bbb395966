"""`connection.on_rollback` (tenants.db.base), the mirror of Django's on_commit: what a transaction or savepoint
did outside the database is undone when it rolls back, and forgotten when it commits. On real transactions
(`committed`: no test transaction around them)."""

import logging

import pytest
from django.db import connection, transaction


def test_hooks_run_for_what_rolls_back_and_are_forgotten_on_commit(committed):
    ran: list[str] = []

    def hook(name):
        return lambda: ran.append(name)

    # a transaction that commits: forgotten
    with transaction.atomic():
        connection.on_rollback(hook("committed"))
    # a savepoint rolled back runs its own hooks, at once; the transaction rolled back the rest, newest first
    with transaction.atomic():
        connection.on_rollback(hook("outer"))
        with transaction.atomic():
            connection.on_rollback(hook("inner"))
            transaction.set_rollback(True)
        assert ran == ["inner"]
        with transaction.atomic():
            connection.on_rollback(hook("released savepoint"))
        connection.on_rollback(hook("outer, later"))
        transaction.set_rollback(True)
    assert ran == ["inner", "outer, later", "released savepoint", "outer"]
    # outside a transaction nothing can roll back
    connection.on_rollback(hook("autocommit"))
    with transaction.atomic():
        pass
    assert "autocommit" not in ran and "committed" not in ran
    assert connection.run_on_rollback == []


def test_a_failing_hook_is_logged_and_neither_stops_the_others_nor_hides_the_error(committed, caplog):
    ran: list[str] = []

    def broken():
        raise OSError("the storage is down")

    with caplog.at_level(logging.ERROR, logger="tenants.db.base"), pytest.raises(KeyError), transaction.atomic():
        connection.on_rollback(lambda: ran.append("first"))
        connection.on_rollback(broken)
        raise KeyError("the error that rolled it back")

    assert ran == ["first"]
    assert "undoing" in caplog.text and "the storage is down" in caplog.text


def test_a_connection_closed_inside_a_transaction_runs_its_hooks(committed):
    ran: list[str] = []

    with pytest.raises(Exception), transaction.atomic():  # noqa: B017 (whatever the closed connection raises)
        connection.on_rollback(lambda: ran.append("closed"))
        connection.close()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")

    assert ran == ["closed"]
