"""JSON Schema documents that members write (NetBox's module type profiles): checked and applied
offline, with linear-time regular expressions.

A schema is a user's text run on the server, so: `$ref` never fetches anything (no requests to
addresses a member chose), and `pattern` uses a regex engine without backtracking (no ReDoS).
"""

from typing import Any

import jsonschema_rs
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _no_retrieval(uri: str):
    raise ValueError(f"schemas are not fetched ({uri}); define them inline under $defs")


def compile_schema(schema: dict[str, Any]):
    """A validator for `schema`, or a ValidationError saying why it is not a JSON Schema."""
    if not isinstance(schema, dict):
        raise ValidationError(_("Invalid JSON schema definition"))
    try:
        return jsonschema_rs.validator_for(
            schema, retriever=_no_retrieval, pattern_options=jsonschema_rs.RegexOptions()
        )
    except (jsonschema_rs.ValidationError, jsonschema_rs.ReferencingError, ValueError) as error:
        reason = str(error).strip().splitlines()[0]
        raise ValidationError(_("Invalid JSON schema definition: {error}").format(error=reason)) from None


def schema_check(schema) -> None:
    """A model field validator: empty, or a JSON Schema (NetBox's `validate_schema`)."""
    if schema in (None, ""):
        return
    compile_schema(schema)


def schema_validate(schema: dict[str, Any], instance: Any) -> None:
    """Raise a ValidationError (NetBox's words) if `instance` does not follow `schema`."""
    try:
        compile_schema(schema).validate(instance)
    except jsonschema_rs.ValidationError as error:
        where = "/".join(str(part) for part in error.instance_path)
        message = f"{error.message} (at {where})" if where else error.message
        raise ValidationError(_("Invalid schema: {error}").format(error=message)) from None
