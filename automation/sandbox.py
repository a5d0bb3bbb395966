"""The one Jinja2 environment for everything an organization writes as a template: webhooks, config
templates, export templates.

Jinja2's immutable sandbox, narrowed further:

- Attributes: only an allow-list. Plain data (strings, numbers, lists, dicts, dates, IP addresses) offer
  their read-only methods; a model object its fields, relations and properties; a relation or query
  its read-only query methods. Anything else -- and every name starting with `_` -- is undefined, so
  `{{ ''.__class__.__mro__ }}` reaches nothing.
- Output: at most `TEMPLATE_MAX_OUTPUT` characters; rendering stops there.
- Time: at most `TEMPLATE_MAX_SECONDS`; every loop step over `range`, every call and every chunk of
  output checks the deadline, and too deep a recursion ends the render too.
- Memory: `*` and `**` and the padding filters refuse results past the output limit.

A render that breaks a limit raises `TemplateLimit` (a `jinja2.TemplateError`), whose message says which.
"""

import contextvars
import datetime
import decimal
import functools
import inspect
import ipaddress
import operator
import time
import uuid
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import DatabaseError, models
from jinja2 import TemplateError, filters
from jinja2.sandbox import ImmutableSandboxedEnvironment

STRING_METHODS = frozenset({
    "capitalize", "casefold", "count", "endswith", "find", "index", "isalnum", "isalpha", "isdigit", "islower",
    "isnumeric", "isspace", "istitle", "isupper", "lower", "lstrip", "partition", "removeprefix", "removesuffix",
    "replace", "rfind", "rindex", "rpartition", "rsplit", "rstrip", "split", "splitlines", "startswith", "strip",
    "swapcase", "title", "upper",
})  # fmt: skip
DICT_METHODS = frozenset({"get", "items", "keys", "values"})
SEQUENCE_METHODS = frozenset({"count", "index"})
NUMBER_ATTRIBUTES = frozenset({"real", "imag", "is_integer"})
DATE_ATTRIBUTES = frozenset({
    "year", "month", "day", "hour", "minute", "second", "microsecond", "tzinfo", "date", "time", "isoformat",
    "strftime", "weekday", "isoweekday", "timestamp",
})  # fmt: skip
ADDRESS_ATTRIBUTES = frozenset({
    "version", "ip", "network", "netmask", "hostmask", "prefixlen", "network_address", "broadcast_address",
    "with_prefixlen", "with_netmask", "with_hostmask", "compressed", "exploded", "is_private", "is_global",
    "is_loopback", "is_multicast", "is_link_local", "num_addresses", "max_prefixlen",
})  # fmt: skip
# What a template may ask of a relation (`device.interfaces.all()`) or a query: reads only.
QUERY_METHODS = frozenset({"all", "filter", "exclude", "order_by", "count", "exists", "first", "last", "get"})


class TemplateLimit(TemplateError):
    """A render broke one of the sandbox's limits (output size, time, recursion, value size)."""


_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("wirebook_template_deadline", default=None)


def _check_time() -> None:
    deadline = _deadline.get()
    if deadline is not None and time.monotonic() > deadline:
        raise TemplateLimit(f"The template took longer than {settings.TEMPLATE_MAX_SECONDS} seconds to render.")


def _bounded(size: int) -> None:
    if size > settings.TEMPLATE_MAX_OUTPUT:
        raise TemplateLimit(f"The template would make a value longer than {settings.TEMPLATE_MAX_OUTPUT} characters.")


def _range(*args: int) -> Iterator[int]:
    """`range`, checking the deadline at every step: loops that make no output still end."""
    numbers = range(*args)
    if len(numbers) > settings.TEMPLATE_MAX_OUTPUT:
        raise TemplateLimit(f"A range may hold at most {settings.TEMPLATE_MAX_OUTPUT} numbers.")
    for number in numbers:
        _check_time()
        yield number


def _sized(value: Any) -> int:
    return len(value) if isinstance(value, str | bytes | list | tuple) else 0


def _multiply(left: Any, right: Any) -> Any:
    for sequence, times in ((left, right), (right, left)):
        if _sized(sequence) and isinstance(times, int):
            _bounded(_sized(sequence) * times)
    return operator.mul(left, right)


def _power(left: Any, right: Any) -> Any:
    if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 256:
        raise TemplateLimit("An exponent may be at most 256.")
    return operator.pow(left, right)


def _padding(function):
    """A filter that pads to a width (center, indent, wordwrap): the width is bounded like the output."""

    @functools.wraps(function)
    def bounded(value, width=80, *args, **kwargs):
        if isinstance(width, int):
            _bounded(width)
        return function(value, width, *args, **kwargs)

    return bounded


