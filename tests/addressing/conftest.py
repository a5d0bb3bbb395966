"""Fixtures the IPAM tests share."""

import pytest


@pytest.fixture
def api(org_a):
    """A logged-in client of organization A's owner."""
    return org_a.client()
