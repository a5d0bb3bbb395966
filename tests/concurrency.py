"""Two writers of one organization at once, the first holding its transaction open (for the tests
of what the database decides between them: unique values, plan limits)."""

import threading
import time
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction

from tenants.context import tenant_context


def while_first_holds(organization, first: Callable[[], Any], second: Callable[[], Any], hold: float = 0.5) -> dict:
    """Run `first()` in a transaction kept open `hold` seconds after it returns, and `second()` in
    that time, each on its own connection. What `second` did: {"result": ...} or {"error": exception}."""
    written, outcome = threading.Event(), {}

    def run_first():
        try:
            with tenant_context(organization), transaction.atomic():
                first()
                written.set()
                time.sleep(hold)  # the second write runs meanwhile, before this one commits
        finally:
            written.set()
            connection.close()

    def run_second():
        written.wait(10)
        try:
            with tenant_context(organization):
                outcome["result"] = second()
        except Exception as error:
            outcome["error"] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run_first), threading.Thread(target=run_second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    return outcome