def _format(value, *args, **kwargs):
    for arg in (*args, *kwargs.values()):
        if isinstance(arg, int):
            _bounded(arg)
    if "*" in str(value):  # "%*s" takes its width from the arguments
        raise TemplateLimit("The format filter takes no width from its arguments.")
    return filters.do_format(value, *args, **kwargs)


@functools.cache
def _model_attributes(model: type[models.Model]) -> frozenset[str]:
    """What a template may read of a model object: its fields and relations (forward and reverse), their
    ids, `pk`, the choice labels (`get_status_display`), and the properties its class declares."""
    names = {"pk"}
    for field in model._meta.get_fields():
        if field.auto_created and not field.concrete:
            accessor = field.get_accessor_name()  # type: ignore[union-attr]
            if accessor:
                names.add(accessor)
            continue
        names.add(field.name)
        attname = getattr(field, "attname", None)
        if attname:
            names.add(attname)
        if getattr(field, "choices", None):
            names.add(f"get_{field.name}_display")
    for klass in model.__mro__:
        if klass is models.Model:
            break
        for name, value in vars(klass).items():
            if not name.startswith("_") and isinstance(value, property | functools.cached_property):
                names.add(name)
    return frozenset(names)


class Sandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, **options):
        super().__init__(autoescape=False, **options)
        self.globals["range"] = _range
        self.filters.update(
            center=_padding(filters.do_center),
            indent=_padding(filters.do_indent),
            wordwrap=_padding(filters.do_wordwrap),
            format=_format,
        )
        self.policies["json.dumps_kwargs"] = {"sort_keys": False, "default": str}

    def call_binop(self, context, operator_name, left, right):
        if operator_name == "*":
            return _multiply(left, right)
        if operator_name == "**":
            return _power(left, right)
        return super().call_binop(context, operator_name, left, right)

    def call(self, __context, __obj, *args, **kwargs):
        _check_time()
        return super().call(__context, __obj, *args, **kwargs)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if attr.startswith("_") or not super().is_safe_attribute(obj, attr, value):
            return False
        if isinstance(obj, models.Model):
            return attr in _model_attributes(type(obj))
        if isinstance(obj, models.Manager | models.QuerySet):
            return attr in QUERY_METHODS
        if isinstance(obj, str):
            return attr in STRING_METHODS
        if isinstance(obj, dict):
            return attr in DICT_METHODS
        if isinstance(obj, list | tuple):
            return attr in SEQUENCE_METHODS
        if isinstance(obj, datetime.date | datetime.time):
            return attr in DATE_ATTRIBUTES
        if isinstance(obj, int | float | decimal.Decimal):
            return attr in NUMBER_ATTRIBUTES
        if isinstance(obj, ipaddress._BaseAddress | ipaddress._BaseNetwork) or type(obj).__module__.startswith(
            ("netaddr", "ipaddress")
        ):
            return attr in ADDRESS_ATTRIBUTES
        if isinstance(obj, uuid.UUID):
            return attr in {"hex"}
        return False

    def is_safe_callable(self, obj: Any) -> bool:
        if inspect.isclass(obj):  # a class is a door to its subclasses and module
            return False
        return super().is_safe_callable(obj)


SANDBOX = Sandbox()


def template_compile(source: str, environment: Sandbox = SANDBOX):
    """The compiled template; TemplateError (with Jinja2's message and line) when it does not compile."""
    return environment.from_string(source or "")


def template_render(source: str, context: dict, *, environment: Sandbox = SANDBOX) -> str:
    """Render `source` with `context` inside the sandbox's limits (TemplateLimit when one is broken;
    another TemplateError when the template is wrong)."""
    return "".join(template_stream(source, context, environment=environment))


def template_stream(source: str, context: dict, *, environment: Sandbox = SANDBOX) -> Iterator[str]:
    """The render in chunks, for a response that streams (the limits hold across the whole stream)."""
    template = template_compile(source, environment)
    limit = settings.TEMPLATE_MAX_OUTPUT
    token = _deadline.set(time.monotonic() + settings.TEMPLATE_MAX_SECONDS)
    written = 0
    try:
        chunks = template.generate(**context)
        while True:
            try:
                chunk = next(chunks)
            except StopIteration:
                return
            except RecursionError:
                raise TemplateLimit("The template recursed too deeply.") from None
            except (TemplateError, DatabaseError):
                raise
            except Exception as error:  # the template's own mistake (1/0, a failed lookup): said, not a 500
                raise TemplateError(f"{type(error).__name__}: {error}") from None
            written += len(chunk)
            if written > limit:
                raise TemplateLimit(f"The rendered output is longer than {limit} characters.")
            _check_time()
            yield chunk
    finally:
        try:
            _deadline.reset(token)
        except ValueError:  # a streamed response finished in another context: its own value ends with it
            _deadline.set(None)
