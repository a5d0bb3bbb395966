import threading

import pytest
from django.db import OperationalError, connection, connections, transaction

from tenants.context import tenant_context
from tenants.locks import advisory_lock_id, advisory_xact_lock


def test_lock_ids_differ_per_organization_and_name():
    ids = {advisory_lock_id(name, schema) for name in ("prefix:1", "prefix:2") for schema in ("org_a", "org_b")}
    assert len(ids) == 4
    assert advisory_lock_id("prefix:1", "org_a") == advisory_lock_id("prefix:1", "org_a")


def test_the_lock_needs_a_transaction(committed):
    with pytest.raises(RuntimeError, match="transaction"):
        advisory_xact_lock("prefix:1")


def _try_lock_elsewhere(organization, name):
    """From another connection: can `name` be taken in `organization` within 0.2 s?"""
    outcome = {}

    def run():
        try:
            with tenant_context(organization), transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '200ms'")
                advisory_xact_lock(name)
                outcome["locked"] = True
        except OperationalError:
            outcome["locked"] = False
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return outcome["locked"]


def test_organizations_never_wait_on_each_other(committed):
    org_a, org_b = committed.organization("lock-a"), committed.organization("lock-b")

    with tenant_context(org_a), transaction.atomic():
        advisory_xact_lock("prefix:10.0.0.0/24")

        assert _try_lock_elsewhere(org_b, "prefix:10.0.0.0/24") is True
        assert _try_lock_elsewhere(org_a, "prefix:10.0.0.0/24") is False
        assert _try_lock_elsewhere(org_a, "prefix:10.0.1.0/24") is True

    # released at commit
    assert _try_lock_elsewhere(org_a, "prefix:10.0.0.0/24") is True
