"""Input PostgreSQL cannot store or Python cannot represent, refused as the caller's error (a 400).

PostgreSQL text cannot hold NUL characters and UTF-8 cannot encode unpaired surrogates (which
JSON's `\\ud800` escapes can produce): either one reaching a query is a DataError or a
UnicodeEncodeError, a 500. `RefuseUnstorableInputMiddleware` checks every request once, before
any view reads it: the path, the query string, form fields and JSON bodies. What arrives by other
ways (uploaded files) is checked where it is read, with `unstorable_text`.

Datetimes are parsed with `parse_datetime_bounded`: Django's parser raises ValueError on
`9999-99-99` or a `+99:00` offset, and a value that leaves Python's years 1-9999 once converted to
UTC is stored by PostgreSQL but cannot be read back.
"""

import datetime
import json
import re
from collections.abc import Iterator
from typing import Any

from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.dateparse import parse_date, parse_datetime

MAX_BIGINT = 2**63 - 1  # PostgreSQL's bigint (ids, OFFSET): beyond it a query fails
NULL_CHARACTERS = "Null characters are not allowed."  # as Django's ProhibitNullCharactersValidator says
UNPAIRED_SURROGATES = "Unpaired surrogate characters are not allowed."
_SURROGATE = re.compile("[\ud800-\udfff]")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def unstorable_text(value: str) -> str | None:
    """Why `value` cannot be stored (a message), or None when it can."""
    if "\x00" in value:
        return NULL_CHARACTERS
    if _SURROGATE.search(value):
        return UNPAIRED_SURROGATES
    return None


def _strings(data: Any) -> Iterator[tuple[str | None, str]]:
    """Every string (keys included) in decoded JSON, each with the top-level key it sits under.

    Iterative: a deeply nested document must not exhaust the stack here."""
    stack: list[tuple[str | None, Any]] = [(None, data)]
    if isinstance(data, dict):
        stack = [(str(key), key) for key in data]
        stack += [(str(key), value) for key, value in data.items()]
    while stack:
        top, item = stack.pop()
        if isinstance(item, str):
            yield top, item
        elif isinstance(item, dict):
            stack.extend((top, key) for key in item)
            stack.extend((top, value) for value in item.values())
        elif isinstance(item, list):
            stack.extend((top, value) for value in item)


def unstorable_data(data: Any) -> str | None:
    """Why decoded data (JSON, YAML: dicts, lists, strings) cannot be stored, or None when it can."""
    for _top, text in _strings(data):
        if (message := unstorable_text(text)) is not None:
            return message
    return None


def _json_problems(body: bytes) -> dict[str, list[str]]:
    # A raw NUL or a surrogate cannot appear undecoded in valid JSON (control characters must be
    # escaped; UTF-8 cannot encode surrogates): only bodies with `\u` escapes need a look.
    if b"\\u" not in body:
        return {}
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return {}  # not JSON: the view answers that
    problems: dict[str, list[str]] = {}
    for top, text in _strings(data):
        message = unstorable_text(text)
        if message is not None:
            problems.setdefault(top or "detail", [message])
    return problems


def _params_problems(params) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    for name, values in params.lists():
        if (message := unstorable_text(name)) is not None:
            problems.setdefault("detail", [message])  # a parameter's name is no key to report under
            continue
        for value in values:
            if (message := unstorable_text(value)) is not None:
                problems.setdefault(name, [message])
    return problems


def request_problems(request) -> dict[str, list[str]]:
    """Where the request carries unstorable text: {parameter or field: [message]} ("detail": elsewhere)."""
    message = unstorable_text(request.path)
    if message is not None:
        return {"detail": [message]}
    problems = _params_problems(request.GET)
    content_type = request.content_type or ""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return problems
    if content_type in _FORM_TYPES:
        problems.update(_params_problems(request.POST))
    else:  # the API reads a JSON body whatever its declared type
        problems.update(_json_problems(request.body))
    return problems


# The organizations' API (also under /o/<slug>/ and on their own hosts), GraphQL, the platform API.
_API_PATH = re.compile(r"^(/o/[^/]+)?/(api|graphql)/")


def is_api_path(path: str) -> bool:
    """Whether a request path is one of the APIs', which answer in JSON (errors included)."""
    return _API_PATH.match(path) is not None


class RefuseUnstorableInputMiddleware:
    """A 400 for any request carrying NUL characters or unpaired surrogates (see the module docstring):
    NetBox's shapes on the API (`{"name": ["Null characters are not allowed."]}`, or `{"detail": …}`
    for the path or a JSON list), a page elsewhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request) -> HttpResponse:
        problems = request_problems(request)
        if not problems:
            return self.get_response(request)
        if is_api_path(request.path):
            body: dict[str, Any] = {name: messages for name, messages in problems.items() if name != "detail"}
            if "detail" in problems or not body:
                body = {"detail": problems.get("detail", next(iter(problems.values())))[0]}
            return JsonResponse(body, status=400)
        message = next(iter(problems.values()))[0]
        return HttpResponse(render_to_string("400.html", {"message": message}), status=400)


# -- datetimes ---------------------------------------------------------------------------------


def representable_in_utc(moment: datetime.datetime) -> bool:
    """Whether the moment can be stored in a timestamptz and read back (years 1-9999 in UTC)."""
    if moment.tzinfo is None:
        return True
    try:
        moment.astimezone(datetime.UTC)
    except OverflowError:
        return False
    return True


def parse_datetime_bounded(value: str) -> datetime.datetime | None:
    """An ISO 8601 datetime (or None when it is not one, or is out of range): Django's
    parse_datetime without its ValueErrors, and only moments whose UTC time is within years 1-9999."""
    try:
        moment = parse_datetime(value)
    except ValueError:
        return None
    if moment is None or not representable_in_utc(moment):
        return None
    return moment


def parse_date_bounded(value: str) -> datetime.date | None:
    """An ISO 8601 date, or None (Django's parse_date raises ValueError on `9999-99-99`)."""
    try:
        return parse_date(value)
    except ValueError:
        return None
