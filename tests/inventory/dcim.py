"""Requests to organization A's `/api/dcim/` endpoints, for the DCIM tests."""

import json

DCIM = "/o/org-a/api/dcim"


def call(client, method: str, path: str, payload=None):
    """`method` on `/api/dcim<path>`, with `payload` as JSON."""
    if payload is None:
        return getattr(client, method)(f"{DCIM}{path}")
    return getattr(client, method)(f"{DCIM}{path}", json.dumps(payload), content_type="application/json")


def created(response) -> dict:
    assert response.status_code == 201, response.content
    return response.json()


def listed(response, key: str = "name") -> list[str]:
    """The listed objects' `key`, sorted."""
    assert response.status_code == 200, response.content
    return sorted(row[key] for row in response.json()["results"])
