"""User-written regular expressions run on RE2 (core.patterns): linear time, no ReDoS.

Issue #9: `validation_regex` `^(a+)+$` and a 26-character value took 3.6 s of a worker's CPU
with Python's `re`, doubling with each character.
"""

import json
import time

import pytest
from django.core.exceptions import ValidationError

from core.context import SYSTEM, acting_as
from core.models import CustomField
from core.patterns import PatternError, compile_user_pattern, user_pattern_match
from core.services import object_create
from inventory.models import Site
from tenants.context import tenant_context

API = "/o/org-a/api"
EVIL = "^(a+)+$"


def _post(client, path, payload):
    return client.post(f"{API}{path}", json.dumps(payload), content_type="application/json")


def _define(client, pattern, name="code"):
    return _post(
        client,
        "/extras/custom-fields/",
        {"name": name, "type": "text", "object_types": ["dcim.site"], "validation_regex": pattern},
    )


def test_the_catastrophic_pattern_answers_at_once(org_a):
    # given the pattern on a custom field
    client = org_a.client()
    assert _define(client, EVIL).status_code == 201

    # when a value that makes a backtracking engine explode is written
    started = time.monotonic()
    response = _post(client, "/dcim/sites/", {"name": "S", "slug": "s", "custom_fields": {"code": "a" * 26 + "!"}})
    elapsed = time.monotonic() - started

    # then it is refused, quickly, and nothing is written
    assert response.status_code == 400
    assert response.json() == {
        "custom_fields": [f"Invalid value for custom field 'code': Value must match regex '{EVIL}'"]
    }
    assert elapsed < 0.5
    with tenant_context(org_a.organization):
        assert not Site.objects.exists()


def test_the_catastrophic_pattern_is_linear_in_the_service_layer(org_a):
    client = org_a.client()
    assert _define(client, EVIL).status_code == 201

    with tenant_context(org_a.organization), acting_as(SYSTEM):
        started = time.monotonic()
        with pytest.raises(ValidationError):
            object_create(model=Site, data={"name": "T", "slug": "t"}, custom_fields={"code": "a" * 26 + "!"})
        site = object_create(model=Site, data={"name": "U", "slug": "u"}, custom_fields={"code": "a" * 5000})
        elapsed = time.monotonic() - started

    assert site.custom_field_data == {"code": "a" * 5000}
    assert elapsed < 0.5


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (r"^(a)\1$", r"invalid escape sequence: \1"),  # backreference
        (r"^a(?=b)", "invalid perl operator: (?="),  # lookahead
        (r"^(?<!x)a", "invalid perl operator: (?<"),  # lookbehind
        ("^(", "missing ): ^("),
    ],
)
def test_patterns_re2_cannot_evaluate_are_refused_when_defined(org_a, pattern, reason):
    response = _define(org_a.client(), pattern)

    assert response.status_code == 400
    [message] = response.json()["validation_regex"]
    assert message.startswith(f"{pattern} is not a valid regular expression: {reason}")
    assert "no backreferences or lookarounds" in message
    with tenant_context(org_a.organization):
        assert not CustomField.objects.exists()


@pytest.mark.parametrize(
    ("pattern", "value", "valid"),
    [
        ("[A-Z]{3}", "AMS-1", True),  # anchored at the start only, as Python's re.match and NetBox
        ("[A-Z]{3}", "x-AMS", False),
        ("^[A-Z]{3}$", "AMS-1", False),
        (r"^[A-Z]{3}\Z", "AMS", True),  # Python's end-of-text escape keeps working
        (r"^[A-Z]{3}\Z", "AMSX", False),
        ("(?i)^ams", "Ams1", True),
        (r"^\d+$", "12345", True),
    ],
)
def test_values_match_from_their_start(org_a, pattern, value, valid):
    client = org_a.client()
    assert _define(client, pattern).status_code == 201

    response = _post(client, "/dcim/sites/", {"name": "S", "slug": "s", "custom_fields": {"code": value}})

    assert response.status_code == (201 if valid else 400), response.content


def test_a_stored_pattern_re2_refuses_rejects_values_without_a_server_error(org_a):
    # given a pattern stored before definitions were checked with RE2
    client = org_a.client()
    assert _define(client, "^x").status_code == 201
    with tenant_context(org_a.organization):
        CustomField.objects.filter(name="code").update(validation_regex=r"^(x)\1")

    response = _post(client, "/dcim/sites/", {"name": "S", "slug": "s", "custom_fields": {"code": "xx"}})

    assert response.status_code == 400
    assert "Value must match regex" in response.json()["custom_fields"][0]


def test_the_pattern_module():
    assert user_pattern_match("b", "ab") is False
    assert user_pattern_match("a", "ab") is True
    assert compile_user_pattern(EVIL) is compile_user_pattern(EVIL)  # compiled once
    with pytest.raises(PatternError, match="invalid perl operator"):
        compile_user_pattern("(?=a)")
