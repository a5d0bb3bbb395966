"""Requests to organization A's `/api/ipam/` endpoints, for the IPAM tests."""

import json

from tests.inventory.dcim import created

__all__ = ["call", "created", "listed"]

IPAM = "/o/org-a/api/ipam"


def call(client, method: str, path: str, payload=None):
    """`method` on `/api/ipam<path>`, with `payload` as JSON."""
    if payload is None:
        return getattr(client, method)(f"{IPAM}{path}")
    return getattr(client, method)(f"{IPAM}{path}", json.dumps(payload), content_type="application/json")


def listed(response, key: str) -> list:
    """The listed objects' `key`, in the order listed."""
    assert response.status_code == 200, response.content
    return [row[key] for row in response.json()["results"]]
