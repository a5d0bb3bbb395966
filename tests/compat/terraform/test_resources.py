"""The Terraform provider's requests, replayed against a live organization (no terraform binary here).

For each resource of tests/compat/terraform/cases.py: the provider's create body -> 201; the object
read back (what its Read does) has every field Read takes and decodes into go-netbox's model (each
value of the JSON type the Go field needs, or null: Go's decoder fails the whole response on one
wrong type); the provider's update body with its method -> 200, stored; DELETE -> 204, then 404.
The go-netbox models' JSON types are in go_netbox_models.json (from netbox/models/*.go, see cases.py).
"""

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.compat.terraform.cases import PREREQUISITES, REF, RESOURCES, TAG, Resource

GO_MODELS: dict[str, dict[str, Any]] = json.loads((Path(__file__).parent / "go_netbox_models.json").read_text())
BY_NAME = {resource.name: resource for resource in RESOURCES}
READ_ONLY = {"created", "last_updated", "connected_endpoints", "link_peers", "nat_outside"}  # sent as null, ignored


class Provider:
    """HTTP as the provider does it: `Authorization: Token`, JSON in and out, one object per call."""

    def __init__(self, base_url: str, token: str):
        self.base = f"{base_url}/api"
        self.session = requests.Session()
        self.session.headers.update(
            {"Authorization": f"Token {token}", "Accept": "application/json", "Content-Type": "application/json"}
        )
        self.ids: dict[str, int] = {}

    def call(self, method: str, path: str, body: Any = None) -> requests.Response:
        data = None if body is None else json.dumps(body)
        return self.session.request(method, f"{self.base}/{path}", data=data, timeout=30)

    def resolve(self, value: Any) -> Any:
        """`REF(name)` -> the id of that object, created first (with its own references) if need be."""
        if isinstance(value, REF):
            return self.ensure(value.name)
        if value is TAG:
            self.ensure("tag")
            return dict(TAG)
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if isinstance(value, dict):
            return {key: self.resolve(item) for key, item in value.items()}
        return value

    def ensure(self, name: str) -> int:
        if name not in self.ids:
            if name in PREREQUISITES:
                path, body = PREREQUISITES[name]
            else:
                path, body = BY_NAME[name].path, BY_NAME[name].create
            response = self.call("POST", f"{path}/", self.resolve(body))
            assert response.status_code == 201, (name, response.status_code, response.text)
            self.ids[name] = response.json()["id"]
        return self.ids[name]


def _decodes(value: Any, go_type: Any, where: str) -> list[str]:
    """Where `value` would fail Go's json.Unmarshal into `go_type` (null fits every Go type)."""
    if value is None or go_type == "any":
        return []
    if isinstance(go_type, list):  # ["list", element type]
        if not isinstance(value, list):
            return [f"{where}: {value!r} is not an array"]
        return [problem for i, item in enumerate(value) for problem in _decodes(item, go_type[1], f"{where}[{i}]")]
    checks = {
        "str": lambda v: isinstance(v, str),
        "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "num": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "bool": lambda v: isinstance(v, bool),
        "obj": lambda v: isinstance(v, dict),
        "datetime": lambda v: isinstance(v, str) and datetime.fromisoformat(v.replace("Z", "+00:00")) is not None,
        "date": lambda v: isinstance(v, str) and date.fromisoformat(v) is not None,
    }
    if go_type in checks:
        return [] if checks[go_type](value) else [f"{where}: {value!r} is not {go_type}"]
    if not isinstance(value, dict):
        return [f"{where}: {value!r} is not an object ({go_type})"]
    fields = GO_MODELS[go_type]
    return [
        problem
        for key, item in value.items()
        if key in fields
        for problem in _decodes(item, fields[key], f"{where}.{key}")
    ]


