"""NetBox's condition language for event rules, as data: (conditions, data, expected)."""

import pytest

from automation.conditions import ConditionError, conditions_check, conditions_met

SITE = {
    "name": "AMS1",
    "status": {"value": "active", "label": "Active"},
    "tags": [{"name": "core"}],
    "tag_names": ["core", "edge"],
    "asn": 65001,
    "tenant": None,
    "description": "Amsterdam primary",
}

CASES = [
    (None, True),
    ({}, True),
    ({"attr": "status.value", "value": "active"}, True),
    ({"attr": "status.value", "value": "active", "op": "eq"}, True),
    ({"attr": "status.value", "value": "planned"}, False),
    ({"attr": "status.value", "value": "active", "negate": True}, False),
    ({"attr": "status.value", "value": ["planned", "active"], "op": "in"}, True),
    ({"attr": "status.value", "value": ["planned"], "op": "in"}, False),
    ({"attr": "tag_names", "value": "edge", "op": "contains"}, True),
    ({"attr": "tag_names", "value": "dmz", "op": "contains"}, False),
    ({"attr": "description", "value": "primary", "op": "contains"}, True),
    ({"attr": "name", "value": "^AMS\\d+$", "op": "regex"}, True),
    ({"attr": "name", "value": "^FRA", "op": "regex"}, False),
    ({"attr": "name", "value": "^FRA", "op": "regex", "negate": True}, True),
    ({"attr": "asn", "value": 65000, "op": "gt"}, True),
    ({"attr": "asn", "value": 65001, "op": "gte"}, True),
    ({"attr": "asn", "value": 65001, "op": "lt"}, False),
    ({"attr": "asn", "value": 70000, "op": "lte"}, True),
    ({"attr": "tenant.name", "value": "Acme"}, False),  # through a null: no value
    ({"attr": "tenant", "value": None}, True),
    ({"attr": "missing.deeper", "value": "x"}, False),
    ({"attr": "name", "value": 1, "op": "gt"}, False),  # text is not a number
    ({"and": [{"attr": "status.value", "value": "active"}, {"attr": "asn", "value": 65001}]}, True),
    ({"and": [{"attr": "status.value", "value": "active"}, {"attr": "asn", "value": 1}]}, False),
    ({"or": [{"attr": "status.value", "value": "planned"}, {"attr": "asn", "value": 65001}]}, True),
    ({"or": [{"attr": "status.value", "value": "planned"}, {"attr": "asn", "value": 1}]}, False),
    (
        {
            "and": [
                {"or": [{"attr": "name", "value": "^FRA", "op": "regex"}, {"attr": "name", "value": "AMS1"}]},
                {"attr": "status.value", "value": "retired", "negate": True},
            ]
        },
        True,
    ),
]


@pytest.mark.parametrize(("conditions", "expected"), CASES)
def test_conditions_evaluate_as_netbox_does(conditions, expected):
    conditions_check(conditions)
    assert conditions_met(conditions, SITE) is expected


INVALID = [
    ([], "must be a JSON object"),
    ("status", "must be a JSON object"),
    ({"attr": "status"}, 'needs "attr" and "value"'),
    ({"value": 1}, 'needs "attr" and "value"'),
    ({"attr": "", "value": 1}, "dotted attribute path"),
    ({"attr": "a", "value": 1, "op": "like"}, 'Unknown operator "like"'),
    ({"attr": "a", "value": "x", "op": "in"}, 'The "in" operator needs a list'),
    ({"attr": "a", "value": "x", "op": "gt"}, 'The "gt" operator needs a number'),
    ({"attr": "a", "value": True, "op": "lt"}, 'The "lt" operator needs a number'),
    ({"attr": "a", "value": 1, "op": "regex"}, "regular expression as text"),
    ({"attr": "a", "value": "(a+)\\1", "op": "regex"}, "Invalid regular expression"),
    ({"attr": "a", "value": "(?=x)", "op": "regex"}, "Invalid regular expression"),
    ({"attr": "a", "value": 1, "negate": "yes"}, '"negate" must be true or false'),
    ({"attr": "a", "value": 1, "extra": 2}, "Unknown condition keys: extra"),
    ({"and": []}, "non-empty list"),
    ({"or": {"attr": "a", "value": 1}}, "non-empty list"),
    ({"and": [{"attr": "a", "value": 1}], "or": [{"attr": "a", "value": 1}]}, "exactly one key"),
    ({"and": [{"attr": "a", "value": 1}], "attr": "b"}, "exactly one key"),
    ({"and": ["x"]}, "must be a JSON object"),
]


@pytest.mark.parametrize(("conditions", "message"), INVALID)
def test_invalid_conditions_are_refused_with_a_reason(conditions, message):
    with pytest.raises(ConditionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        conditions_check(conditions)


def test_conditions_nest_only_so_deep():
    conditions: dict = {"attr": "a", "value": 1}
    for _ in range(20):
        conditions = {"and": [conditions]}
    with pytest.raises(ConditionError, match="nest at most"):
        conditions_check(conditions)
