"""Sending one webhook delivery: templates rendered in Jinja2's sandbox, signed, through tenants.outbound.

What a receiver gets, as NetBox sends it: the method and URL of the webhook (the URL a template), the
content type, the additional headers (templates, one `Name: Value` per line), and the body -- the
body template rendered, or else the event as JSON (`event`, `timestamp`, `object_type`, `model`,
`username`, `request_id`, `data`, `snapshots`). With a secret, `X-Hook-Signature` is the HMAC-SHA512
hex digest of the body keyed with it. Wirebook adds `Idempotency-Key`, the same on every retry and
redelivery of one delivery, so a receiver can drop the duplicates that at-least-once delivery allows.
"""

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from jinja2 import TemplateError

from automation.sandbox import Sandbox, template_render
from tenants.outbound import DestinationRefused, OutboundError, outbound_session

SIGNATURE_HEADER = "X-Hook-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_RESPONSE_BYTES = 256 * 1024
LOGGED_BODY_CHARS = 2000  # of the receiver's answer, in the delivery log
RETRY_CODES = {408, 425, 429, 500, 502, 503, 504}


def _header_safe(value: Any) -> str:
    """NetBox's `header_safe` filter: no line breaks, so a value cannot start a header of its own."""
    return str(value).replace("\r", "").replace("\n", "")


def _environment() -> Sandbox:
    environment = Sandbox()
    environment.filters["header_safe"] = _header_safe
    return environment


ENVIRONMENT = _environment()


class TemplateInvalid(Exception):
    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__(errors)


def templates_check(webhook) -> None:
    """Raise TemplateInvalid naming each of the webhook's templates that does not compile."""
    errors = {}
    for name in ("payload_url", "additional_headers", "body_template"):
        try:
            ENVIRONMENT.from_string(getattr(webhook, name) or "")
        except TemplateError as error:
            errors[name] = f"Invalid Jinja2 template: {error}"
    if not errors:
        url = webhook.payload_url.strip()
        if "{" not in url and not url.lower().startswith(("http://", "https://")):
            errors["payload_url"] = "The URL must start with http:// or https://."
    if errors:
        raise TemplateInvalid(errors)


def _render(template: str, context: dict) -> str:
    return template_render(template, context, environment=ENVIRONMENT)


def _headers(text: str) -> dict[str, str]:
    headers = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        name, separator, value = line.partition(":")
        if not separator or not name.strip():
            raise ValidationError(f"Additional headers must be 'Name: Value' lines, got {line!r}.")
        headers[name.strip()] = value.strip()
    return headers


def signature(body: bytes, secret: str) -> str:
    """NetBox's X-Hook-Signature: HMAC-SHA512 of the body, hex."""
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha512).hexdigest()


@dataclass
class Request:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes


def request_build(webhook, context: dict, idempotency_key: str) -> Request:
    """The request a delivery sends; ValidationError or TemplateError when a template fails on this event."""
    headers = {"Content-Type": webhook.http_content_type}
    headers.update(_headers(_render(webhook.additional_headers, context)))
    if webhook.body_template:
        body = _render(webhook.body_template, context).encode("utf-8")
    else:
        body = json.dumps(context, default=str).encode("utf-8")
    if webhook.secret:
        headers[SIGNATURE_HEADER] = signature(body, webhook.secret)
    headers[IDEMPOTENCY_HEADER] = idempotency_key
    url = _render(webhook.payload_url, context).strip()
    if not url.lower().startswith(("http://", "https://")):
        raise ValidationError(f"The webhook's URL must start with http:// or https://, got {url[:100]!r}.")
    return Request(method=webhook.http_method, url=url, headers=headers, body=body)


@dataclass
class Outcome:
    ok: bool
    response_code: int | None
    duration_ms: int
    response_body: str
    error: str
    retryable: bool = False  # worth another attempt: no answer, or an overloaded receiver's


def _verify(webhook) -> bool | str:
    if not webhook.ssl_verification:
        return False
    if webhook.ca_file_path and settings.WEBHOOK_CA_FILES_DIR:
        return str(Path(settings.WEBHOOK_CA_FILES_DIR) / Path(webhook.ca_file_path).name)
    return True


def request_send(webhook, request: Request) -> Outcome:
    """Send the request through the SSRF-safe client; a 2xx answer is a success."""
    timeout = webhook.timeout or settings.WEBHOOK_TIMEOUT
    session = outbound_session(allow_http=True, timeout=timeout, max_bytes=MAX_RESPONSE_BYTES)
    started = time.monotonic()
    try:
        response = session.request(
            request.method,
            request.url,
            headers=request.headers,
            data=request.body,
            verify=_verify(webhook),
            allow_redirects=False,
        )
    except DestinationRefused as error:
        return Outcome(False, None, _elapsed(started), "", str(error)[:1000])
    except OutboundError as error:
        return Outcome(False, None, _elapsed(started), "", str(error)[:1000] or type(error).__name__, retryable=True)
    finally:
        session.close()
    ok = 200 <= response.status_code < 300
    return Outcome(
        ok,
        response.status_code,
        _elapsed(started),
        response.text[:LOGGED_BODY_CHARS],
        "" if ok else f"The receiver answered {response.status_code} {response.reason}.",
        retryable=response.status_code in RETRY_CODES,
    )


def _elapsed(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