def _stored(sent: Any, got: Any) -> bool:
    """Whether what the provider sent is what the API now shows (nested objects by id, choices by value)."""
    if isinstance(got, dict) and "value" in got and "label" in got:
        got = got["value"]
    if isinstance(got, dict) and "id" in got and not isinstance(sent, dict):
        got = got["id"]
    if sent == "" and got is None:  # NetBox stores "" of a nullable choice as null
        return True
    if isinstance(sent, list):
        return isinstance(got, list) and len(sent) == len(got) and all(map(_stored, sent, got))
    if isinstance(sent, dict):
        return isinstance(got, dict) and all(_stored(item, got.get(key)) for key, item in sent.items())
    if isinstance(sent, float) or isinstance(got, float):
        return isinstance(got, int | float) and float(got) == float(sent)
    return sent == got


def _read(provider: Provider, resource: Resource, object_id: int) -> dict[str, Any]:
    response = provider.call("GET", f"{resource.path}/{object_id}/")
    assert response.status_code == 200, response.text
    body = response.json()
    assert [name for name in ("id", *resource.reads) if name not in body] == []
    assert _decodes(body, resource.model, resource.model) == []
    return body


@pytest.fixture
def provider(compat):
    return Provider(compat.url, compat.token_v1)


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda resource: resource.name)
def test_the_provider_creates_reads_updates_and_destroys(provider, resource):
    # given what the resource points at
    if "custom_fields" in resource.update:
        provider.ensure("custom_field")
    create, update = provider.resolve(resource.create), provider.resolve(resource.update)

    # when terraform applies, re-applies with changes, and destroys
    created = provider.call("POST", f"{resource.path}/", create)
    assert created.status_code == 201, created.text
    object_id = created.json()["id"]
    after_create = _read(provider, resource, object_id)
    updated = provider.call(resource.update_method, f"{resource.path}/{object_id}/", update)
    assert updated.status_code == 200, updated.text
    after_update = _read(provider, resource, object_id)
    deleted = provider.call("DELETE", f"{resource.path}/{object_id}/")

    # then each step answered as NetBox does and stored what was sent
    assert [
        key for key, value in create.items() if key not in READ_ONLY and not _stored(value, after_create.get(key))
    ] == []
    assert [
        key for key, value in update.items() if key not in READ_ONLY and not _stored(value, after_update.get(key))
    ] == []
    assert deleted.status_code == 204, deleted.text
    assert provider.call("GET", f"{resource.path}/{object_id}/").status_code == 404


def test_the_provider_finds_a_tag_by_name(provider):
    provider.ensure("tag")

    found = provider.call("GET", "extras/tags/?name=Terraform&limit=2")

    assert found.status_code == 200
    assert (found.json()["count"], found.json()["results"][0]["slug"]) == (1, "terraform")


def test_another_organizations_token_and_no_token_change_nothing(compat, provider):
    # given a site the provider created
    site = BY_NAME["site"]
    site_id = provider.ensure("site")
    before = _read(provider, site, site_id)
    other = Provider(compat.url, compat.other_token)
    anonymous = requests.Session()
    update = provider.resolve({**site.update, "asns": [], "tags": []})

    # when another organization's token and no token at all try the provider's calls
    answers = [
        other.call(method, path, body).status_code
        for method, path, body in [
            ("GET", f"{site.path}/{site_id}/", None),
            ("PATCH", f"{site.path}/{site_id}/", update),
            ("DELETE", f"{site.path}/{site_id}/", None),
            ("POST", f"{site.path}/", {**update, "slug": "intruder"}),
        ]
    ]
    anonymous_answers = [
        anonymous.request(method, f"{provider.base}/{site.path}/{site_id}/", json=update, timeout=30).status_code
        for method in ("GET", "PATCH", "DELETE")
    ]

    # then the other organization gets 404, no token 403, and the site is as it was
    assert answers == [404, 404, 404, 404]
    assert anonymous_answers == [403, 403, 403]
    after = _read(provider, site, site_id)
    assert {k: v for k, v in after.items() if k != "last_updated"} == {
        k: v for k, v in before.items() if k != "last_updated"
    }
    assert provider.call("GET", "dcim/sites/?slug=intruder").json()["count"] == 0
