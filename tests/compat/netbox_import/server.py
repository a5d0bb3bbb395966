"""A NetBox on 127.0.0.1 serving the recorded data set (`pages/`) as NetBox 4.7's REST API serves it: GET only,
`limit`/`offset` pages with `count`/`next`/`previous`/`results`, NetBox's 403 for a wrong token and a JSON 404
for a path it does not have. Tests change `pages` (a bad object, a renamed one) or make a path fail."""

import copy
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

PAGES = Path(__file__).parent / "pages"
TOKEN = "nbt_recorded.0123456789abcdef0123456789abcdef01234567"


def recorded_objects() -> dict[str, list[dict]]:
    """The data set: "dcim/sites" -> its objects, as NetBox listed them."""
    return {
        path.stem.replace(".", "/", 1): json.loads(path.read_text())["results"]
        for path in sorted(PAGES.glob("*.json"))
        if path.stem != "status"
    }


class RecordedNetBox:
    def __init__(self, token: str = TOKEN):
        self.token = token
        self.objects = copy.deepcopy(recorded_objects())
        self.status = json.loads((PAGES / "status.json").read_text())
        self.failing: set[str] = set()  # paths answered with HTTP 500
        self.requests: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        netbox = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                netbox._answer(self)

            def do_POST(self):
                self._refuse()

            do_PUT = do_PATCH = do_DELETE = do_POST

            def _refuse(self):
                with netbox.lock:
                    netbox.requests.append((self.command, self.path))
                _send(self, 405, {"detail": f'Method "{self.command}" not allowed.'})

            def log_message(self, format, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        _host, port = self._server.server_address[:2]
        return f"http://127.0.0.1:{port}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        with self.lock:
            self.requests.append(("GET", handler.path))
        given = handler.headers.get("Authorization", "")
        expected = ("Bearer " if self.token.startswith("nbt_") else "Token ") + self.token
        if given != expected:
            detail = "Invalid v2 token" if given.startswith("Bearer ") else "Invalid v1 token"
            _send(handler, 403, {"detail": detail})
            return
        path = parts.path.removeprefix("/api/").strip("/")
        if path in self.failing:
            _send(handler, 500, {"error": "Internal Server Error"})
            return
        if path == "status":
            _send(handler, 200, self.status)
            return
        if path.count("/") != 1 or not path.replace("/", "").replace("-", "").isalnum():
            _send(handler, 404, {"detail": "Not found."})
            return
        query = parse_qs(parts.query)
        limit = int(query.get("limit", ["50"])[0])
        offset = int(query.get("offset", ["0"])[0])
        results = self.objects.get(path, [])
        base = f"{self.url}/api/{path}/"
        page = {
            "count": len(results),
            "next": f"{base}?limit={limit}&offset={offset + limit}" if offset + limit < len(results) else None,
            "previous": f"{base}?limit={limit}&offset={max(0, offset - limit)}" if offset else None,
            "results": results[offset : offset + limit],
        }
        _send(handler, 200, page)


def _send(handler: BaseHTTPRequestHandler, status: int, body) -> None:
    data = json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("API-Version", "4.7")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)
