"""Rendering config and export templates in the sandbox (automation.sandbox), as NetBox renders them."""

import functools
import json
from collections.abc import Iterator

from django.http import HttpResponse

from automation.sandbox import Sandbox, template_compile, template_stream

DEFAULT_MIME_TYPE = "text/plain; charset=utf-8"


@functools.lru_cache(maxsize=64)
def _environment(params: str) -> Sandbox:
    return Sandbox(**json.loads(params))


def environment_for(template) -> Sandbox:
    """The sandbox with the template's environment options (checked when the template was saved)."""
    return _environment(json.dumps(template.environment_params or {}, sort_keys=True))


def template_check(template) -> None:
    """TemplateError when the template's code does not compile."""
    template_compile(template.template_code, environment_for(template))


def template_stream_for(template, context: dict) -> Iterator[str]:
    return template_stream(template.template_code, context, environment=environment_for(template))


def template_render_for(template, context: dict) -> str:
    return "".join(template_stream_for(template, context))


def file_response(template, content: str, *, default_name: str) -> HttpResponse:
    """NetBox's `render_to_response`: the template's MIME type, as an attachment named after it if it says so.
    Rendered whole first (within TEMPLATE_MAX_OUTPUT), so that a failing render answers an error, not half a file."""
    response = HttpResponse(content, content_type=template.mime_type or DEFAULT_MIME_TYPE)
    if template.as_attachment:
        name = template.file_name or default_name
        if template.file_extension:
            name = f"{name}.{template.file_extension}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
