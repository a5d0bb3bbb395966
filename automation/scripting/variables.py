"""A script's data checked on the server against the variables its module declared (as the sandbox
described them: automation.scripting.runtime.extras.scripts), before any job is queued: NetBox's
per-field errors (`{"count": ["Ensure this value is less than or equal to 5."]}`) for the caller, and
JSON-ready values for the job. The sandbox checks them again when the script runs (objects may have
gone meanwhile)."""

import ipaddress
from decimal import Decimal, InvalidOperation
from typing import Any

from core.context import Actor
from core.patterns import PatternError, user_pattern_match
from core.querysets import restricted
from core.registry import registry

REQUIRED = "This field is required."
INVALID_CHOICE = "Select a valid choice. That choice is not one of the available choices."


class ScriptDataInvalid(ValueError):
    """The data does not fit the variables: `errors` by variable, NetBox's form errors."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _number(variable: dict, value: Any, kind: type) -> Any:
    text = str(value).strip()
    try:
        number: int | Decimal = Decimal(text) if kind is Decimal else int(text)
    except (ValueError, InvalidOperation):
        raise ValueError("Enter a whole number." if kind is int else "Enter a number.") from None
    if isinstance(number, Decimal) and not number.is_finite():
        raise ValueError("Enter a number.")
    low, high = variable.get("min_value"), variable.get("max_value")
    if low is not None and number < Decimal(str(low)):
        raise ValueError(f"Ensure this value is greater than or equal to {low}.")
    if high is not None and number > Decimal(str(high)):
        raise ValueError(f"Ensure this value is less than or equal to {high}.")
    return number if kind is int else str(number)


def _string(variable: dict, value: Any) -> str:
    if not isinstance(value, str | int | float):
        raise ValueError("Enter text.")
    text = str(value)
    low, high = variable.get("min_length"), variable.get("max_length")
    if low is not None and len(text) < low:
        raise ValueError(f"Ensure this value has at least {low} characters (it has {len(text)}).")
    if high is not None and len(text) > high:
        raise ValueError(f"Ensure this value has at most {high} characters (it has {len(text)}).")
    pattern = variable.get("regex")
    if pattern:
        try:
            matched = user_pattern_match(pattern, text)
        except PatternError:
            matched = True  # a pattern RE2 cannot evaluate is checked in the sandbox only
        if not matched:
            raise ValueError("Invalid value.")
    return text


def _choice(variable: dict, value: Any) -> Any:
    if str(value) not in {str(choice[0]) for choice in variable.get("choices") or ()}:
        raise ValueError(f"Select a valid choice. {value} is not one of the available choices.")
    return value


def _object(variable: dict, value: Any, actor: Actor) -> int:
    spec = registry.find_path(variable.get("model"))
    try:
        pk = int(value["id"] if isinstance(value, dict) else value)
    except (KeyError, TypeError, ValueError):
        raise ValueError(INVALID_CHOICE) from None
    if spec is None or not restricted(spec.model, actor, "view").filter(pk=pk).exists():
        raise ValueError(INVALID_CHOICE)
    return pk


def _network(variable: dict, value: Any) -> str:
    network = ipaddress.ip_network(str(value), strict=False)
    low, high = variable.get("min_prefix_length"), variable.get("max_prefix_length")
    if low is not None and network.prefixlen < low:
        raise ValueError(f"Prefix length must be at least {low}.")
    if high is not None and network.prefixlen > high:
        raise ValueError(f"Prefix length must be at most {high}.")
    return str(network)


def _many(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _clean(variable: dict, value: Any, actor: Actor) -> Any:
    kind = variable.get("type")
    if kind == "boolean":
        if isinstance(value, str):
            return value.lower() in ("true", "1", "on", "yes")
        return bool(value if value is not None else variable.get("default"))
    if _empty(value):
        if variable.get("required", True) and variable.get("default") is None:
            raise ValueError(REQUIRED)
        return variable.get("default")
    if kind in ("string", "text"):
        return _string(variable, value)
    if kind == "integer":
        return _number(variable, value, int)
    if kind == "decimal":
        return _number(variable, value, Decimal)
    if kind == "choice":
        return _choice(variable, value)
    if kind == "multichoice":
        return [_choice(variable, item) for item in _many(value)]
    if kind == "object":
        return _object(variable, value, actor)
    if kind == "multiobject":
        return [_object(variable, item, actor) for item in _many(value)]
    if kind == "ipaddress":
        return str(ipaddress.ip_address(str(value)))
    if kind == "ipaddresswithmask":
        return str(ipaddress.ip_interface(str(value)))
    if kind == "ipnetwork":
        return _network(variable, value)
    if kind == "file" and not isinstance(value, str):
        raise ValueError("The submitted data was not a file.")
    return value


def script_data_clean(variables: dict[str, dict], data: Any, actor: Actor) -> dict[str, Any]:
    """`data` checked against `variables` (Script.vars): the values to run with, by variable; raises
    ScriptDataInvalid with every field's errors. Names no variable declares are dropped, as NetBox's
    form drops them."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScriptDataInvalid({"data": ["Expected a dictionary of items."]})
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, variable in variables.items():
        try:
            cleaned[name] = _clean(variable, data.get(name), actor)
        except ValueError as error:
            errors[name] = [str(error) or "Invalid value."]
    if errors:
        raise ScriptDataInvalid(errors)
    return cleaned
