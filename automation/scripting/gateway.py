"""The sandbox's only way out: HTTP on a Unix socket, each request answered by Wirebook's own REST API
in-process, as the job's user, in the job's organization.

- The socket is served by the thread that runs the job, one request at a time, so every API call of
  the run happens on that thread's database connection, inside the run's transaction (a dry run rolls
  them all back: automation.scripting.runs).
- The script never holds a credential: the gateway adds the job's token to each request. Paths are
  confined to `/api/` under the organization's root (`/o/<slug>/api/...`); anything else is 404 here,
  and the token belongs to this organization only anyway.
- A request is bounded (headers, body, seconds to arrive); a malformed one gets a 400 and the
  connection is closed.
"""

import contextlib
import http
import json
import socket
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.test import Client

SOCKET_NAME = "api.sock"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
MAX_HEAD = 64 * 1024
MAX_BODY = 10 * 1024 * 1024
READ_SECONDS = 10


class BadRequest(Exception):
    pass


@dataclass
class Gateway:
    directory: Path
    slug: str
    token: str
    requests: int = 0
    listener: socket.socket = field(init=False)

    def __post_init__(self):
        self.directory.chmod(0o755)
        path = self.directory / SOCKET_NAME
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(str(path))
        path.chmod(0o666)
        self.listener.listen(8)
        self.listener.setblocking(False)
        self.client = Client(HTTP_HOST=settings.WIREBOOK_BASE_DOMAIN, raise_request_exception=False)

    def close(self) -> None:
        self.listener.close()

    def accept(self) -> None:
        """Answer one connection waiting on the socket."""
        try:
            connection, _ = self.listener.accept()
        except BlockingIOError:
            return
        with connection:
            connection.settimeout(READ_SECONDS)
            try:
                method, path, body = _read(connection)
                status, content_type, content = self.dispatch(method, path, body)
            except (BadRequest, OSError, ValueError) as exc:
                status, content_type = 400, "application/json"
                content = json.dumps({"detail": f"Bad request: {exc}"}).encode()
            with contextlib.suppress(OSError):
                connection.sendall(_response(status, content_type, content))

    def dispatch(self, method: str, path: str, body: bytes) -> tuple[int, str, bytes]:
        self.requests += 1
        parts = urlsplit(path)
        if not parts.path.startswith("/api/") or ".." in parts.path or parts.netloc:
            return 404, "application/json", b'{"detail": "Not found."}'
        target = f"/o/{self.slug}{parts.path}" + (f"?{parts.query}" if parts.query else "")
        response = self.client.generic(
            method,
            target,
            body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {self.token}", "Accept": "application/json"},
        )
        return response.status_code, response.get("Content-Type", "application/json"), response.content


def _read(connection: socket.socket) -> tuple[str, str, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            raise BadRequest("incomplete request")
        data += chunk
        if len(data) > MAX_HEAD and b"\r\n\r\n" not in data[:MAX_HEAD]:
            raise BadRequest("headers too large")
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    request_line = lines[0].split(" ")
    if len(request_line) != 3 or request_line[0] not in METHODS:
        raise BadRequest("malformed request line")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length") or 0)
    if length > MAX_BODY or length < 0:
        raise BadRequest("body too large")
    while len(body) < length:
        chunk = connection.recv(min(65536, length - len(body)))
        if not chunk:
            raise BadRequest("incomplete body")
        body += chunk
    return request_line[0], request_line[1], body[:length]


def _response(status: int, content_type: str, content: bytes) -> bytes:
    try:
        reason = http.HTTPStatus(status).phrase
    except ValueError:
        reason = "Unknown"
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(content)}\r\nConnection: close\r\n\r\n"
    )
    return head.encode("latin-1") + content
