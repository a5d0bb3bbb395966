"""NetBox's condition language for event rules, evaluated against an event's data.

A condition is `{"attr": "status.value", "value": "active", "op": "eq", "negate": false}`: `attr` a
dotted path into the object's REST representation, `op` one of eq (default), gt, gte, lt, lte, in,
contains and regex. Conditions combine into sets, `{"and": [...]}` or `{"or": [...]}`, nested at will.
Regular expressions run through core.patterns (linear time, checked when the rule is saved).
"""

from collections.abc import Mapping
from typing import Any

from core.patterns import PatternError, compile_user_pattern, user_pattern_match

OPERATORS = ("eq", "gt", "gte", "lt", "lte", "in", "contains", "regex")
LOGIC = ("and", "or")
MAX_DEPTH = 16


class ConditionError(ValueError):
    """The conditions are not valid NetBox conditions; `str()` says why."""


def conditions_check(conditions: Any) -> None:
    """Raise ConditionError when `conditions` (None: always true) is not a valid condition or set."""
    if conditions is None or conditions == {}:
        return
    _check(conditions, depth=0)


def _check(node: Any, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise ConditionError(f"Conditions nest at most {MAX_DEPTH} levels deep.")
    if not isinstance(node, Mapping):
        raise ConditionError(f"A condition must be a JSON object, not {type(node).__name__}.")
    logic = [key for key in node if key in LOGIC]
    if logic:
        if len(node) != 1:
            raise ConditionError('A condition set has exactly one key, "and" or "or".')
        members = node[logic[0]]
        if not isinstance(members, list) or not members:
            raise ConditionError(f'"{logic[0]}" must be a non-empty list of conditions.')
        for member in members:
            _check(member, depth + 1)
        return
    unknown = set(node) - {"attr", "value", "op", "negate"}
    if unknown:
        raise ConditionError(f"Unknown condition keys: {', '.join(sorted(map(str, unknown)))}.")
    if "attr" not in node or "value" not in node:
        raise ConditionError('A condition needs "attr" and "value".')
    if not isinstance(node["attr"], str) or not node["attr"]:
        raise ConditionError('"attr" must be a dotted attribute path such as "status.value".')
    op = node.get("op", "eq")
    if op not in OPERATORS:
        raise ConditionError(f'Unknown operator "{op}": use one of {", ".join(OPERATORS)}.')
    if not isinstance(node.get("negate", False), bool):
        raise ConditionError('"negate" must be true or false.')
    value = node["value"]
    if op == "in" and not isinstance(value, list):
        raise ConditionError('The "in" operator needs a list value.')
    if op in ("gt", "gte", "lt", "lte") and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise ConditionError(f'The "{op}" operator needs a number.')
    if op == "regex":
        if not isinstance(value, str):
            raise ConditionError('The "regex" operator needs a regular expression as text.')
        try:
            compile_user_pattern(value)
        except PatternError as error:
            raise ConditionError(f"Invalid regular expression: {error}") from None


def _lookup(data: Any, attr: str) -> Any:
    for part in attr.split("."):
        if not isinstance(data, Mapping):
            return None
        data = data.get(part)
    return data


def _compare(op: str, actual: Any, expected: Any) -> bool:
    if op == "eq":
        return actual == expected
    if op == "in":
        return actual in expected
    if op == "contains":
        if isinstance(actual, str):
            return isinstance(expected, str) and expected in actual
        return isinstance(actual, list | tuple) and expected in actual
    if op == "regex":
        return isinstance(actual, str) and user_pattern_match(expected, actual)
    if isinstance(actual, bool) or not isinstance(actual, int | float):
        return False
    return {"gt": actual > expected, "gte": actual >= expected, "lt": actual < expected, "lte": actual <= expected}[op]


def conditions_met(conditions: Any, data: Mapping[str, Any]) -> bool:
    """Whether `data` satisfies `conditions` (checked with conditions_check when saved; None: true)."""
    if conditions is None or conditions == {}:
        return True
    if "and" in conditions:
        return all(conditions_met(member, data) for member in conditions["and"])
    if "or" in conditions:
        return any(conditions_met(member, data) for member in conditions["or"])
    result = _compare(conditions.get("op", "eq"), _lookup(data, conditions["attr"]), conditions["value"])
    return result != conditions.get("negate", False)
