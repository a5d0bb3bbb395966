import pytest

from saas_platform.celery import app as celery_app
from tests.automation.receiver import Receiver


@pytest.fixture
def eager(settings):
    """Tasks run in the caller (their schema), retries at once; addresses on this machine allowed."""
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = True
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def receiver():
    """A real HTTP server on this machine that records what it receives."""
    with Receiver() as running:
        yield running
