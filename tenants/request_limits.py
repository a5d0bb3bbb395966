"""Bounds on what one request can make the server parse (issue #9: one member must not be able to
freeze a worker).

`RequestBodyLimitMiddleware` runs before routing, for every request, anonymous ones included:

- a body larger than `WIREBOOK_MAX_REQUEST_BYTES` is refused with 413 before it is read;
- a body nested deeper than `WIREBOOK_MAX_JSON_DEPTH` arrays/objects is refused with 400
  `{"detail": …}` before any view parses it. Python's `json` recurses once per level, so a few
  hundred kilobytes of `[` used to end in a RecursionError (a 500) in every API, and other
  parsers (libyaml's composer) crash the process outright. The check does not depend on the
  Content-Type: the REST API reads any body as JSON. File uploads (multipart) are not JSON and
  are left to the views that take them.

`json_nesting_exceeds` is the check itself, in a few passes of C-speed byte operations (no
recursion, no per-character Python loop); imports use it on pasted and uploaded JSON too.
"""

from django.conf import settings
from django.http import HttpResponse, JsonResponse

from tenants.inputs import is_api_path

# `{`/`}` count as `[`/`]`: only nesting matters here, mismatched brackets are the parser's to report.
_AS_SQUARE = bytes.maketrans(b"{}", b"[]")
_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")
_PASSES = 8


def json_nesting_exceeds(data: bytes | str, limit: int) -> bool:
    """Whether the JSON text nests arrays and objects more than `limit` levels deep.

    Exact for valid JSON. Brackets inside strings do not count; for invalid JSON the answer errs
    towards True only when the text opens more than `limit` brackets it never closes (which the
    parser would otherwise descend into before failing).
    """
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    if data.count(b"[") + data.count(b"{") <= limit:
        return False
    # Drop escaped backslashes, then escaped quotes: every remaining quote opens or closes a string.
    text = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    outside_strings = b"".join(text.split(b'"')[::2])
    brackets = outside_strings.translate(_AS_SQUARE, _NOT_BRACKETS)
    # A few passes remove the innermost level each, at C speed; that is all shallow JSON needs...
    for _ in range(min(limit, _PASSES)):
        shorter = brackets.replace(b"[]", b"")
        if shorter == brackets:
            break
        brackets = shorter
        limit -= 1
    # ...deeper JSON is walked run by run: openers, then closers.
    depth = 0
    for run in brackets.replace(b"][", b"]\n[").split(b"\n"):
        opened = run.count(b"[")
        if depth + opened > limit:
            return True
        depth += 2 * opened - len(run)
    return False


def _is_upload(request) -> bool:
    return request.META.get("CONTENT_TYPE", "").lower().startswith("multipart/")


def _wants_json(request) -> bool:
    content_type = request.META.get("CONTENT_TYPE", "").lower()
    return "json" in content_type or is_api_path(request.path)


def _refusal(request, status: int, message: str) -> HttpResponse:
    if _wants_json(request) or not _is_upload(request):
        return JsonResponse({"detail": message}, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


class RequestBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refusal = self._check(request)
        return refusal if refusal is not None else self.get_response(request)

    def _check(self, request) -> HttpResponse | None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _refusal(request, 400, "Invalid Content-Length header.")
        if length <= 0:
            return None
        limit = settings.WIREBOOK_MAX_REQUEST_BYTES
        if length > limit:
            return _refusal(request, 413, f"The request body is larger than {limit} bytes.")
        if _is_upload(request):
            return None
        depth = settings.WIREBOOK_MAX_JSON_DEPTH
        if json_nesting_exceeds(request.body, depth):
            return _refusal(request, 400, f"JSON nested deeper than {depth} levels is not accepted.")
        return None
